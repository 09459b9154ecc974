"""The discrete-event model of a call centre on SimPy.

:func:`run_replication` wires one replication together -- demand, random
streams, queues, agents, staffing and the call flow -- runs it until the
centre has drained, and returns its :class:`~simcall.model.records.Records`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from simpy import Environment

from simcall.model.agents import AgentPool, RonaDraw
from simcall.model.calls import CallFlow, LaterVisitDraws, RedialDraws, Trace
from simcall.model.demand import Arrival, draw_demand, scripted_demand
from simcall.model.queues import DepartmentQueue
from simcall.model.records import Recorder, Records
from simcall.model.roster import staffing
from simcall.model.streams import Owner, generator, sampler, uniforms
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
    demand = (scripted_demand(scenario, script, seed, replication) if script is not None
              else draw_demand(scenario, seed, replication))

    def stream(name: str, owner: Owner, index: int):
        return generator(seed, replication, name, owner, index)

    later = Owner.DEPARTMENT_LATER_VISITS
    departments = scenario.departments
    later_visit = LaterVisitDraws(
        talk=[sampler(d.talk, stream("talk", later, i)) for i, d in enumerate(departments)],
        wrap_up=[sampler(d.wrap_up, stream("wrap_up", later, i))
                 for i, d in enumerate(departments)],
        routing=[uniforms(stream("routing", later, i)) for i in range(len(departments))],
        patience=[sampler(c.patience, stream("patience", Owner.CALLER_LATER_VISITS, i), math.inf)
                  for i, c in enumerate(scenario.callers)],
    )
    pickups = [sampler(g.pickup, stream("pickup", Owner.AGENT_GROUP, i))
               for i, g in enumerate(scenario.agents)]
    ronas = [RonaDraw(g.rona.probability, g.rona.after, g.rona.not_ready,
                      uniforms(stream("rona", Owner.AGENT_GROUP, i)))
             if g.rona is not None else None for i, g in enumerate(scenario.agents)]

    env = Environment()
    recorder = Recorder()
    queues = [DepartmentQueue() for _ in scenario.departments]
    pool = AgentPool(scenario, queues, pickups, recorder, ronas)
    redials = [RedialDraws(scenario, i, stream("redial", Owner.CALLER_LATER_VISITS, i))
               if c.redial is not None else None for i, c in enumerate(scenario.callers)]
    callback_rng = stream("callback", Owner.CALLER_LATER_VISITS, 0)
    voicemail_callback = scenario.voicemail_callback
    flow = CallFlow(scenario, env, demand, queues, pool, recorder, later_visit, trace, redials,
                    callback_draw=uniforms(callback_rng),
                    callback_delay=sampler(voicemail_callback.delay if voicemail_callback
                                           else None, callback_rng))
    env.process(staffing(env, scenario, pool, flow, seed, replication))
    flow.start()
    env.run()
    end = max(env.now, scenario.run_horizon)
    pool.close(end)
    return recorder.freeze(end, flow.counters(), demand.caller, demand.arrival,
                           demand.department, tuple(pool.names))
