"""One replication, wired together and run: the only place that builds the engine.

:func:`run_replication` builds the replication's random streams once, draws the
demand, sets up queues, the agent pool, the per-call draws, the call flow and the
duty roster, runs until the centre has drained, and returns its
:class:`~simcall.model.records.Records`.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable, Sequence

import numpy as np
from pydantic import BaseModel

from simcall.model.agents import AgentPool
from simcall.model.calls import CallFlow, Trace
from simcall.model.clock import Clock
from simcall.model.demand import Arrival, Demand, draw_demand, scripted_demand
from simcall.model.draws import (
    LaterVisitDraws,
    RedialDraws,
    RonaDraw,
    callbacks,
    not_ready_times,
    pickups,
)
from simcall.model.express import ExpressFlow, express_fits
from simcall.model.notes import LaneRecords
from simcall.model.queues import DepartmentQueue
from simcall.model.records import Recorder, Records
from simcall.model.roster import Roster
from simcall.model.streams import Streams
from simcall.model.transfers import Transfers
from simcall.scenario.schema import Scenario

__all__ = ["Arrival", "Progress", "Replication", "Trace", "record_replication", "restore",
           "run_replication"]

Progress = Callable[[float], None]
"""Called with the share of the horizon simulated so far: increasing, the last call 1.0."""
PROGRESS_STEPS = 100
"""Progress is reported this many times per replication (every 1/100 of the horizon)."""


def run_replication(
    scenario: Scenario,
    seed: int,
    replication: int = 0,
    script: Sequence[Arrival] | None = None,
    trace: Trace | None = None,
    progress: Progress | None = None,
) -> Records:
    """Simulate one replication and return its records.

    Parameters
    ----------
    scenario
        The validated call centre.
    seed, replication
        Together they fix every random stream (see :mod:`simcall.model.streams`).
    script
        Exact arrivals instead of Poisson ones (for traces and tests).
    trace
        A list to append ``(time, event, call, department, agent)`` rows to.
    progress
        Called with the share of the horizon simulated, every 1/100 of it, then 1.0 once
        the centre has drained (see :meth:`Replication.run`).
    """
    return record_replication(scenario, seed, replication, script, trace, progress).tables()


def record_replication(
    scenario: Scenario,
    seed: int,
    replication: int = 0,
    script: Sequence[Arrival] | None = None,
    trace: Trace | None = None,
    progress: Progress | None = None,
) -> Records | LaneRecords:
    """:func:`run_replication`'s records as kept (:meth:`Replication.kept`): the express
    lane's as its notes, derived a block at a time by the metrics and in full only when
    asked for (a long run's memory)."""
    run = Replication(scenario, seed, replication, script, trace)
    run.run(progress=progress)
    return run.kept()


class Replication:
    """One replication's engine: built once, run in steps, copied and resumed.

    A whole run is ``Replication(...).run()`` then :meth:`records`. The staffing
    search runs the shared part of a day once, to an interval boundary, and
    :meth:`copy` forks it for each head count it tries there; a copy continues
    exactly as the original would have (the tests check it bit for bit).
    """

    def __init__(self, scenario: Scenario, seed: int, replication: int = 0,
                 script: Sequence[Arrival] | None = None, trace: Trace | None = None) -> None:
        streams = Streams(seed, replication)
        self.scenario = scenario
        self.demand = (scripted_demand(scenario, script, streams) if script is not None
                       else draw_demand(scenario, streams))
        self.env = env = Clock()
        self.recorder = Recorder()
        queues = [DepartmentQueue() for _ in scenario.departments]
        self.pool = AgentPool(scenario, queues, pickups(scenario, streams), self.recorder,
                              RonaDraw.for_groups(scenario, streams))
        self.flow: CallFlow | ExpressFlow
        if trace is None and express_fits(scenario):
            transfers = any(d.transfer for d in scenario.departments)
            self.flow = ExpressFlow(scenario, env, self.demand, self.pool, self.recorder,
                                    not_ready_times(scenario, streams),
                                    RedialDraws.for_callers(scenario, streams),
                                    Transfers(scenario) if transfers else None,
                                    LaterVisitDraws(scenario, streams) if transfers else None)
        else:
            callback_draw, callback_delay = callbacks(scenario, streams)
            self.flow = CallFlow(scenario, env, self.demand, queues, self.pool, self.recorder,
                                 LaterVisitDraws(scenario, streams), trace,
                                 RedialDraws.for_callers(scenario, streams), callback_draw,
                                 callback_delay, not_ready_times(scenario, streams))
        self.roster = Roster(env, scenario, self.pool, self.flow, streams)
        self.flow.start()

    @property
    def now(self) -> float:
        """Simulated seconds since the first opening."""
        return float(self.env.now)

    def run(self, until: float | None = None, progress: Progress | None = None) -> None:
        """Run until the centre has drained, or up to (not including) time ``until``.

        ``progress`` (with no ``until``) is called with the share of the horizon simulated,
        every 1/100 of it, and with 1.0 once drained. Why steps and not a process that
        wakes up: stopping the run at a time changes nothing in the model (no random number
        is drawn, and the model's events keep their order: SimPy orders events by time,
        priority and creation, and the stop only pauses between them; the staffing
        search's forks rely on the same), and without ``progress`` nothing runs at all.
        """
        if until is None:
            if progress is not None:
                horizon = self.scenario.run_horizon
                for step in range(1, PROGRESS_STEPS):
                    at = horizon * step / PROGRESS_STEPS
                    if at > self.env.now:
                        self.env.run(until=at)
                        progress(step / PROGRESS_STEPS)
            self.env.run()
            if isinstance(self.flow, ExpressFlow):  # callers still waiting: see its drained
                self.flow.drained()
            if progress is not None:
                progress(1.0)
        elif until > self.env.now:
            self.env.run(until=until)

    def records(self) -> Records:
        """The records of a run that has drained, as tables (call once: agents still on
        duty go home)."""
        return self.kept().tables()

    def kept(self) -> Records | LaneRecords:
        """The records of a run that has drained (call once: agents still on duty go home):
        the express lane's as its notes, derived when asked for (:class:`LaneRecords`), the
        general flow's as tables."""
        end = max(self.env.now, self.scenario.run_horizon)
        self.pool.close(end)
        names = tuple(self.pool.names)
        if isinstance(self.flow, ExpressFlow):  # the lane notes calls, not rows
            return self.flow.kept(self.recorder, np.asarray(self.pool.groups, dtype=np.int32),
                                  end, names)
        return self.recorder.freeze(end, self.flow.counters(), self.demand.caller,
                                    self.demand.arrival, self.demand.department, names)

    def copy(self) -> Replication:
        """An independent copy that continues exactly as this one would.

        The scenario and the drawn demand are shared (neither changes during a run);
        everything else is copied. The same pickling ships a replication to a worker
        process, with the scenario and demand rebuilt there.
        """
        return restore(self.freeze(), self.scenario, self.demand)

    def freeze(self) -> bytes:
        """This replication's state as bytes, less the scenario and the demand."""
        buffer = io.BytesIO()
        _SharingPickler(buffer, _shared(self.scenario, self.demand)).dump(self)
        return buffer.getvalue()


def restore(state: bytes, scenario: Scenario, demand: Demand) -> Replication:
    """A replication from :meth:`Replication.freeze`'s bytes and its scenario and demand."""
    shared = _shared(scenario, demand)
    by_key = {key: obj for obj, key in shared.values()}
    replication: Replication = _SharingUnpickler(io.BytesIO(state), by_key).load()
    return replication


def _shared(scenario: Scenario, demand: Demand) -> dict[int, tuple[object, str]]:
    """The objects a copy shares with its original, by ``id``: the scenario with every
    model and tuple inside it (distributions, caller types...), and the demand."""
    shared: dict[int, tuple[object, str]] = {id(demand): (demand, "demand")}
    stack: list[tuple[object, str]] = [(scenario, "scenario")]
    while stack:
        obj, key = stack.pop()
        if id(obj) in shared:
            continue
        shared[id(obj)] = (obj, key)
        if isinstance(obj, BaseModel):
            children = [(getattr(obj, name), f"{key}.{name}") for name in type(obj).model_fields]
        elif isinstance(obj, tuple | list):
            children = [(item, f"{key}[{i}]") for i, item in enumerate(obj)]
        elif isinstance(obj, dict):
            children = [(item, f"{key}[{name!r}]") for name, item in obj.items()]
        else:
            continue
        stack += [(child, path) for child, path in children
                  if isinstance(child, BaseModel | tuple | list | dict)]
    return shared


class _SharingPickler(pickle.Pickler):
    """Pickles a replication, writing a key in place of each shared object."""

    def __init__(self, file: io.BytesIO, shared: dict[int, tuple[object, str]]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._shared = shared

    def persistent_id(self, obj: object) -> str | None:
        found = self._shared.get(id(obj))
        return found[1] if found is not None and found[0] is obj else None


class _SharingUnpickler(pickle.Unpickler):
    """Unpickles a replication, putting each shared object back in place of its key."""

    def __init__(self, file: io.BytesIO, by_key: dict[str, object]) -> None:
        super().__init__(file)
        self._by_key = by_key

    def persistent_load(self, pid: object) -> object:
        return self._by_key[str(pid)]
