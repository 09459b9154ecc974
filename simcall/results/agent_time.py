"""Agent time in windows: the integral of a head count, for occupancy, head counts and wages.

Why a module of its own: occupancy (:mod:`simcall.results.metrics`), wages
(:mod:`simcall.results.money`) and the day plot all ask "how many agent-seconds of these
periods fall in each window", and must get the same answer.
"""

from __future__ import annotations

import numpy as np

from simcall.model.records import Periods


def agent_seconds(periods: Periods, boundaries: np.ndarray,
                  groups: np.ndarray | None = None) -> np.ndarray:
    """Agent-seconds in ``[0, b)`` for each boundary ``b``: the integral of a head count.

    ``F(b) = sum over periods of max(0, min(end, b) - start)``, from sorted
    starts and ends in O(n log n) however many boundaries there are.
    """
    start, end = periods.start, periods.end
    if groups is not None:
        keep = np.isin(periods.group, groups)
        start, end = start[keep], end[keep]
    start, end = np.sort(start), np.sort(end)
    start_sums = np.concatenate(([0.0], np.cumsum(start)))
    end_sums = np.concatenate(([0.0], np.cumsum(end)))
    opened = np.searchsorted(start, boundaries, side="left")
    closed = np.searchsorted(end, boundaries, side="left")
    seconds: np.ndarray = (opened * boundaries - start_sums[opened]) - (
        closed * boundaries - end_sums[closed])
    return seconds


def in_windows(periods: Periods, begin: np.ndarray, finish: np.ndarray,
               groups: np.ndarray | None = None) -> np.ndarray:
    """Agent-seconds within each window ``[begin, finish)`` (any array shape)."""
    edges = np.concatenate((begin.ravel(), finish.ravel()))
    seconds = agent_seconds(periods, edges, groups)
    n = begin.size
    within: np.ndarray = (seconds[n:] - seconds[:n]).reshape(begin.shape)
    return within
