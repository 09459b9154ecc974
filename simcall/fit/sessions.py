"""Agents on the phones per interval, from their sessions, and not-ready time between calls.

Session rule: one agent's answered calls, in order of pickup, are chained into a session
while the gap from the end of one call to the pickup of the next is at most the
threshold (default :data:`SESSION_GAP`, 15 min); a longer gap ends the session. A session
runs from its first pickup to its last end of talk. The agents on the phones in an
interval are the time-weighted count of open sessions (the hours of sessions inside the
interval over its length), averaged over the days. A shorter threshold cuts more sessions
at quiet moments and counts fewer agents; :class:`Staffing` keeps the mean agents per
interval at 5, 15 and 30 min beside the chosen one to show how much the rule matters.
Sessions start at a pickup and end at an end of talk: an agent's idle time before the
first call and after the last of a session is not seen.

Not-ready rule: a gap between an agent's consecutive calls of one session counts as
not-ready time (after-call work included) when callers were waiting in the queue for the
whole gap, from the end of one call to the pickup of the next: the agent could have taken
a call at any moment of it and did not. (Gaps that only begin with a caller waiting are
longer whenever another agent takes that caller: they would overstate not-ready time.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simcall.errors import needs_pandas
from simcall.fit.calllog import ANSWERED, CallLog
from simcall.fit.durations import QUANTILES

SESSION_GAP = 900.0
"""The longest gap (s) between two calls of one agent that keeps them in one session."""
SENSITIVITY = (300.0, 900.0, 1800.0)


@dataclass(frozen=True)
class Staffing:
    """Agents on the phones per interval (mean over days and its standard error)."""

    labels: tuple[str, ...]
    agents: np.ndarray  # [interval]
    se: np.ndarray  # [interval]
    gap_s: float
    sensitivity: dict[float, float]  # threshold -> mean agents over the intervals
    sessions: int

    def staff(self) -> list[int]:
        """Whole agents per interval (rounded to the nearest, for a scenario's ``staff``)."""
        return [round(float(a)) for a in self.agents]

    def to_frame(self) -> Any:
        """One row per interval."""
        with needs_pandas("Staffing.to_frame()"):
            import pandas as pd

        return pd.DataFrame({"interval": self.labels, "agents": self.agents, "se": self.se})


@dataclass(frozen=True)
class NotReady:
    """Gaps between an agent's calls while callers were waiting."""

    gaps: np.ndarray  # seconds
    gaps_considered: int  # gaps inside sessions, waiting or not

    @property
    def mean(self) -> float:
        """Mean not-ready gap (nan with none)."""
        return float(self.gaps.mean()) if self.gaps.size else float("nan")

    def distribution(self) -> dict[str, Any] | None:
        """An empirical distribution of the gaps (``None`` with too few)."""
        if self.gaps.size < 10:
            return None
        p = (np.arange(QUANTILES) + 0.5) / QUANTILES
        return {"dist": "empirical",
                "values": [round(float(v), 1) for v in np.quantile(self.gaps, p)]}

    def source(self) -> str:
        """Where the figure comes from, in words."""
        return (f"{self.gaps.size:,} of {self.gaps_considered:,} gaps between an agent's calls "
                f"(within a session) had callers waiting throughout; mean {self.mean:.1f} s")

    def to_frame(self) -> Any:
        """One row per gap."""
        with needs_pandas("NotReady.to_frame()"):
            import pandas as pd

        return pd.DataFrame({"gap_s": self.gaps})


def _calls(log: CallLog) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Answered calls with a known agent, sorted by agent then pickup (absolute times)."""
    use = (log.outcome == ANSWERED) & (log.agent >= 0) & np.isfinite(log.ended)
    start = log.absolute(log.answered)[use]
    end = log.absolute(log.ended)[use]
    agent = log.agent[use]
    order = np.lexsort((start, agent))
    return agent[order], start[order], end[order]


def sessions(log: CallLog, gap_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Session starts and ends (absolute times) by the chaining rule."""
    agent, start, end = _calls(log)
    if agent.size == 0:
        return np.zeros(0), np.zeros(0)
    # the latest end so far of the same agent (calls of one agent may overlap in a log):
    # a running maximum made per agent by lifting each agent onto its own stretch of time
    lift = agent * (float(end.max()) + 1.0)
    running_end = np.maximum.accumulate(end + lift) - lift
    new = np.ones(agent.size, dtype=bool)
    new[1:] = (agent[1:] != agent[:-1]) | (start[1:] - running_end[:-1] > gap_s)
    first = np.flatnonzero(new)
    return start[first], np.maximum.reduceat(end, first)


def fit_staffing(log: CallLog, labels: tuple[str, ...], gap_s: float = SESSION_GAP) -> Staffing:
    """Time-weighted agents on the phones per interval, by the session rule."""
    def per_day(gap: float) -> np.ndarray:
        begin, finish = sessions(log, gap)
        days = len(log.dates)
        edges = (np.arange(days)[:, None] * 86_400.0 + log.open_s
                 + np.arange(log.intervals + 1)[None, :] * log.interval_s)
        lo, hi = edges[:, :-1].ravel(), edges[:, 1:].ravel()
        covered = np.zeros(lo.size)
        for s, f in zip(begin.tolist(), finish.tolist(), strict=True):
            first = max(int(np.searchsorted(hi, s, side="right")), 0)
            last = int(np.searchsorted(lo, f, side="left"))
            for k in range(first, last):
                covered[k] += max(0.0, min(f, hi[k]) - max(s, lo[k]))
        return (covered / log.interval_s).reshape(days, log.intervals)

    table = per_day(gap_s)
    days = table.shape[0]
    se = table.std(axis=0, ddof=1) / np.sqrt(days) if days > 1 else np.full(log.intervals,
                                                                               np.nan)
    sensitivity = {g: float(per_day(g).mean()) for g in SENSITIVITY}
    sensitivity[gap_s] = float(table.mean())
    return Staffing(labels, table.mean(axis=0), se, gap_s, dict(sorted(sensitivity.items())),
                    int(sessions(log, gap_s)[0].size))


def fit_not_ready(log: CallLog, gap_s: float = SESSION_GAP) -> NotReady:
    """Gaps between an agent's consecutive calls of one session with callers waiting in the
    queue throughout."""
    agent, start, end = _calls(log)
    if agent.size < 2:
        return NotReady(np.zeros(0), 0)
    same = (agent[1:] == agent[:-1])
    gap = start[1:] - end[:-1]
    inside = same & (gap >= 0) & (gap <= gap_s)
    # the stretches of time when some caller was waiting: the union of waiting periods
    entered = log.absolute(log.entered)
    gone_time = np.where(log.outcome == ANSWERED, log.answered,
                         np.where(np.isnan(log.left_queue), log.ended, log.left_queue))
    gone = log.absolute(gone_time)
    waiting = np.isfinite(entered) & np.isfinite(gone) & (gone > entered)
    order = np.argsort(entered[waiting])
    begin, finish = entered[waiting][order], gone[waiting][order]
    if begin.size == 0:
        return NotReady(np.zeros(0), int(inside.sum()))
    reach = np.maximum.accumulate(finish)
    new = np.ones(begin.size, dtype=bool)
    new[1:] = begin[1:] > reach[:-1]
    first = np.flatnonzero(new)
    block_begin, block_end = begin[first], np.maximum.reduceat(finish, first)
    e, s = end[:-1][inside], start[1:][inside]
    block = np.clip(np.searchsorted(block_begin, e, side="right") - 1, 0, None)
    covered = (block_begin[block] <= e) & (block_end[block] >= s)
    return NotReady(gap[inside][covered], int(inside.sum()))
