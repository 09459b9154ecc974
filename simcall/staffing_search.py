"""The staffing search: the fewest agents per interval that meet every target in every interval.

Why simulation and not only Erlang: the closed forms see one department at
a time in steady state. A real day has queues that spill over from one
interval into the next, transfers between departments, multi-skilled groups,
priorities and non-exponential times. The search starts from the Erlang A
plan (:mod:`simcall.erlang_plan`) and corrects it by simulation.

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
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from simcall.erlang_plan import Plan, erlang_plans, staff_of
from simcall.errors import SimcallError
from simcall.loader import from_dict
from simcall.metrics import SHARE_KPIS
from simcall.provenance import api_call, provenance, scenario_data
from simcall.results import RunResult, Summary
from simcall.runner import Job, simulate_many
from simcall.scenario import Scenario
from simcall.stats import Estimate, t_cdf
from simcall.targets import Goal, goals

Progress = Callable[[str, int, int], None]
"""Called with (what the search is doing, runs done in this batch, runs in this batch)."""

REACH_FACTOR, REACH_EXTRA = 3, 10  # the generous plan: 3 x the Erlang A start + 10
CONFIDENCE_WANTED = 0.95


class StaffingError(SimcallError):
    """The search cannot do what was asked (unknown group, unreachable target...)."""


# -- judging a plan -------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """A plan's target KPIs on the search replications (means over replications).

    ``values[k][i]`` is goal ``i``'s KPI in interval ``k``; the last row is the
    whole day (``overall``). ``nan`` where there is nothing to judge.
    """

    values: tuple[tuple[float, ...], ...]

    def margins(self, goal_list: Sequence[Goal]) -> np.ndarray:
        """Normalised margins, rows as ``values``: >= 0 met, < 0 missed, nan undefined."""
        return np.array([[_margin(g, v) for g, v in zip(goal_list, row, strict=True)]
                         for row in self.values], dtype=float).reshape(len(self.values), -1)

    def failures(self, goal_list: Sequence[Goal]) -> list[tuple[int, int]]:
        """(row, goal) pairs missed, in row order (the overall row is last)."""
        m = self.margins(goal_list)
        return [(r, i) for r in range(m.shape[0]) for i in range(m.shape[1]) if m[r, i] < 0]

    def passes(self, goal_list: Sequence[Goal]) -> bool:
        return not self.failures(goal_list)

    def shortfall(self, goal_list: Sequence[Goal], row: int | None = None) -> float:
        """Sum of normalised shortfalls in one row (or all rows)."""
        m = self.margins(goal_list)
        m = m if row is None else m[row:row + 1]
        return float(-np.nansum(np.minimum(m, 0.0)))

    def slack(self, goal_list: Sequence[Goal]) -> float:
        """The smallest normalised margin anywhere: how safe the plan is."""
        m = self.margins(goal_list)
        finite = m[np.isfinite(m)]
        return float(finite.min()) if finite.size else math.inf


def _margin(goal: Goal, value: float) -> float:
    """How far a value is inside its target, as a share of the room the target leaves.

    Why normalised: a service level 5 points short and an abandonment rate 2
    points over must be comparable when choosing where an agent helps most.
    The room is ``1 - bound`` for a share that must be at least the bound (80%
    leaves 20 points), the bound itself otherwise (5% abandonment, 30 s ASA).
    """
    if not math.isfinite(value):
        return math.nan
    if goal.at_least:
        room = 1.0 - goal.bound if goal.kpi in SHARE_KPIS and goal.bound < 1 else goal.bound
        return (value - goal.bound) / max(room, 1e-9)
    room = goal.bound if goal.bound > 0 else 1.0  # a bound of 0: the shortfall as it is
    return (goal.bound - value) / room


def _evaluation(goal_list: Sequence[Goal], runs: Sequence[RunResult], intervals: int) -> Evaluation:
    def mean(values: list[float]) -> float:
        return Estimate.of(values).mean  # the mean Summary judges (undefined runs left out)

    rows = [tuple(mean([r.metrics.intervals[k][g.kpi] for r in runs]) for g in goal_list)
            for k in range(intervals)]
    rows.append(tuple(mean([r.metrics.overall[g.kpi] for r in runs]) for g in goal_list))
    return Evaluation(tuple(rows))


PlanKey = tuple[tuple[int, ...], ...]


class _Evaluator:
    """Simulates plans in batches on the search replications, remembering every answer."""

    def __init__(self, scenario: Scenario, groups: Sequence[str], seed: int,
                 replications: int, executor: Executor | None,
                 progress: Progress | None) -> None:
        self.data = scenario_data(scenario)
        self.position = {g["name"]: i for i, g in enumerate(self.data["agents"])}
        self.groups = list(groups)
        self.goals = goals(scenario.targets)
        self.seed, self.replications = seed, replications
        self.executor, self.progress = executor, progress
        self.intervals = scenario.intervals
        self.cache: dict[PlanKey, Evaluation] = {}
        self.plans = 0
        self.runs = 0

    def scenario(self, plan: Plan) -> Scenario:
        """The scenario with ``plan`` as the varied groups' staff (validated again)."""
        data = dict(self.data)
        data["agents"] = [dict(g) for g in self.data["agents"]]
        for name in self.groups:
            data["agents"][self.position[name]]["staff"] = list(plan[name])
        return from_dict(data)

    def key(self, plan: Plan) -> PlanKey:
        return tuple(tuple(plan[g]) for g in self.groups)

    def __call__(self, plans: Sequence[Plan], what: str) -> list[Evaluation]:
        todo: dict[PlanKey, Plan] = {}
        for plan in plans:
            key = self.key(plan)
            if key not in self.cache:
                todo.setdefault(key, plan)
        if todo:
            jobs = [Job(self.scenario(plan), self.seed, r)
                    for plan in todo.values() for r in range(self.replications)]
            report = None
            if self.progress is not None:
                progress, total = self.progress, len(jobs)
                progress(what, 0, total)

                def report(done: int) -> None:
                    progress(what, done, total)
            runs = simulate_many(jobs, self.executor, progress=report)
            for n, key in enumerate(todo):
                batch = runs[n * self.replications:(n + 1) * self.replications]
                self.cache[key] = _evaluation(self.goals, batch, self.intervals)
            self.plans += len(todo)
            self.runs += len(jobs)
        return [self.cache[self.key(plan)] for plan in plans]


def _changed(plan: Plan, changes: Sequence[tuple[str, int]], step: int) -> Plan:
    out = {g: list(v) for g, v in plan.items()}
    for group, k in changes:
        out[group][k] += step
    return out


# -- the result -----------------------------------------------------------------------


@dataclass(frozen=True)
class Removal:
    """Why one agent fewer in ``group`` at ``interval`` is not allowed: the target it breaks."""

    group: str
    interval: str
    kpi: str
    goal: str
    where: str  # the interval label where it breaks, or "day" for the overall figure
    value: float


@dataclass(frozen=True)
class TargetCheck:
    """One target in one interval: on the search replications and on fresh ones."""

    kpi: str
    goal: str
    value: float  # mean over the search replications
    margin: float  # value - bound, signed so that >= 0 means met
    verified: Estimate  # the fresh replications
    confidence: float | None  # one-sided: that the true mean meets the target


@dataclass(frozen=True)
class StaffingPlan:
    """The staffing plan found by :func:`staff`, beside the Erlang C and Erlang A plans.

    Attributes
    ----------
    scenario
        The scenario with the plan in it (ready for ``simcall.replicate``).
    groups
        The agent groups the search varied.
    plan, erlang_c, erlang_a
        Agents per interval of each varied group.
    checks
        Per interval (then the whole day, last), one :class:`TargetCheck` per target.
    removals
        The proof of local minimality: for every agent-interval of the plan,
        the target that one agent fewer there breaks (on the search replications).
    search, verification
        The plan's summaries on the search replications ``0..R-1`` and on the
        fresh replications ``R..R+V-1``.
    """

    scenario: Scenario
    seed: int
    replications: int
    verify_replications: int
    groups: tuple[str, ...]
    plan: Mapping[str, tuple[int, ...]]
    erlang_c: Mapping[str, tuple[int, ...]]
    erlang_a: Mapping[str, tuple[int, ...]]
    checks: tuple[tuple[TargetCheck, ...], ...]
    removals: tuple[Removal, ...]
    search: Summary
    verification: Summary
    steps: tuple[str, ...]
    plans_simulated: int
    runs: int
    provenance: Mapping[str, Any] = field(default_factory=dict)

    @property
    def kpis(self) -> Mapping[str, Estimate]:
        """The plan's overall KPIs on the fresh replications (what to expect of it)."""
        return self.verification.kpis

    @property
    def labels(self) -> tuple[str, ...]:
        """Clock labels of the intervals."""
        return tuple(self.scenario.interval_label(k) for k in range(self.scenario.intervals))

    def agent_hours(self, which: str = "plan", group: str | None = None) -> float:
        """Agent-hours of a plan (``"plan"``, ``"erlang_c"`` or ``"erlang_a"``), per day."""
        plans = {"plan": self.plan, "erlang_c": self.erlang_c, "erlang_a": self.erlang_a}
        if which not in plans:
            raise ValueError(f"which={which!r}: choose 'plan', 'erlang_c' or 'erlang_a'")
        names = self.groups if group is None else (group,)
        return sum(sum(plans[which][g]) for g in names) * self.scenario.interval / 3600.0

    def confidence(self, k: int) -> float | None:
        """Confidence that interval ``k`` (``-1``: the day) meets every target at once.

        Bonferroni's lower bound ``1 - sum(1 - p)`` over the targets' one-sided
        confidences: it needs no assumption about how the targets correlate.
        """
        known = [c.confidence for c in self.checks[k] if c.confidence is not None]
        if not known:
            return None
        return max(0.0, 1.0 - sum(1.0 - p for p in known))

    @property
    def unsure(self) -> tuple[str, ...]:
        """Intervals whose confidence of meeting every target is below 95%."""
        return tuple(label for k, label in enumerate(self.labels)
                     if (c := self.confidence(k)) is not None and c < CONFIDENCE_WANTED)

    def to_json(self) -> dict[str, Any]:
        """The plan, the closed-form plans, margins, verification and the minimality proof."""
        def number(value: float | None) -> float | None:
            return value if value is not None and math.isfinite(value) else None

        def check(c: TargetCheck) -> dict[str, Any]:
            ci = c.verified.ci95
            return {"name": c.kpi, "goal": c.goal, "value": number(c.value),
                    "margin": number(c.margin),
                    "verified": {"mean": number(c.verified.mean),
                                 "ci95": None if ci is None else [number(ci.low),
                                                                  number(ci.high)],
                                 "confidence": number(c.confidence)}}

        from simcall import __version__

        return {
            "simcall": __version__,
            "scenario": self.scenario.name,
            "seed": self.seed,
            "replications": self.replications,
            "verify_replications": self.verify_replications,
            "verify_first_replication": self.replications,
            "groups": list(self.groups),
            "agent_hours": {
                which: {"total": self.agent_hours(which),
                        "groups": {g: self.agent_hours(which, g) for g in self.groups}}
                for which in ("plan", "erlang_c", "erlang_a")},
            "intervals": [
                {"start": label,
                 "plan": {g: self.plan[g][k] for g in self.groups},
                 "erlang_c": {g: self.erlang_c[g][k] for g in self.groups},
                 "erlang_a": {g: self.erlang_a[g][k] for g in self.groups},
                 "targets": [check(c) for c in self.checks[k]],
                 "confidence": number(self.confidence(k))}
                for k, label in enumerate(self.labels)],
            "day": {"targets": [check(c) for c in self.checks[-1]],
                    "confidence": number(self.confidence(-1))},
            "locally_minimal": [
                {"group": r.group, "interval": r.interval, "breaks": r.kpi, "goal": r.goal,
                 "where": r.where, "value": number(r.value)} for r in self.removals],
            "search": {"plans_simulated": self.plans_simulated, "runs": self.runs,
                       "steps": list(self.steps)},
            "provenance": dict(self.provenance),
        }

    def to_frame(self) -> Any:
        """One row per interval and group: the three plans and each target's figures."""
        import pandas as pd

        rows = []
        for k, label in enumerate(self.labels):
            targets: dict[str, Any] = {}
            for c in self.checks[k]:
                targets[f"{c.kpi}"] = c.value
                targets[f"{c.kpi}_margin"] = c.margin
                targets[f"{c.kpi}_verified"] = c.verified.mean
                targets[f"{c.kpi}_confidence"] = c.confidence
            for g in self.groups:
                rows.append({"interval": label, "group": g, "erlang_c": self.erlang_c[g][k],
                             "erlang_a": self.erlang_a[g][k], "plan": self.plan[g][k],
                             **targets, "confidence": self.confidence(k)})
        return pd.DataFrame(rows)


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
    seed = scenario.seed if seed is None else seed
    varied = _varied_groups(scenario, groups)
    goal_list = goals(scenario.targets)
    if not goal_list:
        raise StaffingError(f"scenario '{scenario.name}' has no [targets]: nothing to staff "
                            "for (give e.g. service_level or max_abandon_rate)")
    erlang_c, erlang_a = erlang_plans(scenario, varied)
    evaluate = _Evaluator(scenario, varied, seed, replications, executor, progress)
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
                               verify_replications=verify_replications, seed=seed)
    return StaffingPlan(
        scenario=final, seed=seed, replications=replications,
        verify_replications=verify_replications, groups=tuple(varied),
        plan=MappingProxyType({g: tuple(plan[g]) for g in varied}),
        erlang_c=MappingProxyType({g: tuple(erlang_c[g]) for g in varied}),
        erlang_a=MappingProxyType({g: tuple(erlang_a[g]) for g in varied}),
        checks=_checks(goal_list, search, verification),
        removals=tuple(removals), search=search, verification=verification,
        steps=tuple(steps), plans_simulated=evaluate.plans,
        runs=evaluate.runs + len(jobs),
        provenance=MappingProxyType(provenance(final, seed, call, searched_scenario=scenario.name,
                                               replications=replications,
                                               verify_replications=verify_replications)),
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


def _add_phase(plan: Plan, evaluate: _Evaluator, goal_list: Sequence[Goal], reach: Plan,
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
        candidates = [_changed(plan, [(g, k) for k in failing if g in open_groups[k]], +1)
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
        plan = _changed(plan, choice, +1)


def _prefixes(count: int) -> list[int]:
    """Sizes of the removal sets tried together: all, half, a quarter, ... down to one."""
    sizes = []
    while count >= 1:
        sizes.append(count)
        count //= 2
    return sizes


def _trim_phase(plan: Plan, evaluate: _Evaluator, goal_list: Sequence[Goal],
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
        evs = evaluate([_changed(plan, [(g, k) for k in ks], -1) for g, ks in candidates], what)
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
        together = evaluate([_changed(plan, chosen[:s], -1) for s in sizes], what)
        take = next((s for s, ev in zip(sizes, together, strict=True)
                     if ev.passes(goal_list)), 0)
        if take == 0:
            return plan
        steps.append(f"trim: -1 at {take} of {intervals} intervals")
        plan = _changed(plan, chosen[:take], -1)


NEAR_MISS = 0.25  # a removal that missed by less than this (normalised) is worth a re-try


def _remove_phase(plan: Plan, evaluate: _Evaluator, goal_list: Sequence[Goal],
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
        evs = evaluate([_changed(plan, [c], -1) for c in candidates], what)
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
        together = evaluate([_changed(plan, chosen[:s], -1) for s in sizes],
                            "removing agents where every target still holds")
        take = next((s for s, ev in zip(sizes, together, strict=True)
                     if ev.passes(goal_list)), 1)
        steps.append(f"remove: {take} of {len(passing)} passing single removals at "
                     + ", ".join(f"{labels[k]} ({g})" if len(groups) > 1 else labels[k]
                                 for g, k in sorted(chosen[:take], key=lambda c: c[1])))
        plan = _changed(plan, chosen[:take], -1)
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


def _checks(goal_list: Sequence[Goal], search: Summary,
            verification: Summary) -> tuple[tuple[TargetCheck, ...], ...]:
    def row(found: Mapping[str, Estimate], fresh: Mapping[str, Estimate]) -> tuple[
            TargetCheck, ...]:
        out = []
        for goal in goal_list:
            value = found[goal.kpi].mean
            margin = (value - goal.bound) if goal.at_least else (goal.bound - value)
            out.append(TargetCheck(goal.kpi, goal.text, value, margin, fresh[goal.kpi],
                                   one_sided_confidence(goal, fresh[goal.kpi].values)))
        return tuple(out)

    rows = [row(a, b) for a, b in zip(search.intervals, verification.intervals, strict=True)]
    rows.append(row(search.kpis, verification.kpis))
    return tuple(rows)


def one_sided_confidence(goal: Goal, values: Sequence[float]) -> float | None:
    """Confidence that the true mean meets the goal, from independent replications.

    One-sided Student t: ``P(T < margin / (sd / sqrt(n)))`` with ``n - 1``
    degrees of freedom, i.e. one minus the p-value of "the target is missed".
    With no spread it is 1 or 0; ``None`` with no defined value.
    """
    array = np.asarray(values, dtype=float)
    finite = array[np.isfinite(array)]
    if finite.size == 0:
        return None
    mean = float(finite.mean())
    margin = (mean - goal.bound) if goal.at_least else (goal.bound - mean)
    sd = float(finite.std(ddof=1)) if finite.size > 1 else 0.0
    if sd <= 1e-12 * max(1.0, abs(goal.bound)):
        return 1.0 if margin >= 0 else 0.0
    return t_cdf(margin / (sd / math.sqrt(finite.size)), finite.size - 1)


def plan_staff(scenario: Scenario, groups: Sequence[str]) -> dict[str, list[int]]:
    """The current head counts of ``groups`` per interval (for comparisons in tests and docs)."""
    by_name = {g.name: g for g in scenario.agents}
    return {name: staff_of(scenario, by_name[name]) for name in groups}
