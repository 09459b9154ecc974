"""Redials in the express lane: callers who hang up and call again, as new calls.

A redial (:mod:`simcall.model.redials`, shared with the general flow) is drawn and timed
when its caller hangs up, which the express lane's lazy abandonment would learn only
later; so in a centre with redials the lane runs its patience timers as events (see
:mod:`simcall.model.express`) and this module takes the hang-ups they bring and the
redials that arrive, numbered after the drawn calls.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence

from simpy import Environment

from simcall.model.demand import ArrivalRow, Demand
from simcall.model.draws import RedialDraws
from simcall.model.records import Recorder
from simcall.model.redials import Redials
from simcall.scenario.schema import Scenario

Join = Callable[[int, int, int, float, float, float, int], None]
"""The lane's ``_join``: (number, caller type, department, patience, talk, wrap-up, boost)."""


class LaneRedials:
    """The redials of an express-lane run: who calls again, and the calls that do."""

    def __init__(self, scenario: Scenario, env: Environment, recorder: Recorder,
                 specs: Sequence[RedialDraws | None], demand: Demand, join: Join,
                 notes: tuple[array[float], array[float], array[int]],
                 on_redial: Callable[[int, int, int, float], None] | None = None) -> None:
        self.redials = Redials(scenario, env, recorder, specs, len(demand), self._arrives)
        self.on = any(spec is not None for spec in self.redials.specs)
        self.attempts: dict[int, tuple[int, int]] = {}  # a redial's (first call, attempt)
        # a redial's (caller type, department, patience, talk, wrap-up), by number
        self.redialled: dict[int, tuple[int, int, float, float, float]] = {}
        self.arrived = 0
        # told of each redial's (number, caller type, department, transfer draw): the
        # lane's later visits need them when the lane has transfers
        self.on_redial = on_redial
        self._demand = demand
        self._join = join
        self._notes = notes  # the lane's per-call arrays: they grow with each redial

    def _arrives(self, row: ArrivalRow) -> None:
        """A redial arrives (its ``Timeout``'s callback): a new call joins its queue."""
        number, _, caller, department, patience, talk, wrap_up, draw = row[:8]
        self.arrived += 1
        if self.on_redial is not None:
            self.on_redial(number, caller, department, draw)
        self.attempts[number] = self.redials.whose(number)
        self.redialled[number] = (caller, department, patience, talk, wrap_up)
        entered, answered, agent = self._notes
        for column in (entered, answered):
            column.extend([float("nan")] * (number + 1 - len(column)))
        agent.extend([-1] * (number + 1 - len(agent)))
        self._join(number, caller, department, patience, talk, wrap_up, 0)

    def hung_up(self, number: int) -> None:
        """The caller of call ``number`` hung up in a queue: she may call again."""
        if number < len(self._demand):
            caller = int(self._demand.caller[number])
            department = int(self._demand.department[number])
            first, attempt = number, 1
        else:
            caller, department = self.redialled[number][:2]
            first, attempt = self.attempts[number]
        self.redials.maybe(caller, department, first, attempt)
