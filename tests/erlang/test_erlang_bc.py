"""Tests for :mod:`simcall.erlang.erlang_bc`: Erlang B, its inverse, and Erlang C.

Published reference values (Erlang B tables, a textbook Erlang C example),
independent formulas (the truncated Poisson ratio, the factorial formula for
small pools), and robustness of the vectorised paths.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from helpers import erlang_c_textbook
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


# --------------------------------------------------------------------------------------
# Erlang C
# --------------------------------------------------------------------------------------


def test_erlang_c_matches_textbook_formula_for_small_pools() -> None:
    for n in range(1, 21):
        for frac in (0.05, 0.3, 0.7, 0.95, 0.999):
            a = frac * n
            assert erlang.erlang_c(n, a) == pytest.approx(erlang_c_textbook(n, a), rel=1e-11)


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
# properties
# --------------------------------------------------------------------------------------


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
