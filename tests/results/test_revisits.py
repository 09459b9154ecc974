"""Ping-pong: ``revisit_rate`` against a hand count and an exact expectation, the
``max_revisit_rate`` target, and the chains kept in full."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import simcall
from helpers import scenario_from
from simcall import Arrival
from simcall.model import Outcome
from simcall.results.targets import goals

TALK = {"dist": "exponential", "mean": 60}


def back_and_forth(p: float, **extra: Any) -> simcall.Scenario:
    """Every call answered in A goes on to B; a call answered in B goes back to A with
    probability ``p`` (and then to B again, and so on). Nobody hangs up."""
    return scenario_from(
        interval="30min", intervals=2,
        callers=[{"name": "c", "arrivals_per_hour": 60, "enters": "A"}],
        departments=[{"name": "A", "talk": TALK, "transfer": {"B": 1.0}},
                     {"name": "B", "talk": TALK, "transfer": {"A": p}}],
        agents=[{"name": "a", "skills": ["A"], "staff": 4},
                {"name": "b", "skills": ["B"], "staff": 4}],
        **extra)


def mixed() -> simcall.Scenario:
    """Transfers back and forth, self-transfers, hang-ups and a warm-up: every case."""
    return scenario_from(
        interval="30min", intervals=2, warmup="5min",
        callers=[{"name": "c", "arrivals_per_hour": 150, "enters": {"A": 0.6, "B": 0.4},
                  "patience": {"dist": "exponential", "mean": 60}}],
        departments=[{"name": "A", "talk": TALK, "transfer": {"B": 0.5, "A": 0.2}},
                     {"name": "B", "talk": TALK, "transfer": {"A": 0.4, "C": 0.2}},
                     {"name": "C", "talk": TALK, "transfer": {"A": 0.3}}],
        agents=[{"name": "all", "skills": ["A", "B", "C"], "staff": 3}])


def hand_count(result: simcall.RunResult, warmup: float, interval: float) -> dict[str, Any]:
    """The revisit rates by plain loops over the visit records."""
    records = result.records
    assert records is not None
    visits, calls = records.visits, records.calls
    paths: dict[int, list[tuple[int, int]]] = {}
    for row in range(visits.call.size):
        paths.setdefault(int(visits.call[row]), []).append(
            (int(visits.department[row]), int(visits.outcome[row])))
    answered_calls = sent_back = 0
    per_interval: dict[int, list[int]] = {}
    per_department: dict[int, list[int]] = {}
    for call, path in paths.items():
        if calls.arrival[call] < warmup:
            continue
        went_back = False
        for i, (department, outcome) in enumerate(path):
            earlier = [d for d, _ in path[:i]]
            re_entry = department in earlier and path[i - 1][0] != department
            went_back = went_back or re_entry
            if outcome == Outcome.ANSWERED:
                tally = per_department.setdefault(department, [0, 0])
                tally[0] += re_entry
                tally[1] += 1
        if path[0][1] == Outcome.ANSWERED:
            answered_calls += 1
            sent_back += went_back
            tally = per_interval.setdefault(int(calls.arrival[call] // interval), [0, 0])
            tally[0] += went_back
            tally[1] += 1
    return {"overall": sent_back / answered_calls,
            "intervals": {k: a / b for k, (a, b) in per_interval.items()},
            "departments": {d: a / b for d, (a, b) in per_department.items()}}


def test_revisit_rate_equals_a_hand_count_over_the_visits() -> None:
    scenario = mixed()
    result = simcall.simulate(scenario, seed=5)
    expected = hand_count(result, warmup=300, interval=1800)
    assert 0 < expected["overall"] < 1  # the scenario does ping-pong, not always
    assert result.kpis["revisit_rate"] == pytest.approx(expected["overall"])
    for k, kpis in enumerate(result.metrics.intervals):
        assert kpis["revisit_rate"] == pytest.approx(expected["intervals"][k])
    for d, department in enumerate(scenario.departments):
        got = result.metrics.departments[department.name]["revisit_rate"]
        assert got == pytest.approx(expected["departments"][d])
    chains = result.metrics.revisit_chains
    assert sum(c.revisits > 0 for c in chains) == len(chains) > 0


def test_back_and_forth_with_probability_p_gives_p() -> None:
    # A -> B always, B -> A with probability p, nobody hangs up: an answered call is sent
    # back to A exactly when its first visit to B transfers it, so the expected rate is p
    p = 0.3
    summary = simcall.replicate(back_and_forth(p), replications=8, seed=2)
    estimate = summary.kpis["revisit_rate"]
    assert estimate.ci95 is not None
    assert estimate.ci95.low <= p <= estimate.ci95.high
    assert estimate.ci95.high - estimate.ci95.low < 0.15  # the check has some power
    # per department every answered entry after the first into A or B is a re-entry; a call
    # with K returns enters A and B 1 + K times each, K of them returns: the share is
    # E[K] / E[1 + K] = p in the long run (a ratio of sums, so its bias shrinks with the
    # calls), and A's and B's figures are the same numbers
    a, b = (summary.departments[name]["revisit_rate"] for name in ("A", "B"))
    assert a.values == b.values
    assert a.ci95 is not None and a.ci95.low <= p <= a.ci95.high


def test_a_self_transfer_and_a_redial_are_not_revisits() -> None:
    scenario = scenario_from(
        callers=[{"name": "c", "arrivals_per_hour": 1, "enters": "A"}],
        departments=[{"name": "A", "talk": {"dist": "deterministic", "value": 10},
                      "transfer": {"A": 1.0}, "max_transfers": 1},
                     {"name": "B", "talk": {"dist": "deterministic", "value": 10}}],
        agents=[{"name": "t", "skills": ["A", "B"], "staff": 1}])
    result = simcall.simulate(scenario, arrivals=[Arrival(0, "c")])
    assert result.records is not None
    assert result.records.visits.department.tolist() == [0, 0]  # A -> A, then the limit
    assert result.kpis["revisit_rate"] == 0
    assert result.metrics.revisit_chains == ()


def test_chains_are_complete_and_worst_first() -> None:
    scenario = scenario_from(
        callers=[{"name": "c", "arrivals_per_hour": 1, "enters": "A"}],
        departments=[{"name": "A", "talk": {"dist": "deterministic", "value": 100},
                      "transfer": {"B": 1.0}, "max_transfers": 4},
                     {"name": "B", "talk": {"dist": "deterministic", "value": 100},
                      "transfer": {"A": 1.0}, "max_transfers": 2}],
        agents=[{"name": "t", "skills": ["A", "B"], "staff": 2}])
    result = simcall.simulate(scenario, arrivals=[Arrival(0, "c"), Arrival(1000, "c")])
    chains = result.metrics.revisit_chains
    assert [c.call for c in chains] == [0, 1]  # same length: by call number
    first = chains[0]
    # B's limit (2 transfers) ends the call in B: A -> B -> A, then B is not left again
    assert first.path == ("A", "B", "A", "B") and first.revisits == 2
    assert [h.entered for h in first.hops] == [0, 100, 200, 300]
    assert [h.re_entry for h in first.hops] == [False, False, True, True]
    assert [h.outcome for h in first.hops] == ["answered"] * 4
    assert first.transfers == 3
    assert result.kpis["revisit_rate"] == 1


def test_max_revisit_rate_is_judged_overall_and_per_interval() -> None:
    met = simcall.replicate(back_and_forth(0.3, targets={"max_revisit_rate": 0.5}),
                            replications=3, seed=1)
    missed = simcall.replicate(back_and_forth(0.3, targets={"max_revisit_rate": 0.1}),
                               replications=3, seed=1)
    (good,) = met.targets
    (bad,) = missed.targets
    assert good.goal.kpi == bad.goal.kpi == "revisit_rate"
    assert good.met is True and good.intervals_failed == ()
    assert bad.met is False and bad.intervals_failed == ("00:00", "00:30")
    assert bad.goal.text == "<= 0.1"
    document = missed.to_json()
    assert document["targets"][0]["name"] == "revisit_rate"
    assert document["targets"][0]["met"] is False
    kpi = document["kpis"]["revisit_rate"]
    assert kpi["ci95"][0] <= kpi["mean"] <= kpi["ci95"][1]
    assert "revisit_rate" in document["intervals"][0]["kpis"]
    assert "revisit_rate" in document["departments"]["A"]["kpis"]


def test_no_transfers_no_revisit_and_no_judgement_without_answers() -> None:
    result = simcall.simulate(scenario_from(targets={"max_revisit_rate": 0.0}), seed=1)
    assert result.kpis["revisit_rate"] == 0
    assert goals(result.scenario.targets)[0].kpi == "revisit_rate"
    quiet = scenario_from(callers=[{"name": "customers", "arrivals_per_hour": 0,
                                    "enters": "support"}])
    assert math.isnan(simcall.simulate(quiet, seed=1).kpis["revisit_rate"])


def test_revisit_rate_is_in_the_tidy_frame() -> None:
    pytest.importorskip("pandas")
    frame = simcall.replicate(back_and_forth(0.3), replications=2, seed=1).to_frame()
    rows = frame[frame.kpi == "revisit_rate"]
    assert set(rows.scope) == {"overall", "interval", "day", "department", "caller"}
    assert np.all((rows["mean"] >= 0) & (rows["mean"] <= 1))
