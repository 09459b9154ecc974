"""Call records: append-only while the run goes, compact numpy columns after.

The engine appends plain Python values to lists (cheap on the hot path);
:meth:`Recorder.freeze` turns them into :class:`Records`, frozen numpy
columns that the metrics read and that drop straight into a table.

Three tables:

* **calls** -- one row per call, judged by its first queue (SPEC: overall and
  per caller type, each call counts once, by its first queue);
* **visits** -- one row per entry of a call into a department's queue
  (transfers make more than one);
* **busy / staffed** -- agent time, as ``[start, end)`` periods per agent
  group, for time-weighted occupancy.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum

import numpy as np


class Outcome(IntEnum):
    """How a call (or one queue visit) ended."""

    ANSWERED = 0
    ABANDONED = 1
    BLOCKED = 2
    VOICEMAIL = 3
    SELF_SERVED = 4
    IN_SYSTEM = 5  # still waiting when the event list ran dry (e.g. no agents left)


@dataclass(frozen=True)
class CallTable:
    """One row per offered call."""

    caller: np.ndarray  # int: caller-type index
    arrival: np.ndarray  # float: seconds since opening
    department: np.ndarray  # int: first department
    outcome: np.ndarray  # int: Outcome at the first queue (or BLOCKED)
    waited: np.ndarray  # bool: found no free agent at its first queue
    wait: np.ndarray  # float: time in the first queue until pickup or hang-up (nan if blocked)
    answer_time: np.ndarray  # float: answer time at the first queue (nan unless answered)
    transfers: np.ndarray  # int: transfers over the call's whole life


@dataclass(frozen=True)
class VisitTable:
    """One row per entry of a call into a department's queue."""

    call: np.ndarray  # int: row in CallTable
    department: np.ndarray  # int
    entered: np.ndarray  # float: time the call joined this queue
    outcome: np.ndarray  # int: Outcome of this visit
    waited: np.ndarray  # bool
    wait: np.ndarray  # float: until pickup or hang-up
    group: np.ndarray  # int: agent group that answered (-1 if none)
    agent: np.ndarray  # int: agent number within the run (-1 if none)
    talk: np.ndarray  # float: talk seconds (nan unless answered)
    wrap_up: np.ndarray  # float: wrap-up seconds (nan unless answered)
    transferred: np.ndarray  # bool: went on to another queue after talk


@dataclass(frozen=True)
class Periods:
    """Agent time as ``[start, end)`` periods per agent group."""

    group: np.ndarray
    start: np.ndarray
    end: np.ndarray


@dataclass(frozen=True)
class Records:
    """Everything one replication recorded."""

    calls: CallTable
    visits: VisitTable
    busy: Periods
    staffed: Periods
    end_time: float  # when the last event happened (the centre drained)
    counters: Counters


@dataclass(frozen=True)
class Counters:
    """Tallies the engine keeps itself, to check the records against (conservation)."""

    arrived: int  # arrival events handled
    blocked: int  # busy signals given
    left: int  # calls that left the centre after their last queue visit
    waiting_at_end: int  # calls still queued when the event list ran dry
    visits: int  # queue visits started


_INT = {"caller", "department", "outcome", "transfers", "call", "group", "agent"}
_BOOL = {"waited", "transferred"}


def _column(name: str, values: list) -> np.ndarray:
    dtype = np.int32 if name in _INT else bool if name in _BOOL else np.float64
    return np.asarray(values, dtype=dtype)


class Recorder:
    """The engine's append-only lists, one per column."""

    def __init__(self) -> None:
        self.calls: dict[str, list] = {f.name: [] for f in fields(CallTable)}
        self.visits: dict[str, list] = {f.name: [] for f in fields(VisitTable)}
        self.busy: dict[str, list] = {f.name: [] for f in fields(Periods)}
        self.staffed: dict[str, list] = {f.name: [] for f in fields(Periods)}

    def freeze(self, end_time: float, counters: Counters) -> Records:
        """Turn the lists into frozen numpy columns."""

        def table(cls: type, columns: dict[str, list]) -> object:
            return cls(**{name: _column(name, values) for name, values in columns.items()})

        return Records(
            calls=table(CallTable, self.calls),  # type: ignore[arg-type]
            visits=table(VisitTable, self.visits),  # type: ignore[arg-type]
            busy=table(Periods, self.busy),  # type: ignore[arg-type]
            staffed=table(Periods, self.staffed),  # type: ignore[arg-type]
            end_time=end_time,
            counters=counters,
        )
