"""Tests for :mod:`simcall.erlang` -- exact call-centre queue formulas.

The checks are of four kinds: published reference values, identities between
independent derivations (e.g. Erlang A via the incomplete gamma function versus
the finite M/M/n/K+M chain solved with a matrix exponential), limits (patience
to 0 or infinity, lines to n or infinity) and numerical robustness for pools of
thousands of agents.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from simcall import erlang

# --------------------------------------------------------------------------------------
# Erlang B
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("load", [0.1, 1.0, 5.0, 12.5, 30.0, 80.0])
def test_erlang_b_equals_truncated_poisson_ratio(load: float) -> None:
    # B(n, a) = P(N = n) / P(N <= n) for N ~ Poisson(a): an independent direct formula.
    for n in range(0, 60):
        expected = stats.poisson.pmf(n, load) / stats.poisson.cdf(n, load)
        assert erlang.erlang_b(n, load) == pytest.approx(expected, rel=1e-11)


def test_erlang_b_small_closed_forms() -> None:
    assert erlang.erlang_b(0, 3.0) == 1.0
    assert erlang.erlang_b(1, 3.0) == pytest.approx(3.0 / 4.0, rel=1e-15)
    assert erlang.erlang_b(2, 2.0) == pytest.approx(2.0 / 5.0, rel=1e-15)  # (a^2/2)/(1+a+a^2/2)
    assert erlang.erlang_b(5, 0.0) == 0.0


@pytest.mark.parametrize(
    ("agents", "load"), [(2.5, 1.0), (-1, 1.0), (float("nan"), 1.0), (3, -0.1), (3, math.inf)]
)
def test_erlang_b_rejects_invalid_input(agents: float, load: float) -> None:
    with pytest.raises(ValueError):
        erlang.erlang_b(agents, load)


def test_erlang_b_rejects_non_integer_agents_in_arrays() -> None:
    with pytest.raises(ValueError):
        erlang.erlang_b(np.array([1.0, 2.5]), 1.0)


def test_erlang_b_vectorised_matches_scalar() -> None:
    agents = np.arange(0, 40)[:, None]
    loads = np.array([0.5, 7.0, 25.0])[None, :]
    out = erlang.erlang_b(agents, loads)
    assert isinstance(out, np.ndarray)
    assert out.shape == (40, 3)
    for i in range(40):
        for j in range(3):
            assert out[i, j] == erlang.erlang_b(int(agents[i, 0]), float(loads[0, j]))
    scalar = erlang.erlang_b(10, 7.0)
    assert type(scalar) is float


def test_erlang_b_log_odds_is_consistent_and_never_overflows() -> None:
    for n, a in [(1, 0.5), (14, 10.0), (50, 80.0), (300, 250.0)]:
        b = erlang.erlang_b(n, a)
        assert erlang._erlang_b_log_odds(n, a) == pytest.approx(math.log(1.0 / b - 1.0), rel=1e-12)
    # B(2000, 10) ~ 1e-4000 underflows, its log-odds does not
    lr = erlang._erlang_b_log_odds(2000, 10.0)
    direct = float(stats.poisson.logcdf(1999, 10.0) - stats.poisson.logpmf(2000, 10.0))
    assert math.isfinite(lr)
    assert lr == pytest.approx(direct, rel=1e-10)


# --------------------------------------------------------------------------------------
# Erlang C
# --------------------------------------------------------------------------------------


def _erlang_c_textbook(n: int, a: float) -> float:
    top = a**n / math.factorial(n) * n / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


def test_erlang_c_matches_textbook_formula_for_small_pools() -> None:
    for n in range(1, 21):
        for frac in (0.05, 0.3, 0.7, 0.95, 0.999):
            a = frac * n
            assert erlang.erlang_c(n, a) == pytest.approx(_erlang_c_textbook(n, a), rel=1e-11)


def test_erlang_c_is_one_when_overloaded_and_vectorises() -> None:
    assert erlang.erlang_c(10, 10.0) == 1.0
    assert erlang.erlang_c(10, 25.0) == 1.0
    n = np.array([8, 9, 10, 11, 12])
    out = erlang.erlang_c(n, 9.5)
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, [erlang.erlang_c(int(k), 9.5) for k in n])
    assert out[0] == out[1] == 1.0


# --------------------------------------------------------------------------------------
# carried_load (inverse Erlang B)
# --------------------------------------------------------------------------------------


def test_carried_load_published_table_value() -> None:
    # Erlang B tables: 15 lines at 1 % grade of service carry 8.108 Erlangs offered.
    a = erlang.carried_load(15, 0.01)
    assert round(a, 3) == 8.108
    assert erlang.erlang_b(15, a) == pytest.approx(0.01, rel=1e-12)


def test_carried_load_vectorised_round_trip() -> None:
    lines = np.array([1, 5, 15, 100, 1000])
    a = erlang.carried_load(lines, 0.02)
    assert isinstance(a, np.ndarray)
    np.testing.assert_allclose(erlang.erlang_b(lines, a), 0.02, rtol=1e-11)
    assert a[0] == pytest.approx(0.02 / 0.98, rel=1e-12)  # B(1, a) = a / (1 + a)


@pytest.mark.parametrize("blocking", [0.0, 1.0, -0.1])
def test_carried_load_rejects_impossible_targets(blocking: float) -> None:
    with pytest.raises(ValueError):
        erlang.carried_load(10, blocking)


# --------------------------------------------------------------------------------------
# Erlang C metrics
# --------------------------------------------------------------------------------------


def test_erlang_c_metrics_published_example() -> None:
    # 200 calls/h, AHT 180 s (10 Erlangs), 14 agents, service level within 20 s.
    m = erlang.erlang_c_metrics(14, 200, 180, within=20)
    assert round(m.p_wait, 7) == 0.1741319
    assert round(m.service_level, 5) == 0.88835
    assert round(m.asa, 3) == 7.836
    assert m.p_abandon == 0.0
    assert m.p_block == 0.0
    assert m.occupancy == pytest.approx(10 / 14, rel=1e-15)
    assert round(erlang.erlang_c_metrics(11, 200, 180).p_wait, 7) == 0.6821182


def test_erlang_c_metrics_internal_identities() -> None:
    m = erlang.erlang_c_metrics(14, 200, 180, within=0.0)
    lam = 200 / 3600
    assert m.service_level == pytest.approx(1 - m.p_wait, rel=1e-15)
    assert m.mean_queue == pytest.approx(lam * m.asa, rel=1e-14)  # Little's law
    assert m.mean_wait_all == m.asa
    assert math.isnan(erlang.erlang_c_metrics(14, 200, 180).service_level)


def test_erlang_c_metrics_unstable_queue() -> None:
    m = erlang.erlang_c_metrics(10, 200, 180, within=20)  # load 10 = agents
    assert m.p_wait == 1.0
    assert m.service_level == 0.0
    assert m.asa == math.inf
    assert m.mean_queue == math.inf
    assert m.occupancy == 1.0


def test_erlang_c_metrics_vectorised_matches_scalar() -> None:
    agents = np.arange(9, 20)
    m = erlang.erlang_c_metrics(agents, 200, 180, within=20)
    assert isinstance(m.p_wait, np.ndarray)
    for i, n in enumerate(agents):
        s = erlang.erlang_c_metrics(int(n), 200, 180, within=20)
        for field in ("p_wait", "service_level", "asa", "occupancy", "mean_queue"):
            assert getattr(m, field)[i] == pytest.approx(getattr(s, field), rel=1e-14)
    assert type(erlang.erlang_c_metrics(14, 200, 180).asa) is float


# --------------------------------------------------------------------------------------
# agents_required
# --------------------------------------------------------------------------------------


def test_agents_required_erlang_c_service_level() -> None:
    n = erlang.agents_required(200, 180, target_sl=0.80, within=20)
    sl = [erlang.erlang_c_metrics(k, 200, 180, within=20).service_level for k in (n - 1, n)]
    assert sl[1] >= 0.80 > sl[0]
    # 13 agents give SL = 0.79559 (confirmed with the textbook factorial formula), just
    # short of 80 %, so the answer is 14, not 13.
    c13 = _erlang_c_textbook(13, 10.0)
    assert 1 - c13 * math.exp(-3 * 20 / 180) == pytest.approx(0.795595, abs=1e-6)
    assert n == 14


def test_agents_required_erlang_c_several_targets_large_centre() -> None:
    cph, aht = 20000.0, 300.0  # 1666.7 Erlangs
    n = erlang.agents_required(cph, aht, target_sl=0.9, within=15, max_asa=5.0)

    def meets(k: int) -> bool:
        m = erlang.erlang_c_metrics(k, cph, aht, within=15)
        return m.service_level >= 0.9 and m.asa <= 5.0

    assert meets(n)
    assert not meets(n - 1)


def test_agents_required_erlang_a() -> None:
    kwargs = {"target_sl": 0.8, "within": 20.0, "max_abandon": 0.02, "max_asa": 15.0}
    n = erlang.agents_required(900, 240, patience=120, **kwargs)

    def meets(k: int) -> bool:
        m = erlang.erlang_a_metrics(k, 900, 240, 120, within=20)
        return m.service_level >= 0.8 and m.p_abandon <= 0.02 and m.asa <= 15.0

    assert meets(n)
    assert not meets(n - 1)
    # abandonment helps: Erlang A never needs more agents than Erlang C for SL/ASA targets
    assert erlang.agents_required(900, 240, target_sl=0.8, within=20, patience=120) <= (
        erlang.agents_required(900, 240, target_sl=0.8, within=20)
    )


def test_agents_required_errors() -> None:
    with pytest.raises(ValueError):
        erlang.agents_required(200, 180)
    with pytest.raises(ValueError):
        erlang.agents_required(200, 180, target_sl=0.8)
    with pytest.raises(ValueError):
        erlang.agents_required(200, 180, max_abandon=0.05)
    with pytest.raises(ValueError):
        erlang.agents_required(200, 180, target_sl=0.8, within=20, max_agents=12)
    with pytest.raises(ValueError):
        erlang.agents_required(200, 180, target_sl=0.8, within=20, patience=60, max_agents=5)


# --------------------------------------------------------------------------------------
# Erlang A: the A(s, x) function
# --------------------------------------------------------------------------------------


def _log_a_reference(s: float, x: float) -> float:
    """``log sum_j x^j / ((s+1)...(s+j))`` in 50-digit decimal arithmetic."""
    with localcontext() as ctx:
        ctx.prec = 50
        big_s, big_x = Decimal(s), Decimal(x)
        term = total = Decimal(1)
        j = 0
        while True:
            j += 1
            term = term * big_x / (big_s + j)
            total += term
            if j > big_x - big_s and term < total * Decimal("1e-40"):
                break
        return float(total.ln())


@pytest.mark.parametrize("s", [0.5, 3.0, 23.3, 100.0, 1000.0, 2e4])
@pytest.mark.parametrize("ratio", [0.05, 0.5, 0.9, 0.99, 1.0, 1.01, 1.2, 2.0])
def test_log_a_matches_high_precision_series(s: float, ratio: float) -> None:
    x = ratio * s
    ref = _log_a_reference(s, x)
    tol = 1e-13 * max(1.0, abs(ref))
    assert erlang._log_a(s, x) == pytest.approx(ref, abs=tol)
    assert erlang._log_a_series(s, x) == pytest.approx(ref, abs=tol)
    gamma_route = erlang._log_a_gamma(s, x)
    if math.isfinite(gamma_route):  # the incomplete gamma underflows deep in light traffic
        assert gamma_route == pytest.approx(ref, abs=1e-11 * max(1.0, abs(ref)))


@pytest.mark.parametrize(("s", "x"), [(23.3, 16.7), (23.3, 40.0), (1667.0, 1800.0), (2.0, 40.0)])
def test_abandonment_closed_form_matches_series(s: float, x: float) -> None:
    # Mandelbaum & Zeltyn: P(Ab | W > 0) = 1/(rho A) + 1 - 1/rho, versus the exact series
    # sum_j t_j (j+1)/(s+j+1) / sum_j t_j (two derivations).
    rho = x / s
    closed = math.exp(-erlang._log_a_gamma(s, x)) / rho + 1 - 1 / rho
    series = erlang._erlang_a_series(s, x, theta=1.0).p_abandon_given_wait
    assert series == pytest.approx(closed, rel=1e-12)


# --------------------------------------------------------------------------------------
# Erlang A metrics
# --------------------------------------------------------------------------------------

_FIELDS = ("p_wait", "p_abandon", "service_level", "asa", "mean_wait_all", "occupancy")


def test_erlang_a_infinite_patience_limit_is_erlang_c() -> None:
    c = erlang.erlang_c_metrics(14, 200, 180, within=20)
    prev_gap = math.inf
    for patience in (1e5, 1e6, 1e8):
        a = erlang.erlang_a_metrics(14, 200, 180, patience, within=20)
        for field in ("p_wait", "service_level", "asa", "mean_queue", "occupancy"):
            assert getattr(a, field) == pytest.approx(getattr(c, field), rel=30 * 180 / patience)
        gap = abs(a.p_wait - c.p_wait)
        assert gap < prev_gap  # converges as patience grows
        prev_gap = gap
    assert a.p_abandon < 1e-6


def test_erlang_a_zero_patience_limit_is_erlang_b() -> None:
    b = erlang.erlang_b(14, 10.0)
    a = erlang.erlang_a_metrics(14, 200, 180, 1e-7, within=20)
    assert a.p_wait == pytest.approx(b, rel=1e-7)
    assert a.p_abandon == pytest.approx(b, rel=1e-7)
    assert a.service_level == pytest.approx(1 - b, rel=1e-7)


@pytest.mark.parametrize(("agents", "cph"), [(14, 200.0), (50, 1000.0), (5, 300.0), (200, 4200.0)])
def test_erlang_a_patience_equal_to_aht_is_infinite_server_queue(agents: int, cph: float) -> None:
    # theta == mu: every caller (waiting or talking) leaves at rate mu, so the number in
    # system is that of M/M/inf, Poisson(a).  Exact and independent of A(s, x).
    aht = 180.0
    a = cph * aht / 3600
    m = erlang.erlang_a_metrics(agents, cph, aht, patience=aht)
    k = np.arange(0, int(a + 40 * math.sqrt(a) + 100))
    pmf = stats.poisson.pmf(k, a)
    assert m.p_wait == pytest.approx(stats.poisson.sf(agents - 1, a), rel=1e-11)
    assert m.mean_queue == pytest.approx(np.sum(pmf * np.maximum(k - agents, 0)), rel=1e-10)
    assert m.occupancy == pytest.approx(np.sum(pmf * np.minimum(k, agents)) / agents, rel=1e-11)
    # theta within a hair of mu: continuous, no special case needed
    for eps in (1e-9, -1e-9):
        near = erlang.erlang_a_metrics(agents, cph, aht, patience=aht * (1 + eps), within=20)
        ref = erlang.erlang_a_metrics(agents, cph, aht, patience=aht, within=20)
        for field in _FIELDS:
            assert getattr(near, field) == pytest.approx(getattr(ref, field), rel=1e-6)


@pytest.mark.parametrize(
    ("agents", "cph", "aht", "patience"),
    [(14, 200, 180, 300), (5, 300, 180, 60), (100, 2400, 180, 600), (10, 2000, 180, 120)],
)
def test_erlang_a_littles_law(agents: int, cph: float, aht: float, patience: float) -> None:
    # P(Ab) comes from the closed form / series for abandonment, E[Q] from the series
    # sum_j j t_j: flow balance lambda P(Ab) = theta E[Q] ties them together.
    m = erlang.erlang_a_metrics(agents, cph, aht, patience)
    lam, theta = cph / 3600, 1 / patience
    assert m.p_abandon == pytest.approx(m.mean_queue * theta / lam, rel=1e-11)
    assert m.mean_wait_all == pytest.approx(m.p_abandon * patience, rel=1e-11)
    # served throughput = busy agents / aht
    assert m.occupancy * agents / aht == pytest.approx(lam * (1 - m.p_abandon), rel=1e-11)


@pytest.mark.parametrize(
    ("agents", "cph", "aht", "patience", "within"),
    [
        (14, 200, 180, 300, 20),  # moderate load
        (5, 480, 180, 60, 10),  # overloaded (24 Erlangs on 5 agents)
        (20, 360, 180, 180, 30),  # theta == mu
        (20, 360, 180, 179.0, 30),  # theta close to mu
        (50, 900, 240, 2000, 15),  # patient callers
        (3, 10, 180, 5, 20),  # impatient callers, light load
    ],
)
def test_erlang_a_matches_finite_chain_with_many_lines(
    agents: int, cph: float, aht: float, patience: float, within: float
) -> None:
    # Two independent derivations: incomplete-gamma closed forms (erlang_a_metrics) versus
    # the truncated birth-death chain + matrix exponential for the tagged caller
    # (mmck_metrics).  With enough lines the truncation is far below double precision.
    a = erlang.erlang_a_metrics(agents, cph, aht, patience, within=within)
    lam, theta = cph / 3600, 1 / patience
    extra = int(max(300, 3 * (lam - agents / aht) / theta + 60 * math.sqrt(lam / theta + 1)))
    k = erlang.mmck_metrics(agents, agents + extra, cph, aht, patience, within=within)
    assert k.p_block < 1e-30
    for field in (*_FIELDS, "mean_queue"):
        assert getattr(k, field) == pytest.approx(getattr(a, field), rel=1e-9), field


def test_erlang_a_asa_is_integral_of_service_level_tail() -> None:
    # E[W; answered] = int_0^inf P(answered, W > v) dv = int (1 - P(Ab) - SL(v)) dv.
    # SL(v) comes from the incomplete-gamma tail formula, the ASA from a digamma series.
    n, cph, aht, patience = 14, 200, 180, 300
    m = erlang.erlang_a_metrics(n, cph, aht, patience)

    def tail(v: float) -> float:
        return (
            1 - m.p_abandon - erlang.erlang_a_metrics(n, cph, aht, patience, within=v).service_level
        )

    value, _ = integrate.quad(tail, 0, np.inf, epsabs=1e-13, epsrel=1e-11, limit=200)
    assert value / (1 - m.p_abandon) == pytest.approx(m.asa, rel=1e-8)


def test_erlang_a_service_level_end_points() -> None:
    m0 = erlang.erlang_a_metrics(14, 200, 180, 300, within=0.0)
    assert m0.service_level == pytest.approx(1 - m0.p_wait, rel=1e-12)
    far = erlang.erlang_a_metrics(14, 200, 180, 300, within=1e5)
    assert far.service_level == pytest.approx(1 - far.p_abandon, rel=1e-12)
    assert math.isnan(erlang.erlang_a_metrics(14, 200, 180, 300).service_level)


def test_erlang_a_overload_is_stable() -> None:
    # 100 Erlangs offered to 10 agents: about 90 % must abandon, all agents busy.
    m = erlang.erlang_a_metrics(10, 2000, 180, 120, within=20)
    assert m.p_wait == pytest.approx(1.0, abs=1e-12)
    assert m.p_abandon == pytest.approx(0.9, rel=1e-9)
    assert m.occupancy == pytest.approx(1.0, rel=1e-9)
    assert 0.0 <= m.service_level < 1e-3
    assert math.isfinite(m.asa)


def test_erlang_a_vectorised_matches_scalar() -> None:
    agents = np.array([[10], [12], [14]])
    patience = np.array([60.0, 300.0, 1e4])
    m = erlang.erlang_a_metrics(agents, 200, 180, patience, within=20)
    assert isinstance(m.p_wait, np.ndarray)
    assert m.p_wait.shape == (3, 3)
    for i in range(3):
        for j in range(3):
            s = erlang.erlang_a_metrics(int(agents[i, 0]), 200, 180, float(patience[j]), within=20)
            for field in _FIELDS:
                assert getattr(m, field)[i, j] == getattr(s, field)
    assert type(erlang.erlang_a_metrics(14, 200, 180, 300).p_wait) is float


# --------------------------------------------------------------------------------------
# M/M/n/K(+M)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("agents", "cph"), [(1, 20.0), (15, 162.16), (30, 700.0)])
def test_mmck_with_lines_equal_agents_is_erlang_b(agents: int, cph: float) -> None:
    a = cph * 180 / 3600
    m = erlang.mmck_metrics(agents, agents, cph, 180, within=20)
    b = erlang.erlang_b(agents, a)
    assert m.p_block == pytest.approx(b, rel=1e-12)
    assert m.p_wait == 0.0
    assert m.service_level == pytest.approx(1.0, abs=1e-14)
    assert m.asa == 0.0
    assert m.occupancy == pytest.approx(a * (1 - b) / agents, rel=1e-12)


def test_mmck_with_many_lines_is_erlang_c() -> None:
    for n in (11, 14, 30):
        c = erlang.erlang_c_metrics(n, 200, 180, within=20)
        k = erlang.mmck_metrics(n, n + 3000, 200, 180, within=20)
        assert k.p_block < 1e-100
        for field in ("p_wait", "service_level", "asa", "mean_wait_all", "occupancy", "mean_queue"):
            assert getattr(k, field) == pytest.approx(getattr(c, field), rel=1e-10), field


def test_mmck_flow_balance_with_blocking_and_abandonment() -> None:
    # small waiting room, heavy load: blocking and abandonment both matter
    n, lines, cph, aht, patience = 5, 8, 120.0, 180.0, 100.0
    m = erlang.mmck_metrics(n, lines, cph, aht, patience, within=10)
    lam, theta = cph / 3600, 1 / patience
    admitted = lam * (1 - m.p_block)
    assert m.p_block > 0.05
    assert admitted * m.p_abandon == pytest.approx(theta * m.mean_queue, rel=1e-12)
    assert m.occupancy * n / aht == pytest.approx(admitted * (1 - m.p_abandon), rel=1e-12)
    assert m.mean_wait_all == pytest.approx(m.mean_queue / admitted, rel=1e-14)
    assert 0.0 < m.service_level < 1 - m.p_abandon


def test_mmck_abandonment_route_tends_to_patient_route() -> None:
    # SL via the sparse matrix exponential (patience given) against the Poisson tail
    # (patience None): the former must converge to the latter as patience grows.
    patient = erlang.mmck_metrics(10, 20, 250, 180, None, within=30)
    nearly = erlang.mmck_metrics(10, 20, 250, 180, 1e9, within=30)
    for field in ("p_wait", "service_level", "asa", "p_block"):
        assert getattr(nearly, field) == pytest.approx(getattr(patient, field), rel=1e-6)


def test_mmck_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        erlang.mmck_metrics(0, 10, 100, 180)
    with pytest.raises(ValueError):
        erlang.mmck_metrics(5, 10, 100, 180, patience=0.0)
    with pytest.raises(ValueError):
        erlang.mmck_metrics(5, 10, 100, 180, within=-1.0)


# --------------------------------------------------------------------------------------
# large pools
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1000, 2000])
def test_large_pools_are_finite_bounded_and_monotone(n: int) -> None:
    load = 0.95 * n
    aht = 180.0
    cph = load * 3600 / aht
    agents = np.arange(n - 3, n + 4)
    b = erlang.erlang_b(agents, load)
    c = erlang.erlang_c(agents, load)
    assert erlang.erlang_b(n, load) == pytest.approx(
        stats.poisson.pmf(n, load) / stats.poisson.cdf(n, load), rel=1e-9
    )
    cm = erlang.erlang_c_metrics(agents, cph, aht, within=20)
    am = erlang.erlang_a_metrics(agents, cph, aht, 120.0, within=20)
    for arr in (b, c, cm.p_wait, cm.service_level, am.p_wait, am.p_abandon, am.service_level):
        assert np.all(np.isfinite(arr))
        assert np.all((arr >= 0) & (arr <= 1))
    for arr in (b, c, cm.p_wait, cm.asa, am.p_wait, am.p_abandon, am.asa):
        assert np.all(np.diff(arr) < 0)
    for arr in (cm.service_level, am.service_level):
        assert np.all(np.diff(arr) > 0)
    k = erlang.mmck_metrics(n, n + 200, cph, aht, 120.0, within=20)
    assert k.p_wait == pytest.approx(am.p_wait[3], rel=1e-9)
    assert k.service_level == pytest.approx(am.service_level[3], rel=1e-9)


# --------------------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=80),
    utilisation=st.floats(min_value=0.05, max_value=2.0),
    aht=st.floats(min_value=30.0, max_value=900.0),
    patience=st.floats(min_value=5.0, max_value=3000.0),
    within=st.floats(min_value=0.0, max_value=120.0),
)
def test_more_agents_never_hurt_erlang_a(
    n: int, utilisation: float, aht: float, patience: float, within: float
) -> None:
    cph = utilisation * n * 3600 / aht
    now = erlang.erlang_a_metrics(n, cph, aht, patience, within=within)
    more = erlang.erlang_a_metrics(n + 1, cph, aht, patience, within=within)
    slack = 1e-12
    assert more.p_wait <= now.p_wait * (1 + 1e-9) + slack
    assert more.p_abandon <= now.p_abandon * (1 + 1e-9) + slack
    assert more.asa <= now.asa * (1 + 1e-9) + slack
    assert more.service_level >= now.service_level * (1 - 1e-9) - slack


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=200),
    utilisation=st.floats(min_value=0.01, max_value=0.999),
    within=st.floats(min_value=0.0, max_value=120.0),
)
def test_more_agents_never_hurt_erlang_c(n: int, utilisation: float, within: float) -> None:
    cph = utilisation * n * 3600 / 180
    now = erlang.erlang_c_metrics(n, cph, 180, within=within)
    more = erlang.erlang_c_metrics(n + 1, cph, 180, within=within)
    assert more.p_wait <= now.p_wait
    assert more.asa <= now.asa
    assert more.service_level >= now.service_level


# --------------------------------------------------------------------------------------
# Jackson networks
# --------------------------------------------------------------------------------------


def test_jackson_single_department_is_erlang_c() -> None:
    res = erlang.jackson_network([200.0], [[0.0]], [14], [180.0], within=20)
    (node,) = res.nodes
    m = erlang.erlang_c_metrics(14, 200, 180, within=20)
    assert node.arrival_rate == 200.0
    assert node.load == pytest.approx(10.0)
    assert node.p_wait == pytest.approx(m.p_wait, rel=1e-14)
    assert node.asa == pytest.approx(m.asa, rel=1e-14)
    assert node.service_level == pytest.approx(m.service_level, rel=1e-14)
    assert res.mean_visits == 1.0
    assert res.mean_transfers == 0.0
    assert res.transfer_distribution(0) == 1.0


def test_jackson_self_transfer_gives_geometric_visits() -> None:
    p = 0.2
    res = erlang.jackson_network([160.0], [[p]], [14], [180.0])
    assert res.nodes[0].arrival_rate == pytest.approx(160.0 / (1 - p), rel=1e-14)
    assert res.mean_visits == pytest.approx(1 / (1 - p), rel=1e-14)
    k = np.arange(6)
    np.testing.assert_allclose(res.transfer_distribution(k), (1 - p) * p**k, rtol=1e-14)
    assert math.isnan(res.nodes[0].service_level)


def test_jackson_three_departments() -> None:
    gamma = np.array([300.0, 120.0, 0.0])
    transfer = np.array([[0.0, 0.25, 0.10], [0.15, 0.0, 0.20], [0.05, 0.05, 0.0]])
    agents = np.array([22, 16, 9])
    aht = np.array([180.0, 240.0, 300.0])
    res = erlang.jackson_network(gamma, transfer, agents, aht, within=20)
    lam = np.array([node.arrival_rate for node in res.nodes])
    np.testing.assert_allclose(lam, gamma + transfer.T @ lam, rtol=1e-13)  # traffic equations
    assert res.mean_visits == pytest.approx(lam.sum() / gamma.sum(), rel=1e-14)
    for node, c, h, rate in zip(res.nodes, agents, aht, lam, strict=True):
        m = erlang.erlang_c_metrics(int(c), rate, h, within=20)
        assert node.p_wait == pytest.approx(m.p_wait, rel=1e-14)
        assert node.occupancy == pytest.approx(rate * h / 3600 / c, rel=1e-14)
    k = np.arange(200)
    dist = res.transfer_distribution(k)
    assert dist.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.sum(k * dist) == pytest.approx(res.mean_transfers, rel=1e-12)


def test_jackson_rejects_bad_networks() -> None:
    with pytest.raises(ValueError, match="unstable"):
        erlang.jackson_network([200.0], [[0.5]], [14], [180.0])  # 20 Erlangs on 14 agents
    with pytest.raises(ValueError):
        erlang.jackson_network([100.0, 100.0], [[0.0, 0.7], [0.6, 0.5]], [10, 10], [180, 180])
    with pytest.raises(ValueError):  # calls bounce for ever
        erlang.jackson_network([100.0, 0.0], [[0.0, 1.0], [1.0, 0.0]], [10, 10], [180, 180])
    with pytest.raises(ValueError):
        erlang.jackson_network([100.0], [[0.0, 0.0]], [10], [180])
