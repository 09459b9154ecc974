"""Staffing: agents come on duty and go off, by head count or by shift.

The plan is turned into time before the run (:mod:`simcall.shifts`, pure
functions); the processes here only carry it out through the pool, and agents
meet calls only through :meth:`CallFlow.agent_arrives`:

* a group with ``staff`` has a head count per interval, set at each interval
  start (:meth:`AgentPool.set_staff`: idle agents leave first, busy ones
  finish the call in hand); with ``shrinkage``, the head count of an interval
  is the number of scheduled agents not absent in it;
* a group with ``shifts`` has one slot per agent of each shift, with its own
  on-duty periods (shift less breaks and absences); one process walks through
  every slot's comings and goings in time order.

After the last interval, the agents still on duty stay until the centre has
drained: a ``staff`` group keeps its last head count, and a shift agent whose
last stretch on duty reaches the end of the last interval stays.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence

from simpy import Environment
from simpy.events import Event

from simcall.model.agents import Agent, AgentPool
from simcall.model.calls import CallFlow
from simcall.scenario import Scenario
from simcall.shifts import Period, present_counts, scheduled_periods, slot_periods
from simcall.streams import Owner, generator


def staffing(
    env: Environment, scenario: Scenario, pool: AgentPool, flow: CallFlow,
    seed: int = 1, replication: int = 0,
) -> Generator[Event, None, None]:
    """Carry out every group's plan: head counts at interval starts, shift slots in time.

    ``seed`` and ``replication`` fix the groups' "breaks" streams (window breaks
    and absences); groups without either draw nothing.
    """
    head_counts: list[tuple[int, list[int]]] = []
    slots: list[tuple[int, list[list[Period]]]] = []
    for group, spec in enumerate(scenario.agents):
        pool.schedule(group, scheduled_periods(spec, scenario))
        if spec.shifts is not None:
            rng = generator(seed, replication, "breaks", Owner.AGENT_GROUP, group)
            slots.append((group, slot_periods(spec, scenario, rng)))
            continue
        plan = scenario.per_interval(spec.staff or (0,)).astype(int).tolist()
        if spec.shrinkage > 0.0:
            rng = generator(seed, replication, "breaks", Owner.AGENT_GROUP, group)
            plan = present_counts(plan, spec.shrinkage, rng.spawn(2)[1])
        head_counts.append((group, plan))
    if slots:
        env.process(_shift_slots(env, slots, scenario.horizon, pool, flow))
    if not head_counts:
        return
    for k in range(scenario.intervals):
        start = k * scenario.interval
        if start > env.now:
            yield env.timeout(start - env.now)
        for group, counts in head_counts:
            if k == 0 or counts[k] != counts[k - 1]:
                for agent in pool.set_staff(group, counts[k], env.now):
                    flow.agent_arrives(agent)


def _shift_slots(
    env: Environment, slots: Sequence[tuple[int, list[list[Period]]]], horizon: float,
    pool: AgentPool, flow: CallFlow,
) -> Generator[Event, None, None]:
    """Every shift agent's stretches on duty, in time order (at one time: goings first).

    A stretch that reaches the horizon has no end: the agent stays until the
    centre has drained.
    """
    changes: list[tuple[float, int, int, int]] = []  # (time, 0 off / 1 on, group, slot)
    for group, periods in slots:
        for slot, stretches in enumerate(periods):
            for start, end in stretches:
                changes.append((start, 1, group, slot))
                if end < horizon:
                    changes.append((end, 0, group, slot))
    changes.sort()
    agents: dict[tuple[int, int], Agent] = {}
    for time, on, group, slot in changes:
        if time > env.now:
            yield env.timeout(time - env.now)
        if on:
            agent, arrived = pool.come_on_duty(group, agents.get((group, slot)), env.now)
            agents[(group, slot)] = agent
            if arrived:
                flow.agent_arrives(agent)
        else:
            pool.go_off_duty(agents[(group, slot)], env.now)
