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
    return AgentSeconds(boundaries, groups).add(periods).seconds()


class AgentSeconds:
    """:func:`agent_seconds` of periods that come in parts (the busy spells of a run's
    blocks of calls): the counts and sums below each boundary, added up part by part.

    The times are added one after another onto the sums so far (``np.add.at``, as
    ``np.bincount`` adds them), so the parts of a run, in order, give the very sums of all
    its periods at once, bit for bit.
    """

    def __init__(self, boundaries: np.ndarray, groups: np.ndarray | None = None) -> None:
        self.boundaries = boundaries
        self.groups = groups
        self.order = np.argsort(boundaries, kind="stable")
        self.edges = boundaries[self.order]
        slots = self.edges.size + 1
        self.opened = np.zeros(slots, dtype=np.int64)  # starts per slot among the edges
        self.closed = np.zeros(slots, dtype=np.int64)  # ends per slot
        self.start_sums = np.zeros(slots)
        self.end_sums = np.zeros(slots)

    def add(self, periods: Periods) -> AgentSeconds:
        """Count ``periods`` in (returns itself)."""
        start, end = periods.start, periods.end
        groups = self.groups
        if groups is not None:  # one group (the common case) by ==: np.isin costs ten times
            keep = (periods.group == groups[0] if groups.size == 1
                    else np.isin(periods.group, groups))
            start, end = start[keep], end[keep]
        slots = self.opened.size
        for times, counts, sums in ((start, self.opened, self.start_sums),
                                    (end, self.closed, self.end_sums)):
            # a time is below boundary j when fewer than j + 1 boundaries are <= it
            at = np.searchsorted(self.edges, times, side="right")
            counts += np.bincount(at, minlength=slots)
            np.add.at(sums, at, times)  # one time after another, as np.bincount adds them
        return self

    def seconds(self) -> np.ndarray:
        """Agent-seconds in ``[0, b)`` for each boundary, of every period counted in."""
        edges = self.edges
        opened, closed = np.cumsum(self.opened)[:-1], np.cumsum(self.closed)[:-1]
        start_sums, end_sums = np.cumsum(self.start_sums)[:-1], np.cumsum(self.end_sums)[:-1]
        seconds = np.empty(self.boundaries.size)
        seconds[self.order] = (opened * edges - start_sums) - (closed * edges - end_sums)
        return seconds


def windows_of(begin: np.ndarray, finish: np.ndarray) -> np.ndarray:
    """The boundaries of windows ``[begin, finish)`` (any shape) as :func:`in_windows` asks
    :func:`agent_seconds` for them; :func:`within` reads the windows' seconds back."""
    return np.concatenate((begin.ravel(), finish.ravel()))


def within(seconds: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Agent-seconds within each window, from the seconds below :func:`windows_of`'s
    boundaries."""
    n = seconds.size // 2
    inside: np.ndarray = (seconds[n:] - seconds[:n]).reshape(shape)
    return inside


def in_windows(periods: Periods, begin: np.ndarray, finish: np.ndarray,
               groups: np.ndarray | None = None) -> np.ndarray:
    """Agent-seconds within each window ``[begin, finish)`` (any array shape)."""
    return within(agent_seconds(periods, windows_of(begin, finish), groups), begin.shape)
