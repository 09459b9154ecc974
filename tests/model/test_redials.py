"""Redials: callers who hung up or heard a busy signal call again; attempts vs callers."""

from __future__ import annotations

import simcall
from helpers import scenario_from
from simcall import Arrival
from simcall.model.records import Outcome

TALK_100 = {"dist": "deterministic", "value": 100}


def redial_scenario(max_attempts: int | None = None, **top: object) -> simcall.Scenario:
    redial: dict = {"probability": 0.999, "delay": {"dist": "deterministic", "value": 60}}
    if max_attempts is not None:
        redial["max_attempts"] = max_attempts
    return scenario_from(callers=[{
        "name": "customers", "arrivals_per_hour": 60, "enters": "support",
        "patience": {"dist": "deterministic", "value": 10}, "redial": redial,
    }], **top)


def test_an_abandoned_caller_calls_again_until_answered() -> None:
    trace: list = []
    result = simcall.simulate(redial_scenario(), trace=trace, arrivals=[
        Arrival(0, "customers", patience=1000), Arrival(5, "customers")])
    # call 1 hangs up at 15; redials at 75 (call 2), hangs up at 85; redials at 145 (call 3)
    assert [(t, e, c) for t, e, c, _, _ in trace if e in ("abandon", "redial", "answer")] == [
        (0, "answer", 0), (15, "abandon", 1), (75, "redial", 2), (85, "abandon", 2),
        (145, "redial", 3), (145, "answer", 3)]
    calls = result.records.calls
    assert calls.first_call.tolist() == [0, 1, 1, 1]
    assert calls.attempt.tolist() == [1, 1, 2, 3]
    kpis = result.kpis
    assert (kpis["offered"], kpis["callers"], kpis["redials"]) == (4, 2, 2)
    assert kpis["first_attempt_resolution"] == 0.5  # call 0 yes, caller of call 1 no
    assert kpis["eventual_resolution"] == 1.0
    assert kpis["lost_callers"] == 0


def test_max_attempts_stops_redialling_and_the_caller_is_lost() -> None:
    result = simcall.simulate(redial_scenario(max_attempts=2), arrivals=[
        Arrival(0, "customers", patience=1000), Arrival(5, "customers")])
    assert result.records.calls.attempt.tolist() == [1, 1, 2]
    assert result.kpis["lost_callers"] == 1
    assert result.kpis["eventual_resolution"] == 0.5


def test_a_busy_signal_leads_to_a_redial() -> None:
    result = simcall.simulate(redial_scenario(lines=1), arrivals=[
        Arrival(0, "customers", patience=1000), Arrival(5, "customers")])
    calls = result.records.calls
    # the one line is held until 100: the redial at 65 is blocked too, the one at 125 gets in
    assert calls.outcome.tolist() == [Outcome.ANSWERED, Outcome.BLOCKED, Outcome.BLOCKED,
                                      Outcome.ANSWERED]
    assert calls.arrival.tolist() == [0, 5, 65, 125]


def test_no_redials_after_the_last_interval() -> None:
    result = simcall.simulate(redial_scenario(), arrivals=[
        Arrival(3500, "customers", patience=5000), Arrival(3550, "customers")])
    # the second caller hangs up at 3560; its redial would come at 3620, after closing
    assert result.kpis["offered"] == 2
    assert result.records.counters.redials_after_close == 1
    assert result.kpis["lost_callers"] == 1


def test_redials_add_offered_calls_and_rescue_callers_on_common_random_numbers() -> None:
    def scenario(probability: float) -> simcall.Scenario:
        caller: dict = {"name": "customers", "arrivals_per_hour": 90, "enters": "support",
                        "patience": {"dist": "exponential", "mean": 60}}
        if probability:
            caller["redial"] = {"probability": probability,
                                "delay": {"dist": "exponential", "mean": 300}}
        return scenario_from(interval="30min", intervals=8, callers=[caller], departments=[
            {"name": "support", "talk": {"dist": "exponential", "mean": 180}}],
            agents=[{"name": "team", "skills": ["support"], "staff": 4}])

    none, some = (simcall.replicate(scenario(p), replications=5, seed=6) for p in (0.0, 0.7))
    assert none.kpis["redials"].mean == 0
    assert none.kpis["callers"].mean == some.kpis["callers"].mean  # the same first calls
    assert some.kpis["offered"].mean == some.kpis["callers"].mean + some.kpis["redials"].mean
    assert some.kpis["offered"].mean > none.kpis["offered"].mean
    assert some.kpis["eventual_resolution"].mean > some.kpis["first_attempt_resolution"].mean
    assert none.kpis["eventual_resolution"].mean == none.kpis["first_attempt_resolution"].mean
    assert some.kpis["lost_callers"].mean < none.kpis["lost_callers"].mean
