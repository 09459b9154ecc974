"""Staffing: each agent group's head count changes at interval boundaries."""

from __future__ import annotations

from collections.abc import Generator

from simpy import Environment
from simpy.events import Event

from simcall.model.agents import AgentPool
from simcall.model.calls import CallFlow
from simcall.scenario import Scenario


def staffing(
    env: Environment, scenario: Scenario, pool: AgentPool, flow: CallFlow
) -> Generator[Event, None, None]:
    """Set every group's staff at the start of each interval.

    After the last interval the last head count stays on duty until the
    centre has drained, so the calls still in the system are answered.
    """
    plans = [scenario.per_interval(group.staff).astype(int) for group in scenario.agents]
    for k in range(scenario.intervals):
        start = k * scenario.interval
        if start > env.now:
            yield env.timeout(start - env.now)
        for group, plan in enumerate(plans):
            if k == 0 or plan[k] != plan[k - 1]:
                for agent in pool.set_staff(group, int(plan[k]), env.now):
                    flow.agent_arrives(agent)
