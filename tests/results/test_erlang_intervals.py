"""Erlang beside every interval: the figures are simcall.erlang's, and the status says why.

* The JSON's ``intervals[i].erlang`` of a one-department exponential centre equals
  :mod:`simcall.erlang` called directly with that interval's calls, handle time, patience,
  agents and lines (Erlang A, Erlang C, M/M/n/K+M, Erlang B).
* Every validation case (the textbook queues the simulation is checked against, in
  ``tests/experiments/test_theory.py``) is classified exact, and its figures are the exact
  values the simulation must contain: no simulation here, so the whole table is cheap.
* A scenario outside the formulas' assumptions gets ``approximate`` or ``none`` with the
  reason that makes it so, one input at a time.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest

import simcall
from helpers import ERLANG_CENTRE as CENTRE
from helpers import ERLANG_RATES as RATES
from helpers import ERLANG_STAFF as STAFF
from simcall import erlang
from simcall.experiments.validation import CASES, Case
from simcall.results.erlang_intervals import (
    ERLANG_FIGURES,
    ErlangFigures,
    erlang_intervals,
    outside,
)
from simcall.results.stats import Estimate

FIELDS = {"service_level": "service_level", "p_wait": "p_wait", "abandon_rate": "p_abandon",
          "block_rate": "p_block", "asa_s": "asa", "occupancy": "occupancy"}



def centre(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(CENTRE)
    data.update(changes)
    return data


def with_part(data: dict[str, Any], part: str, **changes: Any) -> simcall.Scenario:
    """The centre with keys of its first caller type, department or agent group changed."""
    data[part][0].update(changes)
    return simcall.from_dict(data)


def assert_figures(figures: ErlangFigures | dict[str, Any], metrics: erlang.QueueMetrics) -> None:
    values = figures.figures if isinstance(figures, ErlangFigures) else figures
    for kpi, name in FIELDS.items():
        expected = float(getattr(metrics, name))
        assert values[kpi] == pytest.approx(expected, rel=1e-12, abs=1e-15), kpi


def test_the_json_figures_are_erlang_a_at_each_intervals_calls_and_agents() -> None:
    summary = simcall.replicate(simcall.from_dict(centre()), 2, seed=5)
    document = summary.to_json()
    for k, interval in enumerate(document["intervals"]):
        figures = interval["erlang"]["support"]
        assert (figures["status"], figures["model"], figures["reason"]) == \
            ("exact", "Erlang A", None)
        assert (figures["agents"], figures["calls_per_hour"], figures["aht_s"],
                figures["patience_s"]) == (STAFF[k], RATES[k], 120.0, 90.0)
        assert_figures(figures, erlang.erlang_a_metrics(STAFF[k], RATES[k], 120.0, 90.0,
                                                         within=15.0))
    assert set(document["intervals"][0]["erlang"]["support"]) >= set(ERLANG_FIGURES)


def test_nobody_hanging_up_is_erlang_c_and_an_overloaded_interval_says_why() -> None:
    data = centre()
    scenario = with_part(data, "callers", patience=None)
    rows = erlang_intervals(scenario)
    for k in (0, 2):
        assert (rows[k]["support"].status, rows[k]["support"].model) == ("exact", "Erlang C")
        assert_figures(rows[k]["support"], erlang.erlang_c_metrics(STAFF[k], RATES[k], 120.0,
                                                                   within=15.0))
    middle = rows[1]["support"]  # 150 calls/h x 120 s = 5 Erlangs on 6 agents: stable
    assert middle.status == "exact"
    overloaded = erlang_intervals(simcall.from_dict(
        centre(callers=[{**data["callers"][0], "arrivals_per_hour": [60.0, 200.0, 90.0]}])))
    figures = overloaded[1]["support"]  # 6.67 Erlangs on 6 agents, nobody hangs up
    assert figures.status == "none" and figures.metrics is None
    assert figures.reason is not None and "no steady state" in figures.reason


@pytest.mark.parametrize("lines", [8, 4])
def test_lines_give_m_m_n_k_and_erlang_b_when_lines_equal_agents(lines: int) -> None:
    rows = erlang_intervals(simcall.from_dict(centre(lines=lines)))
    for k, row in enumerate(rows):
        agents = min(STAFF[k], lines)
        assert row["support"].model == "M/M/n/K+M" and row["support"].status == "exact"
        assert_figures(row["support"], erlang.mmck_metrics(agents, lines, RATES[k], 120.0,
                                                           patience=90.0, within=15.0))
    patient = with_part(centre(lines=4), "callers", patience=None)
    figures = erlang_intervals(patient)[2]["support"]  # 4 agents, 4 lines
    assert figures.model == "Erlang B"
    assert figures.figures["block_rate"] == pytest.approx(erlang.erlang_b(4, 90.0 * 120 / 3600))


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_every_validation_case_is_exact_with_the_values_the_simulation_must_hit(case: Case) -> None:
    (row,) = erlang_intervals(case.scenario())
    for scope, kpis in case.exact().items():
        name = next(iter(row)) if scope == "overall" else scope
        figures = row[name]
        assert figures.status == "exact", figures.reason
        for kpi, value in kpis.items():
            if kpi in ERLANG_FIGURES:
                assert figures.figures[kpi] == pytest.approx(value, rel=1e-9), (scope, kpi)


def _status(scenario: simcall.Scenario, department: str = "support") -> tuple[str, str]:
    figures = erlang_intervals(scenario)[0][department]
    assert (figures.metrics is None) == (figures.status == "none")
    return figures.status, figures.reason or ""


@pytest.mark.parametrize(("part", "changes", "status", "reason"), [
    ("departments", {"talk": {"dist": "lognormal", "mean": 120, "cv": 1.0}}, "approximate",
     "talk time not exponential (lognormal)"),
    ("departments", {"wrap_up": {"dist": "deterministic", "value": 20}}, "approximate",
     "wrap-up"),
    ("callers", {"patience": {"dist": "weibull", "mean": 90, "shape": 0.7}}, "approximate",
     "patience not exponential (weibull)"),
    ("agents", {"shrinkage": 0.1}, "approximate", "shrinkage"),
    ("agents", {"pickup": {"dist": "deterministic", "value": 5}}, "approximate", "pickup"),
    ("agents", {"rona": {"probability": 0.1, "after": "20s"}}, "none", "ring-no-answer"),
    ("callers", {"redial": {"probability": 0.5, "delay": {"dist": "exponential", "mean": 60}}},
     "none", "redials"),
])
def test_each_departure_from_the_assumptions_names_itself(part: str, changes: dict[str, Any],
                                                          status: str, reason: str) -> None:
    got_status, got_reason = _status(with_part(centre(), part, **changes))
    assert got_status == status
    assert reason in got_reason


def test_agents_shared_between_departments_have_no_figures_and_a_dedicated_team_has() -> None:
    data = centre(
        callers=[{**CENTRE["callers"][0], "enters": {"support": 0.7, "sales": 0.3}}],
        departments=[*CENTRE["departments"],
                     {"name": "sales", "talk": {"dist": "exponential", "mean": 120}},
                     {"name": "billing", "talk": {"dist": "exponential", "mean": 60}}],
        agents=[{"name": "team", "skills": ["support", "sales"], "staff": STAFF},
                {"name": "billers", "skills": ["billing"], "staff": 2}])
    scenario = simcall.from_dict(data)
    assert _status(scenario) == ("none", "agents shared between departments (also serving "
                                         "sales)")
    assert _status(scenario, "sales")[0] == "none"
    assert _status(scenario, "billing") == ("none", "no calls offered in this interval")


def test_voicemail_rules_out_a_formula_and_a_menu_alone_does_not() -> None:
    assert _status(simcall.from_dict(centre(voicemail_after="2min"))) == \
        ("none", "voicemail after 120 s")
    menu = {"time": {"dist": "exponential", "mean": 30}, "hang_up": 0.1, "self_serve": 0.2}
    scenario = with_part(centre(), "callers", ivr=menu)
    figures = erlang_intervals(scenario)[1]["support"]
    assert figures.status == "exact"  # a thinned, delayed Poisson stream is Poisson
    assert figures.calls_per_hour == pytest.approx(RATES[1] * 0.7)
    lines = with_part(centre(lines=10), "callers", ivr=menu)
    assert _status(lines) == ("none", "the voice menu holds trunk lines")


def test_a_fractional_head_count_is_interpolated_and_said() -> None:
    scenario = with_part(centre(), "agents", staff=None,
                         shifts=[{"start": "09:00", "end": "09:45", "agents": 3},
                                 {"start": "09:22:30", "end": "09:45", "agents": 2}])
    figures = erlang_intervals(scenario)[1]["support"]  # 3 agents, 5 for the second half
    assert figures.status == "approximate" and figures.agents == pytest.approx(4.0)
    assert figures.reason == "agents on duty change within the interval (4 on average)"
    assert erlang_intervals(scenario)[0]["support"].status == "exact"  # 3 agents throughout
    half = erlang_intervals(with_part(centre(), "agents", staff=None, shifts=[
        {"start": "09:00", "end": "09:45", "agents": 3},
        {"start": "09:22:30", "end": "09:45", "agents": 1}]))[1]["support"]
    assert half.agents == pytest.approx(3.5)
    assert half.reason is not None and "interpolated between 3 and 4" in half.reason
    low = erlang.erlang_a_metrics(3, RATES[1], 120.0, 90.0, within=15.0)
    high = erlang.erlang_a_metrics(4, RATES[1], 120.0, 90.0, within=15.0)
    assert half.figures["service_level"] == pytest.approx(
        (low.service_level + high.service_level) / 2)
    assert math.isfinite(half.figures["asa_s"])


def test_a_figure_is_apart_only_outside_the_simulated_95_percent_interval() -> None:
    estimate = Estimate.of([0.70, 0.74, 0.72, 0.76], (0.0, 1.0))
    assert estimate.ci95 is not None
    assert not outside(estimate, estimate.mean)
    assert not outside(estimate, estimate.ci95.low) and not outside(estimate, estimate.ci95.high)
    assert outside(estimate, estimate.ci95.high + 1e-9) and outside(estimate, 0.5)
    assert not outside(Estimate.of([0.7]), 0.1)  # one replication: no interval to leave
    assert not outside(estimate, math.nan) and not outside(None, 0.5)


def test_transfers_are_exact_only_in_a_jackson_network() -> None:
    jackson = next(c for c in CASES if c.model.startswith("Jackson")).data
    assert _status(simcall.from_dict(jackson), "sales")[0] == "exact"
    shared = copy.deepcopy(jackson)  # a third department shares the support team
    shared["departments"].append({"name": "returns", "talk": {"dist": "exponential",
                                                              "mean": 60}})
    shared["agents"][1]["skills"] = ["support", "returns"]
    assert _status(simcall.from_dict(shared), "sales") == (
        "approximate", "transfers between departments whose agents are shared or ring out")
    impatient = copy.deepcopy(jackson)
    impatient["callers"][0]["patience"] = {"dist": "exponential", "mean": 60}
    status, reason = _status(simcall.from_dict(impatient), "sales")
    assert status == "approximate" and "transfers with abandonment" in reason
