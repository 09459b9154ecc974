"""Output paths on the command line: checked before simulating, never a device replaced."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import SCENARIOS
from simcall.cli import app

runner = CliRunner()
HELPDESK = str(SCENARIOS / "helpdesk.toml")


def _run(*arguments: str) -> tuple[int, str]:
    result = runner.invoke(app, list(arguments))
    assert "Traceback" not in result.output
    return result.exit_code, " ".join(result.output.split())


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """A refused path must stop the command before any replication runs."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("simulated although an output path was refused")

    monkeypatch.setattr("simcall.experiments.runner.replicate", refuse)
    monkeypatch.setattr("simcall.experiments.comparison.compare", refuse)


@pytest.mark.parametrize("option", ["--json", "--records"])
def test_a_fifo_output_is_refused_and_stays_a_fifo(tmp_path: Path, option: str,
                                                    no_simulation: None) -> None:
    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    code, output = _run("run", HELPDESK, "-r", "1", option, str(fifo))
    assert code == 2
    assert f"{option} {fifo}: exists and is not a regular file (a FIFO); give a file path" \
        in output
    assert fifo.is_fifo()


def test_dev_null_is_refused_and_stays_a_device(no_simulation: None) -> None:
    code, output = _run("run", HELPDESK, "-r", "1", "--json", "/dev/null")
    assert code == 2
    assert "--json /dev/null: exists and is not a regular file (a character device)" in output
    assert Path("/dev/null").is_char_device()
    code, output = _run("run", HELPDESK, "-r", "1", "--out", "/dev/null")
    assert code == 2 and "exists and is not a folder" in output


def test_a_symlinked_output_is_written_through(tmp_path: Path) -> None:
    (tmp_path / "kept").mkdir()
    target = tmp_path / "kept" / "result.json"
    target.write_text("old")
    link = tmp_path / "result.json"
    link.symlink_to(target)
    code, output = _run("run", HELPDESK, "-r", "1", "--json", str(link))
    assert code == 0, output
    assert link.is_symlink() and link.resolve() == target
    assert '"scenario": "helpdesk"' in target.read_text()


def test_a_read_only_folder_fails_before_simulating(tmp_path: Path, no_simulation: None,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    # as root chmod stops nothing, so the permission check is told the folder is locked
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: (
        False if Path(path) == locked and mode & os.W_OK else real_access(path, mode, **kw)))
    for arguments in (["run", HELPDESK, "-r", "1", "--json", str(locked / "r.json")],
                      ["run", HELPDESK, "-r", "1", "--records", str(locked / "r.csv")],
                      ["run", HELPDESK, "-r", "1", "--out", str(locked / "new")],
                      ["run", HELPDESK, "-r", "1", "--out", str(locked)],
                      ["compare", HELPDESK, "--variant", "b: seed=2", "-r", "2",
                       "--out", str(locked)]):
        code, output = _run(*arguments)
        assert code == 2 and f"folder '{locked}' is not writable" in output, arguments
    assert list(locked.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_chmod_read_only_folder_fails_before_simulating(tmp_path: Path,
                                                          no_simulation: None) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code, output = _run("run", HELPDESK, "-r", "1", "--json", str(locked / "r.json"))
        assert code == 2 and "is not writable" in output
    finally:
        locked.chmod(0o700)


def test_a_fifo_inside_the_out_folder_is_refused(tmp_path: Path, no_simulation: None) -> None:
    os.mkfifo(tmp_path / "records.csv")
    code, output = _run("run", HELPDESK, "-r", "1", "--out", str(tmp_path))
    assert code == 2 and "records.csv exists and is not a regular file (a FIFO)" in output


def test_a_sweep_refuses_a_fifo_and_a_read_only_folder(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    fifo = tmp_path / "sweep.csv"
    os.mkfifo(fifo)
    monkeypatch.setattr("simcall.experiments.sweeps._run_missing", None)  # never reached
    vary = "agents.support team.staff=9"
    code, output = _run("sweep", HELPDESK, "--vary", vary, "--out", str(fifo), "--resume")
    assert code == 2 and "exists and is not a regular file (a FIFO)" in output
    assert fifo.is_fifo()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: (
        False if Path(path) == tmp_path and mode & os.W_OK else real_access(path, mode, **kw)))
    code, output = _run("sweep", HELPDESK, "--vary", vary, "--out", str(tmp_path / "s.csv"))
    assert code == 2 and "is not writable" in output
