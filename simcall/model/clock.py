"""The replication's clock: SimPy's environment, with the pre-drawn arrivals merged in.

Every call is drawn before the run (:mod:`simcall.model.demand`), so the next arrival's
time is known without an event for it. Scheduling each arrival as a ``Timeout`` cost a
heap push and pop, an event object and a callback list for 40% or more of all events.
Instead the clock holds the next arrival beside its event heap, with the key SimPy would
have given its ``Timeout`` -- ``(time, NORMAL, event id)``, the id taken when the previous
arrival is handled, before anything that arrival schedules, just as the ``Timeout`` took it
-- and :meth:`Clock.run` handles whichever comes first, the arrival or the heap's head.
Events therefore run in exactly the order they ran with one ``Timeout`` per arrival, ties
included, and the results are bit for bit the same.

The clock also pickles: the shortcuts SimPy binds to the environment (``timeout``,
``process``...) are bound again on arrival, and its event counter is kept as a number
(itertools objects stop pickling in later Pythons).
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from itertools import count
from types import MethodType
from typing import Any, Protocol

from simpy import Environment
from simpy.core import BoundClass, StopSimulation
from simpy.events import NORMAL, URGENT, Event, Timeout


class Arrivals(Protocol):
    """What feeds the clock its arrivals (the call flow)."""

    def next_arrival(self) -> float | None:
        """Handle the arrival that is due now; return the delay from now to the next one
        (``None``: that was the last)."""


class Lane(Protocol):
    """A call flow that runs the clock's events itself (the express lane)."""

    def run_events(self) -> None:
        """Handle events in order until none is left (a callback may stop the run)."""


class Clock(Environment):
    """SimPy's environment with one pending arrival beside the event heap."""

    _arrival: tuple[float, int, int] | None  # (time, priority, event id) of the next one
    _arrivals: Arrivals | None
    lane: Lane | None
    """The express lane (:mod:`simcall.model.express`), which runs the events itself;
    ``None`` for the general call flow, whose events are all SimPy's."""
    current: tuple[Any, ...]  # the heap entry being handled, its key first (for the lane)

    def __init__(self) -> None:
        super().__init__()
        self._arrival = None
        self._arrivals = None
        self.lane = None
        self.current = (0.0, URGENT, -1, None)

    def expect_arrival(self, arrivals: Arrivals, delay: float) -> None:
        """The next arrival is ``delay`` seconds from now: ``arrivals.next_arrival`` is
        called then, where a ``Timeout`` made now with that delay would have fired."""
        self._arrival = (self._now + delay, NORMAL, next(self._eid))
        self._arrivals = arrivals

    def after(self, delay: float, value: Any, callback: Callable[[Event], None]) -> Timeout:
        """A ``Timeout(self, delay, value)`` with ``callback`` as its one callback.

        The same event with the same key as the ``Timeout`` (so the same order), built
        in one call rather than four: the engine makes one or two per call."""
        if delay < 0:
            raise ValueError(f"negative delay {delay}")
        event = Timeout.__new__(Timeout)
        event.env = self
        event.callbacks = [callback]
        event._value = value
        event._delay = delay
        event._ok = True
        heappush(self._queue, (self._now + delay, NORMAL, next(self._eid), event))
        return event

    def step(self) -> None:
        """Handle the next arrival if it comes before the heap's head, else SimPy's step."""
        arrival = self._arrival
        if arrival is not None and (not self._queue or arrival < self._queue[0]):
            self._now = now = arrival[0]
            self._arrival = None
            eid = next(self._eid)  # taken before the arrival's own events, as the Timeout's was
            delay = self._arrivals.next_arrival()  # type: ignore[union-attr]
            if delay is not None:
                self._arrival = (now + delay, NORMAL, eid)
            return
        Environment.step(self)

    def run(self, until: float | Event | None = None) -> Any:
        """Run until no event is left, or up to (not including) the time ``until``.

        The loop of :meth:`step`, with the pre-drawn arrivals merged in (:meth:`fire` runs
        a SimPy event's callbacks, here and in the express lane's loop). What it does
        is what SimPy's ``run`` does -- an event at ``until``, before every other event of
        that time, stops the run -- except that the stop event is not put back in the heap
        for the next run (it has nothing left to do there; event ids are only compared, so
        the order of the events to come is the same). An event ``until`` is left to SimPy.
        With an express lane (``lane``), the lane runs the loop: its events are not SimPy's.
        """
        if isinstance(until, Event):
            return super().run(until)
        stop = None
        if until is not None:
            if until <= self._now:
                raise ValueError(f"until ({until}) must be greater than the current time")
            stop = Event(self)
            stop._ok = True
            stop._value = None
            stop.callbacks.append(StopSimulation.callback)
            self.schedule(stop, URGENT, until - self._now)
        try:
            if self.lane is not None:
                self.lane.run_events()
            else:
                self._run_events()
        except StopSimulation:
            return None
        if stop is not None:
            raise RuntimeError(f"no events left but the run was to stop at {until}")
        return None

    def _run_events(self) -> None:
        """Handle the pre-drawn arrivals and SimPy's events in order until none is left."""
        queue: list[Any] = self._queue
        while True:
            arrival = self._arrival
            if arrival is not None and (not queue or arrival < queue[0]):
                self._now = now = arrival[0]
                self._arrival = None
                eid = next(self._eid)
                delay = self._arrivals.next_arrival()  # type: ignore[union-attr]
                if delay is not None:
                    self._arrival = (now + delay, NORMAL, eid)
                continue
            if not queue:
                return
            self._now, _, _, event = heappop(queue)
            self.fire(event)

    @staticmethod
    def fire(event: Event) -> None:
        """Run a SimPy event's callbacks, and raise its failure if nobody handled it: what
        SimPy's ``step`` does once the event is off the heap."""
        callbacks = event.callbacks
        event.callbacks = None  # type: ignore[assignment]
        for callback in callbacks:
            callback(event)
        if not event._ok and not hasattr(event, "_defused"):
            failure = event._value
            raise type(failure)(*failure.args) from failure

    def __getstate__(self) -> dict[str, Any]:
        state = {key: value for key, value in self.__dict__.items()
                 if not isinstance(value, MethodType)}
        state["_eid"] = int(repr(self._eid)[len("count("):-1])
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("lane", None)  # the lane binds itself again
        self._eid = count(state["_eid"])
        BoundClass.bind_early(self)
