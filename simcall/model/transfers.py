"""Where a call goes after talk: each department's transfer row and its transfer policy.

The scenario's ``transfer`` tables, ``max_transfers``, resolution desks, priority
boosts and warm transfers, compiled once into lists indexed by department, so that
the call flow (:mod:`simcall.model.calls`) asks one question at the end of each talk
and never reads the scenario on the hot path.
"""

from __future__ import annotations

import math
from itertools import accumulate

from simcall.model.parties import Call
from simcall.scenario.schema import Scenario


class Transfers:
    """The transfer rows and policies of every department."""

    __slots__ = ("boosts", "desks", "max_transfers", "rows", "warm")

    boosts: list[int]  # priority boost of a transferred call joining each department
    desks: list[int]  # the resolution desk of each department (-1: none)
    max_transfers: list[float]  # the transfer limit of each department (inf: none)
    rows: list[tuple[tuple[int, ...], tuple[float, ...]]]  # targets, cumulative shares
    warm: list[bool]  # whether each department transfers warm

    def __init__(self, scenario: Scenario) -> None:
        departments = scenario.departments
        # per department: the departments it transfers to, and the cumulative shares
        self.rows = [
            (tuple(scenario.department_index(t) for t in d.transfer),
             tuple(accumulate(d.transfer.values())))
            for d in departments
        ]
        self.max_transfers = [
            d.max_transfers if d.max_transfers is not None else math.inf for d in departments]
        self.desks = [scenario.department_index(d.resolution_desk)
                      if d.resolution_desk is not None else -1 for d in departments]
        self.boosts = [d.transfer_priority_boost for d in departments]
        self.warm = [d.warm_transfer for d in departments]

    def next_department(self, call: Call, department: int) -> int:
        """Where the call goes after talk at ``department`` (-1: it ends).

        A misrouted call is passed on to where it belongs. Otherwise the call's
        transfer draw picks a row entry; a call already transferred ``max_transfers``
        times goes to the resolution desk instead (or ends, without one), and
        ``call.limited`` says so.
        """
        if call.intended >= 0:  # misrouted by the menu: passed on to where it belongs
            call.limited = False
            return call.intended
        onward, call.limited = self.onward(department, call.transfer_draw, call.transfers)
        return onward

    def onward(self, department: int, draw: float, transfers: int) -> tuple[int, bool]:
        """Where a call with this transfer ``draw``, transferred ``transfers`` times so far,
        goes after talk at ``department`` (-1: it ends), and whether the transfer limit
        stopped or diverted it (see :meth:`next_department`)."""
        targets, cumulative = self.rows[department]
        if not targets:
            return -1, False
        onward = -1
        for target, bound in zip(targets, cumulative, strict=True):
            if draw < bound:
                onward = target
                break
        limited = onward >= 0 and transfers >= self.max_transfers[department]
        if limited:
            onward = self.desks[department]
        return onward, limited
