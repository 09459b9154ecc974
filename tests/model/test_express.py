"""The express lane gives the general call flow's records, bit for bit, only faster.

Why this is the check: the express lane (:mod:`simcall.model.express`) is the general
flow written out for centres without menus, lines, rings, redials, callbacks, voicemail,
transfers or not-ready time, with lazy abandonment instead of patience timers. If it is
right, every record is the same as the general flow's for the same scenario, seed and
replication; only the order of the rows of visits and busy spells may differ (the lane
writes them in call order at the end, the general flow as they end), so both are compared
sorted. Ties are the hard case: scripted
arrivals on whole seconds with fixed talk and patience make deadlines meet the ends of
talk and the interval starts exactly, where only the event ids decide.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model.test_properties import scenarios

import simcall.model.replication as replication_module
from helpers import SCENARIOS, same_records, scenario_from
from simcall.model.demand import Arrival
from simcall.model.express import ExpressFlow, express_fits
from simcall.model.records import Periods, Records, VisitTable
from simcall.model.replication import Replication, run_replication
from simcall.results.metrics import check_conservation
from simcall.scenario import Scenario, load


def _general(monkeypatch: pytest.MonkeyPatch, scenario: Scenario, seed: int,
             replication: int = 0, script: list[Arrival] | None = None) -> Records:
    """The records of the general call flow, the express lane turned off."""
    with monkeypatch.context() as patch:
        patch.setattr(replication_module, "express_fits", lambda _: False)
        run = Replication(scenario, seed, replication, script)
        assert not isinstance(run.flow, ExpressFlow)
        run.run()
        return run.records()


def _by_call(records: Records) -> Records:
    """The records with the visits sorted by call (then entry) and the busy spells by
    group, start and end: the two orders that differ."""
    v = records.visits
    order = np.lexsort((v.entered, v.call))
    visits = VisitTable(**{f.name: getattr(v, f.name)[order] for f in dataclasses.fields(v)})
    b = records.busy
    order = np.lexsort((b.end, b.start, b.group))
    busy = Periods(b.group[order], b.start[order], b.end[order])
    return dataclasses.replace(records, visits=visits, busy=busy)


def _same(express: Records, general: Records) -> None:
    same_records(_by_call(express), _by_call(general))


@pytest.mark.parametrize("name", ["helpdesk", "breaks", "two_peaks", "rush_hour", "bank",
                                  "week", "five_departments"])
def test_ready_scenarios_get_the_general_flows_records(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = load(SCENARIOS / f"{name}.toml")
    assert express_fits(scenario)
    run = Replication(scenario, 7, 1)
    assert isinstance(run.flow, ExpressFlow)
    run.run()
    express = run.records()
    assert express.counters.arrived > 100
    _same(express, _general(monkeypatch, scenario, 7, 1))


def _tied_centre(redials: bool = False) -> tuple[Scenario, list[Arrival]]:
    """Two caller types with priorities and a head start, two departments (support
    transfers to sales, with a boost; its wrap-up ends as sales' talk does), a group with
    both skills, wrap-up, staffing that changes at interval starts, two days with a close,
    and whole-second arrivals with fixed talk and patience: deadlines fall exactly on ends
    of talk and on interval starts. With ``redials``, gold callers redial too (so patience
    timers run as events, a transferred call's earlier ones among them), and the all-round
    group has fixed not-ready time after each call: agents come back exactly when calls
    arrive."""
    redial = {"redial": {"probability": 0.7, "delay": {"dist": "deterministic", "value": 40}}}
    transfer = {"transfer": {"sales": 0.4}, "transfer_priority_boost": 1}
    scenario = scenario_from(
        interval="2min", intervals=4, days=2,
        callers=[
            {"name": "gold", "arrivals_per_hour": 1, "priority": 1, "enters": "sales",
             "patience": {"dist": "deterministic", "value": 60}, **(redial if redials else {})},
            {"name": "basic", "arrivals_per_hour": 1, "priority": 2, "priority_credit": "20s",
             "enters": "support", "patience": {"dist": "deterministic", "value": 120}},
        ],
        departments=[
            {"name": "sales", "talk": {"dist": "deterministic", "value": 60},
             "wrap_up": {"dist": "deterministic", "value": 20}},
            {"name": "support", "talk": {"dist": "deterministic", "value": 40},
             "wrap_up": {"dist": "deterministic", "value": 60},  # ends as sales' talk does
             **transfer},
        ],
        agents=[
            {"name": "sellers", "skills": ["sales"], "staff": [1, 0, 2, 1]},
            {"name": "all-round", "skills": ["support", "sales"], "staff": [1, 1, 0, 1],
             **({"not_ready": {"dist": "deterministic", "value": 20}} if redials else {})},
        ],
    )
    script = [Arrival(at=float(at), caller=("gold" if at % 40 else "basic"))
              for day in (0, 86400) for at in range(day, day + 480, 20)]
    return scenario, script


@pytest.mark.parametrize("redials", [False, True], ids=["transfers", "redials"])
def test_ties_on_whole_seconds_go_as_in_the_general_flow(
        redials: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario, script = _tied_centre(redials)
    assert express_fits(scenario)
    express = run_replication(scenario, 3, 0, script=script)
    general = _general(monkeypatch, scenario, 3, 0, script)
    outcomes = np.bincount(general.visits.outcome, minlength=2)
    assert outcomes[0] > 5 and outcomes[1] > 5  # both answers and hang-ups happen
    deadlines = {a.at + (60 if a.caller == "gold" else 120) for a in script}
    ends = set((general.visits.entered + general.visits.wait
                + np.nan_to_num(general.visits.talk)).tolist())
    assert deadlines & ends  # a deadline meets an end of talk: a real tie
    assert general.visits.transferred.sum() > 3
    if redials:
        assert (general.calls.attempt > 1).sum() > 3
    _same(express, general)


def test_a_caller_with_no_patience_limit_is_still_waiting_at_the_end(
        monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = scenario_from(agents=[{"name": "team", "skills": ["support"], "staff": 0}])
    script = [Arrival(at=10.0, caller="customers", patience=math.inf),
              Arrival(at=20.0, caller="customers", patience=30.0)]
    express = run_replication(scenario, 1, 0, script=script)
    assert express.counters.waiting_at_end == 1
    assert express.end_time == 3600.0
    _same(express, _general(monkeypatch, scenario, 1, 0, script))


FIVE_SECONDS = {"dist": "deterministic", "value": 5}
FEATURES: list[dict[str, Any]] = [
    {"lines": 3},
    {"voicemail_after": "5min"},
    {"callers": [{"name": "customers", "arrivals_per_hour": 60, "enters": "support",
                  "callback": {"offer_after": "1min", "accept": 0.5}}]},
    {"departments": [{"name": "support", "talk": {"dist": "exponential", "mean": 180},
                      "transfer": {"support": 0.1}, "warm_transfer": True}]},
    {"callers": [{"name": "customers", "arrivals_per_hour": 60, "enters": "support",
                  "ivr": {"time": {"dist": "deterministic", "value": 5}}}]},
    {"agents": [{"name": "team", "skills": ["support"], "staff": 1, "pickup": FIVE_SECONDS}]},
    {"agents": [{"name": "team", "skills": ["support"], "staff": 1,
                 "rona": {"probability": 0.1, "after": "2 rings", "not_ready": "1min"}}]},
]


@pytest.mark.parametrize("changes", FEATURES, ids=lambda c: next(iter(c)))
def test_a_feature_the_lane_lacks_sends_the_centre_to_the_general_flow(
        changes: dict[str, Any]) -> None:
    scenario = scenario_from(**changes)
    assert not express_fits(scenario)
    assert not isinstance(Replication(scenario, 1).flow, ExpressFlow)


def test_a_trace_is_written_by_the_general_flow() -> None:
    scenario = scenario_from()
    assert express_fits(scenario)
    trace: list[tuple[float, str, int, str, str]] = []
    run = Replication(scenario, 1, trace=trace)
    assert not isinstance(run.flow, ExpressFlow)


def express_only(scenario: Scenario) -> Scenario:
    """The scenario less every feature the express lane lacks (what is left is still valid:
    nothing removed is needed by anything kept); transfers are made cold."""
    return scenario.model_copy(update={
        "lines": None, "voicemail_after": None, "voicemail_callback": None,
        "callers": tuple(c.model_copy(update={"ivr": None, "callback": None})
                         for c in scenario.callers),
        "departments": tuple(d.model_copy(update={"warm_transfer": False})
                             for d in scenario.departments),
        "agents": tuple(g.model_copy(update={"pickup": None, "rona": None})
                        for g in scenario.agents),
    })


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(0, 2**32 - 1))
def test_random_centres_get_the_general_flows_records_and_conserve_every_call(
        drawn: Scenario, seed: int) -> None:
    scenario = express_only(drawn)
    assert express_fits(scenario)
    express = run_replication(scenario, seed)
    check_conservation(express)
    with pytest.MonkeyPatch.context() as patch:
        _same(express, _general(patch, scenario, seed))


def test_times_start_from_the_clock_not_from_the_drawn_arrival(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # found by the random test: the clock reaches an arrival by adding the delay to the
    # last one, which can differ from the drawn time in the last bit; a wait measured from
    # the drawn time then differed from the general flow's by 3e-14 s
    scenario = scenario_from(
        interval="22min",
        callers=[{"name": "c0", "arrivals_per_hour": 28, "enters": "d0"}],
        departments=[{"name": f"d{i}", "talk": {"dist": "exponential", "mean": 5}}
                     for i in range(3)],
        agents=[{"name": "g0", "skills": ["d1"], "staff": 0},
                {"name": "cover", "skills": ["d0", "d2"], "staff": 1}])
    express = run_replication(scenario, 2)
    assert (express.calls.wait > 0).any()  # somebody waited: the case at stake
    _same(express, _general(monkeypatch, scenario, 2))


def test_a_transferred_call_joins_before_the_first_agent_wraps_up(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The general flow queues the transferred call before the first agent's wrap-up event
    # takes its id. Here the next agent's talk and the first agent's wrap-up end at the
    # same second (100 s) with a call waiting that either could take: the ids decide who.
    fixed = {"dist": "deterministic"}
    scenario = scenario_from(
        callers=[{"name": "customers", "arrivals_per_hour": 1, "enters": "first"}],
        departments=[
            {"name": "first", "talk": {**fixed, "value": 40}, "wrap_up": {**fixed, "value": 60},
             "transfer": {"second": 1.0}},
            {"name": "second", "talk": {**fixed, "value": 60}},
        ],
        agents=[{"name": "both", "skills": ["first", "second"], "staff": 1},
                {"name": "seconds", "skills": ["second"], "staff": 1}],
    )
    script = [Arrival(at=0.0, caller="customers"),
              Arrival(at=50.0, caller="customers", department="second", patience=1e4)]
    express = run_replication(scenario, 1, 0, script=script)
    general = _general(monkeypatch, scenario, 1, 0, script)
    waiting_call = general.visits.call == 1
    assert general.visits.group[waiting_call].tolist() == [1]  # the seconds agent, first
    _same(express, general)
