"""``not_ready`` on an agent group: after each call (after wrap-up) the agent is on duty but
takes no call for a drawn time; occupancy leaves it out, ``not_ready_share`` counts it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import simcall
from helpers import BASE, pollaczek_khinchine_wait, scenario_from
from simcall import Arrival


def desk(not_ready: dict[str, Any] | None, wrap_up: float = 10, **group: Any) -> simcall.Scenario:
    team: dict[str, Any] = {"name": "team", "skills": ["support"], "staff": 1, **group}
    if not_ready is not None:
        team["not_ready"] = not_ready
    return scenario_from(
        departments=[{"name": "support", "talk": {"dist": "deterministic", "value": 100},
                      "wrap_up": {"dist": "deterministic", "value": wrap_up}}],
        agents=[team])


NOT_READY_20 = {"dist": "deterministic", "value": 20}


def test_the_agent_takes_the_next_call_after_wrap_up_and_not_ready() -> None:
    trace: list = []
    result = simcall.simulate(desk(NOT_READY_20), trace=trace,
                              arrivals=[Arrival(0, "customers"), Arrival(5, "customers")])
    # talk 0-100, wrap-up to 110, not ready to 130; the second call is answered at 130
    assert [(t, e, c) for t, e, c, _, _ in trace if e in ("answer", "end")] == [
        (0, "answer", 0), (100, "end", 0), (130, "answer", 1), (230, "end", 1)]
    records = result.records
    assert list(zip(records.busy.start.tolist(), records.busy.end.tolist(),
                    strict=True)) == [(0, 110), (130, 240)]
    assert list(zip(records.not_ready.start.tolist(), records.not_ready.end.tolist(),
                    strict=True)) == [(110, 130), (240, 260)]
    assert records.calls.answer_time.tolist() == [0, 125]
    group = result.metrics.agent_groups["team"]
    staffed = 3600.0
    assert group["occupancy"] == pytest.approx(220 / staffed)  # busy: talk + wrap-up
    assert group["not_ready_share"] == pytest.approx(40 / staffed)


def test_without_the_key_nothing_changes_and_the_share_is_zero() -> None:
    trace: list = []
    result = simcall.simulate(desk(None), trace=trace,
                              arrivals=[Arrival(0, "customers"), Arrival(5, "customers")])
    assert [(t, c) for t, e, c, _, _ in trace if e == "answer"] == [(0, 0), (110, 1)]
    assert result.records.not_ready.start.size == 0
    assert result.metrics.agent_groups["team"]["not_ready_share"] == 0


def test_not_ready_follows_talk_when_there_is_no_wrap_up() -> None:
    trace: list = []
    simcall.simulate(desk(NOT_READY_20, wrap_up=0), trace=trace,
                     arrivals=[Arrival(0, "customers"), Arrival(5, "customers")])
    assert [(t, c) for t, e, c, _, _ in trace if e == "answer"] == [(0, 0), (120, 1)]


def test_an_agent_who_must_leave_goes_after_wrap_up_without_not_ready() -> None:
    # staff 1 then 0 at 120 s: the agent is in wrap-up (150-160) when told to go
    scenario = simcall.from_dict({
        **BASE, "interval": "2min", "intervals": 2,
        "departments": [{"name": "support", "talk": {"dist": "deterministic", "value": 100},
                         "wrap_up": {"dist": "deterministic", "value": 10}}],
        "agents": [{"name": "team", "skills": ["support"], "staff": [1, 0],
                    "not_ready": NOT_READY_20}]})
    records = simcall.simulate(scenario, arrivals=[Arrival(50, "customers")]).records
    assert records.not_ready.start.size == 0
    assert records.staffed.end.tolist() == [160]


def test_an_agent_told_to_leave_while_not_ready_goes_when_it_ends() -> None:
    scenario = simcall.from_dict({
        **BASE, "interval": "2min", "intervals": 2,
        "departments": [{"name": "support", "talk": {"dist": "deterministic", "value": 100},
                         "wrap_up": {"dist": "deterministic", "value": 10}}],
        "agents": [{"name": "team", "skills": ["support"], "staff": [1, 0],
                    "not_ready": NOT_READY_20}]})
    records = simcall.simulate(scenario, arrivals=[Arrival(0, "customers"),
                                                   Arrival(5, "customers")]).records
    # not ready 110-130; told to leave at 120; goes at 130; the second call is never answered
    assert records.not_ready.end.tolist() == [130]
    assert records.staffed.end.tolist() == [130]
    assert records.calls.outcome.tolist() == [0, 5]


def test_ring_no_answer_not_ready_time_is_recorded_too() -> None:
    scenario = scenario_from(agents=[{
        "name": "team", "skills": ["support"], "staff": 1,
        "rona": {"probability": 0.999, "after": "3 rings", "not_ready": 60}}])
    records = simcall.simulate(scenario, arrivals=[Arrival(0, "customers", patience=100)]).records
    assert records.not_ready.start.tolist()[:1] == [18]
    assert records.not_ready.end.tolist()[:1] == [78]


@pytest.mark.parametrize("not_ready, message", [
    ({"dist": "exponential", "mean": "-20s"},
     r"agents\[0\]\.not_ready\..*mean: '-20s' is not a duration"),
    ("20s", r"agents\[0\].not_ready"),
])
def test_a_bad_not_ready_is_reported_with_its_key(not_ready: object, message: str) -> None:
    data = {**BASE, "agents": [{**BASE["agents"][0], "not_ready": not_ready}]}
    with pytest.raises(simcall.ScenarioError, match=message):
        simcall.from_dict(data)


def test_mean_answer_time_is_pollaczek_khinchine_with_talk_plus_not_ready() -> None:
    # one agent, Poisson calls, nobody hangs up: after each call the agent is unavailable
    # for talk + not ready, so the queue is M/G/1 with service S = T + N (independent
    # exponentials): E[S] = t + n, E[S^2] = Var T + Var N + E[S]^2 = t^2 + n^2 + (t + n)^2
    rate, talk, pause = 18.0, 80.0, 40.0
    data: dict[str, Any] = {
        "name": "not ready", "interval": "200h", "intervals": 1, "warmup": "2h",
        "callers": [{"name": "callers", "arrivals_per_hour": rate, "enters": "support"}],
        "departments": [{"name": "support", "talk": {"dist": "exponential", "mean": talk}}],
        "agents": [{"name": "agent", "skills": ["support"], "staff": 1,
                    "not_ready": {"dist": "exponential", "mean": pause}}],
    }
    exact = pollaczek_khinchine_wait(rate, talk + pause,
                                     talk**2 + pause**2 + (talk + pause) ** 2)
    summary = simcall.replicate(simcall.from_dict(data), replications=20, seed=2024)
    ci = summary.kpis["asa_s"].ci95
    assert ci is not None and ci.low <= exact <= ci.high, (exact, ci)
    # occupancy is talk only (rho_talk = 0.4); the not-ready share is the rest of S's load
    group = summary.agent_groups["agent"]
    assert group["occupancy"].ci95 is not None
    assert group["occupancy"].ci95.low <= rate * talk / 3600 <= group["occupancy"].ci95.high
    assert group["not_ready_share"].ci95 is not None
    assert (group["not_ready_share"].ci95.low <= rate * pause / 3600
            <= group["not_ready_share"].ci95.high)
    np.testing.assert_allclose(summary.kpis["occupancy"].mean, group["occupancy"].mean)
