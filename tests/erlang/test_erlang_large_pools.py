"""Numerical robustness of every single-queue model of :mod:`simcall.erlang` for
pools of thousands of agents: finite, bounded, monotone, and consistent across models.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from simcall import erlang

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
