"""Judging staffing plans: simulate each on as many replications as its decision needs.

Why a module of its own: the search (:mod:`simcall.staffing.search`) asks one question
of many plans: "in which intervals does this plan meet every target, with the wanted
confidence?". This module answers it with the right statistics and no more runs than
needed:

* every plan is simulated on the same replications ``first, first + 1, ...`` of the
  seed (common random numbers: plans differ only by their staffing), and every run is
  kept, so a plan asked about again costs only its missing replications;
* a target is judged by the one-sided Student t confidence that its true mean (over
  days like these) meets the bound, from the replications' values
  (:func:`one_sided_confidence`); an interval *passes* when all
  its targets hold at once with the wanted confidence (Bonferroni:
  ``1 - sum(1 - p) >= wanted``), *fails* when some target is missed with that
  confidence (``p <= 1 - wanted``), and is *open* otherwise;
* :func:`settle` adds replications, a batch at a time and up to a limit, to every plan
  that still has an open interval among the ones its decision depends on (sequential
  sampling), so a clear decision stops early and a close one gets the runs it needs.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from simcall.experiments.runner import Job, simulate_many
from simcall.results.metrics import SHARE_KPIS
from simcall.results.provenance import scenario_data
from simcall.results.stats import t_cdf
from simcall.results.summary import RunResult, Summary
from simcall.results.targets import Goal, goals
from simcall.scenario.loader import from_dict
from simcall.scenario.schema import Scenario
from simcall.staffing.closed_form import Plan
from simcall.staffing.shift_rules import Rostering

Progress = Callable[[str, int, int], None]
"""Called with (what the search is doing, runs done in this batch, runs in this batch)."""

PASS, OPEN, FAIL = 1, 0, -1
"""An interval's status under a plan: meets every target with the wanted confidence, not
decided yet, misses some target with that confidence."""


@dataclass(frozen=True)
class Judgement:
    """A plan's target KPIs per replication, and what they say.

    ``values[r, k, i]`` is goal ``i``'s KPI in interval ``k`` of replication ``r``; the last
    row ``k`` is the whole day. ``nan`` where there is nothing to judge (no calls).
    """

    values: np.ndarray
    goals: tuple[Goal, ...]

    @property
    def replications(self) -> int:
        return int(self.values.shape[0])

    @property
    def confidence(self) -> np.ndarray:
        """Per row and goal, the one-sided confidence that the goal holds (nan: undefined)."""
        rows, count = self.values.shape[1], len(self.goals)
        out = np.full((rows, count), np.nan)
        for k in range(rows):
            for i, goal in enumerate(self.goals):
                p = one_sided_confidence(goal, self.values[:, k, i])
                out[k, i] = math.nan if p is None else p
        return out

    def interval_confidence(self) -> np.ndarray:
        """Per row, the confidence that every goal holds at once (Bonferroni's lower bound,
        which needs no assumption about how the goals correlate); nan when none is defined."""
        confidence = self.confidence
        defined = np.isfinite(confidence)
        shortfall = np.where(defined, 1.0 - confidence, 0.0).sum(axis=1)
        return np.where(defined.any(axis=1), np.maximum(0.0, 1.0 - shortfall), np.nan)

    def status(self, wanted: float) -> np.ndarray:
        """Per row: :data:`PASS`, :data:`OPEN` or :data:`FAIL` at confidence ``wanted``."""
        confidence = self.confidence
        together = self.interval_confidence()
        failing = np.any(np.nan_to_num(confidence, nan=1.0) <= 1.0 - wanted, axis=1)
        passing = ~np.isfinite(together) | (together >= wanted)
        return np.where(passing, PASS, np.where(failing, FAIL, OPEN))

    def means(self) -> np.ndarray:
        """Per row and goal, the mean over replications (nan: never defined)."""
        values = self.values
        finite = np.isfinite(values)
        count = finite.sum(axis=0)
        total = np.where(finite, values, 0.0).sum(axis=0)
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)

    def margins(self) -> np.ndarray:
        """Per row and goal, how far the mean is inside its target, normalised (see
        :func:`margin`): >= 0 met, < 0 missed, nan undefined."""
        means = self.means()
        return np.array([[margin(g, means[k, i]) for i, g in enumerate(self.goals)]
                         for k in range(means.shape[0])], dtype=float).reshape(means.shape)


def margin(goal: Goal, value: float) -> float:
    """How far a value is inside its target, as a share of the room the target leaves.

    Why normalised: a service level 5 points short and an abandonment rate 2 points over
    must be comparable when choosing where an agent helps most. The room is ``1 - bound``
    for a share that must be at least the bound (80% leaves 20 points), the bound itself
    otherwise (5% abandonment, 30 s ASA).
    """
    if not math.isfinite(value):
        return math.nan
    if goal.at_least:
        room = 1.0 - goal.bound if goal.kpi in SHARE_KPIS and goal.bound < 1 else goal.bound
        return (value - goal.bound) / max(room, 1e-9)
    room = goal.bound if goal.bound > 0 else 1.0  # a bound of 0: the shortfall as it is
    return (goal.bound - value) / room


def kpi_rows(goal_list: Sequence[Goal], run: RunResult, intervals: int,
             extra: Sequence[str] = ()) -> np.ndarray:
    """One run's target KPIs: rows are the intervals, then the day; columns the goals, then
    the ``extra`` KPIs."""
    kpis = [g.kpi for g in goal_list] + list(extra)
    rows = [[run.metrics.intervals[k][kpi] for kpi in kpis] for k in range(intervals)]
    rows.append([run.metrics.overall[kpi] for kpi in kpis])
    return np.asarray(rows, dtype=float).reshape(intervals + 1, len(kpis))


PlanKey = tuple[tuple[int, ...], ...]


class Evaluator:
    """Simulates plans on replications ``first, first + 1, ...``, keeping every run's KPIs.

    One evaluator per set of replications: the search's, and one per verification round
    (fresh replications the search never saw).
    """

    def __init__(self, scenario: Scenario, groups: Sequence[str], seed: int,
                 executor: Executor | None, progress: Progress | None, first: int = 0,
                 keep: bool = False, rostering: Rostering | None = None,
                 extra: Sequence[str] = ()) -> None:
        self.data = scenario_data(scenario)
        self.extra = tuple(extra)  # KPIs kept beside the targets' (the cost search's)
        self.position = {g["name"]: i for i, g in enumerate(self.data["agents"])}
        self.groups = list(groups)
        self.goals = tuple(goals(scenario.targets))
        self.seed, self.first = seed, first
        self.executor, self.progress = executor, progress
        self.intervals = scenario.intervals
        self._runs: dict[PlanKey, list[np.ndarray]] = {}
        self._kept: dict[PlanKey, list[RunResult]] = {}  # whole results, when ``keep``
        self.keep = keep
        self.rostering = rostering
        self.runs = 0
        self.calls = 0  # calls offered (in the counted window), over every run

    def fresh(self, first: int) -> Evaluator:
        """The same plans (and rostering) on other replications, from ``first``, keeping
        whole results: a verification round's evaluator."""
        out = copy.copy(self)
        out.first, out.keep = first, True
        out._runs, out._kept = {}, {}
        out.runs = out.calls = 0
        return out

    def rostered(self, rostering: Rostering) -> Evaluator:
        """The same replications, with each plan's requirement turned into shifts by
        ``rostering`` (the plans simulated are then rosters, not head counts)."""
        out = self.fresh(self.first)
        out.keep, out.rostering = self.keep, rostering
        return out

    def scenario(self, plan: Plan) -> Scenario:
        """The scenario with ``plan`` as the varied groups' staff (validated again); with
        a rostering, the groups are staffed by the shifts of the cheapest roster that
        covers ``plan``."""
        data = dict(self.data)
        data["agents"] = [dict(g) for g in self.data["agents"]]
        for name in self.groups:
            entry = data["agents"][self.position[name]]
            if self.rostering is None:
                entry["staff"] = list(plan[name])
            else:  # a roster with nobody in it: no shifts, no staff
                shifts = self.rostering(plan[name]).to_shifts()
                entry.pop("staff" if shifts else "shifts", None)
                entry["shifts" if shifts else "staff"] = shifts or 0
        return from_dict(data)

    def key(self, plan: Plan) -> PlanKey:
        return tuple(tuple(plan[g]) for g in self.groups)

    @property
    def plans(self) -> int:
        """Distinct plans simulated so far."""
        return len(self._runs)

    def ensure(self, plans: Sequence[Plan], counts: Sequence[int], what: str) -> None:
        """Simulate whatever is missing for each plan to have ``counts`` replications, all
        plans' runs in one batch on the executor."""
        wanted: dict[PlanKey, tuple[Plan, int]] = {}
        for plan, count in zip(plans, counts, strict=True):
            key = self.key(plan)
            have = len(self._runs.get(key, ()))
            if count > max(have, wanted.get(key, (plan, 0))[1]):
                wanted[key] = (plan, count)
        jobs: list[Job] = []
        owners: list[PlanKey] = []
        for key, (plan, count) in wanted.items():
            have = len(self._runs.setdefault(key, []))
            scenario = self.scenario(plan)
            jobs += [Job(scenario, self.seed, self.first + r) for r in range(have, count)]
            owners += [key] * (count - have)
        if not jobs:
            return
        report = None
        if self.progress is not None:
            progress, total = self.progress, len(jobs)
            progress(what, 0, total)

            def report(done: int) -> None:
                progress(what, done, total)
        for key, run in zip(owners, simulate_many(jobs, self.executor, progress=report),
                            strict=True):
            self._runs[key].append(kpi_rows(self.goals, run, self.intervals, self.extra))
            self.calls += int(run.kpis["offered"])
            if self.keep:
                self._kept.setdefault(key, []).append(run)
        self.runs += len(jobs)

    def judge(self, plan: Plan) -> Judgement:
        """Everything known about a plan: all the replications simulated so far."""
        values = np.asarray(self._runs[self.key(plan)])
        return Judgement(values[:, :, :len(self.goals)], self.goals)

    def extra_values(self, plan: Plan, kpi: str) -> np.ndarray:
        """One of the ``extra`` KPIs of a plan: (replications, intervals + the day)."""
        values = np.asarray(self._runs[self.key(plan)])
        column: np.ndarray = values[:, :, len(self.goals) + self.extra.index(kpi)]
        return column

    def summary(self, plan: Plan) -> Summary:
        """The plan's whole results on the replications simulated (needs ``keep=True``)."""
        return Summary.of(self.scenario(plan), self.seed, self._kept[self.key(plan)])


def settle(evaluator: Evaluator, plans: Sequence[Plan], rows: Sequence[Sequence[int]],
           wanted: float, most: int, what: str, start: int = 10,
           step: int = 10) -> list[Judgement]:
    """Judge ``plans``, adding replications while a decision that matters is still open.

    ``rows[i]`` are the intervals whose status decides what happens to plan ``i``; a plan
    gets ``step`` more replications while one of them is :data:`OPEN`, up to ``most``.
    """
    counts = [min(start, most)] * len(plans)
    while True:
        evaluator.ensure(plans, counts, what)
        judgements = [evaluator.judge(plan) for plan in plans]
        more = False
        for i, judgement in enumerate(judgements):
            counts[i] = max(counts[i], judgement.replications)
            status = judgement.status(wanted)
            if counts[i] < most and any(status[k] == OPEN for k in rows[i]):
                counts[i] = min(most, counts[i] + step)
                more = True
        if not more:
            return judgements


def changed_plan(plan: Plan, changes: Sequence[tuple[str, int]], step: int) -> Plan:
    """``plan`` with ``step`` agents more (or fewer) for each (group, interval) in ``changes``."""
    out = {g: list(v) for g, v in plan.items()}
    for group, k in changes:
        out[group][k] += step
    return out


def best_groups(evaluator: Evaluator, plan: Plan, intervals: Sequence[int],
                groups: Sequence[str], room: Callable[[str, int], bool], replications: int,
                what: str) -> list[tuple[str, int]]:
    """Which group's extra agent helps most in each of ``intervals``.

    One candidate per group (one agent more in every interval listed, where the group has
    ``room``), judged on the same ``replications`` (common random numbers: the candidates
    differ only by where the agents went, so even a few replications rank them); each
    interval takes the group whose candidate leaves its worst target the largest margin
    there. With one group there is nothing to choose and nothing is simulated.
    """
    if len(groups) == 1:
        return [(groups[0], k) for k in intervals if room(groups[0], k)]
    candidates = {g: changed_plan(plan, [(g, k) for k in intervals if room(g, k)], +1)
                  for g in groups}
    evaluator.ensure(list(candidates.values()), [replications] * len(candidates), what)
    worst = {g: np.nan_to_num(evaluator.judge(c).margins(), nan=np.inf).min(axis=1)
             for g, c in candidates.items()}
    out = []
    for k in intervals:
        able = [g for g in groups if room(g, k)]
        if able:
            out.append((max(able, key=lambda g: (worst[g][k], -groups.index(g))), k))
    return out


def below(plan: Plan, reach: Plan) -> Callable[[str, int], bool]:
    """Whether a group may get another agent in an interval: while below the generous plan."""
    def room(group: str, k: int) -> bool:
        return plan[group][k] < reach[group][k]
    return room


def one_sided_confidence(goal: Goal, values: Sequence[float] | np.ndarray) -> float | None:
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
