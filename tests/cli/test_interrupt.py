"""Ctrl-C: a multi-worker run ends within two seconds, with exit code 130, one line saying
what was kept, and no traceback from the command or its workers. Real processes, sent
SIGINT to the whole process group as a terminal's Ctrl-C is; many times in the slow tier,
twice in the default run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import SCENARIOS

STARTED_S = 20.0  # the longest wait for the workers to start (a loaded machine is slow)


def _wait_for_workers(pid: int) -> None:
    """Wait until the run has started its two workers: past the interpreter's start and
    simcall's imports (a Ctrl-C during the imports is the documented exception), however
    loaded the machine; then a moment more, so that replications are under way."""
    deadline = time.monotonic() + STARTED_S
    while time.monotonic() < deadline:
        children = " ".join(Path(task, "children").read_text()
                            for task in Path(f"/proc/{pid}/task").iterdir())
        if len(children.split()) >= 2:
            break
        time.sleep(0.05)
    time.sleep(0.5)


def _interrupt_a_run(tmp_path: Path) -> tuple[int, float, str]:
    json_path = tmp_path / "result.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "simcall", "run", str(SCENARIOS / "helpdesk.toml"), "-r", "200",
         "-w", "2", "--json", str(json_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    _wait_for_workers(process.pid)
    sent = time.perf_counter()
    os.killpg(process.pid, signal.SIGINT)
    try:
        _, err = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return -1, float("inf"), "hung"
    assert not json_path.exists()  # nothing half-written, nothing written
    return process.returncode, time.perf_counter() - sent, err.decode()


def _check(tmp_path: Path, tries: int) -> None:
    for attempt in range(tries):
        code, seconds, err = _interrupt_a_run(tmp_path)
        assert code == 130, (attempt, code, err)
        assert seconds < 2.0, (attempt, seconds)
        assert "Traceback" not in err and "interrupted: nothing more was written" in err, err


def test_ctrl_c_ends_a_two_worker_run_at_once(tmp_path: Path) -> None:
    _check(tmp_path, 2)


@pytest.mark.slow
def test_ctrl_c_ends_a_two_worker_run_at_once_twenty_times(tmp_path: Path) -> None:
    _check(tmp_path, 20)
