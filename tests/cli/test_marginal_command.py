"""``simcall marginal``: its tables and sentence, its JSON, its mistakes, a real subprocess;
and ``simcall plot --kind marginal`` reading that JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from simcall.cli import app

runner = CliRunner()

SMALL = """\
name = "small"
interval = "30min"
intervals = 3
open = "09:00"
warmup = "10min"

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

[[agents]]
name = "backup"
skills = ["support"]
cost_per_hour = 30
shifts = [{ start = "09:00", end = "10:30", agents = 1 }]
"""


def small(folder: Path, text: str = SMALL) -> Path:
    path = folder / "small.toml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any], Path]:
    """The command's output and JSON for the small centre (3 replications, seed 3)."""
    folder = tmp_path_factory.mktemp("marginal")
    out = folder / "marginal.json"
    result = runner.invoke(app, ["marginal", str(small(folder)), "-r", "3", "--seed", "3",
                                 "-w", "1", "--json", str(out)], terminal_width=80)
    assert result.exit_code == 0, result.output
    return result.output, json.loads(out.read_text()), out


def test_the_tables_show_every_change_and_fit_80_columns(
        analysed: tuple[str, dict[str, Any], Path]) -> None:
    output, document, _ = analysed
    assert "One agent more in 'team'" in output and "One agent fewer in 'team'" in output
    assert "in 'backup'" not in output  # a group on shifts is left as it is
    assert max(len(line) for line in output.splitlines()) <= 80
    for change in document["changes"]:  # each row's net as the JSON has it
        mean = change["net"]["mean"]
        assert f"{change['interval']}" in output
        assert f"{mean:+,.0f}" in output or (round(mean) == 0 and "+0" in output)


def test_the_json_holds_each_change_with_its_paired_interval(
        analysed: tuple[str, dict[str, Any], Path]) -> None:
    _, document, _ = analysed
    assert document["scenario"] == "small" and document["seed"] == 3
    assert document["replications"] == 3 and document["groups"] == ["team"]
    assert document["labels"] == ["09:00", "09:30", "10:00"]
    assert document["provenance"]["command"].startswith("simcall marginal")
    assert len(document["changes"]) == 6  # three intervals, one more and one fewer
    for change in document["changes"]:
        low, high = change["net"]["ci95"]
        assert low <= change["net"]["mean"] <= high
        # one agent for the interval's counted part: 20 min of the first (10 min warm-up)
        hours = change["step"] * (20 / 60 if change["index"] == 0 else 0.5)
        assert change["agent_hours"] == pytest.approx(hours, rel=1e-12)
        assert change["wage_cost"]["mean"] == pytest.approx(20.0 * hours, rel=1e-12)


def test_the_sentence_names_the_cheapest_next_agent(
        analysed: tuple[str, dict[str, Any], Path]) -> None:
    output, document, _ = analysed
    more = [c for c in document["changes"] if c["step"] == +1]
    best = min(more, key=lambda c: c["net"]["mean"])
    text = " ".join(output.split())
    if best["net"]["mean"] >= 0:
        assert f"One agent more pays nowhere: at best, at {best['interval']}" in text
    elif best["net"]["ci95"][1] < 0:
        assert f"The next agent pays most at {best['interval']}" in text
    else:
        assert f"The next agent would pay most at {best['interval']}" in text


def test_user_mistakes_exit_2_naming_the_option(tmp_path: Path) -> None:
    scenario = str(small(tmp_path))
    for arguments, expected in [
        (["--group", "nobody"], "groups (--group) 'nobody': no agent group of that name"),
        (["--group", "backup"], "groups (--group) 'backup': this group is staffed by shifts"),
        (["-r", "1"], "--replications 1: must be at least 2"),
        (["--seed", "-1"], "--seed -1: must be at least 0"),
        (["--json", str(tmp_path)], "is a directory"),
        (["--set", "agents.team.staf=3"], "staf"),
        (["--max-calls", "10"], "--max-calls"),
    ]:
        result = runner.invoke(app, ["marginal", scenario, "-r", "2", *arguments])
        assert result.exit_code == 2, (arguments, result.output)
        assert expected in " ".join(result.output.split()), (arguments, result.output)
        assert "Traceback" not in result.output
    result = runner.invoke(app, ["marginal", str(tmp_path / "missing.toml")])
    assert result.exit_code == 2 and "no such file" in result.output
    only_shifts = small(tmp_path, SMALL.replace("staff = [2, 4, 3]", "shifts = [{ start = "
                                                "\"09:00\", end = \"10:30\", agents = 3 }]"))
    result = runner.invoke(app, ["marginal", str(only_shifts), "-r", "2"])
    assert result.exit_code == 2 and "every agent group is staffed by shifts" in result.output


def test_without_prices_the_sentence_is_about_callers(tmp_path: Path) -> None:
    free = SMALL.replace("cost_per_hour = 20\n", "").replace("cost_per_hour = 30\n", "")
    free = free.replace("defection = { abandoned = 0.5 }\n", "")
    result = runner.invoke(app, ["marginal", str(small(tmp_path, free)), "-r", "2", "-w", "1"],
                           terminal_width=80)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "The scenario prices nothing" in text
    assert "net" not in result.output.split("Variant minus base")[0]  # no money columns


def test_a_real_subprocess_writes_the_json(tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    done = subprocess.run([sys.executable, "-m", "simcall", "marginal", str(small(tmp_path)),
                           "-r", "2", "-w", "1", "--json", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "One agent more in 'team'" in done.stdout and "Traceback" not in done.stderr
    assert json.loads(out.read_text())["replications"] == 2
    done = subprocess.run([sys.executable, "-m", "simcall", "marginal", str(small(tmp_path)),
                           "-r", "1"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "--replications 1" in done.stderr
    assert "Traceback" not in done.stderr


def test_plot_kind_marginal_draws_the_json(analysed: tuple[str, dict[str, Any], Path],
                                           tmp_path: Path) -> None:
    _, _, path = analysed
    image = tmp_path / "marginal.png"
    result = runner.invoke(app, ["plot", str(path), "--kind", "marginal", "-o", str(image)])
    assert result.exit_code == 0, result.output
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_kind_marginal_mistakes(analysed: tuple[str, dict[str, Any], Path],
                                     tmp_path: Path) -> None:
    _, _, path = analysed
    scenario = small(tmp_path)
    run = tmp_path / "run.json"
    assert runner.invoke(app, ["run", str(scenario), "-r", "2", "--json", str(run)]
                         ).exit_code == 0
    broken = tmp_path / "broken.json"
    document = json.loads(path.read_text())
    document["changes"][0].pop("net")
    broken.write_text(json.dumps(document))
    for source, kind, expected in [
        (scenario, "marginal", "run 'simcall marginal SCENARIO --json marginal.json'"),
        (run, "marginal", "holds no marginal analysis"),
        (broken, "marginal", "a change has no net"),
        (path, "service-level", "draw that with --kind marginal"),
    ]:
        result = runner.invoke(app, ["plot", str(source), "--kind", kind, "-o",
                                     str(tmp_path / "x.png")])
        assert result.exit_code == 2, (source, result.output)
        assert expected in " ".join(result.output.split()), result.output
        assert not (tmp_path / "x.png").exists()
