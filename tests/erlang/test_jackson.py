"""Tests for :mod:`simcall.erlang.jackson`: open Jackson networks of Erlang C departments."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simcall import erlang

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
