"""The ready scenarios in scenarios/: each loads, runs and tells the story its header tells."""

from __future__ import annotations

import math
from itertools import pairwise
from pathlib import Path

import pytest

import simcall
from helpers import SCENARIOS
from simcall.erlang import erlang_c_metrics
from simcall.scenario import Targets

READY = sorted(SCENARIOS.glob("*.toml"))
OUTCOMES = ("answered", "abandoned", "blocked", "voicemail", "self_served", "ivr_hang_ups",
            "called_back", "in_system")


def summary_of(name: str, replications: int) -> simcall.Summary:
    scenario = simcall.load(SCENARIOS / name)
    return simcall.replicate(scenario, replications=replications, seed=1)


def test_the_ready_scenarios_are_there() -> None:
    names = {path.name for path in READY}
    assert {"helpdesk.toml", "five_departments.toml", "large_accounts.toml",
            "rush_hour.toml", "bank.toml", "real_centre.toml"} <= names


@pytest.mark.parametrize("path", READY, ids=lambda path: path.stem)
def test_every_scenario_loads_and_runs(path: Path) -> None:
    scenario = simcall.load(path)
    summary = simcall.replicate(scenario, replications=2, seed=7)
    for run in summary.runs:  # conservation is also checked inside each run
        kpis = run.kpis
        assert kpis["offered"] > 0
        assert kpis["offered"] == sum(kpis[outcome] for outcome in OUTCOMES)
        assert kpis["in_system"] == 0  # every call leaves once the day drains
        assert 0 < kpis["occupancy"] <= 1
    assert len(summary.intervals) == scenario.intervals
    if path.name != "bank.toml":  # fitted from a log, which holds no targets: see below
        assert summary.targets, "a ready scenario is judged against targets"


@pytest.mark.parametrize(
    "name", ["helpdesk.toml", "five_departments.toml", "large_accounts.toml", "rush_hour.toml",
             "real_centre.toml", "breaks.toml", "week.toml"])
def test_header_says_what_it_shows_and_how_to_run_it(name: str) -> None:
    text = (SCENARIOS / name).read_text(encoding="utf-8")
    header = text[:text.index("\nname = ")]
    assert all(line.startswith("#") or not line.strip() for line in header.splitlines())
    for phrase in ("What it shows:", "Who it is for:", "Run it:", f"simcall run scenarios/{name}"):
        assert phrase in header


# -- five departments ----------------------------------------------------------------


@pytest.fixture(scope="module")
def five() -> simcall.Summary:
    return summary_of("five_departments.toml", replications=5)


def test_five_departments_has_the_five_departments_and_its_targets(
    five: simcall.Summary,
) -> None:
    scenario = five.scenario
    assert [d.name for d in scenario.departments] == [
        "sales", "shipping", "tech_support", "credit", "orders"]
    assert scenario.intervals == 20
    assert all(len(c.arrivals_per_hour) == 20 for c in scenario.callers)
    assert all(len(g.staff) == 20 for g in scenario.agents)
    assert any(len(g.skills) > 1 for g in scenario.agents)
    targets = scenario.targets
    assert targets.service_level is not None
    assert targets.service_level.within == 2 * scenario.ring == 12
    assert targets.service_level.fraction == 0.80
    assert targets.max_abandon_rate == 0.05
    assert targets.transfers is not None
    assert (targets.transfers.at_most, targets.transfers.fraction) == (1, 0.95)
    assert [t.goal.kpi for t in five.targets] == [
        "service_level", "abandon_rate", "transfer_share_within"]


def test_five_departments_callers_are_transferred(five: simcall.Summary) -> None:
    assert five.kpis["mean_transfers"].mean > 0
    assert five.transfer_shares[1].mean > 0  # transferred once
    assert sum(share.mean for share in five.transfer_shares[2:]) > 0  # and some more often
    for name, department in five.departments.items():
        assert department["mean_transfers"].mean > 0, name  # every department transfers on


def test_five_departments_misses_its_targets_only_at_the_peak(five: simcall.Summary) -> None:
    by_kpi = {t.goal.kpi: t for t in five.targets}
    assert all(t.met for t in five.targets)  # the day as a whole is fine...
    assert {"10:30", "11:00"} <= set(by_kpi["service_level"].intervals_failed)  # ...the peak not
    assert set(by_kpi["service_level"].intervals_failed) <= {"10:00", "10:30", "11:00", "11:30"}


# -- large accounts ------------------------------------------------------------------


@pytest.fixture(scope="module")
def large() -> simcall.Summary:
    return summary_of("large_accounts.toml", replications=5)


def test_large_accounts_are_a_fifth_of_calls_and_most_of_the_revenue(
    large: simcall.Summary,
) -> None:
    callers = {c.name: c for c in large.scenario.callers}
    big, small = callers["large accounts"], callers["small customers"]
    assert big.priority < small.priority
    calls = {name: sum(c.arrivals_per_hour) for name, c in callers.items()}
    revenue = {name: calls[name] * c.value for name, c in callers.items()}
    assert calls["large accounts"] / sum(calls.values()) == pytest.approx(0.2, abs=0.02)
    assert revenue["large accounts"] / sum(revenue.values()) > 0.7
    assert "accounts line" in big.enters and "accounts line" not in small.enters


def test_large_accounts_get_much_better_service(large: simcall.Summary) -> None:
    big, small = large.callers["large accounts"], large.callers["small customers"]
    assert big["service_level"].mean > small["service_level"].mean + 0.10
    assert big["abandon_rate"].mean < small["abandon_rate"].mean / 5
    assert big["asa_s"].mean < small["asa_s"].mean


# -- rush hour -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def rush() -> simcall.Summary:
    return summary_of("rush_hour.toml", replications=20)


def utilisation(scenario: simcall.Scenario) -> list[float]:
    talk = scenario.departments[0].talk.mean_value
    staff = scenario.per_interval(scenario.agents[0].staff)
    rates = scenario.per_interval(scenario.callers[0].arrivals_per_hour)
    return [rate * talk / 3600 / agents for rate, agents in zip(rates, staff, strict=True)]


def test_rush_hour_load_climbs_from_80_to_98_percent(rush: simcall.Summary) -> None:
    scenario = rush.scenario
    assert scenario.agents[0].staff == (20,)
    load = utilisation(scenario)
    assert load[0] == pytest.approx(0.80) and load[-1] == pytest.approx(0.98)
    assert all(a < b for a, b in pairwise(load))


def test_rush_hour_waiting_grows_with_load(rush: simcall.Summary) -> None:
    asa = [kpis["asa_s"].mean for kpis in rush.intervals]
    occupancy = [kpis["occupancy"].mean for kpis in rush.intervals]
    assert asa[-1] > 3 * asa[0]
    assert sum(asa[-2:]) > 2 * sum(asa[:2])
    assert occupancy[-1] > occupancy[0] + 0.1
    assert sum(occupancy[-2:]) > sum(occupancy[:2])


def test_rush_hour_lags_the_steady_state_formula(rush: simcall.Summary) -> None:
    scenario = rush.scenario
    rates = scenario.per_interval(scenario.callers[0].arrivals_per_hour)
    erlang = [erlang_c_metrics(20, rate, 240, within=20).asa for rate in rates]
    assert all(math.isfinite(value) for value in erlang)
    # at 98% the queue has had half an hour to build: far below the long-run ASA
    assert rush.intervals[-1]["asa_s"].mean < erlang[-1] / 2


def test_the_fitted_bank_says_how_it_was_made_and_how_well_it_holds() -> None:
    """bank.toml is written by simcall fit (issue 13): its header is the command that made
    it and the back-test's verdict, in words, shortfalls and biases included."""
    text = (SCENARIOS / "bank.toml").read_text(encoding="utf-8")
    header = text[:text.index("\nname = ")]
    assert header.startswith("# made by: simcall fit ../shared/data/anonymous-bank/")
    assert "--check" in header.splitlines()[1]
    for figure in ("arrivals: within 5%", "abandonment: inside", "ASA: inside",
                   "service level (20 s): inside"):
        assert f"#   {figure}" in header
    assert simcall.load(SCENARIOS / "bank.toml").targets == Targets()  # none


# -- real centre (the bank's figures by hand, with every real-centre behaviour) ------------


@pytest.fixture(scope="module")
def bank() -> simcall.Summary:
    return summary_of("real_centre.toml", replications=3)


def test_bank_shows_every_real_centre_behaviour(bank: simcall.Summary) -> None:
    kpis = bank.kpis
    for behaviour in ("self_served", "ivr_hang_ups", "rona", "redials", "called_back"):
        assert kpis[behaviour].mean > 0, behaviour
    assert kpis["mean_transfers"].mean > 0  # misrouted callers are passed on
    assert kpis["offered"].mean == pytest.approx(kpis["callers"].mean + kpis["redials"].mean)
    assert kpis["eventual_resolution"].mean > kpis["first_attempt_resolution"].mean
    assert bank.agent_groups["tellers"]["rona"].mean > 0


def test_bank_abandonment_is_of_the_order_the_log_shows(bank: simcall.Summary) -> None:
    # the log: 29% of queued calls abandoned; the model with its staffing: about a fifth
    abandoned_of_queued = bank.kpis["abandon_rate"].mean / bank.kpis["p_wait"].mean
    assert 0.1 < abandoned_of_queued < 0.4


# -- breaks --------------------------------------------------------------------------


def test_breaks_take_agents_off_the_phones_and_service_falls() -> None:
    summary = summary_of("breaks.toml", replications=10)
    labels = [summary.scenario.interval_label(k) for k in range(summary.scenario.intervals)]
    at = {label: kpis for label, kpis in zip(labels, summary.intervals, strict=True)}
    assert all(k["scheduled_agents"].mean == 10 for k in summary.intervals)
    for dip in ("10:00", "12:30"):
        assert at[dip]["staffed_agents"].mean < at["14:30"]["staffed_agents"].mean
        assert at[dip]["service_level"].mean < at["14:30"]["service_level"].mean
    assert all(k["staffed_agents"].mean < 10 for k in summary.intervals)  # shrinkage
