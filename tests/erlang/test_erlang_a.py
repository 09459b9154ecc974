"""Tests for :mod:`simcall.erlang.erlang_a`: the Erlang A (M/M/n+M) queue.

The function ``A(s, x)`` against 50-digit decimal arithmetic, the closed forms
against the exact series and against the finite M/M/n/K+M chain solved with a
matrix exponential (two independent derivations), and the limits: patience to
0 (Erlang B) or infinity (Erlang C), patience equal to the handle time (M/M/inf).
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
from simcall.erlang import erlang_a

# --------------------------------------------------------------------------------------
# Erlang B in log space (what Erlang A needs when B underflows)
# --------------------------------------------------------------------------------------


def test_erlang_b_log_odds_is_consistent_and_never_overflows() -> None:
    for n, a in [(1, 0.5), (14, 10.0), (50, 80.0), (300, 250.0)]:
        b = erlang.erlang_b(n, a)
        assert erlang_a._erlang_b_log_odds(n, a) == pytest.approx(
            math.log(1.0 / b - 1.0), rel=1e-12
        )
    # B(2000, 10) ~ 1e-4000 underflows, its log-odds does not
    lr = erlang_a._erlang_b_log_odds(2000, 10.0)
    direct = float(stats.poisson.logcdf(1999, 10.0) - stats.poisson.logpmf(2000, 10.0))
    assert math.isfinite(lr)
    assert lr == pytest.approx(direct, rel=1e-10)


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
    assert erlang_a._log_a(s, x) == pytest.approx(ref, abs=tol)
    assert erlang_a._log_a_series(s, x) == pytest.approx(ref, abs=tol)
    gamma_route = erlang_a._log_a_gamma(s, x)
    if math.isfinite(gamma_route):  # the incomplete gamma underflows deep in light traffic
        assert gamma_route == pytest.approx(ref, abs=1e-11 * max(1.0, abs(ref)))


@pytest.mark.parametrize(("s", "x"), [(23.3, 16.7), (23.3, 40.0), (1667.0, 1800.0), (2.0, 40.0)])
def test_abandonment_closed_form_matches_series(s: float, x: float) -> None:
    # Mandelbaum & Zeltyn: P(Ab | W > 0) = 1/(rho A) + 1 - 1/rho, versus the exact series
    # sum_j t_j (j+1)/(s+j+1) / sum_j t_j (two derivations).
    rho = x / s
    closed = math.exp(-erlang_a._log_a_gamma(s, x)) / rho + 1 - 1 / rho
    series = erlang_a._erlang_a_series(s, x, theta=1.0).p_abandon_given_wait
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


@pytest.mark.parametrize(
    ("lam", "aht", "patience", "within"),
    [(200 / 3600, 180.0, 300.0, 20.0), (1e-3, 300.0, 60.0, None), (3.0, 300.0, 300.0, 0.0)],
)
def test_walking_up_the_pools_gives_each_pool_its_own_figures(
    lam: float, aht: float, patience: float, within: float | None
) -> None:
    # the Erlang B recursion carried from n to n + 1 gives the same bits as a fresh one
    rows = erlang_a.erlang_a_upward(lam, aht, patience, within)
    for n in range(1, 400):
        walked, alone = next(rows), erlang_a.erlang_a_scalar(n, lam, aht, patience, within)
        assert np.array_equal(walked, alone, equal_nan=True), n


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
