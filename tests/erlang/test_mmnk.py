"""Tests for :mod:`simcall.erlang.mmnk`: M/M/n/K, with and without abandonment.

The limits ``K = n`` (Erlang B) and ``K -> inf`` (Erlang C), flow balance with
both blocking and abandonment, and the two routes to the service level (sparse
matrix exponential, Poisson tail) against each other.
"""

from __future__ import annotations

import pytest

from simcall import erlang

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
