"""The closed-form plans' handle time follows caller-type talk times and not-ready time."""

from __future__ import annotations

import pytest

import simcall
from helpers import BASE
from simcall.results.traffic import department_traffic


def test_handle_time_is_the_mean_over_the_calls_plus_not_ready() -> None:
    scenario = simcall.from_dict({
        **BASE,
        "callers": [{"name": "a", "arrivals_per_hour": 30, "enters": "support"},
                    {"name": "b", "arrivals_per_hour": 10, "enters": "support",
                     "talk": {"dist": "exponential", "mean": 500}}],
        "agents": [{"name": "team", "skills": ["support"], "staff": 1,
                    "not_ready": {"dist": "deterministic", "value": 15}}],
    })
    (traffic,) = department_traffic(scenario, 0, {"support": ["team"]}, {"team": [1]})
    assert traffic.aht == pytest.approx((30 * 100 + 10 * 500) / 40 + 15)
