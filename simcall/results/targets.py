"""Targets: is each goal in ``[targets]`` met, overall and in every interval?"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from simcall.scenario.schema import Targets


@dataclass(frozen=True)
class Goal:
    """One target as a KPI, a direction and a bound."""

    kpi: str
    at_least: bool
    bound: float

    @property
    def text(self) -> str:
        """``">= 0.80"`` or ``"<= 20"``."""
        return f"{'>=' if self.at_least else '<='} {self.bound:g}"

    def met(self, value: float) -> bool | None:
        """``None`` when there is nothing to judge (no calls)."""
        if not math.isfinite(value):
            return None
        return value >= self.bound if self.at_least else value <= self.bound


def goals(targets: Targets) -> list[Goal]:
    """The scenario's targets in a fixed order."""
    out: list[Goal] = []
    if targets.service_level is not None:
        out.append(Goal("service_level", True, targets.service_level.fraction))
    if targets.max_asa is not None:
        out.append(Goal("asa_s", False, targets.max_asa))
    if targets.max_abandon_rate is not None:
        out.append(Goal("abandon_rate", False, targets.max_abandon_rate))
    if targets.max_block_rate is not None:
        out.append(Goal("block_rate", False, targets.max_block_rate))
    if targets.max_mean_transfers is not None:
        out.append(Goal("mean_transfers", False, targets.max_mean_transfers))
    if targets.transfers is not None:
        out.append(Goal("transfer_share_within", True, targets.transfers.fraction))
    if targets.max_occupancy is not None:
        out.append(Goal("occupancy", False, targets.max_occupancy))
    if targets.max_revisit_rate is not None:
        out.append(Goal("revisit_rate", False, targets.max_revisit_rate))
    return out


@dataclass(frozen=True)
class TargetResult:
    """A goal judged on the mean over replications, overall and per interval."""

    goal: Goal
    value: float
    met: bool | None
    intervals_failed: tuple[str, ...]  # labels of intervals where the goal is not met


def judge(goal_list: list[Goal], overall: Callable[[str], float],
          intervals: Mapping[str, Callable[[str], float]]) -> tuple[TargetResult, ...]:
    """Judge every goal on overall means and per-interval means."""
    results = []
    for goal in goal_list:
        value = overall(goal.kpi)
        failed = tuple(
            label for label, kpi in intervals.items() if goal.met(kpi(goal.kpi)) is False
        )
        results.append(TargetResult(goal, value, goal.met(value), failed))
    return tuple(results)
