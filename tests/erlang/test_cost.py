"""Tests for :mod:`simcall.erlang.cost`: the cost-optimal head count of an Erlang A queue.

The search against a brute-force minimum of the hourly cost, the cost itself against
an independent exact derivation (patience equal to the handle time: the number in
system is Poisson), the edges (no agents, late answers, bad arguments) and the
curve around the optimum.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from scipy import stats

from simcall import erlang
from simcall.erlang import CostOptimum, cost_optimal_agents, hourly_cost

# (calls_per_hour, aht, patience, wage, value, defection_abandoned, defection_late, within)
Case = tuple[float, float, float, float, float, float, float, float | None]

GRID: list[Case] = [
    (2.0, 300.0, 120.0, 20.0, 15.0, 0.5, 0.0, None),  # tiny load
    (2.0, 300.0, 120.0, 20.0, 5000.0, 1.0, 0.0, None),  # tiny load, callers worth a lot
    (200.0, 180.0, 300.0, 20.0, 50.0, 0.3, 0.0, None),
    (200.0, 180.0, 300.0, 20.0, 50.0, 0.3, 0.1, 20.0),
    (200.0, 180.0, 300.0, 20.0, 0.0, 0.3, 0.1, 20.0),  # callers worth nothing
    (200.0, 180.0, 300.0, 20.0, 50.0, 0.0, 0.0, None),  # nobody defects
    (200.0, 180.0, 300.0, 20.0, 1e6, 1.0, 0.0, None),  # callers worth a fortune
    (200.0, 180.0, 30.0, 20.0, 60.0, 0.5, 0.0, None),  # impatient callers
    (0.0, 180.0, 300.0, 20.0, 50.0, 1.0, 0.0, None),  # nobody calls
    # late answers worse than hanging up: the cost has a local minimum at 0 and the
    # global one far above it
    (200.0, 180.0, 120.0, 0.3, 1.0, 0.05, 0.6, 20.0),
    (9000.0, 300.0, 180.0, 25.0, 300.0, 0.4, 0.2, 20.0),  # 750 Erlangs
]


def _cost(n: int, case: Case) -> float:
    cph, aht, patience, wage, value, d_ab, d_late, within = case
    return hourly_cost(n, cph, aht, patience, wage, value, d_ab, d_late, within)


def _optimum(case: Case) -> CostOptimum:
    return cost_optimal_agents(*case)


@pytest.mark.parametrize("case", GRID)
def test_the_optimum_is_the_brute_force_minimum(case: Case) -> None:
    best = _optimum(case)
    wage = case[3]
    # Whatever the search did, a pool n cheaper than the one returned would have
    # wage * n <= cost(n) < best.hourly_cost (the lost value is >= 0), so looking at
    # n <= best.hourly_cost / wage (plus a margin) covers every candidate.
    bound = math.ceil(best.hourly_cost / wage) + 25
    costs = np.array([_cost(n, case) for n in range(bound + 1)])
    assert best.agents == int(np.argmin(costs))  # argmin: the first (smallest n) of ties
    assert best.hourly_cost == costs[best.agents]


def test_the_grid_covers_the_cases_it_claims() -> None:
    # the brute-force grid is only worth as much as the optima it reaches
    agents = {case: _optimum(case).agents for case in GRID}
    assert agents[GRID[0]] == 0  # 2 calls an hour lose 15 an hour, less than a wage
    assert agents[GRID[1]] >= 1
    assert agents[GRID[4]] == agents[GRID[5]] == agents[GRID[8]] == 0
    load = 200.0 * 180.0 / 3600.0
    assert agents[GRID[6]] > load + 5
    assert 0 < agents[GRID[2]] < agents[GRID[6]]
    late_worse = GRID[9]
    assert agents[late_worse] > 10
    assert _cost(1, late_worse) > _cost(0, late_worse)  # 0 is a local minimum
    assert agents[GRID[10]] > 700


@pytest.mark.parametrize("agents", [0, 1, 5, 12, 20, 40])
@pytest.mark.parametrize("calls_per_hour", [12.0, 200.0, 1200.0])
def test_the_cost_is_exact_when_patience_equals_the_handle_time(
    agents: int, calls_per_hour: float
) -> None:
    # theta == mu: every caller in the system (waiting or talking) leaves at rate mu,
    # so the number in system N is Poisson(a) as in M/M/inf.  Callers abandon at rate
    # theta per caller waiting: P(Ab) = theta E[(N - n)+] / lambda.
    aht = 240.0
    theta = 1.0 / aht
    a = calls_per_hour * aht / 3600.0
    k = np.arange(agents + 1, agents + int(a + 40 * math.sqrt(a) + 200))
    pmf = stats.poisson.pmf(k, a)
    assert pmf[-1] < 1e-30 * pmf.max()  # the tail left out is negligible
    mean_queue = float(np.sum((k - agents) * pmf))
    p_abandon = theta * mean_queue / (calls_per_hour / 3600.0)
    wage, value, d_ab = 17.5, 80.0, 0.35
    expected_lost = calls_per_hour * p_abandon * d_ab * value
    lost = hourly_cost(agents, calls_per_hour, aht, aht, 0.0, value, d_ab)
    assert lost == pytest.approx(expected_lost, rel=1e-9, abs=0.0)
    total = hourly_cost(agents, calls_per_hour, aht, aht, wage, value, d_ab)
    assert total == pytest.approx(wage * agents + expected_lost, rel=1e-12)


def test_no_agents_lose_every_caller_who_would_defect() -> None:
    assert hourly_cost(0, 200, 180, 300, 20, 50, 0.3) == 200 * 0.3 * 50
    # nobody is answered, so nobody is answered late
    assert hourly_cost(0, 200, 180, 300, 20, 50, 0.3, 0.9, within=20) == 200 * 0.3 * 50
    assert hourly_cost(0, 0, 180, 300, 20, 50, 0.3) == 0.0
    # one agent already saves callers
    assert hourly_cost(1, 200, 180, 300, 0, 50, 0.3) < 200 * 0.3 * 50


def test_late_answers_are_priced_with_within() -> None:
    cph, aht, patience, wage, value, d_ab = 200.0, 180.0, 300.0, 20.0, 50.0, 0.3
    n = 12
    m = erlang.erlang_a_metrics(n, cph, aht, patience, within=20)
    p_late = 1.0 - m.p_abandon - m.service_level
    assert p_late > 0.05
    with_late = hourly_cost(n, cph, aht, patience, wage, value, d_ab, 0.4, within=20)
    assert with_late == pytest.approx(
        wage * n + cph * (m.p_abandon * d_ab + p_late * 0.4) * value, rel=1e-12)
    without = hourly_cost(n, cph, aht, patience, wage, value, d_ab)
    assert with_late > without
    # a shorter threshold makes more answers late
    assert hourly_cost(n, cph, aht, patience, wage, value, d_ab, 0.4, within=5) > with_late
    # within 0: late means answered after any wait, P(W > 0) - P(Ab)
    only_late = hourly_cost(n, cph, aht, patience, 0.0, value, 0.0, 1.0, within=0)
    assert only_late == pytest.approx(cph * (m.p_wait - m.p_abandon) * value, rel=1e-9)
    # a threshold nobody waits that long for: nobody is late
    assert hourly_cost(n, cph, aht, patience, wage, value, d_ab, 0.4, within=1e6) \
        == pytest.approx(without, rel=1e-12)
    # defection_late 0 and within: within changes nothing
    assert hourly_cost(n, cph, aht, patience, wage, value, d_ab, 0.0, within=20) == without


def test_the_optimum_reports_its_parts() -> None:
    best = cost_optimal_agents(200, 180, 300, 20, 50, 0.3, 0.1, within=20)
    m = erlang.erlang_a_metrics(best.agents, 200, 180, 300, within=20)
    assert best.wage_cost_per_hour == 20 * best.agents
    assert best.hourly_cost == best.wage_cost_per_hour + best.lost_value_per_hour
    assert best.p_abandon == m.p_abandon
    assert best.p_answered_late == pytest.approx(1 - m.p_abandon - m.service_level, rel=1e-12)
    assert math.isnan(cost_optimal_agents(200, 180, 300, 20, 50, 0.3).p_answered_late)
    assert cost_optimal_agents(200, 180, 300, 20, 0, 0.3).p_abandon == 1.0  # no agents


@pytest.mark.parametrize("case", [GRID[0], GRID[1], GRID[2], GRID[3], GRID[9]])
def test_the_curve_is_the_cost_around_the_optimum(case: Case) -> None:
    best = _optimum(case)
    ns = [n for n, _ in best.curve]
    assert ns == list(range(max(0, best.agents - 2), best.agents + 3))
    for n, cost in best.curve:
        assert cost == _cost(n, case)
    assert (best.agents, best.hourly_cost) in best.curve
    assert min(cost for _, cost in best.curve) == best.hourly_cost
    assert all(cost > best.hourly_cost for n, cost in best.curve if n < best.agents)


def test_to_json_is_plain_numbers() -> None:
    best = cost_optimal_agents(200, 180, 300, 20, 50, 0.3)
    data = best.to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["agents"] == best.agents
    assert data["p_answered_late"] is None
    assert data["curve"] == [{"agents": n, "hourly_cost": c} for n, c in best.curve]

    def plain(value: Any) -> bool:
        if isinstance(value, dict):
            return all(plain(v) for v in value.values())
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return value is None or type(value) in (int, float)

    assert plain(data)
    with_late = cost_optimal_agents(200, 180, 300, 20, 50, 0.3, 0.1, within=20).to_json()
    assert isinstance(with_late["p_answered_late"], float)


@pytest.mark.parametrize("wages", [(5.0, 20.0, 80.0), (10.0, 11.0, 12.0)])
def test_dearer_agents_never_mean_more_of_them(wages: tuple[float, float, float]) -> None:
    # cost = w n + L(n): the smallest minimiser is non-increasing in w (for any L)
    found = [cost_optimal_agents(200, 180, 120, w, 60, 0.5, 0.3, within=20).agents
             for w in wages]
    assert found == sorted(found, reverse=True)
    assert found[0] > found[-1] or wages[-1] - wages[0] < 5


@pytest.mark.parametrize("values", [(1.0, 30.0, 900.0), (40.0, 41.0, 42.0)])
def test_dearer_callers_never_mean_fewer_agents(values: tuple[float, float, float]) -> None:
    # without late answers the value lost, value * lambda P(Ab)(n) d, falls with n, so the
    # smallest minimiser of w n + value g(n) is non-decreasing in the value
    found = [cost_optimal_agents(200, 180, 120, 20, v, 0.5).agents for v in values]
    assert found == sorted(found)
    assert found[0] < found[-1] or values[-1] - values[0] < 5


def test_pools_of_two_thousand_agents() -> None:
    best = cost_optimal_agents(24000, 300, 180, 25, 300, 0.4, 0.2, within=20)
    assert 2000 < best.agents < 2200  # 2000 Erlangs offered
    assert len(best.curve) == 5
    assert all(math.isfinite(c) for _, c in best.curve)
    assert all(c >= best.hourly_cost for _, c in best.curve)
    assert best.curve[2] == (best.agents, hourly_cost(
        best.agents, 24000, 300, 180, 25, 300, 0.4, 0.2, within=20))


def test_ties_go_to_the_fewer_agents() -> None:
    # A caller every 2**40 hours, worth a little over 20 * 2**40: no agents lose C, just
    # over one wage, an hour; one agent (handle time 1.4 s) loses a wisp of value that
    # brings her cost to the same float.  Since 20 < C, the search must look at n = 1.
    c = math.nextafter(20.0, 30.0)
    lam, value = 2.0**-40, c * 2.0**40
    costs = [hourly_cost(n, lam, 1.4, 1.4, 20, value, 1.0) for n in range(3)]
    assert costs[0] == costs[1] == c < costs[2]
    assert hourly_cost(1, lam, 1.4, 1.4, 0, value, 1.0) > 0.0
    best = cost_optimal_agents(lam, 1.4, 1.4, 20, value, 1.0)
    assert best.agents == 0
    assert best.curve == ((0, c), (1, c), (2, costs[2]))


def test_the_search_stops_at_max_agents() -> None:
    with pytest.raises(ValueError, match="max_agents=5"):
        cost_optimal_agents(200, 180, 300, 20, 50, 0.3, max_agents=5)
    assert cost_optimal_agents(200, 180, 300, 20, 50, 0.3, max_agents=100).agents == \
        cost_optimal_agents(200, 180, 300, 20, 50, 0.3).agents


GOOD: dict[str, Any] = {
    "calls_per_hour": 200.0, "aht": 180.0, "patience": 300.0, "wage_per_hour": 20.0,
    "value": 50.0, "defection_abandoned": 0.3, "defection_late": 0.1, "within": 20.0,
}


@pytest.mark.parametrize(
    ("name", "bad", "message"),
    [
        ("wage_per_hour", -1.0, "wage_per_hour must be finite and >= 0, got -1.0"),
        ("wage_per_hour", math.nan, "wage_per_hour must be finite and >= 0, got nan"),
        ("value", -5.0, "value must be finite and >= 0, got -5.0"),
        ("value", math.inf, "value must be finite and >= 0, got inf"),
        ("defection_abandoned", 1.5, r"defection_abandoned must be a probability in \[0, 1\], "
         "got 1.5"),
        ("defection_abandoned", math.nan, r"defection_abandoned must be a probability .*nan"),
        ("defection_late", -0.1, r"defection_late must be a probability in \[0, 1\], got -0.1"),
        ("calls_per_hour", -3.0, "calls_per_hour must be finite and >= 0, got -3.0"),
        ("calls_per_hour", math.nan, "calls_per_hour must be finite and >= 0, got nan"),
        ("aht", 0.0, "aht must be finite and > 0, got 0.0"),
        ("patience", math.inf, "patience must be finite and > 0, got inf"),
        ("within", -1.0, "within must be finite and >= 0 seconds, got -1.0"),
        ("within", None, r"defection_late=0.1 needs within"),
        ("value", np.array([1.0, 2.0]), "value must be a scalar here"),
    ],
)
def test_bad_arguments_are_refused_by_name(name: str, bad: Any, message: str) -> None:
    arguments = {**GOOD, name: bad}
    with pytest.raises(ValueError, match=message):
        hourly_cost(10, **arguments)
    with pytest.raises(ValueError, match=message):
        cost_optimal_agents(**arguments)


@pytest.mark.parametrize(("agents", "message"), [
    (-1, "agents must be >= 0, got -1"),
    (2.5, "agents must be whole numbers, got 2.5"),
])
def test_bad_head_counts_are_refused(agents: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        hourly_cost(agents, **GOOD)


def test_free_agents_have_no_optimum() -> None:
    arguments = {**GOOD, "wage_per_hour": 0.0}
    with pytest.raises(ValueError, match=r"wage_per_hour must be > 0 .* got 0\.0"):
        cost_optimal_agents(**arguments)
    # the cost of a given head count is still defined
    assert hourly_cost(10, **arguments) == pytest.approx(
        hourly_cost(10, **GOOD) - 20.0 * 10, rel=1e-12)
