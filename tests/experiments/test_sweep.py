"""Sweeps: every point simulated as a scenario would be, saved as it finishes, resumable."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import simcall
import simcall.experiments.sweeps as sweep_module
from helpers import SCENARIOS
from simcall.cli import app
from simcall.cli.sweep import parse_vary
from simcall.errors import SimcallError
from simcall.experiments.sweeps import sweep

HELPDESK = str(SCENARIOS / "helpdesk.toml")
STAFF = "agents.support team.staff"
RATE = "callers.customers.arrivals_per_hour"
GRID = {STAFF: [9, 11], RATE: [100, 140]}
runner = CliRunner()


def _run(*arguments: str) -> tuple[int, str]:
    result = runner.invoke(app, list(arguments))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _same(a: Any, b: Any) -> bool:
    """Row lists equal, with NaN equal to NaN (undefined KPIs)."""
    return json.dumps(a, default=str) == json.dumps(b, default=str)


@pytest.fixture(scope="module")
def helpdesk() -> simcall.Scenario:
    return simcall.load(HELPDESK)


def test_each_point_is_the_scenario_with_those_values(helpdesk: simcall.Scenario) -> None:
    result = sweep(helpdesk, GRID, replications=2)
    assert [(r["point"], r[STAFF], r[RATE], r["replication"]) for r in result.rows] == [
        (0, 9, 100, 0), (0, 9, 100, 1), (1, 9, 140, 0), (1, 9, 140, 1),
        (2, 11, 100, 0), (2, 11, 100, 1), (3, 11, 140, 0), (3, 11, 140, 1)]
    edited = simcall.load(HELPDESK, [f"{STAFF}=11", f"{RATE}=140"])
    expected = simcall.simulate(edited, 1, 1).kpis
    row = result.rows[7]
    assert row["error"] is None
    assert all(row[k] == v or (math.isnan(row[k]) and math.isnan(v))
               for k, v in expected.items())
    # more agents, better service; more calls, worse (common random numbers: same callers)
    sl = [k["service_level"].mean for k in result.kpis]
    assert sl[2] > sl[0] and sl[0] > sl[1]


def test_a_failed_point_is_recorded_and_the_sweep_goes_on(helpdesk: simcall.Scenario) -> None:
    result = sweep(helpdesk, {STAFF: [10, -1, "ten"]}, replications=2)
    assert len(result.rows) == 6
    assert set(result.errors) == {1, 2}
    assert "must be finite and >= 0, got -1" in result.errors[1]
    assert result.kpis[1] == {} and result.kpis[0]["offered"].mean > 0
    frame = result.to_frame(per_point=True)
    assert list(frame["replications"]) == [2, 0, 0]


def test_a_run_that_raises_is_recorded(helpdesk: simcall.Scenario,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    real = sweep_module.simulate

    def flaky(scenario: simcall.Scenario, seed: int, replication: int, **kw: Any) -> Any:
        if replication == 1:
            raise RuntimeError("disk full")
        return real(scenario, seed, replication, **kw)

    monkeypatch.setattr(sweep_module, "simulate", flaky)
    result = sweep(helpdesk, {STAFF: [10]}, replications=3)
    assert [r["error"] for r in result.rows] == [None, "RuntimeError: disk full", None]


class _Interrupt:
    """A progress callback that presses Ctrl-C after a number of runs."""

    def __init__(self, after: int) -> None:
        self.after = after

    def __call__(self, done: int, total: int) -> None:
        if done >= self.after:
            raise KeyboardInterrupt


def test_interrupted_sweep_resumes_without_recomputing(helpdesk: simcall.Scenario,
                                                       tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    whole = tmp_path / "whole.csv"
    reference = sweep(helpdesk, GRID, replications=3, out=whole)
    out = tmp_path / "results.csv"
    with pytest.raises(KeyboardInterrupt):
        sweep(helpdesk, GRID, replications=3, out=out, progress=_Interrupt(after=5))
    lines = out.read_text().splitlines()
    assert len(lines) == 1 + 5  # header and the five finished runs, nothing lost
    computed: list[tuple[int, int]] = []
    real = sweep_module.run_kpis

    def counting(job: Any) -> Any:
        computed.append(job.replication)
        return real(job)

    monkeypatch.setattr(sweep_module, "run_kpis", counting)
    resumed = sweep(helpdesk, GRID, replications=3, out=out, resume=True)
    assert len(computed) == 12 - 5
    assert _same(resumed.rows, reference.rows)
    assert out.read_bytes() == whole.read_bytes()
    computed.clear()
    sweep(helpdesk, GRID, replications=3, out=out, resume=True)  # nothing left to do
    assert computed == []


def test_resume_drops_a_half_written_line(helpdesk: simcall.Scenario, tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    reference = sweep(helpdesk, {STAFF: [10, 11]}, replications=2, out=out)
    text = out.read_text().splitlines(keepends=True)
    out.write_text("".join(text[:3]) + text[3][:25])  # killed in the middle of a line
    resumed = sweep(helpdesk, {STAFF: [10, 11]}, replications=2, out=out, resume=True)
    assert _same(resumed.rows, reference.rows)
    assert out.read_text() == "".join(text)


def test_killed_command_resumes_to_the_same_file(tmp_path: Path) -> None:
    """A real process killed with SIGKILL mid-sweep, then --resume."""
    arguments = [sys.executable, "-m", "simcall", "sweep", HELPDESK, "--vary",
                 f"{STAFF}=8..15", "-r", "4", "-w", "1"]
    whole = tmp_path / "whole.csv"
    subprocess.run([*arguments, "--out", str(whole)], check=True, capture_output=True)
    out = tmp_path / "killed.csv"
    process = subprocess.Popen([*arguments, "--out", str(out)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if out.exists() and out.read_text().count("\n") >= 6:
            break
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    kept = out.read_text().count("\n") - 1
    assert 5 <= kept < 32, "the sweep should have been killed part-way"
    done = subprocess.run([*arguments, "--out", str(out), "--resume"], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == whole.read_bytes()


def test_resume_refuses_another_sweep(helpdesk: simcall.Scenario, tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    sweep(helpdesk, {STAFF: [10]}, replications=1, out=out)
    with pytest.raises(SimcallError, match="results already exist; add --resume"):
        sweep(helpdesk, {STAFF: [10]}, replications=1, out=out)
    with pytest.raises(SimcallError, match="made by another sweep"):
        sweep(helpdesk, {STAFF: [11]}, replications=1, out=out, resume=True)
    with pytest.raises(SimcallError, match="made by another sweep"):
        sweep(helpdesk, {STAFF: [10]}, replications=1, seed=9, out=out, resume=True)


def test_more_replications_on_resume(helpdesk: simcall.Scenario, tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    sweep(helpdesk, {STAFF: [10]}, replications=2, out=out)
    grown = sweep(helpdesk, {STAFF: [10]}, replications=4, out=out, resume=True)
    fresh = sweep(helpdesk, {STAFF: [10]}, replications=4)
    assert _same(grown.rows, fresh.rows)


def test_parquet_and_folder_outputs(helpdesk: simcall.Scenario, tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    csv_result = sweep(helpdesk, GRID, replications=2, out=tmp_path / "r.csv")
    sweep(helpdesk, GRID, replications=2, out=tmp_path / "r.parquet")
    assert not (tmp_path / "r.parquet.partial.csv").exists()
    from_csv = pd.read_csv(tmp_path / "r.csv")
    from_parquet = pd.read_parquet(tmp_path / "r.parquet")
    assert list(from_parquet.columns) == list(from_csv.columns)
    assert from_parquet["service_level"].tolist() == from_csv["service_level"].tolist()
    assert from_csv["service_level"].tolist() == [r["service_level"] for r in csv_result.rows]
    sweep(helpdesk, GRID, replications=2, out=tmp_path / "folder")
    assert sorted(p.name for p in (tmp_path / "folder").iterdir()) == [
        "metadata.json", "results.csv", "scenario.toml"]
    assert simcall.load(tmp_path / "folder" / "scenario.toml") == helpdesk
    meta = json.loads((tmp_path / "folder" / "metadata.json").read_text())
    assert meta["simcall"] == simcall.__version__ and meta["seed"] == 1
    assert meta["scenario_sha256"].startswith("sha256:")
    assert meta["command"].startswith("simcall.sweep(scenario='helpdesk'")
    assert meta["vary"] == {STAFF: ["9", "11"], RATE: ["100", "140"]}


def test_parse_vary() -> None:
    assert parse_vary(f"{STAFF}=8..10") == (STAFF, [8, 9, 10])
    assert parse_vary("x=[1, 2],[3, 4]") == ("x", [[1, 2], [3, 4]])
    assert parse_vary('x="2min", "a,b", 0.5') == ("x", ["2min", "a,b", 0.5])
    assert parse_vary("open=08:00,09:00") == ("open", ["08:00", "09:00"])
    for bad, message in (("novalues", "expected KEY=V1,V2"), ("x=5..3", "is empty"),
                         ("x=,", "no values")):
        with pytest.raises(SimcallError, match=message):
            parse_vary(bad)


def test_sweep_command(tmp_path: Path) -> None:
    out = tmp_path / "sweep.csv"
    code, output = _run("sweep", HELPDESK, "--vary", f"{STAFF}=9,10", "-r", "2", "-w", "1",
                        "--out", str(out))
    assert code == 0, output
    assert "wrote 4 rows" in output
    meta = json.loads(Path(str(out) + ".meta.json").read_text())
    assert meta["command"].startswith("simcall sweep ")
    code, output = _run("sweep", HELPDESK, "--vary", f"{STAFF}=9,10", "-r", "2", "-w", "1",
                        "--out", str(out))
    assert code == 2 and "--resume" in output
    code, output = _run("sweep", HELPDESK, "--vary", "agents.nobody.staff=3", "-r", "1",
                        "-w", "1", "--out", str(tmp_path / "bad.csv"))
    assert code == 2 and "no agents entry named 'nobody'" in output.replace("\n", " ")
    code, output = _run("sweep", HELPDESK, "--vary", "agents.support team.stafff=3", "-r", "1",
                        "-w", "1", "--out", str(tmp_path / "typo.csv"))
    assert code == 2 and "every point of the sweep is invalid" in output
    assert "did you mean 'staff'" in output.replace("\n", " ")
    assert not (tmp_path / "typo.csv").exists()
    code, output = _run("sweep", HELPDESK, "--vary", "x", "--out", str(tmp_path / "y.csv"))
    assert code == 2 and "expected KEY=V1,V2" in output
    code, output = _run("sweep", HELPDESK, "--vary", f"{STAFF}=9", "--out",
                        str(tmp_path / "missing" / "y.csv"))
    assert code == 2 and "does not exist" in output
