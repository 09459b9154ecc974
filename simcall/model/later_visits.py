"""Cold transfers in the express lane: a call's visits after its first, and their records.

The express lane (:mod:`simcall.model.express`) notes a call's first queue visit in its
per-call arrays (:mod:`simcall.model.notes` derives the rows). A call transferred after
talk goes on to another department's queue, maybe several times; those later visits are
few (a tenth to a fifth of the calls in a centre that transfers), so they are kept here
as plain Python state and written as record rows as they end, exactly as the general flow
(:class:`~simcall.model.calls.CallFlow`) writes them: the same values, computed with the
same operations, in the same order of events. Where the call goes after talk is
:meth:`Transfers.onward <simcall.model.transfers.Transfers.onward>`, which both flows use.

Only cold transfers: in a warm one the first agent stays on the line until the next
answers or the caller hangs up, which lazy abandonment learns late (the general flow
keeps those centres).
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass
from typing import Any

import numpy as np

from simcall.model.demand import Demand
from simcall.model.draws import LaterVisitDraws
from simcall.model.parties import Agent
from simcall.model.records import PERIOD_DTYPE, VISIT_DTYPE, Outcome
from simcall.model.transfers import Transfers

ANSWERED, ABANDONED = int(Outcome.ANSWERED), int(Outcome.ABANDONED)

VisitRow = tuple[int, int, float, int, bool, float, int, int, float, float, bool, bool]
"""An ended later visit, in ``VISIT_DTYPE``'s order of columns."""


class LaterVisits:
    """The calls on their second or later queue visit, and the visits that have ended."""

    def __init__(self, transfers: Transfers, draws: LaterVisitDraws, demand: Demand) -> None:
        self.transfers = transfers
        self.draws = draws
        self.demand = demand
        # a first visit's department and transfer draw, by call number, as Python values
        # (read at every end of talk: an array is much quicker to index than numpy)
        self.first_department = array("i", demand.department.tolist())
        self.first_draw = array("d", demand.transfer_draw.tolist())
        # per department, the share of calls transferred on (0.0: none): a transfer draw
        # at or past it goes nowhere (Transfers.onward would find no target)
        self.share = [cumulative[-1] if targets else 0.0
                      for targets, cumulative in transfers.rows]
        self.redials: dict[int, tuple[int, int, float]] = {}  # a redial's (caller type,
        # department, transfer draw): numbered after the drawn calls
        self.on_call: dict[Agent, int] = {}  # the call each agent in talk is talking to
        self.count: dict[int, int] = {}  # transfers so far, of calls transferred
        # a call's current later visit: [department, joined, transfer draw, waited,
        # answered, talk]
        self.visit: dict[int, list[Any]] = {}
        self.first_ends: dict[int, tuple[bool, bool]] = {}  # a first visit's (transferred,
        # limited), when either
        self.rows: list[VisitRow] = []
        self.busy: list[tuple[int, float, float]] = []  # the later visits' busy spells
        self.started = 0  # later visits begun

    def redial(self, number: int, caller: int, department: int, draw: float) -> None:
        """A redial arrives: its first visit's caller type, department and transfer draw."""
        self.redials[number] = (caller, department, draw)

    def join(self, number: int, department: int, now: float, draw: float) -> None:
        """The call begins a later visit at ``department`` now (transfer draw ``draw``)."""
        self.started += 1
        self.visit[number] = [department, now, draw, True, math.nan, math.nan]

    def answer(self, number: int, agent: Agent, now: float, talk: float,
               waited: bool = True) -> bool:
        """An agent answers the call now, to talk ``talk`` seconds; returns whether this
        is a later visit (its answer noted here; a first visit's goes in the lane's
        arrays)."""
        self.on_call[agent] = number
        visit = self.visit.get(number)
        if visit is None:
            return False
        visit[3], visit[4], visit[5] = waited, now, talk
        return True

    def hung_up(self, number: int, deadline: float) -> bool:
        """The caller hung up at ``deadline``; returns whether on a later visit (then its
        row is written: the general flow's ``_hang_up``)."""
        visit = self.visit.pop(number, None)
        if visit is None:
            return False
        department, joined = visit[0], visit[1]
        self.rows.append((number, department, joined, ABANDONED, True, deadline - joined,
                          -1, -1, math.nan, math.nan, False, False))
        return True

    def talk_ends(self, agent: Agent, now: float, wrap_up: float,
                  ) -> tuple[int, int, int, float, float, float, float] | None:
        """The agent's talk ends now: where the call goes (the general flow's
        ``_on_talk_end``). Returns ``(number, department, caller, patience, talk, wrap-up,
        transfer draw)`` of the visit it goes on to, drawn as the general flow draws them,
        or ``None`` when it leaves."""
        number = self.on_call.pop(agent)
        visit = self.visit.pop(number, None)
        if visit is None:  # its first visit
            if number < len(self.first_department):
                department = self.first_department[number]
                draw = self.first_draw[number]
            else:
                _, department, draw = self.redials[number]
            if draw >= self.share[department]:  # transferred nowhere: the call leaves
                return None
        else:
            department, draw = visit[0], visit[2]
        so_far = self.count.get(number, 0)
        onward, limited = self.transfers.onward(department, draw, so_far)
        if visit is None:
            if onward >= 0 or limited:
                self.first_ends[number] = (onward >= 0, limited)
        else:
            joined, waited, answered, talk = visit[1], visit[3], visit[4], visit[5]
            self.rows.append((number, department, joined, ANSWERED, waited, answered - joined,
                              agent.group, agent.number, talk, wrap_up, onward >= 0, limited))
            self.busy.append((agent.group, answered, now + wrap_up if wrap_up > 0.0 else now))
        if onward < 0:
            return None
        self.count[number] = so_far + 1
        caller = (int(self.demand.caller[number]) if number < len(self.first_department)
                  else self.redials[number][0])
        talk, wrap, next_draw = self.draws.attributes(onward, caller)
        return number, onward, caller, self.draws.patience(caller), talk, wrap, next_draw

    def kept(self) -> LaterRows:
        """What the records need of the later visits, once the run has drained."""
        numbers = np.fromiter(self.first_ends, dtype=np.int64, count=len(self.first_ends))
        flags = np.array(list(self.first_ends.values()), dtype=bool).reshape(-1, 2)
        visit_names, spell_names = VISIT_DTYPE.names or (), PERIOD_DTYPE.names or ()
        rows: list[Any] = (list(zip(*self.rows, strict=True)) if self.rows
                           else [()] * len(visit_names))
        spells: list[Any] = (list(zip(*self.busy, strict=True)) if self.busy
                             else [()] * len(spell_names))
        return LaterRows(
            numbers, flags,
            {name: np.asarray(rows[k], dtype=VISIT_DTYPE[name])
             for k, name in enumerate(visit_names)},
            {name: np.asarray(spells[k], dtype=PERIOD_DTYPE[name])
             for k, name in enumerate(spell_names)})


@dataclass(frozen=True)
class LaterRows:
    """The records' share of the later visits: which first visits were transferred on or
    limited, and the later visits' rows and busy spells, in the order they ended."""

    numbers: np.ndarray  # calls whose first visit was transferred on or limited
    flags: np.ndarray  # their (transferred, limited), shape (calls, 2)
    visits: dict[str, np.ndarray]  # VISIT_DTYPE's columns
    busy: dict[str, np.ndarray]  # PERIOD_DTYPE's columns

    def add_to(self, visits: dict[str, np.ndarray], busy: dict[str, np.ndarray],
               first: int = 0, last: int | None = None, spells: bool = True,
               ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """The first visits' rows (:func:`~simcall.model.notes.derive_tables`, one a call
        in call order) marked transferred or limited, followed by the later visits' rows
        in the order they ended; the same for the busy spells (with ``spells``). (First
        visits first: the call table reads a call's first row as its first visit.)

        For a block of calls (``first .. last - 1``, numbered from ``first`` in
        ``visits``), only its calls' rows are marked and added."""
        last = np.iinfo(np.int64).max if last is None else last
        transferred = visits["transferred"].copy()
        limited = visits["limited"].copy()
        mine = (self.numbers >= first) & (self.numbers < last)
        if mine.any():
            # calls in order, one row each
            rows = np.searchsorted(visits["call"], self.numbers[mine] - first)
            transferred[rows], limited[rows] = self.flags[mine, 0], self.flags[mine, 1]
        visits = {**visits, "transferred": transferred, "limited": limited}
        call = self.visits["call"]
        mine = (call >= first) & (call < last)
        if mine.any():
            later = {name: column[mine] for name, column in self.visits.items()}
            later["call"] = later["call"] - first
            visits = {name: np.concatenate((column, later[name]))
                      for name, column in visits.items()}
        if spells and self.busy["start"].size:
            busy = {name: np.concatenate((column, self.busy[name]))
                    for name, column in busy.items()}
        return visits, busy
