"""One replication, wired together and run: the only place that builds the engine.

:func:`run_replication` builds the replication's random streams once, draws the
demand, sets up queues, the agent pool, the per-call draws, the call flow and the
duty roster, runs until the centre has drained, and returns its
:class:`~simcall.model.records.Records`.
"""

from __future__ import annotations

from collections.abc import Sequence

from simpy import Environment

from simcall.model.agents import AgentPool
from simcall.model.calls import CallFlow, Trace
from simcall.model.demand import Arrival, draw_demand, scripted_demand
from simcall.model.draws import LaterVisitDraws, RedialDraws, RonaDraw, callbacks, pickups
from simcall.model.queues import DepartmentQueue
from simcall.model.records import Recorder, Records
from simcall.model.roster import staffing
from simcall.model.streams import Streams
from simcall.scenario.schema import Scenario

__all__ = ["Arrival", "Trace", "run_replication"]


def run_replication(
    scenario: Scenario,
    seed: int,
    replication: int = 0,
    script: Sequence[Arrival] | None = None,
    trace: Trace | None = None,
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
    """
    streams = Streams(seed, replication)
    demand = (scripted_demand(scenario, script, streams) if script is not None
              else draw_demand(scenario, streams))
    env = Environment()
    recorder = Recorder()
    queues = [DepartmentQueue() for _ in scenario.departments]
    pool = AgentPool(scenario, queues, pickups(scenario, streams), recorder,
                     RonaDraw.for_groups(scenario, streams))
    callback_draw, callback_delay = callbacks(scenario, streams)
    flow = CallFlow(scenario, env, demand, queues, pool, recorder,
                    LaterVisitDraws(scenario, streams), trace,
                    RedialDraws.for_callers(scenario, streams), callback_draw, callback_delay)
    env.process(staffing(env, scenario, pool, flow, streams))
    flow.start()
    env.run()
    end = max(env.now, scenario.run_horizon)
    pool.close(end)
    return recorder.freeze(end, flow.counters(), demand.caller, demand.arrival,
                           demand.department, tuple(pool.names))
