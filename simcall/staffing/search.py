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

from collections.abc import Sequence
from concurrent.futures import Executor
from types import MappingProxyType

import numpy as np

from simcall.errors import SimcallError
from simcall.results.provenance import api_call, provenance_block
from simcall.results.targets import Goal, goals
from simcall.scenario.schema import Scenario
from simcall.staffing.closed_form import Plan, erlang_plans, staff_of
from simcall.staffing.judge import (
    PASS,
    Evaluator,
    Judgement,
    Progress,
    changed_plan,
    settle,
)
from simcall.staffing.plan import CONFIDENCE_WANTED, Removal, StaffingPlan
from simcall.staffing.verify import VERIFY_FIRST, verify

__all__ = ["CONFIDENCE_WANTED", "Progress", "StaffingError", "StaffingPlan", "plan_staff",
           "staff"]

REACH_FACTOR, REACH_EXTRA = 3, 10  # the generous plan: 3 x the Erlang A start + 10
MOST_ROUNDS = 60  # a safety net: a search that has not settled by then says so


class StaffingError(SimcallError):
    """The search cannot do what was asked (unknown group, unreachable target...)."""


def staff(
    scenario: Scenario,
    *,
    groups: Sequence[str] | None = None,
    replications: int = 40,
    verify_replications: int = 40,
    confidence: float = CONFIDENCE_WANTED,
    budget: int = 5,
    seed: int | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    command: str | None = None,
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

    Raises
    ------
    StaffingError
        Unknown group, no targets, bad settings, or a target no staffing of the chosen
        groups meets (named with its interval and value).
    """
    _check_settings(replications, verify_replications, confidence, budget)
    seed = scenario.seed if seed is None else seed
    varied = _varied_groups(scenario, groups)
    goal_list = goals(scenario.targets)
    if not goal_list:
        raise StaffingError(f"scenario '{scenario.name}' has no [targets]: nothing to staff "
                            "for (give e.g. service_level or max_abandon_rate)")
    erlang_c, erlang_a = erlang_plans(scenario, varied)
    labels = [scenario.interval_label(k) for k in range(scenario.intervals)] + ["day"]
    search = Evaluator(scenario, varied, seed, executor, progress)
    reach = {g: [REACH_FACTOR * n + REACH_EXTRA for n in erlang_a[g]] for g in varied}
    _check_reachable(search, reach, goal_list, labels, varied, replications)

    plan, steps, removals = _search(search, {g: list(erlang_a[g]) for g in varied}, reach,
                                    goal_list, labels, confidence, replications)
    checked = verify(search, plan, reach, confidence, replications, verify_replications,
                     budget, labels, steps)

    call = command or api_call("staff", scenario=scenario, groups=list(varied),
                               replications=replications,
                               verify_replications=verify_replications, seed=seed,
                               confidence=confidence, budget=budget)
    final = search.scenario(checked.plan)
    return StaffingPlan.found(
        scenario=final, seed=seed, groups=tuple(varied), plan=checked.plan,
        erlang_c=erlang_c, erlang_a=erlang_a, goal_list=goal_list, search=checked.search,
        verification=checked.fresh, confidence_wanted=confidence,
        replications=replications, verify_replications=verify_replications,
        rounds=checked.rounds, removals=tuple(removals), steps=tuple(steps),
        plans_simulated=search.plans + checked.plans, runs=search.runs + checked.runs,
        provenance=MappingProxyType(provenance_block(
            final, seed, call, searched_scenario=scenario.name, replications=replications,
            verify_replications=verify_replications, confidence=confidence, budget=budget,
            verify_first_replication=VERIFY_FIRST)),
    )


def _check_settings(replications: int, verify_replications: int, confidence: float,
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
    """Rounds of moves until a round changes nothing (see the module docstring)."""
    groups = list(plan)
    intervals = len(labels) - 1
    steps: list[str] = []
    for _ in range(MOST_ROUNDS):
        (now,) = settle(search, [plan], [range(intervals)], wanted, most,
                        "judging the plan interval by interval")
        status = now.status(wanted)[:intervals]
        short = [k for k in range(intervals) if status[k] != PASS]
        for k in short:
            if all(plan[g][k] >= reach[g][k] for g in groups):
                _unreachable(now, goal_list, labels, k, plan, groups)
        adds, removes, tried = _moves(search, plan, reach, status, wanted, most, groups)
        if not adds and not removes:
            return plan, steps, _proof(tried, goal_list, labels)
        moved = changed_plan(changed_plan(plan, adds, +1), removes, -1)
        (together,) = settle(search, [moved], [[k for _, k in removes]], wanted, most,
                             "checking the moves together")
        status_together = together.status(wanted)
        undone = [(g, k) for g, k in removes if status_together[k] != PASS]
        kept = [(g, k) for g, k in removes if status_together[k] == PASS]
        if not adds and not kept:
            return plan, steps, _proof(tried, goal_list, labels)
        steps.append(_step_text(adds, kept, undone, labels, len(groups) > 1))
        plan = changed_plan(changed_plan(plan, adds, +1), kept, -1)
    raise StaffingError(f"the search did not settle in {MOST_ROUNDS} rounds (last step: "
                        f"{steps[-1] if steps else 'none'}); please report this scenario")


Move = tuple[str, int]


def _moves(search: Evaluator, plan: Plan, reach: Plan, status: np.ndarray, wanted: float,
           most: int, groups: list[str]) -> tuple[list[Move], list[Move],
                                                  list[tuple[str, int, Judgement]]]:
    """One agent more where an interval does not pass, one fewer where it does: which
    group, judged on each group's candidate. Also returns the removals that were judged
    and failed, with their judgement (the proof of minimality when nothing moves)."""
    intervals = len(status)
    passing = [k for k in range(intervals) if status[k] == PASS]
    short = [k for k in range(intervals) if status[k] != PASS]
    candidates: list[tuple[str, Plan, list[int], list[int]]] = []
    for g in groups:
        down = [k for k in passing if plan[g][k] > 0]
        up = [k for k in short if plan[g][k] < reach[g][k]]
        if down or up:
            candidates.append((g, changed_plan(changed_plan(plan, [(g, k) for k in up], +1),
                                               [(g, k) for k in down], -1), down, up))
    judged = settle(search, [c[1] for c in candidates], [c[2] + c[3] for c in candidates],
                    wanted, most, "trying one agent more or fewer per group")
    adds: list[Move] = []
    removes: list[Move] = []
    tried: list[tuple[str, int, Judgement]] = []
    order = {g: i for i, g in enumerate(groups)}
    for k in range(intervals):
        options = []
        for (g, _, down, up), judgement in zip(candidates, judged, strict=True):
            if k not in down and k not in up:
                continue
            confidence = judgement.interval_confidence()[k]
            confidence = 1.0 if not np.isfinite(confidence) else float(confidence)
            worst = np.nan_to_num(judgement.margins()[k], nan=np.inf).min()
            ok = judgement.status(wanted)[k] == PASS
            options.append((ok, confidence, float(worst), -order[g], g, judgement))
            if k in down and not ok:
                tried.append((g, k, judgement))
        if not options:
            continue
        best = max(options, key=lambda o: o[:4])
        if k in passing and best[0]:
            removes.append((best[4], k))
        elif k in short:
            adds.append((best[4], k))
    return adds, removes, tried


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


def _varied_groups(scenario: Scenario, groups: Sequence[str] | None) -> list[str]:
    """The groups to staff, in scenario order; clear errors for names that cannot be."""
    names = [g.name for g in scenario.agents]
    by_staff = [g.name for g in scenario.agents if g.staff is not None]
    if groups is None:
        if not by_staff:
            raise StaffingError("every agent group is staffed by shifts: give --shifts to "
                                "roster them again, or give a group a staff list")
        return by_staff
    for name in groups:
        if name not in names:
            raise StaffingError(f"--group {name!r}: no agent group of that name; "
                                f"choose from {', '.join(repr(n) for n in names)}")
        if name not in by_staff:
            raise StaffingError(f"--group {name!r}: this group is staffed by shifts; give "
                                "--shifts to roster it again, or name a group with 'staff' "
                                f"({', '.join(repr(n) for n in by_staff) or 'none here'})")
    if not groups:
        raise StaffingError("groups: give at least one agent group to staff")
    return [n for n in by_staff if n in groups]


def plan_staff(scenario: Scenario, groups: Sequence[str]) -> dict[str, list[int]]:
    """The current head counts of ``groups`` per interval (for comparisons in tests and docs)."""
    by_name = {g.name: g for g in scenario.agents}
    return {name: staff_of(scenario, by_name[name]) for name in groups}
