"""The command line, through Typer's CliRunner and as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from helpers import SCENARIOS
from simcall.cli import app

runner = CliRunner()
HELPDESK = str(SCENARIOS / "helpdesk.toml")
SPEC_KPIS = {"service_level", "asa_s", "p_wait", "abandon_rate", "block_rate", "occupancy",
             "mean_transfers", "offered", "answered", "abandoned", "blocked", "voicemail"}


def test_run_prints_kpis_and_targets_and_writes_the_spec_json(tmp_path: Path) -> None:
    out = tmp_path / "helpdesk.json"
    result = runner.invoke(app, ["run", HELPDESK, "--replications", "3", "--seed", "4",
                                 "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "service level (answered < 12 s)" in result.output
    assert "abandon rate" in result.output and "targets" in result.output
    document = json.loads(out.read_text())
    assert document["scenario"] == "helpdesk"
    assert document["seed"] == 4 and document["replications"] == 3
    assert set(document["kpis"]) >= SPEC_KPIS
    low, high = document["kpis"]["service_level"]["ci95"]
    assert low <= document["kpis"]["service_level"]["mean"] <= high
    assert [i["start"] for i in document["intervals"]][:3] == ["08:00", "08:30", "09:00"]
    assert set(document["departments"]) == {"support"}
    assert set(document["callers"]) == {"customers"}
    target = document["targets"][0]
    assert target["name"] == "service_level" and target["goal"] == ">= 0.8"
    assert target["met"] == (target["value"] >= 0.8)


def test_one_replication_has_null_intervals(tmp_path: Path) -> None:
    out = tmp_path / "one.json"
    result = runner.invoke(app, ["run", HELPDESK, "-r", "1", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["kpis"]["service_level"]["ci95"] is None


def test_user_mistakes_exit_2_without_traceback_or_result(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(Path(HELPDESK).read_text().replace('enters = "support"', 'enters = "suport"'))
    out = tmp_path / "result.json"
    for arguments, expected in [
        (["run", str(bad), "--json", str(out)], "did you mean 'support'?"),
        (["run", str(tmp_path / "missing.toml"), "--json", str(out)], "no such file"),
        (["run", str(tmp_path), "--json", str(out)], "is a directory"),
        (["run", HELPDESK, "-r", "1", "--json", str(tmp_path)], "is a directory"),
        (["run", HELPDESK, "-r", "0"], "--replications 0: must be at least 1"),
        (["run", HELPDESK, "--seed", "-3"], "--seed -3: must be at least 0"),
    ]:
        result = runner.invoke(app, arguments)
        assert result.exit_code == 2, (arguments, result.output)
        assert expected in result.output
        assert "Traceback" not in result.output
        assert not out.exists()


def test_validate_reports_ok_or_every_problem(tmp_path: Path) -> None:
    good = runner.invoke(app, ["validate", HELPDESK])
    assert good.exit_code == 0 and "ok - 'helpdesk'" in good.output
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\ninterval = "30 mins"\nintervals = 0\n')
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "intervals: input should be greater than or equal to 1, got 0" in result.output
    assert "callers: is required but missing" in result.output


def test_real_subprocess_exit_codes(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n")
    done = subprocess.run([sys.executable, "-m", "simcall", "run", str(bad)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "not valid TOML" in done.stderr and "Traceback" not in done.stderr
    done = subprocess.run([sys.executable, "-m", "simcall", "run", HELPDESK, "-r", "2"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "service level" in done.stdout
