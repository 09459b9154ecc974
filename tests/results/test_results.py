"""Result objects: frozen, SPEC-shaped JSON, tidy tables, reproducible replications."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

import simcall
from helpers import SCENARIOS, scenario_from


@pytest.fixture(scope="module")
def helpdesk() -> simcall.Scenario:
    return simcall.load(SCENARIOS / "helpdesk.toml")


def test_replicate_gives_means_with_intervals(helpdesk: simcall.Scenario) -> None:
    summary = simcall.replicate(helpdesk, replications=5, seed=3)
    assert summary.replications == 5
    estimate = summary.kpis["service_level"]
    assert estimate.ci95 is not None
    assert estimate.ci95.low <= estimate.mean <= estimate.ci95.high
    assert estimate.mean == pytest.approx(sum(estimate.values) / 5)
    # replication i of the summary is exactly simulate(..., replication=i)
    single = simcall.simulate(helpdesk, seed=3, replication=2)
    assert summary.runs[2].kpis["service_level"] == single.kpis["service_level"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.seed = 4  # type: ignore[misc]
    with pytest.raises(TypeError):
        summary.kpis["service_level"] = estimate  # type: ignore[index]


def test_results_do_not_depend_on_the_order_of_runs(helpdesk: simcall.Scenario) -> None:
    later_first = [simcall.simulate(helpdesk, seed=9, replication=i).kpis["asa_s"]
                   for i in (3, 2, 1, 0)]
    summary = simcall.replicate(helpdesk, replications=4, seed=9)
    assert [run.kpis["asa_s"] for run in summary.runs] == later_first[::-1]


def test_different_seeds_differ(helpdesk: simcall.Scenario) -> None:
    a = simcall.simulate(helpdesk, seed=1).kpis["offered"]
    b = simcall.simulate(helpdesk, seed=2).kpis["offered"]
    assert a != b


def test_json_is_strict_and_complete(helpdesk: simcall.Scenario) -> None:
    document = simcall.replicate(helpdesk, replications=3).to_json()
    text = json.dumps(document, allow_nan=False)  # undefined values must be null, not NaN
    assert json.loads(text)["simcall"] == simcall.__version__
    assert len(document["intervals"]) == 16
    assert sum(r["mean"] for r in document["rings"]) == pytest.approx(1.0)
    assert document["transfers_per_call"][0]["mean"] == pytest.approx(1.0)


def test_single_run_json_has_null_intervals(helpdesk: simcall.Scenario) -> None:
    document = simcall.simulate(helpdesk).to_json()
    assert document["replications"] == 1
    assert document["kpis"]["asa_s"]["ci95"] is None


def test_undefined_kpis_are_nan_not_zero() -> None:
    scenario = scenario_from(callers=[{"name": "customers", "arrivals_per_hour": 0,
                                       "enters": "support"}])
    result = simcall.simulate(scenario)
    assert result.kpis["offered"] == 0
    assert math.isnan(result.kpis["service_level"])
    assert result.to_json()["kpis"]["service_level"]["mean"] is None


def test_frames(helpdesk: simcall.Scenario) -> None:
    pytest.importorskip("pandas")
    run = simcall.simulate(helpdesk, seed=5)
    calls = run.to_frame()
    assert len(calls) == run.kpis["offered"]
    assert set(calls["outcome"]) <= {"answered", "abandoned"}
    assert (calls["outcome"] == "answered").sum() == run.kpis["answered"]
    tidy = simcall.replicate(helpdesk, replications=3).to_frame()
    assert list(tidy.columns) == ["scope", "name", "kpi", "mean", "ci95_low", "ci95_high"]
    overall_sl = tidy.query("scope == 'overall' and kpi == 'service_level'")
    assert len(overall_sl) == 1
    assert len(tidy.query("scope == 'interval' and kpi == 'offered'")) == 16


def test_replicate_with_an_executor_is_identical(helpdesk: simcall.Scenario) -> None:
    from concurrent.futures import ThreadPoolExecutor

    plain = simcall.replicate(helpdesk, replications=3, seed=11)
    with ThreadPoolExecutor(2) as pool:
        threaded = simcall.replicate(helpdesk, replications=3, seed=11, executor=pool)
    assert plain.to_json() == threaded.to_json()


def test_conservation_check_catches_a_lost_call(helpdesk: simcall.Scenario) -> None:
    from simcall.model.records import Outcome
    from simcall.results.metrics import ConservationError, check_conservation

    records = simcall.simulate(helpdesk, seed=1).records
    check_conservation(records)  # a real run balances
    lost_arrival = dataclasses.replace(
        records, counters=dataclasses.replace(records.counters,
                                              arrived=records.counters.arrived + 1))
    with pytest.raises(ConservationError, match="call rows for"):
        check_conservation(lost_arrival)
    outcome = records.calls.outcome.copy()
    outcome[0] = Outcome.BLOCKED  # a call marked blocked that the engine never blocked
    relabelled = dataclasses.replace(records, calls=dataclasses.replace(records.calls,
                                                                        outcome=outcome))
    with pytest.raises(ConservationError, match="blocked rows"):
        check_conservation(relabelled)
    dropped_visit = dataclasses.replace(records, counters=dataclasses.replace(
        records.counters, visits=records.counters.visits + 1))
    with pytest.raises(ConservationError, match="visits"):
        check_conservation(dropped_visit)
