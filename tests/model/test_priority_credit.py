"""``priority_credit`` on a caller type: a head start in every queue it joins."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import simcall
from helpers import BASE
from simcall import Arrival


def centre(credit: object = None, strict: bool = False) -> simcall.Scenario:
    """Customers and vips in one queue; ``strict``: the customers' priority number is 1."""
    vip: dict[str, Any] = {"name": "vip", "arrivals_per_hour": 20, "enters": "support",
                           "patience": {"dist": "exponential", "mean": 300}}
    if credit is not None:
        vip["priority_credit"] = credit
    data: dict[str, Any] = {
        **BASE, "interval": "30min", "intervals": 4,
        "callers": [{"name": "customers", "arrivals_per_hour": 60, "enters": "support",
                     "priority": 1 if strict else 0,
                     "patience": {"dist": "exponential", "mean": 300}}, vip],
        "departments": [{"name": "support", "talk": {"dist": "exponential", "mean": 120},
                         "transfer": {"support": 0.2}}],
        "agents": [{"name": "team", "skills": ["support"], "staff": 3,
                    "pickup": {"dist": "uniform", "low": 1, "high": 5}}],
    }
    return simcall.from_dict(data)


def test_a_credit_jumps_calls_that_came_less_than_it_earlier_not_more() -> None:
    scenario = simcall.from_dict({**BASE, "callers": [
        {"name": "customers", "arrivals_per_hour": 1, "enters": "support"},
        {"name": "vip", "arrivals_per_hour": 1, "enters": "support", "priority_credit": "1min"}]})
    trace: list = []
    result = simcall.simulate(scenario, trace=trace, arrivals=[
        Arrival(0, "customers"), Arrival(10, "customers"), Arrival(50, "customers"),
        Arrival(80, "vip")])
    # the vip queues as if it had come at 20: after call 1 (came 70 s earlier, more than
    # the credit), before call 2 (came 30 s earlier)
    assert [(t, c) for t, e, c, _, _ in trace if e == "answer"] == [
        (0, 0), (100, 1), (200, 3), (300, 2)]
    # answer times still run from the real queue entry
    assert result.records.calls.answer_time.tolist() == [0, 90, 250, 120]


def test_a_credit_of_zero_is_no_credit() -> None:
    without, zero = (simcall.simulate(centre(credit), seed=5).records for credit in (None, 0))
    for table in ("calls", "visits", "busy", "staffed"):
        a, b = getattr(without, table), getattr(zero, table)
        for name in a.__dataclass_fields__:
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_a_huge_credit_is_strict_priority_between_types_of_the_same_priority() -> None:
    strict = simcall.simulate(centre(strict=True), seed=8).records
    credited = simcall.simulate(centre(credit="10000h"), seed=8).records
    assert strict.calls.arrival.size > 100
    for table in ("calls", "visits", "busy", "staffed"):
        a, b = getattr(strict, table), getattr(credited, table)
        for name in a.__dataclass_fields__:
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    # ... and it does reorder calls: without the credit, the same callers wait otherwise
    plain = simcall.simulate(centre(), seed=8).records
    assert not np.array_equal(plain.calls.wait, credited.calls.wait, equal_nan=True)


def test_priority_comes_before_the_credit() -> None:
    # a credited vip of priority 1 still queues behind a plain call of priority 0
    scenario = simcall.from_dict({**BASE, "callers": [
        {"name": "customers", "arrivals_per_hour": 1, "enters": "support"},
        {"name": "vip", "arrivals_per_hour": 1, "enters": "support", "priority": 1,
         "priority_credit": "1h"}]})
    trace: list = []
    simcall.simulate(scenario, trace=trace, arrivals=[
        Arrival(0, "customers"), Arrival(10, "vip"), Arrival(50, "customers")])
    assert [c for _, e, c, _, _ in trace if e == "answer"] == [0, 2, 1]


@pytest.mark.parametrize("credit, message", [
    ("-5s", r"callers\[0\].priority_credit: .*-5s"),
    ("20000h", r"callers\[0\].priority_credit: a duration must be at most 10,000 hours"),
    ("soon", r"callers\[0\].priority_credit: 'soon' is not a duration"),
])
def test_a_bad_credit_is_reported_with_its_key_and_value(credit: str, message: str) -> None:
    data = {**BASE, "callers": [{**BASE["callers"][0], "priority_credit": credit}]}
    with pytest.raises(simcall.ScenarioError, match=message):
        simcall.from_dict(data)


def test_credit_in_rings() -> None:
    scenario = simcall.from_dict({**BASE, "callers": [
        {**BASE["callers"][0], "priority_credit": "5 rings"}]})
    assert scenario.callers[0].priority_credit == 30
