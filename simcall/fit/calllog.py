"""A call log as read: numpy columns of the chosen calls, and the account of what was left
out and why (:class:`Selection`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

DAY = 86_400.0

ANSWERED, ABANDONED, OTHER = 0, 1, 2
"""Outcome codes of :attr:`CallLog.outcome`."""

CONTRADICTIONS: dict[str, str] = {
    "queued_before_arrival": "joined the queue before it arrived",
    "answered_before_queued": "answered before it joined the queue",
    "left_queue_before_queued": "left the queue before it joined it",
    "ended_before_answered": "the talk ended before it began",
    "abandoned_but_answered": "outcome abandoned, yet it has an answer time",
    "answered_without_answer_time": "outcome answered, yet no answer time",
    "answered_without_end": "outcome answered, yet no end of talk",
    "abandoned_without_leaving_time": "abandoned from the queue, yet no time it left",
}
"""The kinds of self-contradicting rows, with what each means. Such a row is left out of
every estimate and counted under its kinds (a row may show several)."""


@dataclass(frozen=True)
class Selection:
    """What happened to every row of the log: read, left out (by reason), kept."""

    rows: int  # data rows in the file
    left_out: dict[str, int]  # rows left out by their outcome value (e.g. PHANTOM)
    contradictions: dict[str, int]  # rows by kind of contradiction (see CONTRADICTIONS)
    contradicting_rows: int  # rows left out for contradicting themselves (any kind)
    examples: dict[str, tuple[int, ...]]  # the first few row numbers of each kind
    outside_days: int  # rows on days not chosen
    outside_hours: int  # rows whose time falls outside the opening hours
    kept: int  # rows in the log
    after_midnight: int  # clock-only times taken on the next day (over 12 h before arrival)

    def lines(self) -> list[str]:
        """The account in words, one line each (for the fitted scenario's comments)."""
        out = [f"{self.rows:,} rows read, {self.kept:,} kept"]
        out += [f"left out: {n:,} rows with outcome {value!r}"
                for value, n in sorted(self.left_out.items())]
        if self.contradicting_rows:
            out.append(f"left out: {self.contradicting_rows:,} rows that contradict themselves")
            out += [f"  {n:,} {kind}: {CONTRADICTIONS[kind]} (e.g. row "
                    f"{', '.join(map(str, self.examples[kind][:3]))})"
                    for kind, n in sorted(self.contradictions.items()) if n]
        if self.outside_days:
            out.append(f"left out: {self.outside_days:,} rows on days not chosen")
        if self.outside_hours:
            out.append(f"left out: {self.outside_hours:,} rows outside the opening hours")
        if self.after_midnight:
            out.append(f"{self.after_midnight:,} clock times taken as after midnight")
        return out


@dataclass(frozen=True)
class CallLog:
    """The chosen calls of a log, one element per call.

    Times are seconds after the midnight of the call's own date (``nan``: none); a call's
    *queue entry* (:attr:`entered`) is its ``queued`` time, or its ``answered`` time when it
    was answered without queueing. A call *reached the agents* when it queued or was
    answered: those calls are the scenario's arrivals.
    """

    dates: tuple[dt.date | None, ...]  # the chosen days (None: a log without dates)
    day: np.ndarray  # int: index into dates
    arrival: np.ndarray
    queued: np.ndarray
    left_queue: np.ndarray
    answered: np.ndarray
    ended: np.ndarray
    outcome: np.ndarray  # int: ANSWERED, ABANDONED, OTHER
    caller: np.ndarray  # int: index into caller_types
    caller_types: tuple[str, ...]
    credit: tuple[float, ...]  # queue credit of each caller type, seconds
    department: np.ndarray  # int: index into departments
    departments: tuple[str, ...]
    agent: np.ndarray  # int: index into agents, -1 when unknown
    agents: tuple[str, ...]
    line: np.ndarray  # int: the row number in the file (the header is row 1)
    columns: frozenset[str]  # canonical columns the log has
    open_s: float  # opening time, seconds after midnight
    close_s: float
    interval_s: float
    selection: Selection

    def __len__(self) -> int:
        return int(self.arrival.size)

    @property
    def intervals(self) -> int:
        """Intervals in the opening hours."""
        return round((self.close_s - self.open_s) / self.interval_s)

    @property
    def reached(self) -> np.ndarray:
        """Calls that reached the agents: queued, or answered at once."""
        reached: np.ndarray = ~np.isnan(self.queued) | (self.outcome == ANSWERED)
        return reached

    @property
    def entered(self) -> np.ndarray:
        """Queue entry: ``queued``, else ``answered``, else ``nan``."""
        return np.where(np.isnan(self.queued), self.answered, self.queued)

    @property
    def moment(self) -> np.ndarray:
        """The time a call counts at: its queue entry, else its arrival."""
        entered = self.entered
        return np.where(np.isnan(entered), self.arrival, entered)

    @property
    def interval(self) -> np.ndarray:
        """The interval each call counts in (by :attr:`moment`)."""
        index = np.floor((self.moment - self.open_s) / self.interval_s)
        return np.clip(index, 0, self.intervals - 1).astype(np.int64)

    @property
    def wait(self) -> np.ndarray:
        """Time in the queue until pickup (answered) or hang-up (abandoned); nan otherwise."""
        gone = np.where(np.isnan(self.left_queue), self.ended, self.left_queue)
        wait = np.full(len(self), np.nan)
        answered = self.outcome == ANSWERED
        wait[answered] = self.answered[answered] - self.entered[answered]
        abandoned = (self.outcome == ABANDONED) & ~np.isnan(self.queued)
        wait[abandoned] = gone[abandoned] - self.queued[abandoned]
        return wait

    @property
    def talk(self) -> np.ndarray:
        """Talk time of answered calls (nan otherwise)."""
        return np.where(self.outcome == ANSWERED, self.ended - self.answered, np.nan)

    def absolute(self, times: np.ndarray) -> np.ndarray:
        """Times on one clock across days: day index x 24 h + time."""
        out: np.ndarray = self.day * DAY + times
        return out
