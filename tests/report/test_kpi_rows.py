"""The KPI table of ``simcall run`` lists the rows the scenario's features can produce,
``--details`` lists them all, the JSON keeps every KPI, and both tables fit 80 columns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helpers import BASE, ROOT, SCENARIOS, scenario_from
from simcall.cli import app
from simcall.report.kpi_rows import FEATURES, NEEDS, WARNINGS, shown
from simcall.report.terminal import interval_spans, kpi_label
from simcall.results.metrics import KPI_NAMES
from simcall.results.stats import Estimate
from simcall.scenario.toml_writer import dumps

runner = CliRunner()
CORE = ("service_level", "asa_s", "p_wait", "abandon_rate", "occupancy", "offered",
        "answered", "abandoned")
PATIENCE = {"dist": "exponential", "mean": 60}


def _estimate(mean: float) -> Estimate:
    return Estimate.of([mean])


def test_every_declared_kpi_and_feature_exists() -> None:
    # a renamed KPI or feature must not leave a declaration that silently matches nothing
    assert set(NEEDS) <= set(KPI_NAMES) and set(NEEDS.values()) <= set(FEATURES)
    assert set(KPI_NAMES) >= WARNINGS


@pytest.mark.parametrize(("changes", "feature_rows"), [
    ({}, set()),
    ({"lines": 3}, {"block_rate", "blocked"}),
    ({"voicemail_after": "30s"}, {"voicemail"}),
    ({"callers": [{**BASE["callers"][0], "ivr": {"time": {"dist": "deterministic",
                                                          "value": 10},
                                                 "self_serve": 0.1}}]},
     {"self_served", "ivr_hang_ups"}),
    ({"callers": [{**BASE["callers"][0], "patience": PATIENCE,
                   "redial": {"probability": 0.5, "delay": {"dist": "deterministic",
                                                            "value": 60}}}]},
     {"callers", "redials", "lost_callers", "first_attempt_resolution",
      "eventual_resolution"}),
    ({"callers": [{**BASE["callers"][0], "callback": {"offer_after": "60s", "accept": 0.5}}]},
     {"called_back", "callback_wait_s"}),
    ({"agents": [{**BASE["agents"][0], "rona": {"probability": 0.1, "after": "12s"}}]},
     {"rona"}),
])
def test_rows_follow_the_scenarios_features(changes: dict[str, Any],
                                            feature_rows: set[str]) -> None:
    scenario = scenario_from(**changes)
    zero = _estimate(0.0)  # the numbers never decide (but for warnings)
    rows = {kpi for kpi in KPI_NAMES if shown(kpi, scenario, zero)}
    assert rows == set(CORE) | feature_rows
    every = {kpi for kpi in KPI_NAMES if shown(kpi, scenario, zero, details=True)}
    money = {kpi for kpi, feature in NEEDS.items() if feature == "prices"}
    assert every == set(KPI_NAMES) - money  # --details: all but money without prices


def test_a_call_left_in_the_system_is_always_shown() -> None:
    scenario = scenario_from()
    assert not shown("in_system", scenario, _estimate(0.0))
    assert shown("in_system", scenario, _estimate(0.5))
    assert shown("in_system", scenario, _estimate(0.0), details=True)


def test_failed_intervals_read_as_spans_of_the_clock() -> None:
    scenario = scenario_from(open="08:00", interval="30min", intervals=32)
    labels = ["08:00", "08:30", "09:30", "10:30", "11:00", "11:30", "23:30"]
    assert interval_spans(scenario, labels) == ["08:00-09:00", "09:30", "10:30-12:00",
                                                "23:30"]
    assert interval_spans(scenario, ["23:00", "23:30"]) == ["23:00-24:00"]
    assert interval_spans(scenario, []) == []


def _scenario_file(folder: Path) -> Path:
    """Two half-hours with targets missed in both (one span), a voice menu and lines."""
    data = {**BASE, "interval": "30min", "intervals": 2, "open": "08:00", "lines": 4,
            "targets": {"service_level": {"within": "20s", "fraction": 0.99},
                        "max_abandon_rate": 0.001,
                        "transfers": {"at_most": 1, "fraction": 0.95}},
            "callers": [{**BASE["callers"][0], "arrivals_per_hour": 70, "patience": PATIENCE,
                         "ivr": {"time": {"dist": "deterministic", "value": 10},
                                 "hang_up": 0.05}}]}
    path = folder / "tiny.toml"
    path.write_text(dumps(data))
    return path


def _lines(output: str) -> list[str]:
    return output.splitlines()


def test_80_columns_show_whole_rows_and_json_keeps_every_kpi(tmp_path: Path) -> None:
    path = _scenario_file(tmp_path)
    result = runner.invoke(app, ["run", str(path), "-r", "2", "-w", "1", "--json",
                                 str(tmp_path / "r.json")], terminal_width=80)
    assert result.exit_code == 0, result.output
    lines = _lines(result.output)
    assert max(map(len, lines)) <= 80
    first = {line.split("│")[0].strip() for line in lines if "│" in line}
    for kpi in ("service_level", "block_rate", "ivr_hang_ups", "transfer_share_within",
                "abandon_rate"):
        assert kpi_label(kpi, _summary_stub(path)) in first  # whole, on one line
    assert "still in the system" not in result.output and "redials" not in result.output
    assert "08:00-09:00" in result.output  # both half-hours missed: one span
    document = json.loads((tmp_path / "r.json").read_text())
    assert set(KPI_NAMES) <= set(document["kpis"])  # the JSON keeps every KPI
    detailed = runner.invoke(app, ["run", str(path), "-r", "2", "-w", "1", "--details"],
                             terminal_width=80)
    assert "redials" in detailed.output and "still in the system" in detailed.output
    assert max(map(len, _lines(detailed.output))) <= 80


def test_a_per_interval_table_too_wide_for_80_columns_closes_up_and_keeps_its_headers(
        ) -> None:
    # five departments send calls back ("back") and have head counts: ten columns, wider
    # than 80 at rich's natural padding, which cut the headers to "inte…", "staf…"
    result = runner.invoke(app, ["run", str(SCENARIOS / "five_departments.toml"), "-r", "2",
                                 "-w", "1", "--details"], terminal_width=80)
    assert result.exit_code == 0, result.output
    header = next(line for line in _lines(result.output)
                  if line.lstrip().startswith("inte"))
    assert "…" not in header and len(header) <= 80
    assert {"interval", "transf.", "staffed", "back"} <= set(header.replace("┃", " ").split())


def _summary_stub(path: Path) -> Any:
    """What :func:`kpi_label` reads: the scenario."""
    import simcall

    return type("S", (), {"scenario": simcall.load(path)})()


def test_a_real_terminal_of_80_columns(tmp_path: Path) -> None:
    path = _scenario_file(tmp_path)
    env = {**os.environ, "COLUMNS": "80", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "simcall", "run", str(path), "-r", "2",
                           "-w", "1"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = _lines(done.stdout)
    assert max(map(len, lines)) <= 80 and "hung up in the menu" in done.stdout
    assert any(line.startswith("--details shows") for line in lines)
