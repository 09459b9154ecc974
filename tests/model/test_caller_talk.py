"""``talk`` on a caller type: its own talk time, in every department the call visits."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import simcall
from helpers import BASE, pollaczek_khinchine_wait, scenario_from
from simcall import Arrival

DEPARTMENTS = [
    {"name": "support", "talk": {"dist": "deterministic", "value": 100},
     "transfer": {"sales": 1.0}},
    {"name": "sales", "talk": {"dist": "deterministic", "value": 200}},
]
CALLERS = [
    {"name": "customers", "arrivals_per_hour": 10, "enters": "support"},
    {"name": "vip", "arrivals_per_hour": 10, "enters": "support",
     "talk": {"dist": "deterministic", "value": 30}},
]


def two_desks(talk_factor: float = 1.0) -> simcall.Scenario:
    return scenario_from(callers=CALLERS, departments=DEPARTMENTS, agents=[
        {"name": "front", "skills": ["support"], "staff": 1, "talk_factor": talk_factor},
        {"name": "back", "skills": ["sales"], "staff": 1}])


def test_the_caller_types_talk_replaces_each_departments_and_talk_factor_still_applies(
) -> None:
    trace: list = []
    result = simcall.simulate(two_desks(talk_factor=2.0), trace=trace, arrivals=[
        Arrival(0, "vip"), Arrival(200, "customers")])
    # the vip talks 30 s x 2 at support, is transferred, and talks 30 s at sales too; the
    # customer has the departments' own talk times (100 s x 2, then 200 s)
    assert [(t, e, c, d) for t, e, c, d, _ in trace if e in ("answer", "transfer", "end")] == [
        (0, "answer", 0, "support"), (60, "transfer", 0, "sales"), (60, "answer", 0, "sales"),
        (90, "end", 0, "sales"),
        (200, "answer", 1, "support"), (400, "transfer", 1, "sales"),
        (400, "answer", 1, "sales"), (600, "end", 1, "sales")]
    assert result.records.visits.talk.tolist() == [60, 30, 200, 200]


def test_a_script_still_fixes_the_talk_time() -> None:
    trace: list = []
    simcall.simulate(two_desks(), trace=trace, arrivals=[Arrival(0, "vip", talk=5)])
    assert [(t, e) for t, e, *_ in trace if e in ("transfer", "end")] == [
        (5, "transfer"), (35, "end")]


def test_without_the_key_the_other_callers_draws_do_not_move() -> None:
    # common random numbers: giving one caller type its own talk time leaves every other
    # caller type's arrivals and talk times as they were
    data: dict[str, Any] = {**BASE, "interval": "30min", "intervals": 4, "callers": [
        {"name": "a", "arrivals_per_hour": 40, "enters": "support"},
        {"name": "b", "arrivals_per_hour": 40, "enters": "support"}],
        "departments": [{"name": "support", "talk": {"dist": "exponential", "mean": 60},
                         "transfer": {"support": 0.3}}],
        "agents": [{"name": "team", "skills": ["support"], "staff": 3}]}
    before = simcall.simulate(simcall.from_dict(data), seed=3).records
    data["callers"][1]["talk"] = {"dist": "exponential", "mean": 300}
    after = simcall.simulate(simcall.from_dict(data), seed=3).records
    np.testing.assert_array_equal(before.calls.arrival, after.calls.arrival)
    a_before = before.visits.talk[before.calls.caller[before.visits.call] == 0]
    a_after = after.visits.talk[after.calls.caller[after.visits.call] == 0]
    # the first talk of each call of type a is unchanged (later visits depend on the queue)
    first = np.unique(before.visits.call, return_index=True)[1]
    kept = before.calls.caller[before.visits.call[first]] == 0
    first_after = np.unique(after.visits.call, return_index=True)[1]
    np.testing.assert_array_equal(before.visits.talk[first][kept],
                                  after.visits.talk[first_after][kept])
    assert a_before.size and a_after.size
    b_talk = after.visits.talk[after.calls.caller[after.visits.call] == 1]
    assert b_talk.mean() > 2 * a_after.mean()


@pytest.mark.parametrize("talk, message", [
    ({"dist": "exponential", "mean": -5},
     "callers[0].talk.mean: a duration must be finite and not negative, got -5"),
    ({"dist": "normal", "mean": 60}, "callers[0].talk: unknown distribution 'normal'"),
])
def test_a_bad_talk_is_reported_with_its_key(talk: dict[str, Any], message: str) -> None:
    data = {**BASE, "callers": [{**BASE["callers"][0], "talk": talk}]}
    with pytest.raises(simcall.ScenarioError, match=message.replace("[", r"\[")):
        simcall.from_dict(data)


def test_mean_answer_time_matches_pollaczek_khinchine_with_the_mixed_talk_time() -> None:
    # one agent, FCFS, two caller types with exponential talk of different means: service
    # is their mixture, S ~ Exp(m1) w.p. l1/l, Exp(m2) w.p. l2/l, and the mean answer time
    # of M/G/1 is lambda E[S^2] / (2 (1 - rho)); the department's own talk never applies
    rates, means = (12.0, 6.0), (60.0, 240.0)
    data: dict[str, Any] = {
        "name": "mixture", "interval": "200h", "intervals": 1, "warmup": "2h",
        "callers": [{"name": f"c{i}", "arrivals_per_hour": rate, "enters": "support",
                     "talk": {"dist": "exponential", "mean": mean}}
                    for i, (rate, mean) in enumerate(zip(rates, means, strict=True))],
        "departments": [{"name": "support", "talk": {"dist": "deterministic", "value": 999}}],
        "agents": [{"name": "agent", "skills": ["support"], "staff": 1}],
    }
    rate = sum(rates)
    mean = sum(r * m for r, m in zip(rates, means, strict=True)) / rate
    second = sum(r * 2 * m * m for r, m in zip(rates, means, strict=True)) / rate
    exact = pollaczek_khinchine_wait(rate, mean, second)
    summary = simcall.replicate(simcall.from_dict(data), replications=20, seed=2024)
    ci = summary.kpis["asa_s"].ci95
    assert ci is not None and ci.low <= exact <= ci.high, (exact, ci)
    assert 0.58 < summary.kpis["occupancy"].mean < 0.62  # rho = 0.6
