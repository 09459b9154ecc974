"""`simcall run` shows progress within a long replication, and the numbers do not move.

The threshold (:data:`simcall.cli.common.PROGRESS_CALLS`, 200,000 calls per replication)
is lowered here so that the help desk's 960 calls count as long: the tests stay fast.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import simcall.cli.common as cli
from helpers import SCENARIOS
from simcall.cli import app

runner = CliRunner()
HELPDESK = str(SCENARIOS / "helpdesk.toml")


def _run(*arguments: str) -> int:
    result = runner.invoke(app, list(arguments))
    assert "Traceback" not in result.output, result.output
    return result.exit_code


def test_one_long_replication_shows_a_bar_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=screen, force_terminal=True, width=120))
    assert _run("run", HELPDESK, "-r", "1") == 0
    assert screen.getvalue() == ""  # short: nothing, as before
    monkeypatch.setattr(cli, "PROGRESS_CALLS", 100)
    assert _run("run", HELPDESK, "-r", "1") == 0
    assert "replications" in screen.getvalue() and "%" in screen.getvalue()


def test_away_from_a_terminal_a_line_per_tenth(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=plain, force_terminal=False, width=120))
    monkeypatch.setattr(cli, "PROGRESS_CALLS", 100)
    assert _run("run", HELPDESK, "-r", "1") == 0
    lines = plain.getvalue().splitlines()
    assert [line.split(" after ")[0] for line in lines] == [
        f"simulated {p}%" for p in range(10, 101, 10)]
    plain.truncate(0)
    plain.seek(0)
    assert _run("run", HELPDESK, "-r", "3", "-w", "1") == 0
    lines = plain.getvalue().splitlines()
    assert len(lines) == 10 and lines[-1].startswith("simulated 100% (replication 3 of 3)")


@pytest.mark.parametrize("name", ["helpdesk", "five_departments", "week"])
def test_the_json_is_the_same_with_and_without_progress(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "err", Console(file=io.StringIO(), force_terminal=False))
    scenario = str(SCENARIOS / f"{name}.toml")
    path = tmp_path / "result.json"
    texts = []
    for shown in (False, True):
        monkeypatch.setattr(cli, "PROGRESS_CALLS", 0 if shown else 10**12)
        assert _run("run", scenario, "-r", "2", "-w", "1", "--json", str(path)) == 0
        created = json.loads(path.read_text())["provenance"]["created"]
        texts.append(path.read_text().replace(created, "<created>"))
    assert texts[0] == texts[1]  # byte for byte, but for the time it was made
