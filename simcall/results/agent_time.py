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

    ``F(b) = sum over periods of max(0, min(end, b) - start)``
    ``= b * (#starts < b - #ends < b) - (sum of starts < b) + (sum of ends < b)``.
    The counts and sums below each boundary come from placing every start and end among
    the few sorted boundaries (``searchsorted``, then ``bincount`` and a cumulative sum
    over the boundaries): O(n log k) for n periods and k boundaries, where sorting the
    periods would be O(n log n) -- and a long run has millions of busy periods.
    """
    start, end = periods.start, periods.end
    if groups is not None:  # one group (the common case) by ==: np.isin costs ten times more
        keep = (periods.group == groups[0] if groups.size == 1
                else np.isin(periods.group, groups))
        start, end = start[keep], end[keep]
    order = np.argsort(boundaries, kind="stable")
    edges = boundaries[order]
    slots = edges.size + 1

    def below(times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # a time is below boundary j when fewer than j + 1 boundaries are <= it
        at = np.searchsorted(edges, times, side="right")
        count = np.cumsum(np.bincount(at, minlength=slots))[:-1]
        total = np.cumsum(np.bincount(at, weights=times, minlength=slots))[:-1]
        return count, total

    opened, start_sums = below(start)
    closed, end_sums = below(end)
    seconds = np.empty(boundaries.size)
    seconds[order] = (opened * edges - start_sums) - (closed * edges - end_sums)
    return seconds


def in_windows(periods: Periods, begin: np.ndarray, finish: np.ndarray,
               groups: np.ndarray | None = None) -> np.ndarray:
    """Agent-seconds within each window ``[begin, finish)`` (any array shape)."""
    edges = np.concatenate((begin.ravel(), finish.ravel()))
    seconds = agent_seconds(periods, edges, groups)
    n = begin.size
    within: np.ndarray = (seconds[n:] - seconds[:n]).reshape(begin.shape)
    return within
