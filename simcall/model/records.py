"""Call records: append-only while the run goes, compact numpy columns after.

The engine appends one tuple per queue visit and one per busy spell; every
few thousand rows they are packed into a numpy chunk, so a long run holds
compact columns rather than millions of Python objects. :meth:`Recorder.freeze`
joins the chunks into :class:`Records`, frozen columns that the metrics read
and that drop straight into a table.

Tables:

* **calls** -- one row per offered call, judged by its first queue (SPEC:
  overall and per caller type, each call counts once, by its first queue);
  derived from the visits at the end, not kept during the run;
* **visits** -- one row per entry of a call into a department's queue
  (transfers make more than one);
* **busy / staffed** -- agent time as ``[start, end)`` periods per agent
  group, for time-weighted occupancy;
* **not ready** -- agent time on duty but not taking calls (after a ring-no-answer,
  and ``not_ready`` after each call), as ``[start, end)`` periods per agent group;
* **scheduled** -- the staffing plan as ``[start, end)`` periods per agent
  group (``staff`` or shifts, before breaks and absences), up to the horizon.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from enum import IntEnum
from typing import Any, Protocol, TypeVar

import numpy as np

BLOCK_CALLS = 1 << 16
"""Calls per block (:meth:`Records.blocks`): large enough that numpy's fixed cost per block
is nothing beside its calls, small enough that a block's working columns (a few hundred
bytes a call while the metrics sum it) stay near ten megabytes."""


class Outcome(IntEnum):
    """How a call (or one queue visit) ended."""

    ANSWERED = 0
    ABANDONED = 1
    BLOCKED = 2
    VOICEMAIL = 3
    SELF_SERVED = 4
    IN_SYSTEM = 5  # still waiting when the event list ran dry (e.g. no agents left)
    IVR_HANG_UP = 6  # hung up in the voice menu, before reaching a queue
    CALLED_BACK = 7  # an agent called the caller back (virtual hold, or after a voicemail)


@dataclass(frozen=True)
class CallTable:
    """One row per offered call, in arrival order."""

    caller: np.ndarray  # int: caller-type index
    arrival: np.ndarray  # float: seconds since opening
    department: np.ndarray  # int: first department
    outcome: np.ndarray  # int: Outcome at the first queue (or BLOCKED)
    waited: np.ndarray  # bool: found no free agent at its first queue
    wait: np.ndarray  # float: time in the first queue until pickup or hang-up (nan if none)
    answer_time: np.ndarray  # float: answer time at the first queue (nan unless answered)
    transfers: np.ndarray  # int: transfers over the call's whole life
    limited: np.ndarray  # bool: the transfer limit stopped or diverted one of its transfers
    first_call: np.ndarray  # int: the caller's first attempt (itself unless a redial)
    attempt: np.ndarray  # int: 1 for a first call, 2 for the first redial, ...


VISIT_DTYPE = np.dtype([
    ("call", np.int64),  # row in CallTable
    ("department", np.int32),
    ("entered", np.float64),  # time the call joined this queue
    ("outcome", np.int8),  # Outcome of this visit
    ("waited", np.bool_),
    ("wait", np.float64),  # until pickup or hang-up
    ("group", np.int32),  # agent group that answered (-1 if none)
    ("agent", np.int32),  # agent number within the run (-1 if none)
    ("talk", np.float64),  # talk seconds (nan unless answered)
    ("wrap_up", np.float64),  # wrap-up seconds (nan unless answered)
    ("transferred", np.bool_),  # went on to another queue after talk
    ("limited", np.bool_),  # the transfer limit stopped or diverted its transfer
])
PERIOD_DTYPE = np.dtype([("group", np.int32), ("start", np.float64), ("end", np.float64)])


@dataclass(frozen=True)
class VisitTable:
    """One row per entry of a call into a department's queue (see ``VISIT_DTYPE``)."""

    call: np.ndarray
    department: np.ndarray
    entered: np.ndarray
    outcome: np.ndarray
    waited: np.ndarray
    wait: np.ndarray
    group: np.ndarray
    agent: np.ndarray
    talk: np.ndarray
    wrap_up: np.ndarray
    transferred: np.ndarray
    limited: np.ndarray


@dataclass(frozen=True)
class Periods:
    """Agent time as ``[start, end)`` periods per agent group."""

    group: np.ndarray
    start: np.ndarray
    end: np.ndarray


@dataclass(frozen=True)
class RonaTable:
    """One row per ring-no-answer: the agent group, the call, its department, the time."""

    group: np.ndarray
    call: np.ndarray
    department: np.ndarray
    time: np.ndarray


@dataclass(frozen=True)
class Counters:
    """Tallies the engine keeps itself, to check the records against (conservation)."""

    arrived: int  # arrival events handled
    blocked: int  # busy signals given
    left: int  # calls that left the centre after their last queue visit
    waiting_at_end: int  # calls still queued when the event list ran dry
    visits: int  # queue visits started
    ivr_ended: int = 0  # calls that ended in the voice menu (self-served or hung up)
    redials_after_close: int = 0  # redials that would have come after the last interval


@dataclass(frozen=True)
class Records:
    """Everything one replication recorded."""

    calls: CallTable
    visits: VisitTable
    busy: Periods
    staffed: Periods
    scheduled: Periods  # the plan: scheduled agents, breaks and absences not taken off
    end_time: float  # when the last event happened (the centre drained)
    counters: Counters
    agent_names: tuple[str, ...]  # by agent number - 1
    rona: RonaTable  # ring-no-answer events
    not_ready: Periods  # agents on duty but not ready (after a ring-no-answer or a call)

    def tables(self) -> Records:
        """The records as tables (these ones; see :class:`~simcall.model.notes.LaneRecords`
        for records derived only when asked for)."""
        return self

    def has_redials(self) -> bool:
        """Whether any call is a redial (a caller's attempts then span several calls)."""
        return bool(np.any(self.calls.attempt != 1))

    def blocks(self, size: int) -> Iterator[CallBlock]:
        """The calls in blocks of ``size`` (the last one shorter), in call order.

        Visits are found by call number: directly where they are held in call order (the
        express lane without transfers), else through one stable sort of their call
        numbers, which keeps each call's visits in the order they ended. The busy spells
        are cut into as many parts, in their order (they add up, whichever call they
        served).
        """
        calls, visits, rona = self.calls, self.visits, self.rona
        n = int(calls.arrival.size)
        starts = block_starts(n, size)
        in_order = bool(np.all(visits.call[1:] >= visits.call[:-1]))
        order = None if in_order else np.argsort(visits.call, kind="stable")
        visit_call = visits.call if order is None else visits.call[order]
        rona_order = np.argsort(rona.call, kind="stable")
        rona_call = rona.call[rona_order]
        busy_cut = -(-self.busy.start.size // len(starts))  # spells a part, rounded up
        for k, first in enumerate(starts):
            last = min(first + size, n)
            lo, hi = np.searchsorted(visit_call, (first, last))
            rows: slice | np.ndarray = slice(lo, hi) if order is None else order[lo:hi]
            r_lo, r_hi = np.searchsorted(rona_call, (first, last))
            spells = slice(k * busy_cut, (k + 1) * busy_cut)
            yield CallBlock(
                first=first,
                calls=_rows(calls, slice(first, last)),
                visits=_rows(visits, rows, call_from=first),
                busy=_rows(self.busy, spells),
                rona=_rows(rona, rona_order[r_lo:r_hi], call_from=first),
            )


class RunRecords(Protocol):
    """What the metrics read of a run: its calls in blocks, and the agents' time. Kept as
    tables (:class:`Records`) or as the express lane's notes, derived when asked for
    (:class:`~simcall.model.notes.LaneRecords`)."""

    @property
    def staffed(self) -> Periods: ...  # agents on duty
    @property
    def scheduled(self) -> Periods: ...  # the plan
    @property
    def not_ready(self) -> Periods: ...  # on duty but not ready
    @property
    def counters(self) -> Counters: ...  # the engine's own tallies
    def tables(self) -> Records: ...  # every table, at once
    def has_redials(self) -> bool: ...  # whether a caller's attempts span several calls
    def blocks(self, size: int) -> Iterator[CallBlock]: ...  # the calls, ``size`` at a time


@dataclass(frozen=True)
class CallBlock:
    """Calls ``first .. first + size - 1`` of a run, with their visits and ring-no-answers,
    and a part of the run's busy spells.

    Why blocks: every KPI is a count, a sum or a ratio of those, so a run's KPIs are the
    sums of its blocks', and the metrics need never hold more than one block's worth of
    per-call columns at once (a 2,000-hour run has two million calls). Inside a block, call
    numbers count from its first call (``0 .. size - 1``): a per-call function works on a
    block as it would on a whole run. The blocks' busy parts, together, are every busy
    spell of the run, each once.
    """

    first: int  # the run's number of the block's first call
    calls: CallTable  # the block's rows of the call table
    visits: VisitTable  # every visit of those calls, each call's in the order they ended
    busy: Periods  # a part of the run's busy spells
    rona: RonaTable  # the ring-no-answers of those calls

    @property
    def size(self) -> int:
        """Calls in the block."""
        return int(self.calls.arrival.size)


Table = TypeVar("Table", CallTable, VisitTable, Periods, RonaTable)


def _rows(table: Table, rows: slice | np.ndarray, call_from: int = 0) -> Table:
    """Some rows of a table; its ``call`` column (if any) counted from call ``call_from``."""
    columns = {f.name: getattr(table, f.name)[rows] for f in fields(table)}
    if call_from and "call" in columns:
        columns["call"] = columns["call"] - call_from
    return type(table)(**columns)


def block_starts(calls: int, size: int) -> range:
    """The first call of each block of ``size`` (one, empty, for a run without calls)."""
    if size < 1:
        raise ValueError(f"a block holds at least one call, got {size}")
    return range(0, max(calls, 1), size)


class ChunkedTable:
    """Rows appended as tuples, packed into numpy chunks of a fixed size."""

    __slots__ = ("_chunks", "_dtype", "_size", "rows")

    _chunks: list[np.ndarray]  # packed rows, each a structured array of _size rows
    _dtype: np.dtype  # one field per column
    _size: int  # rows per chunk
    rows: list[tuple[Any, ...]]  # rows appended since the last pack

    def __init__(self, dtype: np.dtype, size: int = 8192) -> None:
        self._dtype = dtype
        self._size = size
        self._chunks = []
        self.rows = []

    def pack(self) -> None:
        """Move the pending rows into a numpy chunk (call when ``rows`` is long)."""
        if self.rows:
            self._chunks.append(np.array(self.rows, dtype=self._dtype))
            self.rows = []

    def append(self, row: tuple[Any, ...]) -> None:
        """Add one row (the hot path appends to ``rows`` directly and calls ``pack``)."""
        self.rows.append(row)
        if len(self.rows) >= self._size:
            self.pack()

    @property
    def chunk_size(self) -> int:
        """Rows per chunk."""
        return self._size

    def columns(self, release: bool = False) -> dict[str, np.ndarray]:
        """All rows as one contiguous array per column; with ``release``, the table lets its
        rows go (it is empty afterwards).

        Column by column rather than one structured array first: a long run's visits
        then exist twice at most while they are frozen (chunks and columns), not three
        times (chunks, the joined array and the columns copied out of it)."""
        self.pack()
        names = self._dtype.names
        assert names is not None  # a structured dtype: one field per column
        chunks = self._chunks
        if release:
            self._chunks = []
        if not chunks:
            return {name: np.empty(0, dtype=self._dtype[name]) for name in names}
        return {name: np.concatenate([chunk[name] for chunk in chunks]) for name in names}


class Recorder:
    """What the engine writes during a run."""

    def __init__(self) -> None:
        self.visits = ChunkedTable(VISIT_DTYPE)
        self.busy = ChunkedTable(PERIOD_DTYPE)
        self.staffed = ChunkedTable(PERIOD_DTYPE, size=1024)
        self.scheduled = ChunkedTable(PERIOD_DTYPE, size=1024)
        self.not_ready = ChunkedTable(PERIOD_DTYPE, size=1024)
        self.blocked: list[int] = []  # call numbers that got a busy signal
        self.ivr_outcomes: list[tuple[int, int]] = []  # (call, outcome) ended in the menu
        self.rona: list[tuple[int, int, int, float]] = []  # (group, call, department, time)
        # redial attempts, numbered after the drawn calls: (caller, arrival, department,
        # first call, attempt), in the order of their numbers
        self.redials: list[tuple[int, float, int, int, int]] = []

    def freeze(self, end_time: float, counters: Counters, caller: np.ndarray,
               arrival: np.ndarray, department: np.ndarray,
               agent_names: tuple[str, ...]) -> Records:
        """Turn what was written into frozen columns, deriving the call table (once: the
        recorder's tables are empty afterwards)."""
        # each table lets its rows go once its columns exist, so that the frozen records
        # and the rows they came from are not all held at once (a long run's peak memory)
        visits, busy = self.visits.columns(release=True), self.busy.columns(release=True)
        return Records(
            calls=call_table(visits, self.blocked, self.ivr_outcomes,
                             self.call_columns(caller, arrival, department).rows()),
            visits=VisitTable(**visits),
            busy=Periods(**busy),
            **self.agent_time(),
            end_time=end_time,
            counters=counters,
            agent_names=agent_names,
            rona=self.rona_table(),
        )

    def call_columns(self, caller: np.ndarray, arrival: np.ndarray,
                     department: np.ndarray) -> CallColumns:
        """The call table's columns the demand and the redials tell (``caller``,
        ``arrival``, ``department``: the drawn calls')."""
        dtypes: tuple[Any, ...] = (caller.dtype, np.float64, department.dtype, np.int64,
                                   np.int32)
        extra = (tuple(np.asarray(column, dtype=dtype) for column, dtype in zip(
            zip(*self.redials, strict=True), dtypes, strict=True)) if self.redials else None)
        return CallColumns(caller, arrival, department, extra)

    def agent_time(self) -> dict[str, Periods]:
        """The staffed, scheduled and not-ready periods as frozen columns (once)."""
        return {name: Periods(**getattr(self, name).columns(release=True))
                for name in ("staffed", "scheduled", "not_ready")}

    def rona_table(self) -> RonaTable:
        """The ring-no-answers as frozen columns."""
        return RonaTable(*(np.asarray(column, dtype=dtype) for column, dtype in zip(
            zip(*self.rona, strict=True) if self.rona else ([], [], [], []),
            (np.int32, np.int64, np.int32, np.float64), strict=True)))


@dataclass(frozen=True)
class CallColumns:
    """The call table's columns that the demand and the redials tell: the drawn calls'
    caller type, arrival and department, and the redials' (numbered after them) with their
    first call and attempt. A drawn call is its own first call, attempt 1: those columns
    are made only for the calls asked for."""

    caller: np.ndarray
    arrival: np.ndarray
    department: np.ndarray
    redials: tuple[np.ndarray, ...] | None  # caller, arrival, department, first call, attempt

    @property
    def calls(self) -> int:
        """Drawn calls and redials."""
        return int(self.arrival.size + (0 if self.redials is None else self.redials[1].size))

    def rows(self, first: int = 0, last: int | None = None) -> tuple[np.ndarray, ...]:
        """Caller, arrival, department, first call and attempt of calls ``first .. last-1``."""
        last = self.calls if last is None else last
        drawn = self.arrival.size
        upto = min(last, drawn)
        columns = [self.caller[first:upto], self.arrival[first:upto],
                   self.department[first:upto],
                   np.arange(first, max(upto, first), dtype=np.int64),
                   np.ones(max(upto - first, 0), dtype=np.int32)]
        if self.redials is None or last <= drawn:
            return tuple(columns)
        since = max(first, drawn) - drawn
        return tuple(np.concatenate((column, extra[since:last - drawn]))
                     for column, extra in zip(columns, self.redials, strict=True))


def call_table(visits: dict[str, np.ndarray], blocked: list[int],
               in_menu: list[tuple[int, int]], columns: tuple[np.ndarray, ...]) -> CallTable:
    """One row per call from its first visit (rows are appended as visits end, so a
    call's first row is its first visit: a later visit cannot end before it starts);
    ``columns`` from :meth:`CallColumns.rows`."""
    caller, arrival, department, first_call, attempt = columns
    n = arrival.size
    outcome = np.full(n, Outcome.IN_SYSTEM, dtype=np.int8)
    waited = np.zeros(n, dtype=bool)
    wait = np.full(n, np.nan)
    answer_time = np.full(n, np.nan)
    calls = visits["call"]
    if calls.size and not np.all(calls[1:] > calls[:-1]):  # else one visit a call, in order
        calls, first = np.unique(calls, return_index=True)  # (the express lane's visits)
        outcome[calls] = visits["outcome"][first]
        waited[calls] = visits["waited"][first]
        wait[calls] = visits["wait"][first]
    else:
        outcome[calls] = visits["outcome"]
        waited[calls] = visits["waited"]
        wait[calls] = visits["wait"]
    answered = calls[outcome[calls] == Outcome.ANSWERED]
    answer_time[answered] = wait[answered]
    outcome[np.asarray(blocked, dtype=np.int64)] = Outcome.BLOCKED
    if in_menu:
        ended, how = np.asarray(in_menu, dtype=np.int64).T
        outcome[ended] = how
    # a call with no finished visit is still in a queue when the run ends: it waited
    waited[outcome == Outcome.IN_SYSTEM] = True
    transfers = np.bincount(visits["call"], weights=visits["transferred"], minlength=n)
    limited = np.bincount(visits["call"], weights=visits["limited"], minlength=n) > 0
    return CallTable(caller=caller, arrival=arrival, department=department, outcome=outcome,
                     waited=waited, wait=wait, answer_time=answer_time,
                     transfers=transfers.astype(np.int32), limited=limited,
                     first_call=first_call, attempt=attempt)
