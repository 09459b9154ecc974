"""The staffing search: the fewest agents per interval that meet every target in every interval.

Why simulation and not only Erlang: the closed forms see one department at
a time in steady state. A real day has queues that spill over from one
interval into the next, transfers between departments, multi-skilled groups,
priorities and non-exponential times. The search starts from the Erlang A
plan (:mod:`simcall.staffing.closed_form`) and corrects it by simulation.

The algorithm (``docs/staffing.md`` has the long version)
---------------------------------------------------------
1. **Evaluate** a plan on ``R`` replications (replications ``0..R-1`` of the
   seed): the mean over replications of each target's KPI, overall and per
   interval, judged as :class:`simcall.Summary` judges it. Every candidate
   uses the same replications, so candidates differ only by their staffing
   (common random numbers). All candidates of a step go to the executor in
   one batch.
2. **Reach**: a generous plan (3 x the Erlang A start + 10 per group and
   interval) must meet every target, else no plan the search could find
   would: stop with an error naming the target and the interval.
3. **Add**: while an interval fails, add one agent in every failing interval;
   with several groups, each group's +1 candidate is simulated and each
   interval takes the group that leaves the least shortfall there.
4. **Trim**: one candidate per group, one agent fewer in *every* interval;
   each interval takes the group whose candidate still meets every target
   there, and the largest safest-first set of those removals that passes
   together is kept. Cheap (one candidate per group), it takes away most of
   what the Erlang A start over-staffs by ignoring pooling across skills.
5. **Remove**: simulate single removals (one agent fewer in one group and
   interval) and apply the passing ones, as many at once as still pass
   together (at most one per interval, safest first). Rounds re-check the
   removals that passed last time, then the near misses, then every
   agent-interval; a full round that finds nothing proves the plan
   **locally minimal** on the search replications, and is kept as the proof.
6. **Verify** on fresh replications ``R..R+V-1`` (no stream shared with the
   search): per interval and target the mean, its 95% interval and the
   one-sided confidence that the target holds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from types import MappingProxyType

import numpy as np

from simcall.errors import SimcallError
from simcall.experiments.runner import Job, simulate_many
from simcall.results.provenance import api_call, provenance_block
from simcall.results.summary import Summary
from simcall.results.targets import Goal, goals
from simcall.scenario.schema import Scenario
from simcall.staffing.closed_form import Plan, erlang_plans, staff_of
from simcall.staffing.judge import Evaluation, Evaluator, Progress, changed_plan
from simcall.staffing.plan import CONFIDENCE_WANTED, Removal, StaffingPlan, target_checks

__all__ = ["CONFIDENCE_WANTED", "Progress", "StaffingError", "StaffingPlan", "plan_staff",
           "staff"]

REACH_FACTOR, REACH_EXTRA = 3, 10  # the generous plan: 3 x the Erlang A start + 10


class StaffingError(SimcallError):
    """The search cannot do what was asked (unknown group, unreachable target...)."""


# -- the search -----------------------------------------------------------------------


def staff(
    scenario: Scenario,
    *,
    groups: Sequence[str] | None = None,
    replications: int = 10,
    verify_replications: int = 20,
    seed: int | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    command: str | None = None,
    confidence: float | None = None,
) -> StaffingPlan:
    """Find the fewest agents per interval such that every target holds in every interval.

    Parameters
    ----------
    scenario
        A validated scenario with ``[targets]``.
    groups
        Agent groups to staff (default: every group staffed by ``staff``; groups
        with ``shifts`` stay as they are and cannot be named).
    replications
        Replications each candidate plan is judged on (``0..R-1``).
    verify_replications
        Fresh replications (``R..R+V-1``) the final plan is verified on.
    seed
        Root seed; defaults to the scenario's.
    executor
        Where candidates run (any :class:`concurrent.futures.Executor`); the
        result is the same for every executor and worker count.
    progress
        Called with (step, runs done, runs in the step) as batches run.
    command
        What to record as the command in the provenance (the CLI passes its
        command line); default: this call, as Python.
    confidence
        ``None`` (default): a plan meets a target when the mean over the
        search replications does, as ``simcall run`` judges. A level such as
        ``0.9``: only when the one-sided confidence bound of that mean does,
        which buys a plan that holds up on fresh replications with agents.

    Raises
    ------
    StaffingError
        Unknown or shift-staffed group, no targets, or a target no staffing of
        the chosen groups meets (named with its interval and value).
    """
    if replications < 2:
        raise StaffingError(f"replications {replications}: must be at least 2")
    if verify_replications < 2:
        raise StaffingError(f"verify_replications {verify_replications}: must be at least 2")
    if confidence is not None and not 0.5 <= confidence < 1.0:
        raise StaffingError(f"confidence {confidence:g}: must be at least 0.5 and below 1 "
                            "(e.g. 0.9), or None to judge on the mean")
    seed = scenario.seed if seed is None else seed
    varied = _varied_groups(scenario, groups)
    goal_list = goals(scenario.targets)
    if not goal_list:
        raise StaffingError(f"scenario '{scenario.name}' has no [targets]: nothing to staff "
                            "for (give e.g. service_level or max_abandon_rate)")
    erlang_c, erlang_a = erlang_plans(scenario, varied)
    evaluate = Evaluator(scenario, varied, seed, replications, executor, progress, confidence)
    labels = [scenario.interval_label(k) for k in range(scenario.intervals)] + ["day"]
    steps: list[str] = []

    def describe(ev: Evaluation) -> str:
        missed = ev.failures(goal_list)
        return ", ".join(f"{goal_list[i].kpi} at {labels[r]}" for r, i in missed[:4]) + (
            f" and {len(missed) - 4} more" if len(missed) > 4 else "")

    reach = {g: [REACH_FACTOR * n + REACH_EXTRA for n in erlang_a[g]] for g in varied}
    _check_reachable(evaluate([reach], "checking the targets can be met")[0], goal_list,
                     labels, reach, varied)

    plan = {g: list(erlang_a[g]) for g in varied}
    plan = _add_phase(plan, evaluate, goal_list, reach, labels, steps, describe)
    plan = _trim_phase(plan, evaluate, goal_list, labels, steps)
    plan, removals = _remove_phase(plan, evaluate, goal_list, labels, steps)

    final = evaluate.scenario(plan)
    jobs = [Job(final, seed, r) for r in range(replications + verify_replications)]
    report = None
    if progress is not None:
        callback, total = progress, len(jobs)

        def report(done: int) -> None:
            callback("verifying on fresh replications", done, total)
    runs = simulate_many(jobs, executor, progress=report)
    search = Summary.of(final, seed, runs[:replications])
    verification = Summary.of(final, seed, runs[replications:])
    call = command or api_call("staff", scenario=scenario, groups=list(varied),
                               replications=replications,
                               verify_replications=verify_replications, seed=seed,
                               **({"confidence": confidence} if confidence is not None else {}))
    return StaffingPlan(
        scenario=final, seed=seed, replications=replications,
        verify_replications=verify_replications, groups=tuple(varied),
        plan=MappingProxyType({g: tuple(plan[g]) for g in varied}),
        erlang_c=MappingProxyType({g: tuple(erlang_c[g]) for g in varied}),
        erlang_a=MappingProxyType({g: tuple(erlang_a[g]) for g in varied}),
        checks=target_checks(goal_list, search, verification),
        removals=tuple(removals), search=search, verification=verification,
        steps=tuple(steps), plans_simulated=evaluate.plans,
        runs=evaluate.runs + len(jobs),
        provenance=MappingProxyType(provenance_block(
            final, seed, call, searched_scenario=scenario.name, replications=replications,
            verify_replications=verify_replications, confidence=confidence)),
    )


def _varied_groups(scenario: Scenario, groups: Sequence[str] | None) -> list[str]:
    """The groups to staff, in scenario order; clear errors for names that cannot be."""
    names = [g.name for g in scenario.agents]
    by_staff = [g.name for g in scenario.agents if g.staff is not None]
    if groups is None:
        if not by_staff:
            raise StaffingError("every agent group is staffed by shifts: the search varies "
                                "head counts per interval ('staff'); give a group a staff list")
        return by_staff
    for name in groups:
        if name not in names:
            raise StaffingError(f"--group {name!r}: no agent group of that name; "
                                f"choose from {', '.join(repr(n) for n in names)}")
        if name not in by_staff:
            raise StaffingError(f"--group {name!r}: this group is staffed by shifts, which the "
                                "search keeps as they are; it varies groups with 'staff' "
                                f"({', '.join(repr(n) for n in by_staff) or 'none here'})")
    if not groups:
        raise StaffingError("groups: give at least one agent group to staff")
    return [n for n in by_staff if n in groups]


def _check_reachable(ev: Evaluation, goal_list: Sequence[Goal], labels: Sequence[str],
                     reach: Plan, varied: Sequence[str]) -> None:
    """Stop early, with the target and interval named, when even a generous plan fails."""
    missed = ev.failures(goal_list)
    if not missed:
        return
    r, i = missed[0]
    goal = goal_list[i]
    where = "over the day" if labels[r] == "day" else f"in the interval {labels[r]}"
    heads = "" if labels[r] == "day" else " with " + ", ".join(
        f"{reach[g][r]} {g}" for g in varied)
    others = f" ({len(missed) - 1} more target-intervals also missed)" if len(missed) > 1 else ""
    raise StaffingError(
        f"target {goal.kpi} {goal.text} is not met {where} even{heads} "
        f"(value {ev.values[r][i]:.4g}): more agents cannot meet it{others}. It depends on "
        "something staffing does not change (transfers, trunk lines, patience); relax the "
        "target or change the scenario")


def _add_phase(plan: Plan, evaluate: Evaluator, goal_list: Sequence[Goal], reach: Plan,
               labels: Sequence[str], steps: list[str],
               describe: Callable[[Evaluation], str]) -> Plan:
    """One agent more in every failing interval until every interval meets its targets."""
    groups = list(plan)
    intervals = len(labels) - 1
    while True:
        ev = evaluate([plan], "adding agents where a target fails")[0]
        missed = ev.failures(goal_list)
        if not missed:
            return plan
        failing = sorted({r for r, _ in missed if r < intervals})
        if not failing:  # only the day as a whole misses: help its tightest interval
            margins = np.nan_to_num(ev.margins(goal_list)[:intervals], nan=np.inf)
            failing = [int(np.argmin(margins.min(axis=1)))]
        for k in failing:
            if all(plan[g][k] >= reach[g][k] for g in groups):
                r, i = next(((r, i) for r, i in missed if r == k), missed[0])
                raise StaffingError(
                    f"target {goal_list[i].kpi} {goal_list[i].text} still fails in the interval "
                    f"{labels[k]} with {sum(plan[g][k] for g in groups)} agents (value "
                    f"{ev.values[r][i]:.4g}); staffing alone does not fix it there")
        open_groups = {k: [g for g in groups if plan[g][k] < reach[g][k]] for k in failing}
        candidates = [changed_plan(plan, [(g, k) for k in failing if g in open_groups[k]], +1)
                      for g in groups]
        evs = evaluate(candidates, "adding agents where a target fails") \
            if len(groups) > 1 else [ev]
        choice: list[tuple[str, int]] = []
        for k in failing:
            best = min(open_groups[k], key=lambda g: (
                evs[groups.index(g)].shortfall(goal_list, k),
                evs[groups.index(g)].shortfall(goal_list), groups.index(g)))
            choice.append((best, k))
        steps.append(f"add: {describe(ev)} -> +1 at " + ", ".join(
            f"{labels[k]} ({g})" if len(groups) > 1 else labels[k] for g, k in choice))
        plan = changed_plan(plan, choice, +1)


def _prefixes(count: int) -> list[int]:
    """Sizes of the removal sets tried together: all, half, a quarter, ... down to one."""
    sizes = []
    while count >= 1:
        sizes.append(count)
        count //= 2
    return sizes


def _trim_phase(plan: Plan, evaluate: Evaluator, goal_list: Sequence[Goal],
                labels: Sequence[str], steps: list[str]) -> Plan:
    """Cheap bulk removals before the exact single-removal rounds.

    Why: a removal round simulates one candidate per agent-interval (groups
    x intervals x replications runs), while this step simulates one per group:
    the group with one agent fewer in *every* interval. Each interval then
    takes the group whose candidate still meets every target there, and the
    largest safest-first set of these removals that passes together is kept.
    The Erlang A start ignores pooling across skills, so with several groups
    it can be far above the answer; this takes most of the excess away at a
    small fraction of the cost.
    """
    groups = list(plan)
    intervals = len(labels) - 1
    what = "trimming every interval at once"
    while True:
        candidates = [(g, [k for k in range(intervals) if plan[g][k] > 0]) for g in groups]
        candidates = [(g, ks) for g, ks in candidates if ks]
        if not candidates:
            return plan
        evs = evaluate([changed_plan(plan, [(g, k) for k in ks], -1) for g, ks in candidates], what)
        options: list[tuple[float, int, str, int]] = []
        for k in range(intervals):
            best: tuple[float, int, str, int] | None = None
            for (g, ks), ev in zip(candidates, evs, strict=True):
                row = ev.margins(goal_list)[k]
                if k not in ks or np.any(row < 0):
                    continue
                finite = row[np.isfinite(row)]
                option = (-(float(finite.min()) if finite.size else math.inf),
                          groups.index(g), g, k)
                best = option if best is None or option < best else best
            if best is not None:
                options.append(best)
        if not options:
            return plan
        chosen = [(g, k) for _, _, g, k in sorted(options)]
        sizes = _prefixes(len(chosen))
        together = evaluate([changed_plan(plan, chosen[:s], -1) for s in sizes], what)
        take = next((s for s, ev in zip(sizes, together, strict=True)
                     if ev.passes(goal_list)), 0)
        if take == 0:
            return plan
        steps.append(f"trim: -1 at {take} of {intervals} intervals")
        plan = changed_plan(plan, chosen[:take], -1)


NEAR_MISS = 0.25  # a removal that missed by less than this (normalised) is worth a re-try


def _remove_phase(plan: Plan, evaluate: Evaluator, goal_list: Sequence[Goal],
                  labels: Sequence[str], steps: list[str]) -> tuple[Plan, list[Removal]]:
    """Take agents away while every target still holds; return the plan and its proof.

    Rounds come in three kinds, cheapest first: *recheck* the removals that
    passed last round; then the *near misses* (removals whose last try missed
    a target by little, or never tried); then *every* agent-interval. Only a
    full round that finds nothing ends the phase: it is the proof of local
    minimality. Plans already simulated are not simulated again, so a full
    round after a near-miss round costs only the removals not yet tried.
    """
    groups = list(plan)
    last: dict[tuple[str, int], float] = {}  # each removal's worst margin when last tried
    recheck: list[tuple[str, int]] = []
    mode = "full"
    while True:
        everything = [(g, k) for g in groups for k in range(len(labels) - 1) if plan[g][k] > 0]
        if mode == "recheck":
            candidates = [c for c in recheck if c in everything]
        elif mode == "near":
            candidates = [c for c in everything if last.get(c, 0.0) >= -NEAR_MISS]
        else:
            candidates = everything
        what = ("proving the plan locally minimal" if mode == "full"
                else "removing agents where every target still holds")
        evs = evaluate([changed_plan(plan, [c], -1) for c in candidates], what)
        for c, ev in zip(candidates, evs, strict=True):
            last[c] = ev.slack(goal_list)
        passing = [(c, ev) for c, ev in zip(candidates, evs, strict=True)
                   if ev.passes(goal_list)]
        if not passing:
            if mode == "full":
                return plan, [_why(c, ev, goal_list, labels) for c, ev in
                              zip(candidates, evs, strict=True)]
            mode = "near" if mode == "recheck" else "full"
            continue
        # safest first; at most one per interval, since two there share one queue
        passing.sort(key=lambda item: (-item[1].slack(goal_list), groups.index(item[0][0]),
                                       item[0][1]))
        chosen: list[tuple[str, int]] = []
        for (g, k), _ in passing:
            if all(k != other for _, other in chosen):
                chosen.append((g, k))
        sizes = _prefixes(len(chosen))[:-1]  # one alone is known to pass
        together = evaluate([changed_plan(plan, chosen[:s], -1) for s in sizes],
                            "removing agents where every target still holds")
        take = next((s for s, ev in zip(sizes, together, strict=True)
                     if ev.passes(goal_list)), 1)
        steps.append(f"remove: {take} of {len(passing)} passing single removals at "
                     + ", ".join(f"{labels[k]} ({g})" if len(groups) > 1 else labels[k]
                                 for g, k in sorted(chosen[:take], key=lambda c: c[1])))
        plan = changed_plan(plan, chosen[:take], -1)
        recheck = [c for c, _ in passing]
        mode = "recheck"


def _why(candidate: tuple[str, int], ev: Evaluation, goal_list: Sequence[Goal],
         labels: Sequence[str]) -> Removal:
    """The worst-missed target of a removal that fails."""
    margins = np.nan_to_num(ev.margins(goal_list), nan=np.inf)
    r, i = np.unravel_index(int(np.argmin(margins)), margins.shape)
    goal = goal_list[int(i)]
    return Removal(candidate[0], labels[candidate[1]], goal.kpi, goal.text, labels[int(r)],
                   ev.values[int(r)][int(i)])



def plan_staff(scenario: Scenario, groups: Sequence[str]) -> dict[str, list[int]]:
    """The current head counts of ``groups`` per interval (for comparisons in tests and docs)."""
    by_name = {g.name: g for g in scenario.agents}
    return {name: staff_of(scenario, by_name[name]) for name in groups}
