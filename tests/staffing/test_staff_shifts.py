"""Staffing in shifts: the plan turned into the cheapest roster, verified as a roster.

What is checked, and how: the roster covers the requirement interval by interval (as the
engine reads its shifts, not as the solver says); it is the cheapest roster of that
requirement (the integer program against enumeration is in ``test_rostering``; here the
roster in the result is the one the solver gives for the final requirement); the scenario
returned is staffed by those shifts and its verification is what fresh replications of
it say (in ``test_staff``, the "rostered" case); a group already on shifts is rostered
again; ``--out`` swaps ``staff`` for ``shifts`` and keeps the rest of the file; every bad
input is a clear error with exit code 2 and nothing written.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helpers import SCENARIOS
from simcall.cli import app
from simcall.results.provenance import scenario_data
from simcall.scenario.loader import from_dict, load
from simcall.scenario.toml_edit import HEADER_END
from simcall.staffing.rostering import plan_shifts
from simcall.staffing.search import StaffingPlan, staff
from simcall.staffing.shift_roster import RosteringError, shifts_coverage
from simcall.staffing.shift_rules import ShiftRules

SEED = 7
R, V = 12, 40  # fresh replications enough for a roster that holds to show it


def peaks(intervals: int = 8) -> dict[str, Any]:
    """The help desk over four hours with two peaks."""
    data = scenario_data(load(SCENARIOS / "helpdesk.toml"))
    data.update(intervals=intervals)
    data["callers"][0]["arrivals_per_hour"] = [60, 130, 150, 90, 80, 140, 120, 60][:intervals]
    return data


RULES = ShiftRules.parse("4h,2h", breaks="15min within 1h..3h", cost_per_hour=20)


@pytest.fixture(scope="module")
def rostered() -> StaffingPlan:
    return staff(from_dict(peaks()), replications=R, verify_replications=V, seed=SEED,
                 shifts=RULES)


def test_the_roster_covers_the_requirement_in_every_interval(rostered: StaffingPlan) -> None:
    """Read back by the engine from the scenario returned, the shifts keep at least the
    requirement on duty (and not on break) in every interval."""
    (group,) = rostered.groups
    entry = next(g for g in scenario_data(rostered.scenario)["agents"] if g["name"] == group)
    assert "staff" not in entry
    coverage = shifts_coverage(entry["shifts"], interval=rostered.scenario.interval,
                               intervals=rostered.scenario.intervals,
                               opening=rostered.scenario.open)
    for k, need in enumerate(rostered.plan[group]):
        assert coverage[k] >= need - 1e-9, (rostered.labels[k], coverage[k], need)
        assert rostered.coverage(group, k) == pytest.approx(coverage[k])


def test_the_roster_is_the_cheapest_for_the_final_requirement(rostered: StaffingPlan) -> None:
    (group,) = rostered.groups
    cheapest = plan_shifts(rostered.plan[group], interval=1800.0, intervals=8,
                           shift_lengths=RULES.lengths, opening="08:00", breaks=RULES.breaks,
                           cost_per_hour=20.0)
    assert rostered.rosters[group] == cheapest
    assert rostered.paid_hours() == cheapest.paid_hours
    assert rostered.to_json()["roster"]["cost"] == pytest.approx(20 * cheapest.paid_hours)


def test_the_roster_holds_on_fresh_replications(rostered: StaffingPlan) -> None:
    """The roster returned meets every target in every interval with the confidence asked
    for, on its last verification round (whose figures ``test_staff`` recomputes with
    scipy), and its scenario runs with its shifts and breaks."""
    assert rostered.holds, rostered.shortfall()
    assert all(c.confidence is None or c.confidence >= 0.95 for c in rostered.checks[-1])
    groups = {g.name: g for g in rostered.scenario.agents}
    assert groups[rostered.groups[0]].shifts


def test_paid_hours_count_whole_shifts_and_cover_the_plan(rostered: StaffingPlan) -> None:
    roster = rostered.rosters[rostered.groups[0]]
    assert rostered.paid_hours() == sum(s.count * s.length for s in roster.shifts) / 3600
    assert rostered.paid_hours() >= rostered.agent_hours()  # whole shifts cover at least it
    frame = rostered.roster_frame()
    assert frame["agents"].sum() == roster.agents
    assert frame["paid_hours"].sum() == pytest.approx(rostered.paid_hours())
    table = rostered.to_frame()
    assert list(table["rostered"]) == list(roster.coverage)


def test_a_group_on_shifts_is_rostered_again() -> None:
    """``breaks.toml`` staffs both groups by shifts: with shift rules both are rostered."""
    scenario = load(SCENARIOS / "breaks.toml")
    result = staff(scenario, replications=9, verify_replications=7, seed=SEED,
                   shifts=ShiftRules.parse("8h,4h"), budget=1)
    assert set(result.groups) == {g.name for g in scenario.agents}
    for group in result.scenario.agents:
        assert group.shifts is not None and group.staff is None
        roster = result.rosters[group.name]
        assert all(math.isclose(c, n) or c > n
                   for c, n in zip(roster.coverage, result.plan[group.name], strict=True))


def test_a_break_window_in_fractions_of_hours_is_read() -> None:
    rule = ShiftRules.parse("8h", breaks="30min within 2.5h..4.5h").breaks
    assert rule is not None and (rule.length, rule.earliest, rule.latest) == (1800, 9000, 16200)


@pytest.mark.parametrize(("words", "message"), [
    ({"shifts": "8h,"}, None),  # a trailing comma is fine
    ({"shifts": ""}, r"shifts \(--shifts\) '': give the allowed shift lengths"),
    ({"shifts": "8h,eight"}, r"shifts \(--shifts\): 'eight' is not a duration"),
    ({"shifts": "8h", "breaks": "30min in 3h-5h"},
     r"breaks \(--break\) '30min in 3h-5h': write"),
    ({"shifts": "8h", "breaks": "30min within x..5h"},
     r"breaks \(--break\): 'x' is not a duration"),
    ({"shifts": "8h", "cost_per_hour": -3.0},
     r"cost_per_hour \(--cost-per-hour\) -3\.0: must be a positive"),
    ({"shifts": "8h", "starts_every": "0min"},
     r"starts_every \(--starts-every\): '0min' must be longer than 0"),
])
def test_shift_words_are_read_or_named(words: dict[str, Any], message: str | None) -> None:
    if message is None:
        assert ShiftRules.parse(**words).lengths == (28800.0,)
        return
    with pytest.raises(RosteringError, match=message):
        ShiftRules.parse(**words)


# -- command line -----------------------------------------------------------------------


def _scenario_file(tmp_path: Path) -> Path:
    """The help desk's own file (its comments and units), over four hours with two peaks."""
    path = tmp_path / "peaks.toml"
    text = (SCENARIOS / "helpdesk.toml").read_text().replace(
        "intervals = 16 ", "intervals = 8  ").replace(
        "arrivals_per_hour = 120 ", "arrivals_per_hour = [60, 130, 150, 90, 80, 140, 120, 60] ")
    path.write_text(text)
    assert load(path) == from_dict(peaks())
    return path


def test_cli_writes_the_roster_into_the_planners_file(tmp_path: Path) -> None:
    source = _scenario_file(tmp_path)
    out = tmp_path / "rostered.toml"
    result = CliRunner().invoke(app, [
        "staff", str(source), "-r", str(R), "--verify", str(V), "--seed", str(SEED),
        "--workers", "1", "--shifts", "4h,2h", "--break", "15min within 1h..3h",
        "--cost-per-hour", "20", "--out", str(out)], terminal_width=160)
    assert result.exit_code == 0, result.output
    assert "Roster" in result.output and "paid hours" in result.output
    text = out.read_text()
    header, _, body = text.partition(HEADER_END + "\n")
    assert "roster:" in header
    # every line of the planner's file is kept, byte for byte, but the staff line, whose
    # place the shifts take
    original = source.read_text().splitlines()
    staff_line = next(i for i, line in enumerate(original) if line.startswith("staff ="))
    written = body.removeprefix("\n").splitlines()  # a blank line after the header
    assert written[:staff_line] == original[:staff_line]
    assert written[staff_line].startswith("shifts = [")
    assert written[-len(original) + staff_line + 1:] == original[staff_line + 1:] or (
        staff_line == len(original) - 1)
    expected = staff(load(source), replications=R, verify_replications=V, seed=SEED,
                     shifts=RULES)
    assert load(out) == expected.scenario


@pytest.mark.parametrize(("options", "message"), [
    (["--shifts", "12h"], "longer than the opening hours"),
    (["--shifts", "2h", "--break", "30min within 1h..3h"], "outside every shift"),
    (["--shifts", "1h", "--starts-every", "1h", "--break", "30min within 0min..20min"],
     "longer than its window"),
    (["--shifts", "1h", "--starts-every", "3h"], "no allowed shift covers the interval"),
    (["--break", "30min within 1h..3h"], "--break: only with --shifts"),
    (["--shifts", "4h", "--break", "lunch"], "breaks (--break) 'lunch'"),
    (["--shifts", "4h", "--group", "nobody"], "'nobody': no agent group"),
    (["--shifts", "4h", "--verify", "3"], "--verify) 3: too few to show 95% confidence"),
])
def test_cli_bad_shift_input_exits_2_and_writes_nothing(tmp_path: Path, options: list[str],
                                                        message: str) -> None:
    source = _scenario_file(tmp_path)
    out = tmp_path / "rostered.toml"
    result = CliRunner().invoke(app, ["staff", str(source), "-r", "9", "--verify", "7",
                                      "--workers", "1", "--out", str(out), *options],
                                terminal_width=200)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not out.exists()
