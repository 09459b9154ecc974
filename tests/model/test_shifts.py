"""Shifts, breaks and shrinkage: exact traces, the plan in time, validation, common random numbers.

Times in these scenarios are clock labels from ``open = "00:00"`` (the default),
so ``"00:10"`` is t = 600 s; talk times are a fixed 100 s.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import simcall
from helpers import scenario_from
from simcall import Arrival, ScenarioError
from simcall.model.records import Outcome
from simcall.model.roster import present_counts, scheduled_periods, slot_periods, subtract
from simcall.model.streams import Owner, generator
from simcall.scenario.shifts import clock_seconds

TEN_MINUTES = {"interval": "10min", "intervals": 3}  # horizon: 00:00 to 00:30 = 1800 s


def team(**keys: Any) -> list[dict[str, Any]]:
    return [{"name": "team", "skills": ["support"], **keys}]


def run(scenario: simcall.Scenario, arrivals: list[Arrival], seed: int = 1,
        replication: int = 0) -> tuple[list, simcall.RunResult]:
    trace: list = []
    result = simcall.simulate(scenario, seed=seed, replication=replication, arrivals=arrivals,
                              trace=trace)
    return trace, result


def answers(trace: list) -> list[tuple[float, int, str]]:
    return [(t, call, agent) for t, event, call, _, agent in trace if event == "answer"]


def periods(table: Any) -> list[tuple[float, float]]:
    return sorted(zip(table.start.tolist(), table.end.tolist(), strict=True))


def per_interval(result: simcall.RunResult, kpi: str) -> list[float]:
    return [k[kpi] for k in result.metrics.intervals]


# -- exact traces ---------------------------------------------------------------------------


def test_a_shift_starts_and_ends_and_the_last_one_drains_the_centre() -> None:
    scenario = scenario_from(**TEN_MINUTES, agents=team(shifts=[
        {"start": "00:00", "end": "00:10", "agents": 1},
        {"start": "00:10", "end": "00:30", "agents": 1},
    ]))
    trace, result = run(scenario, [Arrival(550, "customers"), Arrival(560, "customers"),
                                   Arrival(1790, "customers")])
    # #1 finishes its call after its shift (600) and leaves at 650; #2 starts at 600 and
    # takes the waiting call at once; after the close, #2 stays until the last call ends
    assert answers(trace) == [(550, 0, "team #1"), (600, 1, "team #2"),
                              (1790, 2, "team #2")]
    records = result.records
    assert periods(records.staffed) == [(0, 650), (600, 1890)]
    assert periods(records.scheduled) == [(0, 600), (600, 1800)]
    assert per_interval(result, "scheduled_agents") == [1, 1, 1]
    assert per_interval(result, "staffed_agents") == [1, (50 + 600) / 600, 1]
    group = result.metrics.agent_groups["team"]
    assert group["scheduled_agents"] == 1
    assert group["staffed_agents"] == (1800 + 50) / 1800


def test_a_fixed_break_finishes_the_call_in_hand_then_goes_and_comes_back() -> None:
    scenario = scenario_from(**TEN_MINUTES, agents=team(shifts=[
        {"start": "00:00", "end": "00:30", "agents": 1,
         "breaks": [{"at": "00:10", "length": "5min"}]},
    ]))
    trace, result = run(scenario, [Arrival(550, "customers"), Arrival(620, "customers")])
    # the break is due at 600: the agent ends its call at 650, then goes; the waiting call
    # is answered when the same agent is back at 900
    assert answers(trace) == [(550, 0, "team #1"), (900, 1, "team #1")]
    records = result.records
    assert periods(records.staffed) == [(0, 650), (900, 1800)]
    assert periods(records.scheduled) == [(0, 1800)]
    assert periods(records.busy) == [(550, 650), (900, 1000)]
    assert result.records.calls.answer_time.tolist() == [0, 280]
    assert per_interval(result, "scheduled_agents") == [1, 1, 1]
    assert per_interval(result, "staffed_agents") == [1, (50 + 300) / 600, 1]
    # occupancy stays busy / staffed, the break excluded: 50 + 100 s busy in 350 s on duty
    assert per_interval(result, "occupancy")[1] == pytest.approx(150 / 350)


def test_an_idle_agent_goes_on_break_at_once() -> None:
    scenario = scenario_from(**TEN_MINUTES, agents=team(shifts=[
        {"start": "00:00", "end": "00:30", "agents": 1,
         "breaks": [{"at": "00:10", "length": "5min"}]},
    ]))
    trace, result = run(scenario, [Arrival(610, "customers")])
    assert answers(trace) == [(900, 0, "team #1")]
    assert periods(result.records.staffed) == [(0, 600), (900, 1800)]


def test_a_shift_starting_inside_an_interval_counts_by_time() -> None:
    scenario = scenario_from(**TEN_MINUTES, agents=team(shifts=[
        {"start": "00:05", "end": "00:25", "agents": 2},
    ]))
    _, result = run(scenario, [])
    assert per_interval(result, "scheduled_agents") == [1, 2, 1]
    assert per_interval(result, "staffed_agents") == [1, 2, 1]
    assert result.records.agent_names == ("team #1", "team #2")


def test_nobody_on_duty_after_the_last_shift_leaves_calls_in_the_system() -> None:
    scenario = scenario_from(**TEN_MINUTES, agents=team(shifts=[
        {"start": "00:00", "end": "00:10", "agents": 1},
    ]))
    _, result = run(scenario, [Arrival(100, "customers"), Arrival(700, "customers")])
    assert result.kpis["answered"] == 1
    assert result.kpis["in_system"] == 1
    assert periods(result.records.staffed) == [(0, 600)]


def test_a_staff_list_and_the_same_agents_as_shifts_give_the_same_run() -> None:
    """Only rises in staff: head counts and shift slots bring in the same agents."""
    busy = {"callers": [{"name": "customers", "arrivals_per_hour": 600, "enters": "support"}],
            **TEN_MINUTES}
    by_staff = scenario_from(**busy, agents=team(staff=[2, 3, 3]))
    by_shifts = scenario_from(**busy, agents=team(shifts=[
        {"start": "00:00", "end": "00:30", "agents": 2},
        {"start": "00:10", "end": "00:30", "agents": 1},
    ]))
    staff_result = simcall.simulate(by_staff, seed=4)
    shift_result = simcall.simulate(by_shifts, seed=4)
    assert staff_result.kpis["offered"] > 50
    for table in ("calls", "visits", "busy", "staffed", "scheduled"):
        a, b = getattr(staff_result.records, table), getattr(shift_result.records, table)
        for name in a.__dataclass_fields__:
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


# -- breaks in a window, shrinkage: drawn from the group's "breaks" stream ----------------


def _window_scenario(agents: int = 2) -> simcall.Scenario:
    return scenario_from(**TEN_MINUTES, agents=team(shifts=[
        {"start": "00:00", "end": "00:30", "agents": agents,
         "breaks": [{"within": ["00:10", "00:20"], "length": "5min"}]},
    ]))


def test_a_break_within_a_window_is_drawn_per_agent_from_the_breaks_stream() -> None:
    _, result = run(_window_scenario(), [])
    # the documented draw: the stream's first child (breaks), shift 0's child, one row per
    # agent; the break starts uniformly so that it lies in the window (00:10 to 00:20)
    rng = generator(1, 0, "breaks", Owner.AGENT_GROUP, 0)
    breaks, _ = rng.spawn(2)
    (shift,) = breaks.spawn(1)
    starts = (600 + shift.random((2, 1))[:, 0] * (600 - 300)).tolist()
    expected = sorted([(0.0, s) for s in starts] + [(s + 300, 1800.0) for s in starts])
    assert periods(result.records.staffed) == expected
    assert all(600 <= s <= 900 for s in starts) and starts[0] != starts[1]
    # reproducible: the same seed and replication draw the same breaks, another does not
    _, again = run(_window_scenario(), [])
    assert periods(again.records.staffed) == periods(result.records.staffed)
    _, other = run(_window_scenario(), [], replication=1)
    assert periods(other.records.staffed) != periods(result.records.staffed)


def test_breaks_stay_put_when_a_shift_gets_more_agents() -> None:
    """Common random numbers: agent i of a shift draws the same breaks whatever the head count."""
    two = slot_periods(_window_scenario(2).agents[0], _window_scenario(2),
                       generator(5, 0, "breaks", Owner.AGENT_GROUP, 0))
    three = slot_periods(_window_scenario(3).agents[0], _window_scenario(3),
                         generator(5, 0, "breaks", Owner.AGENT_GROUP, 0))
    assert three[:2] == two


def test_shrinkage_takes_absent_agents_off_for_whole_intervals() -> None:
    scenario = scenario_from(interval="10min", intervals=12,
                             agents=team(staff=10, shrinkage=0.3))
    _, result = run(scenario, [])
    rng = generator(1, 0, "breaks", Owner.AGENT_GROUP, 0)
    present = present_counts([10] * 12, 0.3, rng.spawn(2)[1])
    scheduled = per_interval(result, "scheduled_agents")
    staffed = per_interval(result, "staffed_agents")
    assert scheduled == [10] * 12
    assert staffed == present  # nobody busy: absent agents leave at the interval start
    assert sum(staffed) < sum(scheduled)
    assert 5 <= np.mean(staffed) <= 9  # about 70% of 10
    group = result.metrics.agent_groups["team"]
    assert group["scheduled_agents"] == 10 and group["staffed_agents"] == np.mean(present)


def test_shrinkage_with_shifts_follows_the_slot_plan() -> None:
    scenario = scenario_from(interval="10min", intervals=6, agents=team(shrinkage=0.25, shifts=[
        {"start": "00:00", "end": "01:00", "agents": 4,
         "breaks": [{"at": "00:20", "length": "10min"}]},
        {"start": "00:30", "end": "01:00", "agents": 2},
    ]))
    _, result = run(scenario, [], seed=3)
    plan = slot_periods(scenario.agents[0], scenario, generator(3, 0, "breaks",
                                                                 Owner.AGENT_GROUP, 0))
    assert periods(result.records.staffed) == sorted(p for slot in plan for p in slot)
    scheduled = per_interval(result, "scheduled_agents")
    staffed = per_interval(result, "staffed_agents")
    assert scheduled == [4, 4, 4, 6, 6, 6]
    assert all(s <= c for s, c in zip(staffed, scheduled, strict=True))
    assert staffed[2] == 0  # everyone on the fixed break from 00:20 to 00:30
    assert sum(staffed) < sum(scheduled) - 4  # the break alone takes 4 agent-intervals


def test_shrinkage_never_adds_agents_on_common_random_numbers() -> None:
    rng = generator(9, 0, "breaks", Owner.AGENT_GROUP, 0)
    plan = [3, 8, 12, 12, 5, 0, 7]
    low = present_counts(plan, 0.1, rng.spawn(2)[1])
    high = present_counts(plan, 0.3, generator(9, 0, "breaks", Owner.AGENT_GROUP, 0).spawn(2)[1])
    assert all(h <= lo <= n for h, lo, n in zip(high, low, plan, strict=True))
    assert present_counts(plan, 0.0, rng) == plan


def test_a_break_at_the_peak_raises_asa_on_common_random_numbers() -> None:
    def centre(breaks: list[dict[str, Any]]) -> simcall.Scenario:
        return simcall.from_dict({
            "name": "peak", "interval": "30min", "intervals": 4, "open": "08:00",
            "callers": [{"name": "c", "arrivals_per_hour": [40, 80, 40, 40],
                         "enters": "support"}],
            "departments": [{"name": "support",
                             "talk": {"dist": "exponential", "mean": "4min"}}],
            "agents": [{"name": "team", "skills": ["support"], "shifts": [
                {"start": "08:00", "end": "10:00", "agents": 4, "breaks": breaks},
                {"start": "08:00", "end": "10:00", "agents": 2},
            ]}],
        })

    without = centre([])
    with_break = centre([{"at": "08:30", "length": "20min"}])  # 4 of 6 agents, at the peak
    asa_without, asa_with = [], []
    for replication in range(5):
        a = simcall.simulate(without, seed=11, replication=replication)
        b = simcall.simulate(with_break, seed=11, replication=replication)
        np.testing.assert_array_equal(a.records.calls.arrival, b.records.calls.arrival)
        asa_without.append(a.metrics.intervals[1]["asa_s"])
        asa_with.append(b.metrics.intervals[1]["asa_s"])
        assert b.metrics.intervals[1]["staffed_agents"] < a.metrics.intervals[1][
            "staffed_agents"]
        assert b.kpis["asa_s"] >= a.kpis["asa_s"]
    assert np.mean(asa_with) > np.mean(asa_without) + 10


# -- the plan in time (pure functions) -----------------------------------------------------


def test_staff_lists_become_one_period_per_scheduled_spell() -> None:
    scenario = scenario_from(interval="100s", intervals=5, agents=team(staff=[1, 3, 2, 0, 2]))
    assert sorted(scheduled_periods(scenario.agents[0], scenario)) == [
        (0, 300), (100, 200), (100, 300), (400, 500), (400, 500)]


def test_subtract_merges_overlapping_breaks() -> None:
    assert subtract(0, 100, [(10, 20), (15, 30), (90, 120), (-5, 2)]) == [
        (2, 10), (30, 90)]
    assert subtract(0, 100, []) == [(0, 100)]
    assert subtract(0, 100, [(0, 100)]) == []


def test_clock_labels() -> None:
    assert clock_seconds("08:30") == 8.5 * 3600
    assert clock_seconds("00:30+1d") == 86_400 + 1800
    assert clock_seconds("08:00:30") == 8 * 3600 + 30


def test_a_shift_past_midnight_is_written_with_plus_one_day() -> None:
    scenario = scenario_from(open="22:00", interval="1h", intervals=4, agents=team(shifts=[
        {"start": "22:00", "end": "02:00+1d", "agents": 1,
         "breaks": [{"at": "00:00+1d", "length": "30min"}]},
    ]))
    assert scheduled_periods(scenario.agents[0], scenario) == [(0, 4 * 3600)]


# -- validation -----------------------------------------------------------------------------


def _problems(agents: list[dict[str, Any]], **top: Any) -> str:
    with pytest.raises(ScenarioError) as caught:
        scenario_from(**{**TEN_MINUTES, **top}, agents=agents)
    return str(caught.value)


@pytest.mark.parametrize(
    ("shifts", "expected"),
    [
        ([{"start": "00:20", "end": "00:10", "agents": 1}],
         "agents[0].shifts[0].end: the shift must end after it starts (00:20), got 00:10"),
        ([{"start": "00:00", "end": "00:40", "agents": 1}],
         "agents[0].shifts[0].end: 00:40 is after the last interval ends (00:30)"),
        ([{"start": "00:00", "end": "00:30", "agents": 1.5}],
         "agents[0].shifts[0].agents: expected a whole number, got 1.5"),
        ([{"start": "8h", "end": "00:30", "agents": 1}],
         "agents[0].shifts[0].start: '8h' is not a clock time"),
        ([{"start": "00:00", "end": "24:00", "agents": 1}],
         'write midnight at the end of the day as "00:00+1d"'),
        ([{"start": "00:00", "end": "00:30", "agents": 1,
           "breaks": [{"at": "00:10", "within": ["00:10", "00:20"], "length": 60}]}],
         "agents[0].shifts[0].breaks[0]: give either 'at' (a fixed clock time) or 'within'"),
        ([{"start": "00:00", "end": "00:30", "agents": 1,
           "breaks": [{"within": ["00:10", "00:12"], "length": "5min"}]}],
         "is longer than its window"),
        ([{"start": "00:00", "end": "00:30", "agents": 1,
           "breaks": [{"within": ["00:20", "00:10"], "length": "5min"}]}],
         "within: the window must end after it starts"),
        ([{"start": "00:05", "end": "00:30", "agents": 1,
           "breaks": [{"within": ["00:00", "00:20"], "length": "5min"}]}],
         "agents[0].shifts[0].breaks[0].within: the window ['00:00', '00:20'] is not inside "
         "the shift (00:05 to 00:30)"),
        ([{"start": "00:00", "end": "00:30", "agents": 1,
           "breaks": [{"at": "00:10", "lenght": "5min"}]}],
         "agents[0].shifts[0].breaks[0].lenght: unknown key 'lenght' (did you mean 'length'?); "
         "allowed here: at, length, within"),
        ([{"start": "00:00", "end": "00:30", "agent": 1}],
         "unknown key 'agent' (did you mean 'agents'?); allowed here: agents, breaks, end, start"),
        ([], "agents[0].shifts: needs at least one entry"),
    ],
)
def test_shift_mistakes_are_named_by_their_key(shifts: list, expected: str) -> None:
    assert expected in _problems(team(shifts=shifts))


def test_a_shift_before_opening_names_the_opening_time() -> None:
    message = _problems(team(shifts=[{"start": "07:00", "end": "08:10", "agents": 1}]),
                        open="08:00")
    assert 'agents[0].shifts[0].start: 07:00 is before the centre opens (open = "08:00")' in (
        message)


def test_fixed_breaks_may_touch_but_not_overlap() -> None:
    ok = scenario_from(**TEN_MINUTES, agents=team(shifts=[
        {"start": "00:00", "end": "00:30", "agents": 1, "breaks": [
            {"at": "00:10", "length": "5min"}, {"at": "00:15", "length": "5min"}]}]))
    assert ok.agents[0].shifts is not None
    message = _problems(team(shifts=[
        {"start": "00:00", "end": "00:30", "agents": 1, "breaks": [
            {"at": "00:05", "length": "20min"}, {"at": "00:10", "length": "1min"},
            {"at": "00:20", "length": "1min"}]}]))
    assert "breaks[1].at: the break (00:10 to 00:11) overlaps breaks[0] (until 00:25)" in message
    assert "breaks[2].at: the break (00:20 to 00:21) overlaps breaks[0] (until 00:25)" in message


@pytest.mark.parametrize("value", [1, 1.5, -0.1, "10%"])
def test_shrinkage_is_a_share_below_one(value: object) -> None:
    assert "agents[0].shrinkage" in _problems(team(staff=1, shrinkage=value))


def test_staff_or_shifts_exactly_one() -> None:
    assert "give either 'staff' (agents per interval) or 'shifts', not both" in _problems(
        team(staff=1, shifts=[{"start": "00:00", "end": "00:30", "agents": 1}]))
    assert "agents[0]: needs 'staff' (agents per interval) or 'shifts'" in _problems(team())


def test_a_window_break_that_fits_exactly_is_fine() -> None:
    scenario = scenario_from(**TEN_MINUTES, agents=team(shifts=[
        {"start": "00:00", "end": "00:30", "agents": 1,
         "breaks": [{"within": ["00:10", "00:15"], "length": "5min"}]}]))
    _, result = run(scenario, [])
    assert periods(result.records.staffed) == [(0, 600), (900, 1800)]
    assert not math.isnan(result.metrics.agent_groups["team"]["staffed_agents"])
    assert (result.records.calls.outcome == Outcome.ANSWERED).sum() == 0
