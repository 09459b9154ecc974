"""``simcall report --marginal marginal.json``: the section with its findings, figure and tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from simcall.cli import app
from simcall.report.terminal_marginal import findings
from simcall.scenario.loader import load
from simcall.staffing.marginals import marginal

runner = CliRunner()
SMALL = """\
name = "small"
interval = "30min"
intervals = 3
open = "09:00"

[[callers]]
name = "customers"
arrivals_per_hour = [50, 90, 60]
enters = "support"
patience = { dist = "exponential", mean = "2min" }
value = 80
defection = { abandoned = 0.5 }

[[departments]]
name = "support"
talk = { dist = "exponential", mean = "4min" }

[[agents]]
name = "team"
skills = ["support"]
staff = [2, 4, 3]
cost_per_hour = 20
"""


@pytest.fixture(scope="module")
def analysis(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("marginal-report")
    scenario = folder / "small.toml"
    scenario.write_text(SMALL)
    document = marginal(load(scenario), replications=3, seed=2).to_json()
    path = folder / "marginal.json"
    path.write_text(json.dumps(document))
    return scenario, path, document


def _section(out: Path) -> str:
    text = out.read_text(encoding="utf-8")
    return text[text.index('<section id="marginal">'):text.index('<section id="provenance">')]


def test_the_section_has_findings_figure_and_a_row_per_change(
        analysis: tuple[Path, Path, dict[str, Any]], tmp_path: Path) -> None:
    scenario, path, document = analysis
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(scenario), "-r", "2", "-w", "1",
                                 "--marginal", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    section = _section(out)
    assert section.count('src="data:image/png;base64,') == 1
    assert "the same scenario hash" in section
    for line in findings(document):
        assert line.replace("'", "&#x27;") in section
    assert section.count('<table class="marginal">') == 2  # one more, one fewer
    for change in document["changes"]:
        assert f'<th scope="row">{change["interval"]}</th>' in section
    assert section.count('<tr><th scope="row">') == len(document["changes"])
    pays = sum(1 for c in document["changes"] if c["net"]["ci95"][1] < 0)
    assert section.count('<td class="met">pays</td>') == pays


def test_an_analysis_of_another_scenario_says_so(
        analysis: tuple[Path, Path, dict[str, Any]], tmp_path: Path) -> None:
    _, path, _ = analysis
    other = tmp_path / "other.toml"
    other.write_text(SMALL.replace("staff = [2, 4, 3]", "staff = [3, 4, 3]"))
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(other), "-r", "2", "-w", "1",
                                 "--marginal", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Another scenario" in _section(out)


def test_a_file_without_an_analysis_stops_the_report_before_it_runs(
        analysis: tuple[Path, Path, dict[str, Any]], tmp_path: Path) -> None:
    scenario, _, _ = analysis
    run = tmp_path / "run.json"
    run.write_text(json.dumps({"scenario": "small", "kpis": {}}))
    out = tmp_path / "report.html"
    for given, expected in [(run, "holds no marginal analysis"),
                            (tmp_path / "missing.json", "cannot read")]:
        result = runner.invoke(app, ["report", str(scenario), "--marginal", str(given),
                                     "--out", str(out)])
        assert result.exit_code == 2, result.output
        assert expected in result.output and "Traceback" not in result.output
        assert not out.exists()


def _document(nets: dict[tuple[str, int], tuple[float, float]]) -> dict[str, Any]:
    """A hand-made analysis: (interval label, step) -> net mean and half-width."""
    changes = [{"group": "team", "interval": label, "index": i, "step": step,
                "agent_hours": 0.5 * step, "net": {"mean": m, "ci95": [m - h, m + h]},
                "lost_value": {"mean": m - 10 * step, "ci95": [m - 10 * step - h,
                                                               m - 10 * step + h]},
                "wage_cost": {"mean": 10.0 * step, "ci95": [10.0 * step, 10.0 * step]},
                "lost_callers": {"mean": -step, "ci95": [-step - 0.5, -step + 0.5]},
                "break_even_wage": {"mean": -(m - 10 * step) / (0.5 * step), "ci95": None}}
               for (label, step), (m, h) in nets.items()
               for i in [["09:00", "09:30", "10:00"].index(label)]]
    return {"scenario": "hand made", "seed": 1, "replications": 10, "groups": ["team"],
            "labels": ["09:00", "09:30", "10:00"], "interval_s": 1800.0,
            "prices": {"wages": True, "losses": True}, "changes": changes}


@pytest.mark.parametrize(("nets", "first", "second"), [
    ({("09:00", 1): (-50, 20), ("09:30", 1): (-30, 10), ("09:00", -1): (20, 5)},
     "The next agent pays most at 09:00: the day's cost falls by 50 (95% interval 30 to 70)",
     "One agent fewer pays nowhere with 95% confidence"),
    ({("09:00", 1): (-80, 100), ("09:30", 1): (-30, 10), ("10:00", -1): (-9, 4)},
     "The next agent would pay most at 09:00 (a net change of -80 a day), but its 95% "
     "interval, -180 to +20, holds zero: the simulation cannot tell whether it pays (more "
     "replications, -r, narrow the interval). Where it surely pays (95%), it pays most at "
     "09:30: the day's cost falls by 30 (95% interval 20 to 40).",
     "One agent fewer pays (saves more in wages than it loses in value) at 10:00; most at "
     "10:00: the day's cost falls by 9 (95% interval 5 to 13)."),
    ({("09:00", 1): (-8, 10), ("09:30", 1): (5, 10)},
     "but its 95% interval, -18 to +2, holds zero: the simulation cannot tell whether it "
     "pays (more replications, -r, narrow the interval). Nowhere does one agent more pay "
     "with 95% confidence.", ""),
    ({("09:00", 1): (8, 3), ("09:30", 1): (5, 10)},
     "One agent more pays nowhere: at best, at 09:30, the net change is +5 (95% interval -5 "
     "to +15).", ""),
])
def test_the_findings_say_where_the_next_agent_pays(nets: Any, first: str,
                                                     second: str) -> None:
    said = findings(_document(nets))
    assert first in said[0]
    assert second in said[1]
