"""The timeline of one replication: per time bucket, callers arriving, waiting and
hanging up, agents busy and on duty; and the whole of what ``simcall trace`` shows.

A timeline row counts **every** call of the run, not only those whose story is told:
calls waiting come from the trace rows (:func:`waiting_spells`), busy and on-duty
agents from the records' exact busy and staffed periods. :class:`Step` turns spells
into a count over time, with exact time-averages and maxima per bucket; ``simcall
animate`` uses it too, to find the hour callers waited most.

:func:`trace_report` puts the stories (:mod:`simcall.results.stories`) and the
timeline around them together as a :class:`TraceReport`, which
:mod:`simcall.report.terminal_trace` prints. Everything here is pure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from simcall.results.revisits import RevisitChain
from simcall.results.stories import QUEUED_AFTER, CallStory, Row, stories
from simcall.results.summary import RunResult
from simcall.scenario.schema import Scenario

TIMELINE_ROWS = 40  # at most this many buckets for a window (the drain after closing adds one)
BUCKETS_S = (60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)


# -- timeline -------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineRow:
    """One time bucket ``[start, end)`` (seconds since opening)."""

    start: float
    end: float
    arrived: int  # calls that arrived in the bucket (busy signals included)
    hung_up: int  # calls that hung up in the bucket (while waiting or ringing)
    waiting_mean: float  # calls waiting in a queue, time-average over the bucket
    waiting_max: int  # most calls waiting at once
    busy_mean: float  # agents busy (ringing, talk, wrap-up), time-average
    busy_max: int
    staffed_mean: float  # agents on duty, time-average
    staffed_max: int
    not_ready_mean: float  # agents on duty but not ready (neither busy nor idle)
    not_ready_max: int


@dataclass(frozen=True)
class Step:
    """A count that changes at ``times``: ``levels[k]`` holds on ``[times[k], times[k+1])``
    and the count is 0 before ``times[0]``."""

    times: np.ndarray
    levels: np.ndarray

    @classmethod
    def of(cls, starts: np.ndarray, ends: np.ndarray) -> Step:
        """The number of intervals ``[start, end)`` that contain each time."""
        starts, ends = np.asarray(starts, float), np.asarray(ends, float)
        keep = ends > starts
        times = np.concatenate([starts[keep], ends[keep]])
        delta = np.concatenate([np.ones(keep.sum()), -np.ones(keep.sum())])
        order = np.argsort(times, kind="stable")
        times, levels = times[order], np.cumsum(delta[order])
        last = np.r_[times[1:] != times[:-1], True] if times.size else np.zeros(0, bool)
        return cls(times[last], np.rint(levels[last]).astype(np.int64))

    def _at(self, x: np.ndarray) -> np.ndarray:
        """Index of the last change at or before each x (-1: before the first)."""
        return np.searchsorted(self.times, x, side="right") - 1

    def at(self, x: np.ndarray) -> np.ndarray:
        """The count at each time x."""
        j = self._at(np.asarray(x, float))
        return np.where(j >= 0, self.levels[np.maximum(j, 0)] if self.levels.size else 0, 0)

    def area(self, x: np.ndarray) -> np.ndarray:
        """The integral of the count from -inf to each x."""
        if self.times.size == 0:
            return np.zeros(len(x))
        cumulative = np.r_[0.0, np.cumsum(self.levels[:-1] * np.diff(self.times))]
        j = self._at(x)
        inside = j >= 0
        jj = np.where(inside, j, 0)
        return np.where(inside, cumulative[jj] + self.levels[jj] * (x - self.times[jj]), 0.0)

    def means(self, edges: np.ndarray) -> np.ndarray:
        """Time-average of the count over each ``[edges[i], edges[i+1])``."""
        return np.diff(self.area(edges)) / np.diff(edges)

    def maxima(self, edges: np.ndarray) -> np.ndarray:
        """Largest count within each ``[edges[i], edges[i+1])``."""
        out = np.zeros(len(edges) - 1, dtype=np.int64)
        for i in range(len(edges) - 1):
            j = self._at(np.array([edges[i]]))[0]
            first = self.levels[j] if j >= 0 else 0
            inside = self.levels[j + 1:np.searchsorted(self.times, edges[i + 1], side="left")]
            out[i] = max(int(first), int(inside.max()) if inside.size else 0)
        return out


def waiting_spells(rows: Iterable[Row], end_time: float) -> tuple[np.ndarray, np.ndarray]:
    """``[start, end)`` of every spell a call spent waiting in a queue.

    A spell runs from a ``queue`` (or ``rona``: see :data:`QUEUED_AFTER`) row to the call's
    next row, whatever it is (ring, abandon, voicemail, or an event added later); a call
    that went straight to an idle agent has a zero-length spell (dropped by
    :meth:`Step.of`). A call still queued when the run ended waits until ``end_time``.
    """
    open_spells: dict[int, float] = {}
    starts: list[float] = []
    ends: list[float] = []
    for t, event, call, _, _ in rows:
        began = open_spells.pop(call, None)
        if began is not None:
            starts.append(began)
            ends.append(t)
        if event in QUEUED_AFTER:
            open_spells[call] = t
    for began in open_spells.values():
        starts.append(began)
        ends.append(end_time)
    return np.asarray(starts, float), np.asarray(ends, float)


def choose_bucket(span: float) -> float:
    """The shortest round bucket (1, 2, 5, 10, 15, 30 min, 1 h, ...) giving at most
    :data:`TIMELINE_ROWS` rows over ``span`` seconds."""
    for bucket in BUCKETS_S:
        if span / bucket <= TIMELINE_ROWS:
            return float(bucket)
    return float(BUCKETS_S[-1])


def bucket_edges(scenario: Scenario, start: float, end: float, bucket: float) -> np.ndarray:
    """Edges of buckets aligned on the clock (10:00, 10:15, ...) covering ``[start, end)``;
    the first and last buckets are clipped to the window."""
    opening = scenario.open_s
    first = math.floor((opening + start) / bucket + 1e-9) * bucket - opening
    edges = np.arange(first, end, bucket)
    edges = np.r_[edges, end] if edges.size == 0 or edges[-1] < end else edges
    edges[0] = max(edges[0], start)
    return edges if edges.size >= 2 else np.array([start, max(end, start + bucket)])


def timeline(scenario: Scenario, result: RunResult, rows: Sequence[Row], start: float,
             end: float, bucket: float) -> list[TimelineRow]:
    """Per bucket of ``[start, end)``: arrivals, hang-ups, calls waiting, agents busy and
    on duty, from every call of the run (not only the ones whose story is shown).

    Busy, not-ready and on-duty agents come from the records' busy, not-ready and staffed
    periods (exact: busy is ringing, talk and wrap-up; not ready is after a ring-no-answer
    or after a call, neither busy nor idle); calls waiting from the trace rows
    (:func:`waiting_spells`).
    """
    records = result.records
    if records is None:
        raise ValueError("the timeline needs the call records (simulate with keep_records)")
    edges = bucket_edges(scenario, start, end, bucket)
    waiting = Step.of(*waiting_spells(rows, records.end_time))
    busy = Step.of(records.busy.start, records.busy.end)
    staffed = Step.of(records.staffed.start, records.staffed.end)
    not_ready = Step.of(records.not_ready.start, records.not_ready.end)
    arrived = np.diff(np.searchsorted(np.sort(records.calls.arrival), edges, side="left"))
    hang_ups = np.sort(np.array([t for t, event, *_ in rows if event == "abandon"], float))
    hung_up = np.diff(np.searchsorted(hang_ups, edges, side="left"))
    columns = zip(edges[:-1], edges[1:], arrived, hung_up, waiting.means(edges),
                  waiting.maxima(edges), busy.means(edges), busy.maxima(edges),
                  staffed.means(edges), staffed.maxima(edges), not_ready.means(edges),
                  not_ready.maxima(edges), strict=True)
    return [TimelineRow(float(a), float(b), int(n), int(h), float(wm), int(wx), float(bm),
                        int(bx), float(sm), int(sx), float(nm), int(nx))
            for a, b, n, h, wm, wx, bm, bx, sm, sx, nm, nx in columns]


# -- the whole report -----------------------------------------------------------------


@dataclass(frozen=True)
class TraceReport:
    """What ``simcall trace`` shows for one replication."""

    scenario: Scenario
    seed: int
    replication: int
    start: float  # --from, in seconds since opening
    from_given: bool
    offered: int  # calls in the whole run
    stories: tuple[CallStory, ...]
    window: tuple[float, float]  # the timeline's [start, end)
    bucket: float
    timeline: tuple[TimelineRow, ...]
    revisit_chains: tuple[RevisitChain, ...] = ()  # the whole run's ping-pong, worst first
    answered: float = 0.0  # answered calls of the whole run (counted, as in the KPIs)


def trace_report(scenario: Scenario, result: RunResult, rows: Sequence[Row],
                 start: float | None = None, calls: int = 20) -> TraceReport:
    """Stories of the first ``calls`` calls from ``start`` and the timeline around them.

    With ``start`` given, the timeline covers the shown calls, from ``start`` until the
    last of them is over; without it, the whole day (and the drain after closing).
    """
    if calls < 1:
        raise ValueError(f"calls must be >= 1, got {calls}")
    records = result.records
    if records is None:
        raise ValueError("the trace needs the call records (simulate with keep_records)")
    begin = 0.0 if start is None else start
    chosen = stories(scenario, result, rows, begin, calls)
    if start is None:
        window = (0.0, max(records.end_time, scenario.horizon))
        bucket = choose_bucket(scenario.horizon)
    else:
        by_call = {story.call for story in chosen}
        last = max((t for t, _, call, *_ in rows if call in by_call), default=begin)
        if any(story.phrases[-1].startswith("still waiting") for story in chosen):
            last = records.end_time
        window = (begin, max(last, begin + 60.0))
        bucket = choose_bucket(window[1] - window[0])
    return TraceReport(
        scenario=scenario, seed=result.seed, replication=result.replication, start=begin,
        from_given=start is not None, offered=int(records.calls.arrival.size),
        stories=tuple(chosen), window=window, bucket=bucket,
        timeline=tuple(timeline(scenario, result, rows, *window, bucket)),
        revisit_chains=result.metrics.revisit_chains, answered=result.kpis["answered"],
    )
