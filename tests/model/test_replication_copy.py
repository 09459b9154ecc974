"""A replication can be stopped, copied and resumed without changing a single number.

Why: the staffing search runs the shared part of a day once, up to an interval
boundary, and forks it for each head count it tries there; worker processes get the
state as bytes. A fork that drifted from the uninterrupted run would make the search
judge a plan on a day that never happens. Checked on ready scenarios that use every
kind of state: shifts and breaks, days with a close, voice menus, redials, callbacks,
transfers and priorities.
"""

from __future__ import annotations

import pytest

from helpers import SCENARIOS, same_records
from simcall.model.replication import Replication, restore, run_replication
from simcall.scenario import load


@pytest.mark.parametrize("name", ["five_departments", "breaks", "week", "bank",
                                  "real_centre", "large_accounts"])
def test_a_copy_made_mid_run_continues_exactly_as_the_original(name: str) -> None:
    scenario = load(SCENARIOS / f"{name}.toml")
    whole = run_replication(scenario, seed=1, replication=2)
    stopped = Replication(scenario, seed=1, replication=2)
    stopped.run(until=scenario.run_horizon * 0.43)
    fork = stopped.copy()
    fork.run()
    same_records(fork.records(), whole)
    stopped.run()  # the original, resumed after being copied, is unchanged too
    same_records(stopped.records(), whole)


def test_a_run_in_steps_equals_a_run_in_one_go() -> None:
    scenario = load(SCENARIOS / "five_departments.toml")
    whole = run_replication(scenario, seed=4, replication=0)
    steps = Replication(scenario, seed=4, replication=0)
    for k in range(1, scenario.intervals + 1):
        steps.run(until=k * scenario.interval)
    steps.run()
    same_records(steps.records(), whole)


def test_frozen_bytes_carry_no_scenario_or_demand_and_restore_with_them() -> None:
    scenario = load(SCENARIOS / "helpdesk.toml")
    run = Replication(scenario, seed=1, replication=0)
    run.run(until=3 * scenario.interval)
    state = run.freeze()
    assert b"helpdesk" not in state  # the scenario (its name) travels by reference
    fork = restore(state, scenario, run.demand)
    assert fork.scenario is scenario and fork.demand is run.demand
    assert fork.now == run.now
    fork.run()
    run.run()
    same_records(fork.records(), run.records())


def test_forks_can_take_different_paths_without_touching_each_other() -> None:
    scenario = load(SCENARIOS / "helpdesk.toml")
    base = Replication(scenario, seed=1, replication=0)
    base.run(until=4 * scenario.interval)
    early, late = base.copy(), base.copy()
    early.run(until=5 * scenario.interval)
    late.run()
    assert early.now < late.now
    base.run()
    same_records(late.records(), base.records())
