"""Planner features of the command line: --set, --records, --check, erlang."""

from __future__ import annotations

import csv
import json
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import SCENARIOS
from simcall import erlang, load
from simcall.cli import app
from simcall.scenario.overrides import OverrideError, apply_overrides, parse_value

runner = CliRunner()
HELPDESK = str(SCENARIOS / "helpdesk.toml")


def _run(*arguments: str) -> tuple[int, str]:
    result = runner.invoke(app, list(arguments))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_set_changes_the_scenario_like_editing_the_file(tmp_path: Path) -> None:
    text = Path(HELPDESK).read_text()
    edited = tmp_path / "edited.toml"
    edited.write_text(text.replace("arrivals_per_hour = 120", "arrivals_per_hour = 150")
                      .replace("staff = 10 ", "staff = [8, 9, 10, 10, 11, 11, 11, 11, 11, 11, "
                                              "10, 10, 9, 9, 8, 8] "))
    by_set, by_file = tmp_path / "set.json", tmp_path / "file.json"
    code, output = _run("run", HELPDESK, "-r", "2", "--json", str(by_set),
                        "--set", "callers.customers.arrivals_per_hour=150",
                        "--set", "agents.support team.staff="
                                 "[8,9,10,10,11,11,11,11,11,11,10,10,9,9,8,8]")
    assert code == 0, output
    assert _run("run", str(edited), "-r", "2", "--json", str(by_file))[0] == 0
    assert json.loads(by_set.read_text())["kpis"] == json.loads(by_file.read_text())["kpis"]


def test_set_mistakes_exit_2_and_name_the_path() -> None:
    for override, expected in [
        ("callers.custmers.arrivals_per_hour=150", "did you mean 'customers'?"),
        ("agents.support team.staff=[1,2]", "agents[0].staff: has 2 values"),
        ("callers.customers.arrivals_per_hour=-5", "must be finite and >= 0, got -5"),
        ("intervalls=3", "unknown key 'intervalls' (did you mean 'intervals'?)"),
        ("no-equals-sign", "expected KEY=VALUE"),
        ("callers.customers.name.first=x", "'callers.customers.name' is a value"),
    ]:
        code, output = _run("run", HELPDESK, "-r", "1", "--set", override)
        assert code == 2, (override, output)
        assert expected in output, (override, output)


def test_override_paths() -> None:
    data = tomllib.loads(Path(HELPDESK).read_text())
    data["agents"][0]["name"] = "team v1.2"
    changed = apply_overrides(data, ["agents.team v1.2.staff=3", "targets.max_asa=\"30s\"",
                                     "open=09:00", "departments.0.name=x"])
    assert changed["agents"][0]["staff"] == 3
    assert changed["targets"]["max_asa"] == "30s"
    assert changed["open"] == "09:00"
    assert data["agents"][0]["staff"] == 10  # the input is not mutated
    assert parse_value("[1, 2]") == [1, 2] and parse_value("{ a = 1 }") == {"a": 1}
    with pytest.raises(OverrideError, match=r"name one"):
        apply_overrides(data, ["callers.arrivals_per_hour=3"])


def test_records_have_one_row_per_call(tmp_path: Path) -> None:
    out, document = tmp_path / "calls.csv", tmp_path / "run.json"
    code, output = _run("run", HELPDESK, "-r", "2", "--records", str(out), "--json",
                        str(document))
    assert code == 0, output
    rows = list(csv.DictReader(out.open()))
    kpis = json.loads(document.read_text())["kpis"]
    assert len(rows) == round(2 * kpis["offered"]["mean"])
    assert {r["replication"] for r in rows} == {"0", "1"}
    answered = [r for r in rows if r["outcome"] == "answered"]
    assert len(answered) == round(2 * kpis["answered"]["mean"])
    assert all(r["agent"].startswith("support team #") for r in answered)
    assert all(int(r["ring"]) == int(float(r["answer_time_s"]) // 6) + 1 for r in answered)
    abandoned = [r for r in rows if r["outcome"] == "abandoned"]
    assert all(r["answer_time_s"] == "" and r["agent"] == "" for r in abandoned)


def test_records_refuse_bad_paths_before_running(tmp_path: Path) -> None:
    for path, expected in [(tmp_path, "is a directory"), (tmp_path / "no" / "x.csv",
                                                           "does not exist"),
                           (tmp_path / "x.txt", "use a .csv or .parquet")]:
        code, output = _run("run", HELPDESK, "-r", "1", "--records", str(path))
        assert code == 2 and expected in output


def test_check_exit_codes() -> None:
    code, output = _run("run", HELPDESK, "-r", "2", "--check")
    assert code == 1 and "targets not met: service_level" in output
    code, _ = _run("run", HELPDESK, "-r", "2", "--check", "--set", "agents.support team.staff=13")
    assert code == 0
    assert _run("run", HELPDESK, "-r", "2")[0] == 0  # without --check, a miss is not an error


def test_erlang_command_prints_the_closed_forms(tmp_path: Path) -> None:
    out = tmp_path / "e.json"
    code, output = _run("erlang", "--calls-per-hour", "200", "--aht", "3min", "--agents", "14",
                        "--within", "20s", "--json", str(out))
    assert code == 0, output
    assert "Erlang C: 14 agents" in output and "17.4%" in output and "7.84" in output
    document = json.loads(out.read_text())
    assert document["p_wait"] == pytest.approx(0.1741319, abs=1e-7)
    assert document["service_level"] == pytest.approx(0.88835, abs=1e-5)


def test_erlang_command_finds_agents_for_a_target() -> None:
    code, output = _run("erlang", "--calls-per-hour", "200", "--aht", "180", "--target-sl",
                        "0.8", "--within", "20")
    assert code == 0 and "Erlang C: 14 agents" in output and "targets met" in output
    code, output = _run("erlang", "--calls-per-hour", "200", "--aht", "180", "--target-sl",
                        "0.8", "--within", "2 rings", "--ring", "10s", "--patience", "5min")
    n = erlang.agents_required(200, 180, target_sl=0.8, within=20, patience=300)
    assert code == 0 and f"Erlang A: {n} agents" in output
    code, output = _run("erlang", "--calls-per-hour", "200", "--aht", "180", "--agents", "10",
                        "--lines", "10")
    assert code == 0 and "Erlang B: 10 agents" in output
    blocking = erlang.erlang_b(10, 10.0)
    assert f"{100 * blocking:.1f}%" in output


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--calls-per-hour", "200", "--aht", "3min"], "give --agents, or a target"),
        (["--calls-per-hour", "200", "--aht", "3 minuts", "--agents", "3"], "unknown unit"),
        (["--calls-per-hour", "200", "--aht", "0", "--agents", "3"], "must be more than 0"),
        (["--calls-per-hour", "200", "--aht", "180", "--agents", "12", "--lines", "5"],
         "fewer than --agents"),
        (["--calls-per-hour", "-1", "--aht", "180", "--agents", "3"],
         "--calls-per-hour -1: must be at least 0"),
        (["--calls-per-hour", "200", "--aht", "180", "--target-sl", "1.5"],
         "--target-sl 1.5: must be from 0 to 1"),
        (["--calls-per-hour", "200", "--aht", "180", "--agents", "0"],
         "--agents 0: must be at least 1"),
    ],
)
def test_erlang_command_mistakes(arguments: list[str], expected: str) -> None:
    code, output = _run("erlang", *arguments)
    assert code == 2 and expected in output


def test_scenario_loads_with_overrides() -> None:
    scenario = load(HELPDESK, ["ring=\"10s\""])
    assert scenario.targets.service_level.within == 20.0  # "2 rings" of the new ring


def test_details_show_intervals_departments_and_callers() -> None:
    code, output = _run("run", HELPDESK, "-r", "2", "--details")
    assert code == 0, output
    for heading in ("per interval (means)", "per department (means)", "per caller type (means)"):
        assert heading in output
    assert "15:30" in output and "customers" in output


def test_intervals_stay_within_what_a_kpi_can_be() -> None:
    from simcall.results.stats import Estimate

    unclipped = Estimate.of([0.0, 0.0, 0.0, 0.004])
    assert unclipped.ci95 is not None and unclipped.ci95.low < 0  # the t interval dips below 0
    share = Estimate.of([0.0, 0.0, 0.0, 0.004], (0.0, 1.0))
    assert share.ci95 is not None and share.ci95.low == 0.0
    assert share.ci95.high == unclipped.ci95.high
    high = Estimate.of([1.0, 1.0, 0.99], (0.0, 1.0))
    assert high.ci(0.99).high == 1.0


def test_parquet_records_need_pyarrow(tmp_path: Path) -> None:
    out = tmp_path / "calls.parquet"
    code, output = _run("run", HELPDESK, "-r", "1", "--records", str(out))
    try:
        import pyarrow.parquet as pq
    except ImportError:
        assert code == 2 and "needs pyarrow: pip install pyarrow" in output
        assert not out.exists()
        return
    assert code == 0, output
    assert pq.read_table(out).num_rows > 0


def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from rich.console import Console

    import simcall.cli.common as cli

    screen = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=screen, force_terminal=True, width=100))
    assert _run("run", HELPDESK, "-r", "3")[0] == 0
    assert "replications" in screen.getvalue()
    plain = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=plain, force_terminal=False))
    assert _run("run", HELPDESK, "-r", "3")[0] == 0
    assert plain.getvalue() == ""
