"""Multi-day runs: days repeat the intervals, volumes vary by day, redials carry over."""

from __future__ import annotations

import numpy as np

import simcall
from helpers import SCENARIOS, scenario_from
from simcall import Arrival

DAY = 86_400.0


def test_the_first_day_is_the_one_day_run() -> None:
    one = simcall.load(SCENARIOS / "helpdesk.toml")
    three = one.model_copy(update={"days": 3})
    a = simcall.simulate(one, seed=5).records.calls
    b = simcall.simulate(three, seed=5).records.calls
    first_day = b.arrival < DAY
    np.testing.assert_array_equal(a.arrival, b.arrival[first_day])
    # the later days repeat the profile 24 h later: every arrival is in opening hours
    assert ((b.arrival % DAY) < one.horizon).all()
    assert b.arrival.max() > 2 * DAY


def test_days_are_reported_one_by_one_and_together() -> None:
    scenario = simcall.load(SCENARIOS / "helpdesk.toml").model_copy(update={"days": 3})
    summary = simcall.replicate(scenario, replications=2, seed=2)
    assert len(summary.days) == 3
    total = sum(day["offered"].mean for day in summary.days)
    assert summary.kpis["offered"].mean == total
    document = summary.to_json()
    assert [d["day"] for d in document["days"]] == [1, 2, 3]
    # an interval's figures are over all days: the 08:00 calls of every day
    assert sum(k["offered"].mean for k in summary.intervals) == total


def test_a_redial_after_closing_comes_at_the_next_opening() -> None:
    scenario = scenario_from(days=2, callers=[{
        "name": "customers", "arrivals_per_hour": 1, "enters": "support",
        "patience": {"dist": "deterministic", "value": 10},
        "redial": {"probability": 0.999, "delay": {"dist": "deterministic", "value": 60}},
    }])
    trace: list = []
    result = simcall.simulate(scenario, trace=trace, arrivals=[
        Arrival(3500, "customers", patience=1000), Arrival(3550, "customers")])
    # call 1 hangs up at 3560; 60 s later the centre is closed (it closes at 3600): the
    # caller tries again when it opens the next day
    assert (DAY, "redial", 2, "support", "") in trace
    assert result.records.calls.arrival.tolist() == [3500, 3550, DAY]
    assert result.records.counters.redials_after_close == 0


def test_agents_stay_at_closing_until_the_queue_is_empty() -> None:
    scenario = scenario_from(days=2)
    result = simcall.simulate(scenario, arrivals=[Arrival(3500, "customers"),
                                                  Arrival(3590, "customers")])
    # call 1 waits from 3590; the agent answers it at 3600 and stays until 3700, then the
    # checks every 30 s let the agent go home; the next morning it is back
    assert result.records.calls.answer_time.tolist() == [0, 10]
    staffed = sorted(zip(result.records.staffed.start.tolist(),
                         result.records.staffed.end.tolist(), strict=True))
    assert staffed[0][0] == 0 and 3700 <= staffed[0][1] < 3700 + 30 + 1e-9
    assert staffed[1][0] == DAY


def test_day_to_day_volume_varies_with_its_cv() -> None:
    base = scenario_from(days=10, interval="1h", intervals=8, callers=[
        {"name": "customers", "arrivals_per_hour": 150, "enters": "support"}],
        agents=[{"name": "team", "skills": ["support"], "staff": 40}])

    def daily_cv(cv: float) -> float:
        result = simcall.simulate(base.model_copy(update={"day_volume_cv": cv}), seed=3)
        offered = np.array([day["offered"] for day in result.metrics.days])
        return float(offered.std(ddof=1) / offered.mean())

    # 1,200 calls a day: Poisson alone varies by about 3%; a cv of 0.3 by about 30%
    assert daily_cv(0.0) < 0.06
    assert 0.15 < daily_cv(0.3) < 0.5


def test_shifts_repeat_every_day() -> None:
    breaks = simcall.load(SCENARIOS / "breaks.toml").model_copy(update={"days": 2})
    result = simcall.simulate(breaks, seed=1)
    staffed = result.records.staffed
    assert (staffed.start >= DAY).any()
    assert all(k["scheduled_agents"] == 10 for k in result.metrics.intervals)
    assert [d["scheduled_agents"] for d in result.metrics.days] == [10, 10]
