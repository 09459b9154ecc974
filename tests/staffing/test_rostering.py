"""Shift rostering: coverage, optimality against brute force, breaks, the scenario form, errors.

The checks here do not trust the module's own arithmetic: coverage is recomputed from
each shift's on-duty time in the test, optimality is compared with an enumeration of
every roster on small cases, and the ``shifts`` list goes through the scenario loader
and the engine's roster functions.
"""

from __future__ import annotations

import copy
import itertools
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import simcall
from helpers import BASE
from simcall.errors import MissingExtraError
from simcall.staffing import (
    BreakRule,
    RosteringError,
    RosterShift,
    RosterSolveError,
    ShiftRoster,
    plan_shifts,
    shifts_coverage,
)

H, HALF = 3600, 1800


def on_duty_per_interval(shift: RosterShift, interval: float, intervals: int) -> list[float]:
    """Agents on duty in each interval, counted minute by minute
    (every time in these tests is a whole minute), divided by the interval."""
    out = []
    for k in range(intervals):
        minutes = 0
        for t in range(int(k * interval), int((k + 1) * interval), 60):
            working = shift.start <= t < shift.start + shift.length
            resting = (shift.break_start is not None
                       and shift.break_start <= t < shift.break_start + shift.break_length)
            minutes += working and not resting
        out.append(minutes * 60 / interval)
    return out


def coverage_of(roster: ShiftRoster, intervals: int) -> np.ndarray:
    total = np.zeros(intervals)
    for shift in roster.shifts:
        total += shift.count * np.array(on_duty_per_interval(shift, roster.interval, intervals))
    return total


def check_roster(roster: ShiftRoster, requirement: Sequence[int], intervals: int) -> None:
    """What every roster must satisfy, whatever the case."""
    mine = coverage_of(roster, intervals)
    assert np.allclose(mine, roster.coverage)
    assert (mine >= np.asarray(requirement) - 1e-9).all()
    assert roster.paid_hours == pytest.approx(sum(s.count * s.length for s in roster.shifts) / H)
    assert roster.agents == sum(s.count for s in roster.shifts)
    assert all(s.count >= 1 for s in roster.shifts)
    roster.verify()


def scenario_with(roster: ShiftRoster, intervals: int) -> simcall.Scenario:
    data = copy.deepcopy(BASE)
    data.update(interval=roster.interval, intervals=intervals, open=roster.opening)
    data["agents"][0].pop("staff")
    data["agents"][0]["shifts"] = roster.to_shifts()
    return simcall.from_dict(data)


# -- coverage, for random requirements ------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_every_interval_is_covered(data: st.DataObject) -> None:
    intervals = data.draw(st.integers(4, 12), label="intervals")
    requirement = data.draw(st.lists(st.integers(0, 6), min_size=intervals,
                                     max_size=intervals), label="requirement")
    lengths = data.draw(st.lists(st.sampled_from([2 * H, 3 * H, 4 * H]), min_size=1,
                                 max_size=3, unique=True), label="lengths")
    lengths = [length for length in lengths if length <= intervals * HALF] or [2 * H]
    starts_every = data.draw(st.sampled_from([900, HALF, H]), label="starts_every")
    with_break = max(lengths) >= 3 * H and data.draw(st.booleans(), label="break")
    rule = BreakRule(length=900, earliest=H, latest=3 * H, step=900) if with_break else None
    try:
        roster = plan_shifts(requirement, interval=HALF, intervals=intervals,
                             shift_lengths=lengths, opening="07:00", starts_every=starts_every,
                             breaks=rule)
    except RosteringError as exc:  # a coarse grid may leave the last intervals bare
        assert "no allowed shift covers" in str(exc)
        assert starts_every == H
        return
    check_roster(roster, requirement, intervals)
    if roster.shifts:  # a scenario group needs at least one shift
        assert scenario_with(roster, intervals).agents[0].shifts is not None
    for shift in roster.shifts:
        assert shift.start + shift.length <= intervals * HALF
        if shift.break_start is not None:
            offset = shift.break_start - shift.start
            assert offset >= H and offset + shift.break_length <= 3 * H


# -- optimality, against every roster on small cases ----------------------------------------


def columns(lengths: Sequence[int], starts_every: int, horizon: int,
            rule: tuple[int, int, int, int] | None) -> list[tuple[int, int, int | None, int]]:
    """(start, length, break offset or None, break step index), independently of the module;
    ``rule`` = (length, earliest, latest, step), for every shift the window fits."""
    out: list[tuple[int, int, int | None, int]] = []
    for length in lengths:
        for start in range(0, horizon - length + 1, starts_every):
            if rule is None or rule[2] > length:
                out.append((start, length, None, 0))
                continue
            size, earliest, latest, step = rule
            for i, offset in enumerate(range(earliest, latest - size + 1, step)):
                out.append((start, length, offset, i))
    return out


def brute_force(requirement: Sequence[int], interval: int, lengths: Sequence[int],
                starts_every: int, rule: tuple[int, int, int, int] | None
                ) -> tuple[float, int, int, int]:
    """The least (paid hours, agents, sum of start steps, sum of break steps) over every
    roster with at most max(requirement) agents per column.

    The bound is safe here: every time is on the interval grid, so an agent covers an
    interval wholly or not at all, and more agents of one column than any interval needs
    can be cut to that many without uncovering anything.
    """
    horizon = interval * len(requirement)
    cols = columns(lengths, starts_every, horizon, rule)
    a = np.zeros((len(requirement), len(cols)))
    for j, (start, length, offset, _) in enumerate(cols):
        for k in range(len(requirement)):
            inside = start <= k * interval and (k + 1) * interval <= start + length
            resting = offset is not None and start + offset == k * interval
            a[k, j] = inside and not resting
    bound = max(requirement)
    counts = np.array(list(itertools.product(range(bound + 1), repeat=len(cols))))
    feasible = counts[((counts @ a.T) >= np.asarray(requirement)).all(axis=1)]
    paid = feasible @ [c[1] for c in cols]
    agents = feasible.sum(axis=1)
    starts = feasible @ [c[0] // starts_every for c in cols]
    breaks = feasible @ [c[3] for c in cols]
    best = np.lexsort((breaks, starts, agents, paid))[0]
    return (float(paid[best]) / H, int(agents[best]), int(starts[best]), int(breaks[best]))


def solver_key(roster: ShiftRoster, starts_every: int,
               rule: tuple[int, int, int, int] | None) -> tuple[float, int, int, int]:
    breaks = sum(s.count * (s.break_start - s.start - rule[1]) // rule[3]
                 for s in roster.shifts if s.break_start is not None and rule is not None)
    return (roster.paid_hours, roster.agents,
            sum(s.count * s.start // starts_every for s in roster.shifts), int(breaks))


@settings(max_examples=25, deadline=None)
@given(requirement=st.lists(st.integers(0, 3), min_size=8, max_size=8))
def test_cheapest_roster_matches_brute_force(requirement: list[int]) -> None:
    """8 one-hour intervals, 4 h and 6 h shifts starting every 2 h: five columns."""
    lengths, every = [4 * H, 6 * H], 2 * H
    roster = plan_shifts(requirement, interval=H, intervals=8, shift_lengths=lengths,
                         starts_every=every)
    check_roster(roster, requirement, 8)
    assert solver_key(roster, every, None) == brute_force(requirement, H, lengths, every, None)


@settings(max_examples=15, deadline=None)
@given(requirement=st.lists(st.integers(0, 2), min_size=8, max_size=8))
def test_cheapest_roster_with_breaks_matches_brute_force(requirement: list[int]) -> None:
    """6 h shifts with a 1 h break 2 h to 5 h after the start, and 3 h shifts (too short
    for the window: no break), starting every 2 h: nine columns."""
    lengths, every, rule = [6 * H, 3 * H], 2 * H, (H, 2 * H, 5 * H, H)
    roster = plan_shifts(requirement, interval=H, intervals=8, shift_lengths=lengths,
                         starts_every=every, breaks=BreakRule(*rule))
    check_roster(roster, requirement, 8)
    assert solver_key(roster, every, rule) == brute_force(requirement, H, lengths, every, rule)


# -- the structure of the answer ------------------------------------------------------------


def test_flat_requirement_and_a_day_long_shift_is_one_shift() -> None:
    roster = plan_shifts([5] * 8, interval=H, intervals=8, shift_lengths=[8 * H],
                         opening="09:00")
    assert roster.to_shifts() == [{"start": "09:00", "end": "17:00", "agents": 5}]
    assert roster.coverage == (5.0,) * 8
    assert roster.paid_hours == 40 and roster.agents == 5


def test_peaks_are_met_by_short_shifts() -> None:
    """A 16 h day with 3 agents all day and 5 more for a morning and an evening peak
    nine hours apart: no 8 h shift spans both, so short shifts take the peaks."""
    requirement = [3] * 32
    morning, evening = range(4, 10), range(22, 28)  # 08:00-11:00 and 17:00-20:00
    for k in [*morning, *evening]:
        requirement[k] += 5
    roster = plan_shifts(requirement, interval=HALF, intervals=32, opening="06:00",
                         shift_lengths=[8 * H, 4 * H])
    check_roster(roster, requirement, 32)
    short = [s for s in roster.shifts if s.length == 4 * H]
    assert short
    for peak in (morning, evening):
        low, high = peak[0] * HALF, (peak[-1] + 1) * HALF
        on_peak = [s for s in short if s.start < high and s.end > low]
        assert sum(s.count for s in on_peak) >= 5
    for shift in short:  # every short shift is there for a peak
        assert any(shift.start < (p[-1] + 1) * HALF and shift.end > p[0] * HALF
                   for p in (morning, evening))
    long = [s for s in roster.shifts if s.length == 8 * H]
    assert sum(s.count for s in long if s.start == 0) >= 3  # the base is the long shifts'


def test_ties_go_to_fewer_agents_then_earlier_starts_then_earlier_breaks() -> None:
    one_long = plan_shifts([1] * 8, interval=H, intervals=8, shift_lengths=[8 * H, 4 * H])
    assert [(s.length, s.count) for s in one_long.shifts] == [(8 * H, 1)]
    earliest = plan_shifts([0, 0, 1, 0, 0, 0], interval=H, intervals=6, shift_lengths=[2 * H])
    assert [(s.start, s.count) for s in earliest.shifts] == [(H, 1)]
    first_break = plan_shifts([1, 0, 0, 0], interval=H, intervals=4, shift_lengths=[4 * H],
                              breaks=BreakRule(H, H, 3 * H))
    assert [(s.break_start, s.count) for s in first_break.shifts] == [(H, 1)]


def test_the_same_input_gives_the_same_roster() -> None:
    requirement = [2, 3, 5, 5, 4, 4, 6, 6, 3, 2, 2, 1]
    kwargs: dict[str, Any] = dict(interval=HALF, intervals=12, shift_lengths=[4 * H, 3 * H],
                                  breaks=BreakRule(HALF, H, 3 * H))
    assert plan_shifts(requirement, **kwargs) == plan_shifts(requirement, **kwargs)


# -- breaks ---------------------------------------------------------------------------------


def test_an_agent_on_break_does_not_count_and_the_break_is_in_its_window() -> None:
    """Two agents all day, with a 30 min break 3 h to 5 h into an 8 h day: two agents
    cannot both be on duty through their breaks, so a third is hired."""
    rule = BreakRule(length=HALF, earliest=3 * H, latest=5 * H)
    roster = plan_shifts([2] * 16, interval=HALF, intervals=16, shift_lengths=[8 * H],
                         breaks=rule)
    check_roster(roster, [2] * 16, 16)
    assert roster.agents == 3
    for k in range(16):
        resting = sum(s.count for s in roster.shifts
                      if s.break_start is not None and s.break_start == k * HALF)
        assert roster.coverage[k] == roster.agents - resting
    for shift in roster.shifts:
        assert shift.break_start is not None
        assert 3 * H <= shift.break_start - shift.start <= 5 * H - HALF


def test_a_break_inside_an_interval_takes_a_share_of_an_agent() -> None:
    """A 15 min break on 30 min intervals: half an agent is off duty in that interval,
    and the engine reading the shifts back agrees."""
    rule = BreakRule(length=900, earliest=H, latest=3 * H, step=900)
    alone = plan_shifts([1, 1, 0, 0, 0, 0, 0, 0], interval=HALF, intervals=8,
                        shift_lengths=[4 * H], breaks=rule)
    check_roster(alone, [1, 1, 0, 0, 0, 0, 0, 0], 8)
    assert alone.agents == 1
    assert sorted(alone.coverage) == [0.5] + [1.0] * 7
    all_day = plan_shifts([1] * 8, interval=HALF, intervals=8, shift_lengths=[4 * H],
                          breaks=rule)
    check_roster(all_day, [1] * 8, 8)
    assert all_day.agents == 2  # one agent alone would be half an agent short in its break


def test_short_shifts_get_no_break_from_a_rule_whose_window_they_do_not_reach() -> None:
    roster = plan_shifts([1] * 12, interval=H, intervals=12, shift_lengths=[8 * H, 4 * H],
                         breaks=BreakRule(HALF, 3 * H, 5 * H))
    for shift in roster.shifts:
        assert (shift.break_start is None) == (shift.length == 4 * H)


def test_rules_per_shift_length() -> None:
    rules = {8 * H: BreakRule(H, 3 * H, 5 * H), 4 * H: BreakRule(900, H, 2 * H, 900)}
    roster = plan_shifts([2] * 16, interval=HALF, intervals=16, shift_lengths=[8 * H, 4 * H],
                         breaks=rules)
    check_roster(roster, [2] * 16, 16)
    for shift in roster.shifts:
        assert shift.break_length == (H if shift.length == 8 * H else 900)


# -- the scenario form ----------------------------------------------------------------------


def test_to_shifts_is_a_valid_scenario_and_reads_back_as_the_roster() -> None:
    requirement = [1, 2, 3, 3, 4, 4, 3, 2, 2, 3, 3, 1]
    roster = plan_shifts(requirement, interval=H, intervals=12, opening="18:00",
                         shift_lengths=[8 * H, 4 * H], breaks=BreakRule(HALF, 3 * H, 5 * H))
    shifts = roster.to_shifts()
    scenario = scenario_with(roster, 12)
    assert [s.agents for s in scenario.agents[0].shifts or ()] == [s["agents"] for s in shifts]
    assert any("+1d" in s["end"] for s in shifts)  # past midnight, as the scenario writes it
    assert all(b["at"] for s in shifts for b in s.get("breaks", []))
    read = shifts_coverage(shifts, interval=H, intervals=12, opening="18:00")
    assert read == pytest.approx(roster.coverage)
    report = simcall.simulate(scenario, seed=1)  # and the engine runs it
    assert report.kpis["offered"] >= 0


def test_to_shifts_merges_identical_shifts() -> None:
    twice = RosterShift(start=0.0, length=2 * H, break_start=None, break_length=0.0, count=2)
    roster = ShiftRoster(shifts=(twice, twice), requirement=(4, 4), coverage=(4.0, 4.0),
                         interval=H, opening="08:00", cost_per_hour=20.0)
    assert roster.to_shifts() == [{"start": "08:00", "end": "10:00", "agents": 4}]
    roster.verify()
    assert roster.cost == 160.0


def test_verify_sees_a_roster_that_does_not_read_back() -> None:
    """The check can fail: a coverage that the shifts do not give is named by interval."""
    shift = RosterShift(start=0.0, length=H, break_start=None, break_length=0.0, count=1)
    roster = ShiftRoster(shifts=(shift,), requirement=(1, 1), coverage=(1.0, 1.0),
                         interval=H, opening="08:00", cost_per_hour=1.0)
    with pytest.raises(RosteringError, match="09:00"):
        roster.verify()


def test_to_frame() -> None:
    roster = plan_shifts([2, 2, 3, 3], interval=H, intervals=4, shift_lengths=[4 * H, 2 * H],
                         cost_per_hour=25.0)
    frame = roster.to_frame()
    assert list(frame.columns) == ["start", "end", "hours", "break_at", "break_min", "agents",
                                   "paid_hours", "cost"]
    assert len(frame) == len(roster.shifts)
    assert frame["cost"].sum() == pytest.approx(roster.cost)


def test_to_frame_without_pandas_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    roster = plan_shifts([1], interval=H, intervals=1, shift_lengths=[H])
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'simcall\[pandas\]'"):
        roster.to_frame()


def test_nothing_needed_is_an_empty_roster() -> None:
    roster = plan_shifts([0, 0, 0], interval=H, intervals=3, shift_lengths=[2 * H])
    assert roster.shifts == () and roster.to_shifts() == [] and roster.cost == 0
    roster.verify()


# -- errors ---------------------------------------------------------------------------------


def plan(**changes: Any) -> ShiftRoster:
    kwargs: dict[str, Any] = dict(requirement=[1, 2, 2, 1], interval=H, intervals=4,
                                  shift_lengths=[2 * H], opening="08:00")
    kwargs.update(changes)
    return plan_shifts(kwargs.pop("requirement"), **kwargs)


@pytest.mark.parametrize(("changes", "message"), [
    ({"shift_lengths": [5 * H]}, "18000 s .* longer than the opening hours"),
    ({"shift_lengths": [0]}, "shift_lengths: 0 s .* positive"),
    ({"shift_lengths": [-H]}, "shift_lengths: -3600 s .* positive"),
    ({"shift_lengths": []}, "shift_lengths is empty"),
    ({"breaks": {2 * H: BreakRule(900, H, 3 * H)}}, "window ends 10800 s .* 7200 s shift"),
    ({"breaks": BreakRule(900, H, 3 * H)}, "outside every shift .* 7200 s"),
    ({"breaks": BreakRule(H, 900, 2700)}, r"break \(3600 s\) is longer than its window"),
    ({"breaks": BreakRule(900, H, H)}, "window must end after it starts"),
    ({"breaks": BreakRule(900, -60, H)}, "earliest .* got -60"),
    ({"breaks": {3 * H: BreakRule(900, 0, H)}}, "10800 s is not one of the shift lengths"),
    ({"breaks": BreakRule(900, 0, H, step=1000)}, "step = 1000 s does not fit"),
    ({"starts_every": 2400}, "starts_every = 2400 s does not fit the 3600 s interval"),
    ({"starts_every": 0}, "starts_every must be a positive"),
    ({"starts_every": 5 * H}, "starts_every = 18000 s is longer than the day"),
    ({"requirement": [1, 2, 2]}, "3 values but there are 4 intervals"),
    ({"requirement": [1, 2, -1, 1]}, r"requirement\[2\] = -1"),
    ({"requirement": [1, 2.5, 1, 1]}, r"requirement\[1\] = 2.5"),
    ({"interval": 0}, "interval must be a positive"),
    ({"intervals": 0, "requirement": []}, "intervals must be a whole number >= 1, got 0"),
    ({"opening": "8h"}, "opening .* got '8h'"),
    ({"cost_per_hour": 0}, "cost_per_hour .* got 0"),
    ({"time_limit": -1}, "time_limit .* got -1"),
])
def test_bad_inputs_are_named(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(RosteringError, match=message):
        plan(**changes)


def test_an_interval_no_shift_reaches_is_named_by_its_clock() -> None:
    """3 h shifts starting every 3 h in an 8 h day from 08:00: 14:00 and 15:00 are bare."""
    with pytest.raises(RosteringError, match="starting 14:00, 15:00, which need agents"):
        plan_shifts([1] * 8, interval=H, intervals=8, shift_lengths=[3 * H],
                    starts_every=3 * H, opening="08:00")
    roster = plan_shifts([1] * 6 + [0, 0], interval=H, intervals=8, shift_lengths=[3 * H],
                         starts_every=3 * H, opening="08:00")  # no need there: no problem
    assert roster.agents == 2


def test_the_solver_at_its_time_limit_says_so() -> None:
    """96 quarter hours, three shift lengths, breaks on a 15 min grid: 2,151 candidates,
    far more than a microsecond's work."""
    requirement = np.random.default_rng(1).integers(0, 30, 96).tolist()
    with pytest.raises(RosterSolveError, match=r"time limit .* time_limit = 1e-06 s"):
        plan_shifts(requirement, interval=900, intervals=96, shift_lengths=[8 * H, 6 * H, 4 * H],
                    breaks=BreakRule(HALF, 2 * H, 6 * H, 900), time_limit=1e-6)


def test_a_failing_solver_gives_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import scipy.optimize
    from scipy.optimize import OptimizeResult

    def broken(*args: Any, **kwargs: Any) -> OptimizeResult:
        return OptimizeResult(status=4, x=None, message="mocked numerical trouble")

    monkeypatch.setattr(scipy.optimize, "milp", broken)
    with pytest.raises(RosterSolveError, match=r"failed \(status 4\).*mocked numerical"):
        plan()
