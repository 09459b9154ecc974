"""``simcall animate`` and ``simcall report`` show a bar on a terminal, like ``simcall
run``, and print nothing of it elsewhere (a log, a pipe)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import simcall.cli.common as cli
from helpers import BASE, ROOT, SCENARIOS, scenario_from
from simcall.cli import app
from simcall.report.build import build_report
from simcall.scenario.toml_writer import dumps

runner = CliRunner()
HELPDESK = str(SCENARIOS / "helpdesk.toml")
# three frames: a 2-minute window at 60x and 1 frame per second
ANIMATE = ["animate", HELPDESK, "--from", "10:00", "--minutes", "2", "--speed", "60",
           "--fps", "1"]


def _screen(monkeypatch: pytest.MonkeyPatch, terminal: bool) -> io.StringIO:
    screen = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=screen, force_terminal=terminal, width=100))
    return screen


@pytest.mark.parametrize("terminal", [True, False])
def test_animate_counts_frames_on_a_terminal_only(
        terminal: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    screen = _screen(monkeypatch, terminal)
    result = runner.invoke(app, [*ANIMATE, "--out", str(tmp_path / "a.gif")])
    assert result.exit_code == 0, result.output
    shown = screen.getvalue()
    assert ("frames" in shown and "3/3" in shown) if terminal else shown == ""


@pytest.mark.parametrize("terminal", [True, False])
def test_report_shows_a_bar_on_a_terminal_only(terminal: bool, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # the HTML page (its figures) is left out: drawing it is not what is tested here
    import simcall.report.html

    monkeypatch.setattr(simcall.report.html, "render", lambda report: "<html></html>")
    screen = _screen(monkeypatch, terminal)
    path = tmp_path / "tiny.toml"
    path.write_text(dumps(BASE))
    result = runner.invoke(app, ["report", str(path), "-r", "2", "-w", "1", "--out",
                                 str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    shown = screen.getvalue()
    assert ("━" in shown and "/" in shown) if terminal else shown == ""


def test_the_report_tells_each_stage_as_it_goes() -> None:
    steps: list[tuple[str, int, int]] = []
    other = scenario_from(name="other")
    build_report(scenario_from(), replications=2, others=[other],
                 steps=lambda *step: steps.append(step))
    assert steps[0] == ("simulating", 0, 2) and ("simulating", 2, 2) in steps
    comparing = [s for s in steps if s[0] == "comparing"]
    assert comparing[0] == ("comparing", 0, 4) and comparing[-1] == ("comparing", 4, 4)
    assert [s[0] for s in steps] == sorted((s[0] for s in steps), key=["simulating",
                                                                      "comparing"].index)


def test_animate_in_a_pipe_prints_no_bar(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "simcall", *ANIMATE, "--out",
                           str(tmp_path / "a.gif")], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and "wrote" in done.stdout and "3 frames" in done.stdout
