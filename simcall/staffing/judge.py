"""Judging a staffing plan: simulate it on the search replications and read its margins.

Why a module of its own: the search (:mod:`simcall.staffing.search`) only
asks "does this plan meet every target, and by how much?", for many plans at
once. This module answers, simulating each plan once (answers are kept) on
the same replications, so plans differ only by their staffing (common random
numbers), and judging each target on the mean over replications, or, with a
``confidence`` level, on the one-sided confidence bound of that mean.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from simcall.experiments.runner import Job, simulate_many
from simcall.results.metrics import SHARE_KPIS
from simcall.results.provenance import scenario_data
from simcall.results.stats import Estimate, t_quantile
from simcall.results.summary import RunResult
from simcall.results.targets import Goal, goals
from simcall.scenario.loader import from_dict
from simcall.scenario.schema import Scenario
from simcall.staffing.closed_form import Plan

Progress = Callable[[str, int, int], None]
"""Called with (what the search is doing, runs done in this batch, runs in this batch)."""


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


def evaluation(goal_list: Sequence[Goal], runs: Sequence[RunResult], intervals: int,
               confidence: float | None = None) -> Evaluation:
    """Each goal's figure per interval (and the day, last) on these runs.

    The figure is the mean over replications, as :class:`simcall.Summary`
    judges targets; with ``confidence`` it is the one-sided confidence bound
    on the mean, on the target's side (the lower bound of a service level,
    the upper bound of an abandonment rate), so a plan passes only if the
    target holds with that confidence on the search replications.
    """
    def figure(goal: Goal, values: list[float]) -> float:
        estimate = Estimate.of(values)  # undefined runs (no calls) left out, as Summary does
        finite = np.asarray([v for v in values if math.isfinite(v)])
        if confidence is None or finite.size < 2:
            return estimate.mean
        half = t_quantile(confidence, finite.size - 1) * float(finite.std(ddof=1)) \
            / math.sqrt(finite.size)
        return estimate.mean - half if goal.at_least else estimate.mean + half

    rows = [tuple(figure(g, [r.metrics.intervals[k][g.kpi] for r in runs]) for g in goal_list)
            for k in range(intervals)]
    rows.append(tuple(figure(g, [r.metrics.overall[g.kpi] for r in runs]) for g in goal_list))
    return Evaluation(tuple(rows))


PlanKey = tuple[tuple[int, ...], ...]


class Evaluator:
    """Simulates plans in batches on the search replications, remembering every answer."""

    def __init__(self, scenario: Scenario, groups: Sequence[str], seed: int,
                 replications: int, executor: Executor | None,
                 progress: Progress | None, confidence: float | None = None) -> None:
        self.data = scenario_data(scenario)
        self.position = {g["name"]: i for i, g in enumerate(self.data["agents"])}
        self.groups = list(groups)
        self.goals = goals(scenario.targets)
        self.seed, self.replications = seed, replications
        self.confidence = confidence
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
                self.cache[key] = evaluation(self.goals, batch, self.intervals,
                                             self.confidence)
            self.plans += len(todo)
            self.runs += len(jobs)
        return [self.cache[self.key(plan)] for plan in plans]


def changed_plan(plan: Plan, changes: Sequence[tuple[str, int]], step: int) -> Plan:
    out = {g: list(v) for g, v in plan.items()}
    for group, k in changes:
        out[group][k] += step
    return out
