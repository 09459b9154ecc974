"""The staffing search: the fewest agents per interval that meet every target, with confidence.

Why simulation and not only Erlang: the closed forms see one department at a time in
steady state. A real day has queues that spill over from one interval into the next,
transfers between departments, multi-skilled groups, priorities and non-exponential
times. The search starts from the exact Erlang A plan
(:mod:`simcall.staffing.closed_form`) and corrects it by simulation.

Why a guarantee and not a best guess: a half-hour holds a few dozen calls, so a plan
judged on the mean of a few replications keeps whichever removal the noise happened to
favour, and fails on fresh days. Here every decision is a confidence statement, made with
as many replications as it needs (:mod:`simcall.staffing.judge`), and the plan is then
verified on fresh replications and repaired until it holds
(:mod:`simcall.staffing.verify`).

The algorithm (``docs/staffing.md`` has the long version)
---------------------------------------------------------
Every simulated day judges every interval at once, so all intervals are settled
together, round by round, on common random numbers:

1. **Reach**: a generous plan (3 x the Erlang A start + 10 per group and interval) must
   meet every target on the mean, else no staffing does: stop with the target and the
   interval named.
2. **Judge** the plan: each interval passes (every target holds with the wanted
   confidence), fails (some target is missed with that confidence) or stays open when
   the replication limit is reached (counted as not passing).
3. **Move**: every interval that does not pass gets one agent more; every interval that
   passes tries one agent fewer. With several groups, each group's candidate (one agent
   fewer in every passing interval, one more in every other) is judged, and each
   interval takes the group that leaves it the most confident.
4. **Check together**: the moves are judged as one plan; a removal whose interval no
   longer passes is undone. Repeat from 2 until a round changes nothing: then no single
   group can lose an agent in any interval (the record of why is kept), and every
   interval passes or has reached the generous plan.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import Executor
from types import MappingProxyType

import numpy as np

from simcall.errors import SimcallError
from simcall.results.provenance import api_call, provenance_block
from simcall.results.targets import Goal, goals
from simcall.results.traffic import staff_of
from simcall.scenario.schema import Scenario
from simcall.staffing.closed_form import Plan, busiest, erlang_plans
from simcall.staffing.judge import (
    FAIL,
    OPEN,
    PASS,
    Evaluator,
    Judgement,
    Progress,
    below,
    best_groups,
    changed_plan,
    settle,
)
from simcall.staffing.plan import CONFIDENCE_WANTED, Removal, StaffingPlan
from simcall.staffing.shift_rules import Rostering, ShiftRules, as_staffed
from simcall.staffing.verify import VERIFY_FIRST, verify

__all__ = ["CONFIDENCE_WANTED", "Progress", "StaffingError", "StaffingPlan", "plan_staff",
           "staff"]

REACH_FACTOR, REACH_EXTRA = 3, 10  # the generous plan: 3 x the Erlang A start + 10
MOST_ROUNDS = 60  # a safety net: a search that has not settled by then says so
Move = tuple[str, int]


class StaffingError(SimcallError):
    """The search cannot do what was asked (unknown group, unreachable target...)."""


def staff(
    scenario: Scenario,
    *,
    groups: Sequence[str] | None = None,
    replications: int = 20,
    verify_replications: int = 100,
    confidence: float = CONFIDENCE_WANTED,
    budget: int = 5,
    seed: int | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    command: str | None = None,
    shifts: ShiftRules | str | None = None,
) -> StaffingPlan:
    """Find the fewest agents per interval such that every target holds in every interval.

    Parameters
    ----------
    scenario
        A validated scenario with ``[targets]``.
    groups
        Agent groups to staff (default: every group staffed by ``staff``).
    replications
        The most replications one candidate plan is simulated on; a clear decision stops
        earlier (replications ``0..replications-1`` of the seed).
    verify_replications
        Fresh replications per verification round (never used by the search).
    confidence
        One-sided confidence with which every target must hold in every interval, on
        fresh replications (0.95 by default).
    budget
        Verification rounds: when an interval falls short on fresh replications it gets
        one agent more, and the plan is verified again on new fresh replications, at most
        this many times in all.
    seed
        Root seed; defaults to the scenario's.
    executor
        Where plans run (any :class:`concurrent.futures.Executor`); the result is the same
        for every executor and worker count.
    progress
        Called with (step, runs done, runs in the step) as batches run.
    command
        What to record as the command in the provenance (the CLI passes its command line);
        default: this call, as Python.
    shifts
        Turn the plan into a roster of these shifts (:class:`ShiftRules`, or the shift
        lengths as the command line writes them, ``"8h,6h,4h"``): the cheapest
        shifts covering the plan in every interval, then verified and repaired as a
        roster (breaks and shift edges change the queue). Groups staffed by ``shifts``
        can then be staffed too (re-rostered). The result's ``rosters`` and ``scenario``
        hold the shifts.

    Raises
    ------
    StaffingError
        Unknown group, no targets, bad settings, or a target no staffing of the chosen
        groups meets (named with its interval and value).
    RosteringError
        Shift rules that do not fit the day (a shift longer than the opening hours, a
        break window outside the shift), or an interval no allowed shift covers.
    """
    check_settings(replications, verify_replications, confidence, budget)
    seed = scenario.seed if seed is None else seed
    searched = scenario
    rostering = None
    if isinstance(shifts, str):
        shifts = ShiftRules.parse(shifts)
    if shifts is not None:
        varied_groups(scenario, groups, rostered=True)  # names checked before any change
        scenario = as_staffed(scenario, groups)
        rostering = Rostering.of(shifts, scenario)
    varied = varied_groups(scenario, groups)
    goal_list = goals(scenario.targets)
    if not goal_list:
        raise StaffingError(f"scenario '{scenario.name}' has no [targets]: nothing to staff "
                            "for (give e.g. service_level or max_abandon_rate)")
    _check_power(replications, verify_replications, confidence, len(goal_list))
    erlang_c, erlang_a = erlang_plans(scenario, varied)
    if rostering is not None:  # an interval no shift covers is said now, not after a search
        for g in varied:
            rostering([max(n, 1) for n in erlang_a[g]])
    labels = [scenario.interval_label(k) for k in range(scenario.intervals)] + ["day"]
    search = Evaluator(scenario, varied, seed, executor, progress)
    reach = {g: [REACH_FACTOR * n + REACH_EXTRA for n in erlang_a[g]] for g in varied}
    _check_reachable(search, reach, goal_list, labels, varied, replications)

    plan, steps, removals = _search(search, {g: list(erlang_a[g]) for g in varied}, reach,
                                    goal_list, labels, search_confidence(confidence),
                                    replications)
    judged = search if rostering is None else search.rostered(rostering)
    checked = verify(judged, plan, reach, confidence, replications, verify_replications,
                     budget, labels, steps)

    extra = {} if shifts is None else {"shifts": shifts}
    call = command or api_call("staff", scenario=searched, groups=list(varied),
                               replications=replications,
                               verify_replications=verify_replications, seed=seed,
                               confidence=confidence, budget=budget, **extra)
    final = judged.scenario(checked.plan)
    rosters = {} if rostering is None else {g: rostering(checked.plan[g]) for g in varied}
    evaluators = [search] if judged is search else [search, judged]
    return StaffingPlan.found(
        rosters=MappingProxyType(rosters), shift_rules=shifts,
        scenario=final, seed=seed, groups=tuple(varied), plan=checked.plan,
        erlang_c=erlang_c, erlang_a=erlang_a, goal_list=goal_list, search=checked.search,
        verification=checked.fresh, confidence_wanted=confidence,
        replications=replications, verify_replications=verify_replications,
        rounds=checked.rounds, removals=tuple(removals), steps=tuple(steps),
        plans_simulated=sum(e.plans for e in evaluators) + checked.plans,
        runs=sum(e.runs for e in evaluators) + checked.runs,
        calls=sum(e.calls for e in evaluators) + checked.calls,
        provenance=MappingProxyType(provenance_block(
            final, seed, call, searched_scenario=searched.name, replications=replications,
            verify_replications=verify_replications, confidence=confidence, budget=budget,
            verify_first_replication=VERIFY_FIRST,
            **({} if shifts is None else {"shifts": shifts.describe()}))),
    )


def search_confidence(wanted: float) -> float:
    """The confidence the search asks of its own decisions: stricter than the one wanted
    on fresh replications (half the risk), because the removals it keeps are the ones its
    replications favoured, and fresh ones favour them less (the winner's curse). Verifying
    then rarely has to add agents back."""
    return 1.0 - (1.0 - wanted) * SEARCH_RISK


SEARCH_RISK = 0.5


def least_replications(confidence: float, targets: int) -> int:
    """The fewest replications on which an interval can show, with ``confidence``, that its
    ``targets`` all hold, when each clears its bound by one standard deviation of a day.

    Why a floor: with n replications a target shows confidence q only when its mean clears
    the bound by ``t_q(n-1) / sqrt(n)`` standard deviations of a single day (one-sided t;
    ``q = 1 - (1 - confidence) / targets`` under Bonferroni). Past one standard deviation,
    a plan can hold only by being far above the target everywhere: the budget is too small
    for the confidence, and saying so beats a plan with agents everywhere.
    """
    from simcall.results.stats import t_quantile

    q = 1.0 - (1.0 - confidence) / max(targets, 1)
    n = 2
    while t_quantile(q, n - 1) / math.sqrt(n) > 1.0:
        n += 1
    return n


def _check_power(replications: int, verify_replications: int, confidence: float,
                 targets: int) -> None:
    """Refuse replication budgets too small for the confidence (see
    :func:`least_replications`), naming the option and the least that works."""
    searched = search_confidence(confidence)
    for option, count, level, what in (
            ("verify_replications (--verify)", verify_replications, confidence,
             "fresh replications"),
            ("replications (--replications)", replications, searched,
             "search replications (whose decisions ask for half the risk)")):
        least = least_replications(level, targets)
        if count < least:
            raise StaffingError(
                f"{option} {count}: too few to show {confidence:.0%} confidence for "
                f"{targets} target(s) at once; with {count} {what} an interval would have to "
                f"clear every target by more than a day's standard deviation. Give at least "
                f"{least}, or ask for a lower confidence (--confidence)")


def check_settings(replications: int, verify_replications: int, confidence: float,
                    budget: int) -> None:
    if replications < 3:
        raise StaffingError(f"replications {replications}: must be at least 3 (a confidence "
                            "needs a spread to measure)")
    if verify_replications < 3:
        raise StaffingError(f"verify_replications {verify_replications}: must be at least 3")
    if not 0.5 <= confidence < 1.0:
        raise StaffingError(f"confidence {confidence:g}: must be at least 0.5 and below 1 "
                            "(e.g. 0.95)")
    if budget < 1:
        raise StaffingError(f"budget {budget}: must be at least 1 verification round")


def _search(search: Evaluator, plan: Plan, reach: Plan, goal_list: Sequence[Goal],
            labels: Sequence[str], wanted: float,
            most: int) -> tuple[Plan, list[str], list[Removal]]:
    """Rounds of moves until a round changes nothing, first on few replications, then on
    more (see the module docstring).

    Why levels: far from the answer every decision is clear on 10 replications, and a
    round costs a tenth of one on 100; only the last moves need the full count. Below the
    last level an open decision moves nothing; at the last, an open interval counts as not
    passing (it gets an agent).

    Why one candidate per round: a simulated day judges every interval at once, so each
    round tries one move in every interval together (agents fewer where the interval
    passes, from the group that looks least busy there and has not been tried yet; one
    more where it does not), keeps the removals that still pass and undoes the others.
    A removal that held is followed by one twice as big in that interval, one that failed
    by a single agent; a single agent that cannot go marks its group tried there. Judging
    the moves together is the conservative side: a removal must hold while its
    neighbours lose agents too.
    """
    groups = list(plan)
    intervals = len(labels) - 1
    scenario = search.scenario(plan)
    steps: list[str] = []
    levels = sorted({min(level, most) for level in LEVELS} | {most})
    failed: dict[Move, tuple[int, Judgement]] = {}  # removals that failed, at which count
    for level in levels:
        final = level == most
        # at this level, at the current head count; a removal that failed clearly on fewer
        # replications is not tried again (more replications would not turn it round)
        tried: set[Move] = {(g, k) for (g, k), (n, judgement) in failed.items()
                            if plan[g][k] == n and _clearly(judgement, k)}
        added: set[int] = set()  # intervals that needed an agent at this level
        size = [1] * intervals  # agents the next removal in each interval takes away
        (now,) = settle(search, [plan], [range(intervals)], wanted, level,
                        f"judging the plan on up to {level} replications")
        status = now.status(wanted)[:intervals].copy()
        for _ in range(MOST_ROUNDS):
            removes: list[Move] = []
            # below the last level nothing is added: the Erlang A start rarely lacks an
            # agent, and what the early levels take away too eagerly the last gives back
            # an interval still open after an agent more is left to the verification
            # (fresh replications decide it): a second agent for the noise of the search's
            # own replications would make a flat demand's plan lumpy
            short = [k for k in range(intervals) if final and (
                status[k] == FAIL or (status[k] == OPEN and k not in added))]
            for k in short:
                if final and all(plan[g][k] >= reach[g][k] for g in groups):
                    _unreachable(now, goal_list, labels, k, plan, groups)
            adds = best_groups(search, plan, short, groups,
                               below(plan, reach), min(level, CHOOSE),
                               "choosing which group gets the agents needed") if short else []
            for k in range(intervals):
                if status[k] == PASS and k not in added:
                    order = busiest(scenario, plan, k, groups)[::-1]
                    untried = [g for g in order if plan[g][k] > 0 and (g, k) not in tried]
                    if untried:
                        removes.append((untried[0], k))
            if not removes and not adds:
                break
            taken = {k: min(size[k], plan[g][k]) for g, k in removes}
            moved = changed_plan(changed_plan(plan, adds, +1),
                                 [(g, k) for g, k in removes for _ in range(taken[k])], -1)
            (now,) = settle(search, [moved], [[k for _, k in removes + adds]], wanted, level,
                            f"trying a move in every interval (up to {level} replications)")
            new_status = now.status(wanted)[:intervals]
            changed = {k for _, k in removes + adds}
            # an interval left as it was that stops passing was hurt by the queue its
            # neighbour left behind: that neighbour's removal is undone too
            spilled = {k - 1 for k in range(1, intervals) if k not in changed
                       and status[k] == PASS and new_status[k] != PASS}
            kept = [(g, k) for g, k in removes if new_status[k] == PASS and k not in spilled]
            undone = [(g, k) for g, k in removes if (g, k) not in kept]
            for g, k in undone:  # a failed single removal is tried no more; a bigger one
                if taken[k] == 1:  # is tried again one agent at a time
                    failed[(g, k)] = (plan[g][k], now)
                    tried.add((g, k))
                size[k] = 1
            for _, k in kept:  # a removal that held: the next one takes twice as many
                size[k] = 2 * taken[k]
            added |= {k for _, k in adds}
            plan = changed_plan(changed_plan(plan, adds, +1),
                                [(g, k) for g, k in kept for _ in range(taken[k])], -1)
            # undone removals leave their intervals (and their neighbours) as they were
            back = {k for _, k in undone} | {k + 1 for k in spilled}
            status = np.where([k in back for k in range(intervals)], PASS, new_status)
            steps.append(_step_text(adds, kept, undone, labels, len(groups) > 1))
        else:
            raise StaffingError(f"the search did not settle in {MOST_ROUNDS} rounds (last "
                                f"step: {steps[-1] if steps else 'none'}); please report "
                                "this scenario")
    proof = [(g, k, judgement) for (g, k), (n, judgement) in failed.items()
             if plan[g][k] == n]
    return plan, steps, _proof(proof, goal_list, labels)


LEVELS = (10,)  # replication limits of the early levels (the last is ``replications``)
HOPELESS = 0.5  # a removal whose interval was less confident than this failed clearly


def _clearly(judgement: Judgement, k: int) -> bool:
    confidence = judgement.interval_confidence()[k]
    return bool(np.isfinite(confidence) and confidence < HOPELESS)
CHOOSE = 10  # replications that rank the groups for an added agent (paired: enough)


def _proof(tried: list[tuple[str, int, Judgement]], goal_list: Sequence[Goal],
           labels: Sequence[str]) -> list[Removal]:
    """Why no group can lose an agent in any interval: the target that then fails."""
    out = []
    for g, k, judgement in tried:
        confidence = np.nan_to_num(judgement.confidence[k], nan=1.0)
        i = int(np.argmin(confidence))
        goal = goal_list[i]
        out.append(Removal(g, labels[k], goal.kpi, goal.text, labels[k],
                           float(judgement.means()[k, i])))
    return sorted(out, key=lambda r: (labels.index(r.interval), r.group))


def _step_text(adds: Sequence[Move], kept: Sequence[Move], undone: Sequence[Move],
               labels: Sequence[str], named: bool) -> str:
    def where(moves: Sequence[Move]) -> str:
        return ", ".join(f"{labels[k]} ({g})" if named else labels[k]
                         for g, k in sorted(moves, key=lambda m: (m[1], m[0])))
    parts = []
    if adds:
        parts.append(f"+1 at {where(adds)}")
    if kept:
        parts.append(f"-1 at {where(kept)}")
    if undone:
        parts.append(f"(-1 undone at {where(undone)}: not together)")
    return "; ".join(parts)


def _check_reachable(search: Evaluator, reach: Plan, goal_list: Sequence[Goal],
                     labels: Sequence[str], varied: Sequence[str], most: int) -> None:
    """Stop early, with the target and interval named, when even a generous plan fails."""
    search.ensure([reach], [min(10, most)], "checking the targets can be met")
    means = search.judge(reach).means()
    for k in range(means.shape[0]):
        for i, goal in enumerate(goal_list):
            if goal.met(float(means[k, i])) is not False:
                continue
            where = "over the day" if labels[k] == "day" else f"in the interval {labels[k]}"
            heads = "" if labels[k] == "day" else " with " + ", ".join(
                f"{reach[g][k]} {g}" for g in varied)
            raise StaffingError(
                f"target {goal.kpi} {goal.text} is not met {where} even{heads} (value "
                f"{means[k, i]:.4g}): more agents cannot meet it. It depends on something "
                "staffing does not change (transfers, trunk lines, patience); relax the "
                "target or change the scenario")


def _unreachable(judgement: Judgement, goal_list: Sequence[Goal], labels: Sequence[str],
                 k: int, plan: Plan, groups: Sequence[str]) -> None:
    confidence = np.nan_to_num(judgement.confidence[k], nan=1.0)
    i = int(np.argmin(confidence))
    raise StaffingError(
        f"target {goal_list[i].kpi} {goal_list[i].text} still fails in the interval "
        f"{labels[k]} with {sum(plan[g][k] for g in groups)} agents (value "
        f"{judgement.means()[k, i]:.4g}); staffing alone does not fix it there")


def varied_groups(scenario: Scenario, groups: Sequence[str] | None,
                   rostered: bool = False) -> list[str]:
    """The groups to staff, in scenario order; clear errors for names that cannot be
    (with ``rostered``, groups staffed by shifts can: they are rostered again)."""
    names = [g.name for g in scenario.agents]
    by_staff = [g.name for g in scenario.agents if g.staff is not None or rostered]
    if groups is None:
        if not by_staff:
            raise StaffingError("every agent group is staffed by shifts: give shifts "
                                "(--shifts) to roster them again, or give a group a staff list")
        return by_staff
    for name in groups:
        if name not in names:
            raise StaffingError(f"groups (--group) {name!r}: no agent group of that name; "
                                f"choose from {', '.join(repr(n) for n in names)}")
        if name not in by_staff:
            raise StaffingError(f"groups (--group) {name!r}: this group is staffed by shifts; "
                                "give shifts (--shifts) to roster it again, or name a group "
                                "with 'staff' "
                                f"({', '.join(repr(n) for n in by_staff) or 'none here'})")
    if not groups:
        raise StaffingError("groups: give at least one agent group to staff")
    return [n for n in by_staff if n in groups]


def plan_staff(scenario: Scenario, groups: Sequence[str]) -> dict[str, list[int]]:
    """The current head counts of ``groups`` per interval (for comparisons in tests and docs)."""
    by_name = {g.name: g for g in scenario.agents}
    return {name: staff_of(scenario, by_name[name]) for name in groups}
