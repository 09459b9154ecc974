"""Redials: a caller who hung up or heard a busy signal may call again, as a new attempt.

A redial is a new call with a number of its own (after the drawn calls), made by the same
caller: it remembers the caller's first call and its attempt number. Its attributes come
from the caller type's redial stream (:class:`~simcall.model.draws.RedialDraws`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from simpy import Environment
from simpy.events import Event, Timeout

from simcall.model.demand import ArrivalRow
from simcall.model.draws import RedialDraws
from simcall.model.records import Recorder
from simcall.scenario.schema import Scenario, open_at


class Redials:
    """Schedules the redial attempts of a run and tells whose attempt a call number is."""

    def __init__(self, scenario: Scenario, env: Environment, recorder: Recorder,
                 specs: Sequence[RedialDraws | None], first_number: int,
                 arrive: Callable[[ArrivalRow], None]) -> None:
        self.scenario = scenario
        self.env = env
        self.specs = list(specs) or [None] * len(scenario.callers)
        self.next_number = first_number  # redials are numbered after the drawn calls
        self.attempt_of: dict[int, tuple[int, int]] = {}  # redial number: (first, attempt)
        self.rows = recorder.redials
        self.after_close = 0  # redials that would have come after the last interval
        self._arrive = arrive
        # the scenario's clock, as plain floats: asked at every redial (its properties
        # compute them afresh each time)
        self._period = scenario.day_period
        self._day = scenario.horizon
        self._end = scenario.run_horizon

    def whose(self, number: int) -> tuple[int, int]:
        """(first call, attempt) of the call ``number`` arriving now."""
        return self.attempt_of.pop(number, (number, 1)) if self.attempt_of else (number, 1)

    def maybe(self, caller: int, department: int, first_call: int,
              attempt: int) -> None:
        """A caller who hung up or heard a busy signal may call again, as a new attempt.

        Redials are arrivals: none is made after the last interval (those are counted as
        ``redials_after_close``).
        """
        spec = self.specs[caller]
        if spec is None or attempt >= spec.max_attempts or spec.uniform() >= spec.probability:
            return
        delay = spec.delay()
        at = self.env.now + delay
        period, day, end = self._period, self._day, self._end
        if not open_at(at, period, day, end):  # closed: the caller tries at the next opening
            at = (at // period + (1 if at % period >= day else 0)) * period
            delay = at - self.env.now
        if at >= end:
            self.after_close += 1
            return
        number = self.next_number
        self.next_number += 1
        self.attempt_of[number] = (first_call, attempt + 1)
        self.rows.append((caller, at, department, first_call, attempt + 1))
        row = ArrivalRow(number, at, caller, department, *spec.attributes(department))
        Timeout(self.env, delay, row).callbacks.append(self._on_redial)

    def _on_redial(self, event: Event) -> None:
        self._arrive(event._value)
