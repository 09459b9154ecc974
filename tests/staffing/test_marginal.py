"""One agent more or fewer in one interval: paired against the base on common random numbers.

* theory: on a stationary M/M/n+M queue (one long interval after a warm-up), the paired 95%
  interval of the change in abandonment contains the exact Erlang A difference, and excludes
  zero (so the check can fail);
* exactness: the wage change is step x cost_per_hour x the counted hours, the same in every
  replication (a zero-width interval), counted by hand here (a warm-up inside the first
  interval, two days); the break-even wage is -(change in lost value) / hours;
* consistency: a change's paired differences are, value for value, those ``compare`` gives
  for the same two scenarios on the same seed and replications.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import numpy as np
import pytest

from simcall.erlang import erlang_a_metrics
from simcall.experiments.comparison import compare
from simcall.results.provenance import scenario_hash
from simcall.scenario.loader import from_dict
from simcall.scenario.schema import Scenario
from simcall.staffing.marginals import (
    DAY_KPIS,
    INTERVAL_KPIS,
    Marginal,
    MarginalError,
    marginal,
    marginal_workload,
)

AGENTS, RATE, AHT, PATIENCE = 20, 380.0, 180.0, 180.0  # 19 Erlangs on 20 agents
WAGE = 25.0


def erlang_a_queue() -> Scenario:
    """M/M/20+M: Poisson arrivals, exponential talk and patience, one 12-hour interval of
    which the first hour is warm-up (the start from empty does not count)."""
    return from_dict({
        "name": "M/M/n+M", "interval": "12h", "intervals": 1, "warmup": "1h",
        "callers": [{"name": "callers", "arrivals_per_hour": RATE, "enters": "service",
                     "patience": {"dist": "exponential", "mean": PATIENCE},
                     "value": 40, "defection": {"abandoned": 0.3}}],
        "departments": [{"name": "service", "talk": {"dist": "exponential", "mean": AHT}}],
        "agents": [{"name": "agents", "skills": ["service"], "staff": AGENTS,
                    "cost_per_hour": WAGE}],
    })


@pytest.fixture(scope="module")
def stationary() -> Marginal:
    return marginal(erlang_a_queue(), replications=20, seed=7)


@pytest.mark.parametrize("step", [+1, -1])
def test_the_change_in_abandonment_contains_the_exact_erlang_a_difference(
        stationary: Marginal, step: int) -> None:
    exact = float(erlang_a_metrics(AGENTS + step, RATE, AHT, PATIENCE).p_abandon
                  - erlang_a_metrics(AGENTS, RATE, AHT, PATIENCE).p_abandon)
    change = stationary.change("agents", 0, step)
    assert change is not None
    ci = change.differences["abandon_rate"].ci95
    assert ci is not None
    assert exact in ci, f"exact {exact:.5f} outside the paired 95% interval {ci}"
    assert 0.0 not in ci  # the difference is clearly there: the check can fail
    assert (exact < 0) == (step > 0)


def test_the_stationary_wage_change_is_exact(stationary: Marginal) -> None:
    for step in (+1, -1):
        change = stationary.change("agents", 0, step)
        assert change is not None
        assert change.hours == step * 11.0  # 12 h less the warm-up hour
        wages = change.differences["wage_cost"]
        assert set(wages.values) == {step * WAGE * 11.0}
        assert wages.ci95 is not None and wages.ci95.low == wages.ci95.high == wages.mean


# -- exact wages and the break-even wage ------------------------------------------------------

SMALL: dict[str, Any] = {
    "name": "small", "interval": "30min", "intervals": 3, "warmup": "10min", "days": 2,
    "callers": [{"name": "customers", "arrivals_per_hour": 60, "enters": "support",
                 "patience": {"dist": "exponential", "mean": "2min"},
                 "value": 50, "defection": {"abandoned": 0.5}}],
    "departments": [{"name": "support", "talk": {"dist": "exponential", "mean": "4min"}}],
    "agents": [
        {"name": "team", "skills": ["support"], "staff": [0, 4, 3], "cost_per_hour": 20},
        {"name": "backup", "skills": ["support"], "cost_per_hour": 30,
         "shifts": [{"start": "00:00", "end": "01:30", "agents": 1}]},
    ],
}
# paid hours of one agent per interval, by hand: the first interval's first 10 minutes are
# warm-up on the first day (20 min counted) and whole on the second; the others whole twice
HOURS = (20 / 60 + 30 / 60, 1.0, 1.0)


def small(**changes: Any) -> Scenario:
    data = copy.deepcopy(SMALL)
    data.update(changes)
    return from_dict(data)


@pytest.fixture(scope="module")
def small_marginal() -> Marginal:
    return marginal(small(), replications=4, seed=11)


def test_only_groups_staffed_per_interval_change_and_zero_cannot_lose_one(
        small_marginal: Marginal) -> None:
    assert small_marginal.groups == ("team",)
    assert small_marginal.change("team", 0, -1) is None  # nobody there to take away
    steps = sorted((c.interval, c.step) for c in small_marginal.changes)
    assert steps == [(0, 1), (1, -1), (1, 1), (2, -1), (2, 1)]
    assert small_marginal.plans == 6 and small_marginal.runs == 6 * 4


def test_wage_changes_are_step_times_wage_times_counted_hours(small_marginal: Marginal) -> None:
    for change in small_marginal.changes:
        expected = change.step * 20.0 * HOURS[change.interval]
        assert change.hours == pytest.approx(change.step * HOURS[change.interval], rel=1e-12)
        wages = change.differences["wage_cost"]
        assert wages.values == pytest.approx([expected] * 4, rel=1e-12)
        assert wages.ci95 is not None
        assert wages.ci95.low == pytest.approx(expected, rel=1e-12)
        assert wages.ci95.high == pytest.approx(expected, rel=1e-12)


def test_break_even_wage_is_the_lost_value_saved_per_hour(small_marginal: Marginal) -> None:
    for change in small_marginal.changes:
        lost = np.array(change.differences["lost_value"].values)
        wage = change.break_even_wage
        assert wage is not None
        assert wage.values == pytest.approx(list(-lost / change.hours), rel=1e-12)
        # net = wages + lost value, replication by replication
        net = np.array(change.net.values)
        assert net == pytest.approx(lost + np.array(change.differences["wage_cost"].values),
                                    rel=1e-12, abs=1e-9)


def test_a_change_that_pays_has_a_break_even_wage_above_the_wage(
        small_marginal: Marginal) -> None:
    for change in small_marginal.changes:
        wage = change.break_even_wage
        assert wage is not None
        # net < 0 (pays) exactly when the value saved per paid hour beats the wage paid
        assert (change.net.mean < 0) == (change.step * (20.0 - wage.mean) < 0)


def test_best_is_the_cheapest_change_of_the_step_asked(small_marginal: Marginal) -> None:
    for step in (+1, -1, None):
        best = small_marginal.best(step)
        candidates = [c for c in small_marginal.changes
                      if c.net.mean < 0 and step in (None, c.step)]
        if not candidates:
            assert best is None
            continue
        assert best is not None and best.net.mean == min(c.net.mean for c in candidates)


def test_bad_requests_name_the_group_and_the_reason() -> None:
    scenario = small()
    with pytest.raises(MarginalError, match=r"'backup'.*shifts"):
        marginal(scenario, groups=["backup"], replications=2)
    with pytest.raises(MarginalError, match="'nobody': no agent group"):
        marginal_workload(scenario, ["nobody"], 2)
    with pytest.raises(MarginalError, match="at least 2"):
        marginal(scenario, replications=1)


def test_the_workload_counts_every_plan_on_every_replication() -> None:
    load = marginal_workload(small(), None, 4)
    assert load.replications == 6 * 4  # the base and five changes
    assert load.calls_per_replication == pytest.approx(60 * 1.5 * 2)  # 60/h, 1.5 h, 2 days


def test_the_document_is_json_and_names_the_scenario_as_given(
        small_marginal: Marginal) -> None:
    document = json.loads(json.dumps(small_marginal.to_json(), allow_nan=False))
    assert document["provenance"]["scenario_sha256"] == scenario_hash(small())
    assert document["labels"] == ["00:00", "00:30", "01:00"]
    assert document["prices"] == {"wages": True, "losses": True}
    assert document["groups"] == ["team"] and document["replications"] == 4
    first = document["changes"][0]
    assert {"net", "wage_cost", "lost_value", "lost_callers", "service_level",
            "abandon_rate", "break_even_wage", "index", "agent_hours"} <= set(first)
    assert len(document["base"]["intervals"]) == 3


# -- the same differences as compare ----------------------------------------------------------


@pytest.mark.parametrize(("k", "step"), [(1, +1), (2, -1)])
def test_a_change_is_what_compare_says_of_the_same_two_scenarios(k: int, step: int) -> None:
    base = small(days=1)
    staff = [0, 4, 3]
    staff[k] += step
    variant = copy.deepcopy(SMALL)
    variant["days"] = 1
    variant["agents"][0]["staff"] = staff
    result = marginal(base, replications=3, seed=5)
    comparison = compare({"base": base, "variant": from_dict(variant)}, 3, seed=5)
    change = result.change("team", k, step)
    assert change is not None
    for kpi in DAY_KPIS:
        np.testing.assert_array_equal(change.differences[kpi].values,
                                      comparison.differences["variant"][kpi].paired.values)
    for kpi in INTERVAL_KPIS:
        np.testing.assert_array_equal(change.differences[kpi].values,
                                      comparison.intervals["variant"][k][kpi].paired.values)
    assert math.isfinite(change.net.mean)


def test_a_marginal_shows_the_changes_that_pay_most_first(small_marginal: Marginal) -> None:
    from display_check import check_display

    page = check_display(small_marginal, ["net cost change", "total_cost"])
    tables = page.findall(".//table")
    first = ["".join(c.itertext()) for c in tables[1].iter("tr")][1]
    best = min(small_marginal.changes, key=lambda c: c.net.mean)
    assert first.startswith(f"{best.group}{best.label}")
