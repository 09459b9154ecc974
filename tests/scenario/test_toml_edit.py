"""Editing a scenario file in place: only the named keys change, the planner's file stays theirs.

Why line-by-line comparisons: the promise is that comments, units, blank lines and key
order survive an edit, and the only honest check of that is the text itself.
"""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import simcall
from helpers import SCENARIOS
from simcall.errors import SimcallError
from simcall.results.provenance import scenario_hash
from simcall.scenario.loader import from_dict
from simcall.scenario.overrides import OverrideError, assign
from simcall.scenario.toml_edit import (
    HEADER_BEGIN,
    HEADER_END,
    REMOVE,
    edit_scenario_text,
    strip_header,
)

HELPDESK = (SCENARIOS / "helpdesk.toml").read_text(encoding="utf-8")

TWO_TEAMS = """\
# Two teams on one queue: a planner's file, comments and all.
name = "two teams"
interval = "30min"        # staffing interval
intervals = 4
open = "08:00"
ring = "6s"

[targets]
service_level = { within = "2 rings", fraction = 0.80 }
max_asa = "20s"           # mean wait

[[callers]]
name = "customers"
arrivals_per_hour = [100, 120, 140, 90]   # a quiet start
patience = { dist = "exponential", mean = "3min" }
enters = "support"

[[departments]]
name = "support"
talk = { dist = "exponential", mean = "4min" }

# the morning team
[[agents]]
name = "day team"
skills = ["support"]
staff = [5, 6, 7, 5]      # 08:00-10:00
shrinkage = 0.05          # absence

[[agents]]
name = "backup"
skills = ["support"]
staff = 2                 # always two
"""

SHIFTS = [
    {"start": "08:00", "end": "10:00", "agents": 4,
     "breaks": [{"at": "09:00", "length": "10min"},
                {"within": ["08:30", "09:30"], "length": "15min"}]},
    {"start": "09:00", "end": "10:00", "agents": 2},
]


def differing(before: str, after: str) -> list[int]:
    """Indices of the lines that differ between two texts of as many lines."""
    old, new = before.splitlines(), after.splitlines()
    assert len(old) == len(new), (before, after)
    return [n for n, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]


def line_of(text: str, start: str, after: int = 0) -> int:
    """The index of the first line from ``after`` on that starts with ``start``."""
    lines = text.splitlines()
    return next(n for n in range(after, len(lines)) if lines[n].startswith(start))


def intended(text: str, changes: dict[str, Any]) -> str:
    """The hash of the scenario ``changes`` make of the parsed data, as ``--set`` makes it."""
    data = tomllib.loads(text)
    for key, value in changes.items():
        data = assign(data, key, value)
    return scenario_hash(from_dict(data))


# -- what stays ----------------------------------------------------------------------------


def test_a_staff_edit_changes_one_line_and_keeps_its_comment() -> None:
    edited = edit_scenario_text(HELPDESK, {"agents.support team.staff": [9, 10, 11]})
    row = line_of(HELPDESK, "staff = ")
    assert differing(HELPDESK, edited) == [row]
    line = edited.splitlines()[row]
    assert line.startswith("staff = [9, 10, 11]")
    assert line.endswith("# or a list of 16 values")
    original = HELPDESK.splitlines()[row]
    assert line.index("#") == original.index("#")  # the comment keeps its column
    for kept in ('interval = "30min"', '"2 rings"', '"4min"', "# staffing/reporting interval"):
        assert kept in edited


def test_several_keys_change_only_their_lines_and_units_stay_as_written() -> None:
    changes: dict[str, Any] = {"intervals": 4, "targets.max_abandon_rate": 0.04,
                               "callers.customers.patience.mean": "5min",
                               "agents.support team.staff": [8, 9, 10, 9]}
    edited = edit_scenario_text(HELPDESK, changes)
    rows = differing(HELPDESK, edited)
    assert [HELPDESK.splitlines()[n].split(" ")[0] for n in rows] == [
        "intervals", "max_abandon_rate", "patience", "staff"]
    lines = edited.splitlines()
    assert lines[rows[0]].startswith("intervals = 4 ") and "# horizon = 8 h" in lines[rows[0]]
    assert lines[rows[2]] == 'patience = { dist = "exponential", mean = "5min" }'
    assert scenario_hash(simcall.loads(edited)) == intended(HELPDESK, changes)


def test_editing_one_group_touches_only_that_group() -> None:
    for name, start in (("day team", 0), ("backup", line_of(TWO_TEAMS, 'name = "backup"'))):
        edited = edit_scenario_text(TWO_TEAMS, {f"agents.{name}.staff": [3, 3, 4, 4]})
        row = line_of(TWO_TEAMS, "staff = ", after=start)
        assert differing(TWO_TEAMS, edited) == [row]
        assert tomllib.loads(edited)["agents"][0 if name == "day team" else 1]["staff"] == [
            3, 3, 4, 4]


def test_a_new_key_goes_at_the_end_of_its_table() -> None:
    edited = edit_scenario_text(HELPDESK, {"targets.max_asa": "20s", "seed": 4})
    old, new = HELPDESK.splitlines(), edited.splitlines()
    asa = new.index('max_asa = "20s"')
    assert new[asa - 1] == "max_abandon_rate = 0.05" and new[asa + 1] == ""
    seed = new.index("seed = 4")
    assert new[seed - 1].startswith('ring = "6s"') and new[seed + 1] == ""
    assert [line for n, line in enumerate(new) if n not in (asa, seed)] == old


# -- staff and shifts ----------------------------------------------------------------------


def test_a_group_switches_from_staff_to_shifts_and_back() -> None:
    to_shifts = {"agents.day team.staff": REMOVE, "agents.day team.shifts": SHIFTS}
    shifted = edit_scenario_text(TWO_TEAMS, to_shifts)
    group = tomllib.loads(shifted)["agents"][0]
    assert list(group) == ["name", "skills", "shifts", "shrinkage"]  # in the place of staff
    assert group["shifts"] == SHIFTS
    row = line_of(TWO_TEAMS, "staff = ")
    old, new = TWO_TEAMS.splitlines(), shifted.splitlines()
    tail = len(old) - row - 1
    assert new[:row] == old[:row] and new[len(new) - tail:] == old[row + 1:]
    block = new[row:len(new) - tail]
    assert block[0] == "shifts = [" and block[-1] == "]"
    assert not any("08:00-10:00" in line for line in block)  # staff's comment left with it
    expected = tomllib.loads(TWO_TEAMS)
    del expected["agents"][0]["staff"]
    expected["agents"][0]["shifts"] = copy.deepcopy(SHIFTS)
    assert scenario_hash(simcall.loads(shifted)) == scenario_hash(from_dict(expected))

    back = edit_scenario_text(shifted, {"agents.day team.shifts": REMOVE,
                                        "agents.day team.staff": [5, 6, 7, 5]})
    assert differing(TWO_TEAMS, back) == [row]
    assert back.splitlines()[row] == "staff = [5, 6, 7, 5]"
    assert simcall.loads(back) == simcall.loads(TWO_TEAMS)


def test_shifts_read_one_per_line_and_a_long_one_has_its_breaks_one_per_line() -> None:
    shifts = [*SHIFTS, {"start": "08:00", "end": "09:00", "agents": 1}]
    edited = edit_scenario_text(TWO_TEAMS, {"agents.backup.staff": REMOVE,
                                            "agents.backup.shifts": shifts})
    tail = edited.splitlines()[line_of(edited, "shifts = ["):]
    assert tail == [
        "shifts = [",
        '  { start = "08:00", end = "10:00", agents = 4, breaks = [',
        '      { at = "09:00", length = "10min" },',
        '      { within = ["08:30", "09:30"], length = "15min" },',
        "  ] },",
        '  { start = "09:00", end = "10:00", agents = 2 },',
        '  { start = "08:00", end = "09:00", agents = 1 },',
        "]",
    ]
    assert tomllib.loads(edited)["agents"][1]["shifts"] == shifts


def test_a_long_staff_list_is_wrapped_in_rows_labelled_with_their_clock_time() -> None:
    staff = [100 + k for k in range(40)]
    edited = edit_scenario_text(HELPDESK, {"intervals": 40,
                                           "callers.customers.arrivals_per_hour": 120,
                                           "agents.support team.staff": staff})
    lines = edited.splitlines()
    rows = lines[line_of(edited, "staff = [") + 1:]
    assert [row.rsplit("# ", 1)[1] for row in rows[:5]] == [
        "08:00", "12:00", "16:00", "20:00", "00:00+1d"]
    assert all(len(row.split("#")[0].rstrip()) <= 100 for row in lines)
    assert rows[5].startswith("]") and rows[5].endswith("# or a list of 16 values")
    assert tomllib.loads(edited)["agents"][0]["staff"] == staff
    assert simcall.loads(edited).agents[0].staff == tuple(staff)


@given(st.lists(st.integers(0, 500), min_size=1, max_size=40))
def test_any_staff_list_loads_back_and_every_other_line_stays(staff: list[int]) -> None:
    edited = edit_scenario_text(HELPDESK, {"agents.support team.staff": staff})
    assert tomllib.loads(edited)["agents"][0]["staff"] == staff
    row = line_of(HELPDESK, "staff = ")
    old, new = HELPDESK.splitlines(), edited.splitlines()
    tail = len(old) - row - 1
    assert new[:row] == old[:row] and new[len(new) - tail:] == old[row + 1:]
    block = new[row:len(new) - tail]
    assert block[0].startswith("staff = [") and block[-1].endswith("# or a list of 16 values")
    assert all(len(line.split("#")[0].rstrip()) <= 100 for line in block)  # the value fits


# -- the header ----------------------------------------------------------------------------


def test_the_header_is_added_on_top_and_replaced_not_stacked() -> None:
    changes = {"agents.support team.staff": [9, 10, 11]}
    first = edit_scenario_text(HELPDESK, changes, header="plan one\nfound today")
    lines = first.splitlines()
    assert lines[:5] == [HEADER_BEGIN, "# plan one", "# found today", HEADER_END, ""]
    assert "\n".join(lines[5:]) + "\n" == edit_scenario_text(HELPDESK, changes)

    second = edit_scenario_text(first, {"agents.support team.staff": [12]}, header="plan two")
    assert second.count(HEADER_BEGIN) == 1 and "plan one" not in second
    assert second.splitlines()[:4] == [HEADER_BEGIN, "# plan two", HEADER_END, ""]
    alone = edit_scenario_text(HELPDESK, {"agents.support team.staff": [12]})
    assert strip_header(second) == alone
    assert edit_scenario_text(second, {}) == alone  # an empty header takes the old one away


def test_a_planners_own_top_comment_is_not_taken_for_a_header() -> None:
    text = "# my notes\n" + HELPDESK
    assert edit_scenario_text(text, {}, header="plan").endswith(text)
    assert strip_header(text) == text


# -- keys that address nothing -------------------------------------------------------------


@pytest.mark.parametrize(("key", "value", "says"), [
    ("agents.nobody.staff", [1], "no agents entry named 'nobody'"),
    ("agent.support team.staff", [1], "did you mean 'agents'"),
    ("agents.7.staff", [1], "no agents entry named '7'"),
    ("name.first", "x", "'name' is a value"),
    ("agents.support team.shifts", REMOVE, "nothing to remove"),
    ("targets.max_asa", REMOVE, "nothing to remove"),
    ("callers.customers", 1, "'callers' is a list of entries"),
])
def test_a_key_that_addresses_nothing_is_named_in_a_clear_error(key: str, value: Any,
                                                                 says: str) -> None:
    with pytest.raises(OverrideError, match=re.escape(says)) as caught:
        edit_scenario_text(HELPDESK, {key: value})
    assert isinstance(caught.value, SimcallError)
    assert f"key '{key}'" in str(caught.value)


def test_entries_are_never_made_up_for_a_file_without_them() -> None:
    text = HELPDESK[:HELPDESK.index("[[agents]]")]
    with pytest.raises(OverrideError, match=re.escape("no [[agents]] entries")):
        edit_scenario_text(text, {"agents.support team.staff": [1]})


def test_a_key_inside_a_removed_one_is_refused() -> None:
    with pytest.raises(OverrideError, match="which an earlier change removes"):
        edit_scenario_text(HELPDESK, {"callers.customers.patience": REMOVE,
                                      "callers.customers.patience.mean": "1min"})


# -- the command ---------------------------------------------------------------------------


def test_staff_out_writes_the_users_file_with_only_the_staff_changed(tmp_path: Path) -> None:
    from simcall.cli import app

    scenario = tmp_path / "helpdesk.toml"
    scenario.write_text(HELPDESK, encoding="utf-8")
    plan = tmp_path / "plan.toml"
    result = CliRunner().invoke(app, [
        "staff", str(scenario), "--out", str(plan), "-r", "9", "--verify", "7", "--workers",
        "1", "--set", "targets.max_abandon_rate=0.06"])
    assert result.exit_code == 0, result.output
    written = plan.read_text(encoding="utf-8")
    assert written.startswith(HEADER_BEGIN + "\n# Staffing plan found by simcall")
    body = strip_header(written)
    rows = differing(HELPDESK, body)
    assert [HELPDESK.splitlines()[n].split(" ")[0] for n in rows] == [
        "max_abandon_rate", "staff"]
    lines = body.splitlines()
    assert lines[rows[0]] == "max_abandon_rate = 0.06"
    assert lines[rows[1]].startswith("staff = [")
    assert lines[rows[1]].endswith("# or a list of 16 values")
    sha = re.search(r"scenario sha256 \(with the plan\): (\w+)", written)
    assert sha is not None and scenario_hash(simcall.load(plan)) == f"sha256:{sha[1]}"


def test_a_plan_file_that_would_not_load_to_the_plan_is_never_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command checks the edited text against the planned scenario, so a bug in the
    edit cannot write a file that says something else than the plan found."""
    from simcall.cli import app
    from simcall.scenario import toml_edit

    edit = toml_edit.edit_scenario_text

    def off_by_one(original: str, changes: Any, header: str = "") -> str:
        return edit(original, {k: [n + 1 for n in v] if k.endswith(".staff") else v
                               for k, v in changes.items()}, header)

    monkeypatch.setattr(toml_edit, "edit_scenario_text", off_by_one)
    scenario = tmp_path / "two.toml"
    scenario.write_text(TWO_TEAMS, encoding="utf-8")
    plan = tmp_path / "plan.toml"
    result = CliRunner().invoke(app, ["staff", str(scenario), "--out", str(plan), "-r", "9",
                                      "--verify", "7", "--workers", "1"])
    assert result.exit_code != 0
    assert isinstance(result.exception, RuntimeError)
    assert "not to the planned scenario" in str(result.exception)
    assert not plan.exists()


def test_windows_line_ends_and_a_byte_order_mark_stay() -> None:
    text = "\ufeff" + HELPDESK.replace("\n", "\r\n")
    edited = edit_scenario_text(text, {"agents.support team.staff": [9]}, header="plan")
    assert edited.startswith("\ufeff" + HEADER_BEGIN + "\r\n")
    assert "\n" not in edited.replace("\r\n", "")
    assert edited.endswith(HELPDESK.replace("\n", "\r\n").replace(
        "staff = 10         ", "staff = [9]        "))
