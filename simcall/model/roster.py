"""Staffing: agents come on duty and go off, by head count or by shift.

The plan is turned into time before the run (:mod:`simcall.scenario.shifts`, pure
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
from simcall.model.streams import Owner, generator
from simcall.scenario.schema import Scenario
from simcall.scenario.shifts import Period, present_counts, scheduled_periods, slot_periods


def staffing(
    env: Environment, scenario: Scenario, pool: AgentPool, flow: CallFlow,
    seed: int = 1, replication: int = 0,
) -> Generator[Event, None, None]:
    """Carry out every group's plan: head counts at interval starts, shift slots in time.

    ``seed`` and ``replication`` fix the groups' "breaks" streams (window breaks
    and absences); groups without either draw nothing.
    """
    head_counts: list[tuple[int, list[list[int]]]] = []  # per group: a plan per day
    slots: list[tuple[int, list[list[Period]]]] = []
    period = scenario.day_period
    for group, spec in enumerate(scenario.agents):
        one_day = scheduled_periods(spec, scenario)
        pool.schedule(group, [(d * period + a, d * period + b)
                              for d in range(scenario.days) for a, b in one_day])
        if spec.shifts is not None:
            rng = generator(seed, replication, "breaks", Owner.AGENT_GROUP, group)
            days = [slot_periods(spec, scenario, rng) for _ in range(scenario.days)]
            slots.append((group, [
                [(d * period + a, d * period + b) for d, day in enumerate(days)
                 for a, b in day[slot]]
                for slot in range(len(days[0]))
            ]))
            continue
        plan = scenario.per_interval(spec.staff or (0,)).astype(int).tolist()
        plans = [plan] * scenario.days
        if spec.shrinkage > 0.0:
            rng = generator(seed, replication, "breaks", Owner.AGENT_GROUP, group)
            absences = rng.spawn(2)[1]
            plans = [present_counts(plan, spec.shrinkage, absences) for _ in range(scenario.days)]
        head_counts.append((group, plans))
    if slots:
        env.process(_shift_slots(env, slots, scenario, pool, flow))
    if not head_counts:
        return
    for day in range(scenario.days):
        opening = day * period
        for k in range(scenario.intervals):
            start = opening + k * scenario.interval
            if start > env.now:
                yield env.timeout(start - env.now)
            for group, plans in head_counts:
                counts = plans[day]
                if k == 0 or counts[k] != counts[k - 1]:
                    for agent in pool.set_staff(group, counts[k], env.now):
                        flow.agent_arrives(agent)
        if day + 1 < scenario.days and period > scenario.horizon:
            yield from _close(env, opening + scenario.horizon, opening + period, flow, pool)
            for group, _ in head_counts:
                pool.set_staff(group, 0, env.now)


def _close(env: Environment, closing: float, opening: float, flow: CallFlow,
           pool: AgentPool) -> Generator[Event, None, None]:
    """Closing time of a day before the last: no new calls; the agents on duty stay until
    the calls in the queues are answered or gone (checked every 30 s), then go home.

    Waiting also stops once no agent is busy (an idle agent with the skill would already
    have taken a waiting call, so nobody on duty can answer those), and at the latest
    when the next day opens: calls nobody can answer wait for the next day's agents.
    """
    if closing > env.now:
        yield env.timeout(closing - env.now)
    while flow.calls_waiting() and pool.any_busy() and env.now + 30.0 < opening:
        yield env.timeout(30.0)


def _shift_slots(
    env: Environment, slots: Sequence[tuple[int, list[list[Period]]]], scenario: Scenario,
    pool: AgentPool, flow: CallFlow,
) -> Generator[Event, None, None]:
    """Every shift agent's stretches on duty, in time order (at one time: goings first).

    A stretch that reaches the last day's close has no end: the agent stays until
    the centre has drained. One that reaches an earlier day's close ends once the
    queues are empty (the centre closes for the night).
    """
    horizon = scenario.run_horizon
    closes = {d * scenario.day_period + scenario.horizon for d in range(scenario.days - 1)}
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
        if not on and time in closes and scenario.day_period > scenario.horizon:
            yield from _close(env, time, time - scenario.horizon + scenario.day_period, flow,
                              pool)
        if on:
            agent, arrived = pool.come_on_duty(group, agents.get((group, slot)), env.now)
            agents[(group, slot)] = agent
            if arrived:
                flow.agent_arrives(agent)
        else:
            pool.go_off_duty(agents[(group, slot)], env.now)
