"""The docs' command transcripts for the example files are what simcall prints today."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from helpers import ROOT
from simcall.cli import app

REFERENCE = ROOT / "docs" / "scenario-reference.md"
BLOCK = re.compile(r"```console\n\$ simcall validate (docs/examples/\S+)\n(.*?)```", re.S)


def test_validate_transcripts_in_the_reference_are_current(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    blocks = BLOCK.findall(REFERENCE.read_text())
    assert len(blocks) >= 2
    runner = CliRunner()
    for path, shown in blocks:
        result = runner.invoke(app, ["validate", path], terminal_width=1000)
        assert result.exit_code == 2
        printed = [line.rstrip() for line in result.output.strip().splitlines()]
        assert printed == [line.rstrip() for line in shown.strip().splitlines()], path
        assert Path(path).exists()
