"""CSV cells a spreadsheet would run as formulas are written as text, numbers as numbers."""

from __future__ import annotations

import csv
from pathlib import Path

import simcall
from helpers import scenario_from
from simcall.results.csv_cells import spreadsheet_safe, unescaped
from simcall.results.export import COLUMNS, write_records

CALLERS = ['=HYPERLINK("http://example.com","x")', "+caller"]
DEPARTMENTS = ["-support", "@SUM(A1:A9)"]
AGENTS = ["=team", "\tteam"]


def _formula_scenario() -> simcall.Scenario:
    return scenario_from(
        intervals=2,
        callers=[{"name": CALLERS[0], "arrivals_per_hour": 40, "enters": DEPARTMENTS[0]},
                 {"name": CALLERS[1], "arrivals_per_hour": 40, "enters": DEPARTMENTS[1]}],
        departments=[{"name": name, "talk": {"dist": "deterministic", "value": 60}}
                     for name in DEPARTMENTS],
        agents=[{"name": AGENTS[0], "skills": [DEPARTMENTS[0]], "staff": 2},
                {"name": AGENTS[1], "skills": [DEPARTMENTS[1]], "staff": 2}])


def test_the_rule() -> None:
    for text in ("=1+1", "+1", "-x", "@A1", "\tx", "\rx"):
        assert spreadsheet_safe(text) == "'" + text
        assert unescaped(spreadsheet_safe(text)) == text
    for value in ("plain", "", "'quoted", "a=b", -1, -2.5, 0, None):
        assert spreadsheet_safe(value) == value  # numbers, and text that runs nothing


def test_records_escape_names_and_leave_numbers(tmp_path: Path) -> None:
    summary = simcall.replicate(_formula_scenario(), replications=2, seed=5,
                                keep_records=True)
    path = tmp_path / "records.csv"
    rows = write_records(path, summary.runs)
    with path.open(newline="", encoding="utf-8") as stream:
        table = list(csv.reader(stream))
    assert tuple(table[0]) == COLUMNS and len(table) == rows + 1
    expected = [dict(zip(COLUMNS, row, strict=True))
                for run in summary.runs
                for row in zip(*(_column(run, name) for name in COLUMNS), strict=True)]
    answered = 0
    for cells, raw in zip(table[1:], expected, strict=True):
        cell = dict(zip(COLUMNS, cells, strict=True))
        for name in ("caller", "departments"):
            assert cell[name].startswith("'"), cell
            assert cell[name][1:] == raw[name]
        assert cell["departments"][1:].split(">")[0] in DEPARTMENTS
        assert cell["caller"][1:] in CALLERS
        if raw["agent"]:
            answered += 1
            assert cell["agent"].startswith("'") and cell["agent"][1:] == raw["agent"]
            assert cell["agent"][1:].rsplit(" #", 1)[0] in AGENTS
        for name in ("replication", "call", "arrival_s", "transfers", "talk_s", "wrap_up_s",
                     "answer_time_s", "ring"):
            assert cell[name] == ("" if raw[name] is None else str(raw[name]))  # as before
        assert cell["outcome"] == raw["outcome"] and cell["arrival"] == raw["arrival"]
    assert answered > 0


def _column(run: simcall.RunResult, name: str) -> list[object]:
    from simcall.results.export import call_rows

    return call_rows(run)[name]


def test_a_sweep_escapes_text_values_and_keeps_numbers(tmp_path: Path) -> None:
    base = scenario_from()
    out = tmp_path / "sweep.csv"
    simcall.sweep(base, {"callers.customers.name": ["=evil()", "plain"],
                         "agents.team.staff": [-1, 1]}, replications=1, seed=2, out=out)
    with out.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [r["callers.customers.name"] for r in rows] == ["'=evil()"] * 2 + ["plain"] * 2
    assert [r["agents.team.staff"] for r in rows] == ["-1", "1"] * 2  # numbers, not text
    assert rows[0]["error"] and not rows[1]["error"]  # staff -1 is invalid, 1 runs
    # resuming reads the escaped cells back as they were
    again = simcall.sweep(base, {"callers.customers.name": ["=evil()", "plain"],
                                 "agents.team.staff": [-1, 1]}, replications=1, seed=2,
                          out=out, resume=True)
    assert [r["callers.customers.name"] for r in again.rows] == ["=evil()"] * 2 + ["plain"] * 2
