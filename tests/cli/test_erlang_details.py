"""``simcall run --details``: the Erlang figures beside each interval, at 80 columns.

A tiny centre (three 15-minute intervals, two replications) keeps these cheap. The Erlang
cells must be :mod:`simcall.erlang`'s figures as the terminal formats them, the widest
table (trunk lines add a fifth pair of columns) must fit 80 columns, a department without a
formula must say why, and one run goes through a real subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from simcall import erlang
from simcall.cli import app
from simcall.report.terminal import format_kpi

runner = CliRunner()
RATES, STAFF = [60, 150, 90], [3, 6, 4]
TINY = f"""
name = "tiny"
interval = "15min"
intervals = 3
open = "09:00"
[targets]
service_level = {{ within = "15s", fraction = 0.8 }}
[[callers]]
name = "customers"
arrivals_per_hour = {RATES}
patience = {{ dist = "exponential", mean = "90s" }}
enters = "support"
[[departments]]
name = "support"
talk = {{ dist = "exponential", mean = "2min" }}
[[agents]]
name = "team"
skills = ["support"]
staff = {STAFF}
"""


def _scenario(tmp_path: Path, text: str = TINY) -> str:
    path = tmp_path / "tiny.toml"
    path.write_text(text)
    return str(path)


def _details(*arguments: str) -> str:
    result = runner.invoke(app, ["run", *arguments, "-r", "2", "--details"], terminal_width=80)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.output


def _table_rows(output: str, title: str) -> list[list[str]]:
    """The body rows of the table under ``title``, cells split on the column rule."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if title in line)
    rows = []
    for line in lines[start:]:
        if "│" in line:
            rows.append([cell.strip() for cell in line.split("│")])
        elif rows:
            break
    return rows


def test_each_interval_shows_erlang_a_beside_the_simulated_mean(tmp_path: Path) -> None:
    output = _details(_scenario(tmp_path))
    assert max(len(line) for line in output.splitlines()) <= 80
    rows = _table_rows(output, "Erlang A beside the simulation")
    assert [row[0] for row in rows] == ["09:00", "09:15", "09:30"]
    for row, rate, agents in zip(rows, RATES, STAFF, strict=True):
        exact = erlang.erlang_a_metrics(agents, rate, 120.0, 90.0, within=15.0)
        # time | SL sim | Erl. | ASA sim | Erl. | aband. sim | Erl. | occ. sim | Erl.
        assert row[2] == format_kpi("service_level", float(exact.service_level))
        assert row[4] == format_kpi("asa_s", float(exact.asa))
        assert row[6] == format_kpi("abandon_rate", float(exact.p_abandon))
        assert row[8] == format_kpi("occupancy", float(exact.occupancy))
    assert "~" not in "".join(cell for row in rows for cell in row)  # exact: no mark


def test_trunk_lines_add_blocking_and_still_fit_80_columns(tmp_path: Path) -> None:
    output = _details(_scenario(tmp_path), "--set", "lines=5")
    assert max(len(line) for line in output.splitlines()) <= 80
    rows = _table_rows(output, "M/M/n/K+M beside the simulation")
    exact = erlang.mmck_metrics(3, 5, 60, 120.0, patience=90.0, within=15.0)
    assert rows[0][8] == format_kpi("block_rate", float(exact.p_block))


def test_an_approximation_is_marked_and_a_shared_team_says_why(tmp_path: Path) -> None:
    lognormal = TINY.replace('talk = { dist = "exponential", mean = "2min" }',
                             'talk = { dist = "lognormal", mean = "2min", cv = 0.8 }')
    output = _details(_scenario(tmp_path, lognormal))
    rows = _table_rows(output, "Erlang A beside the simulation")
    assert all(row[2].startswith("~") for row in rows)
    assert "~ approximate: talk time not exponential (lognormal)" in output
    shared = TINY.replace('enters = "support"', 'enters = { support = 0.5, sales = 0.5 }')
    shared = shared.replace('skills = ["support"]', 'skills = ["support", "sales"]')
    shared += '[[departments]]\nname = "sales"\ntalk = { dist = "exponential", mean = "1min" }\n'
    output = _details(_scenario(tmp_path, shared))
    flat = " ".join(output.split())
    assert "Erlang, department 'support': no figures: agents shared between departments " \
           "(also serving sales)" in flat
    assert max(len(line) for line in output.splitlines()) <= 80


def test_a_real_subprocess_prints_the_table_and_writes_the_figures(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    done = subprocess.run(
        [sys.executable, "-m", "simcall", "run", _scenario(tmp_path), "-r", "1", "-w", "1",
         "--details", "--json", str(out)],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "COLUMNS": "80"}, check=False)
    assert done.returncode == 0, done.stderr
    assert "Erlang A beside the simulation" in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) <= 80
    figures = json.loads(out.read_text())["intervals"][1]["erlang"]["support"]
    assert (figures["status"], figures["model"], figures["agents"]) == ("exact", "Erlang A", 6)
