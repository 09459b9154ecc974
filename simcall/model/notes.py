"""What the express lane notes per call, and the records derived from it when asked for.

The express lane (:mod:`simcall.model.express`) writes no record row while it runs: per
call it notes only what the drawn demand cannot tell -- when the call joined a queue
(finding no agent free), when it was answered and by which agent. Everything else a queue
visit or a busy spell holds follows from those notes and the call's drawn attributes, with
the very floating-point operations the general flow (:mod:`simcall.model.calls`) makes one
call at a time: talk x the agent's talk factor; answer + talk, + wrap-up; joining +
patience - joining. So the derived columns are bit for bit the general flow's; only their
order differs (call order here, the order visits and spells end there).

A run keeps the notes and the demand (:class:`LaneRecords`), not the tables: the metrics
derive a block of calls at a time, and the tables are derived only when someone reads
them (a long run's memory: 52 bytes a call kept instead of 125).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from simcall.model.demand import Demand
from simcall.model.records import (
    CallBlock,
    CallColumns,
    Counters,
    Outcome,
    Periods,
    Records,
    RonaTable,
    VisitTable,
    block_starts,
    call_table,
)

if TYPE_CHECKING:
    from simcall.model.later_visits import LaterRows


class CallNotes(NamedTuple):
    """The lane's notes, by call number (NaN / -1: did not happen)."""

    entered: np.ndarray  # float: joined a queue, finding no agent free
    answered: np.ndarray  # float: an agent answered
    agent: np.ndarray  # int: the agent's number (1, 2, ...)
    waiting: list[int]  # numbers of the calls still in a queue at the end


class CallAttributes(NamedTuple):
    """The drawn attributes of every call, by call number."""

    department: np.ndarray
    patience: np.ndarray
    talk: np.ndarray  # before the agent's talk factor
    wrap_up: np.ndarray


def attributes_of(demand: Demand, redialled: dict[int, tuple[int, int, float, float, float]],
                  calls: int) -> CallAttributes:
    """Department, patience, talk and wrap-up of calls ``0 .. calls - 1``: the drawn ones'
    from the demand, the redials' (``redialled``: caller type, department, patience, talk,
    wrap-up by number) as they were drawn."""
    columns: list[np.ndarray] = [demand.department, demand.patience, demand.talk,
                                 demand.wrap_up]
    if calls > len(demand):
        extra = [redialled[number][1:] for number in range(len(demand), calls)]
        columns = [np.concatenate((column, np.array([row[k] for row in extra],
                                                    dtype=column.dtype)))
                   for k, column in enumerate(columns)]
    return CallAttributes(*columns)


def derive_tables(notes: CallNotes, drawn: CallAttributes, agent_groups: np.ndarray,
                  talk_factors: np.ndarray) -> tuple[dict[str, np.ndarray],
                                                     dict[str, np.ndarray]]:
    """The visits (``VISIT_DTYPE``'s columns) and busy spells (``PERIOD_DTYPE``'s) of a
    drained run; ``agent_groups`` gives each agent's group by number - 1, ``talk_factors``
    each group's factor."""
    queued = ~np.isnan(notes.entered)
    answered = notes.agent >= 0
    still_waiting = np.zeros(notes.entered.size, dtype=bool)
    still_waiting[notes.waiting] = True
    call = np.flatnonzero(answered | (queued & ~still_waiting))
    answered, queued = answered[call], queued[call]
    start = notes.answered[call]
    entered = np.where(queued, notes.entered[call], start)
    # the last entry of each lookup stands for "no agent" (agent -1, group -1)
    group = np.append(agent_groups, -1).astype(np.int32)[
        np.where(answered, notes.agent[call] - 1, -1)]
    talk = np.where(answered, drawn.talk[call] * np.append(talk_factors, math.nan)[group],
                    math.nan)
    wrap_up = np.where(answered, drawn.wrap_up[call], math.nan)
    # answered: from joining to the answer (0.0 if answered at once); hung up: until the
    # deadline, joining + patience, as the general flow computes it
    wait = np.where(answered, start - entered, (entered + drawn.patience[call]) - entered)
    none = np.zeros(call.size, dtype=bool)
    visits: dict[str, np.ndarray] = {
        "call": call.astype(np.int64),
        "department": drawn.department[call].astype(np.int32),
        "entered": entered,
        "outcome": np.where(answered, int(Outcome.ANSWERED),
                            int(Outcome.ABANDONED)).astype(np.int8),
        "waited": queued,
        "wait": wait,
        "group": group,
        "agent": np.where(answered, notes.agent[call], -1).astype(np.int32),
        "talk": talk,
        "wrap_up": wrap_up,
        "transferred": none,
        "limited": none,
    }
    talk_end = start[answered] + talk[answered]
    done = wrap_up[answered]
    busy: dict[str, np.ndarray] = {
        "group": group[answered],
        "start": start[answered],
        "end": np.where(done > 0.0, talk_end + done, talk_end),
    }
    return visits, busy


@dataclass(frozen=True)
class LaneRecords:
    """An express-lane run's records, kept as its notes and drawn demand and derived when
    asked for: all at once (:meth:`tables`, the :class:`Records` the lane always gave) or a
    block of calls at a time (:meth:`blocks`, what the metrics read).

    Why: the notes and the demand hold about 52 bytes a call, the tables derived from them
    about 125; a run of two million calls summarised without ever deriving all its tables
    holds the former only. Both ways derive each row with the same operations from the
    same notes, so a block's rows are the tables' rows of its calls, bit for bit.
    """

    notes: CallNotes
    drawn: CallAttributes  # of every call, redials included
    call_columns: CallColumns
    agent_groups: np.ndarray  # each agent's group, by number - 1
    talk_factors: np.ndarray  # each group's
    later: LaterRows | None  # transfers: the later visits' rows
    staffed: Periods
    scheduled: Periods
    not_ready: Periods
    end_time: float
    counters: Counters
    agent_names: tuple[str, ...]

    def tables(self) -> Records:
        """Every table of the run (derived anew at each call: keep what it returns)."""
        visits, busy = derive_tables(self.notes, self.drawn, self.agent_groups,
                                     self.talk_factors)
        if self.later is not None:
            visits, busy = self.later.add_to(visits, busy)
        return Records(
            calls=call_table(visits, [], [], self.call_columns.rows()),
            visits=VisitTable(**visits), busy=Periods(**busy), staffed=self.staffed,
            scheduled=self.scheduled, not_ready=self.not_ready, end_time=self.end_time,
            counters=self.counters, agent_names=self.agent_names, rona=_NO_RONA)

    def has_redials(self) -> bool:
        """Whether any call is a redial."""
        return self.call_columns.redials is not None

    def blocks(self, size: int) -> Iterator[CallBlock]:
        """The calls in blocks of ``size``, as :meth:`Records.blocks` gives the tables'
        (each call's visits in the order they ended); the busy spells of each block's first
        visits, and the later visits' spells with the last block: in all, the tables' busy
        spells in their order."""
        notes, drawn = self.notes, self.drawn
        n = self.call_columns.calls
        waiting = np.sort(np.asarray(notes.waiting, dtype=np.int64))
        starts = block_starts(n, size)
        for first in starts:
            last = min(first + size, n)
            lo, hi = np.searchsorted(waiting, (first, last))
            visits, busy = derive_tables(
                CallNotes(notes.entered[first:last], notes.answered[first:last],
                          notes.agent[first:last], (waiting[lo:hi] - first).tolist()),
                CallAttributes(*(column[first:last] for column in drawn)),
                self.agent_groups, self.talk_factors)
            if self.later is not None:
                visits, busy = self.later.add_to(visits, busy, first, last,
                                                 spells=first == starts[-1])
                order = np.argsort(visits["call"], kind="stable")
                visits = {name: column[order] for name, column in visits.items()}
            yield CallBlock(
                first=first,
                calls=call_table(visits, [], [], self.call_columns.rows(first, last)),
                visits=VisitTable(**visits), busy=Periods(**busy), rona=_NO_RONA)


_NO_RONA = RonaTable(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64),
                     np.zeros(0, dtype=np.int32), np.zeros(0))  # the lane has no rings
