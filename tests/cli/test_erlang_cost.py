"""``simcall erlang --wage --value --defection``: the cost-optimal agents on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simcall import erlang
from simcall.cli import app

runner = CliRunner()
CENTRE = ["--calls-per-hour", "200", "--aht", "3min", "--patience", "5min"]
PRICES = ["--wage", "20", "--value", "50", "--defection", "0.3"]


def _run(*arguments: str) -> tuple[int, str]:
    result = runner.invoke(app, list(arguments), terminal_width=200)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_the_command_prints_the_cost_optimum_and_its_curve(tmp_path: Path) -> None:
    out = tmp_path / "cost.json"
    code, output = _run("erlang", *CENTRE, *PRICES, "--defection-late", "0.1",
                        "--within", "15s", "--json", str(out))
    assert code == 0, output
    best = erlang.cost_optimal_agents(200, 180, 300, 20, 50, 0.3, 0.1, within=15)
    assert f"Erlang A: {best.agents} agents" in output
    assert f"cost-optimal: {best.agents} agents, {best.hourly_cost:,.2f} per hour" in output
    for n, cost in best.curve:
        assert any(line.split() == [str(n), "│", f"{cost:,.2f}"]
                   for line in output.splitlines()), (n, output)
    document = json.loads(out.read_text())
    assert document["cost"] == best.to_json()
    figures = erlang.erlang_a_metrics(best.agents, 200, 180, 300, within=15)
    assert document["agents"] == best.agents
    assert document["p_abandon"] == figures.p_abandon
    assert document["service_level"] == figures.service_level
    # the threshold counts: late answers at 15 s are not those at 60 s
    code, later = _run("erlang", *CENTRE, *PRICES, "--defection-late", "0.1", "--within", "60")
    slower = erlang.cost_optimal_agents(200, 180, 300, 20, 50, 0.3, 0.1, within=60)
    assert code == 0 and f"cost-optimal: {slower.agents} agents, " \
        f"{slower.hourly_cost:,.2f} per hour" in later
    assert slower.hourly_cost != best.hourly_cost


def test_callers_worth_nothing_need_no_agents(tmp_path: Path) -> None:
    out = tmp_path / "none.json"
    code, output = _run("erlang", *CENTRE, "--wage", "20", "--value", "0", "--defection", "0.3",
                        "--json", str(out))
    assert code == 0, output
    assert "Erlang A: 0 agents" in output and "cost-optimal: 0 agents, 0.00 per hour" in output
    document = json.loads(out.read_text())
    assert document["agents"] == 0 and document["p_abandon"] == 1.0
    assert document["asa"] is None and document["occupancy"] is None
    # with no agent every caller waits out her patience: lambda * patience of them on average
    assert document["mean_queue"] == pytest.approx(200 / 3600 * 300, rel=1e-12)
    assert [row["agents"] for row in document["cost"]["curve"]] == [0, 1, 2]


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ([*CENTRE, "--wage", "0", "--value", "50", "--defection", "0.3"],
         "--wage 0: must be more than 0"),
        ([*CENTRE, "--wage", "-5", "--value", "50", "--defection", "0.3"],
         "--wage -5: must be more than 0"),
        ([*CENTRE, "--wage", "nan", "--value", "50", "--defection", "0.3"],
         "--wage nan: must be a finite number"),
        ([*CENTRE, "--wage", "20", "--value", "-1", "--defection", "0.3"],
         "--value -1: must be at least 0"),
        ([*CENTRE, "--wage", "20", "--value", "inf", "--defection", "0.3"],
         "--value inf: must be a finite number"),
        ([*CENTRE, *PRICES[:4], "--defection", "1.5"], "--defection 1.5: must be from 0 to 1"),
        ([*CENTRE, *PRICES, "--defection-late", "-0.2"],
         "--defection-late -0.2: must be from 0 to 1"),
        ([*CENTRE, "--wage", "20"], "need --wage, --value and --defection: give --value, "
         "--defection"),
        ([*CENTRE, "--defection-late", "0.2"], "give --wage, --value, --defection"),
        (["--calls-per-hour", "200", "--aht", "3min", *PRICES], "need --patience"),
        ([*CENTRE, *PRICES, "--agents", "12"], "leave out --agents, --target-sl"),
        ([*CENTRE, *PRICES, "--target-sl", "0.8"], "leave out --agents, --target-sl"),
        ([*CENTRE, *PRICES, "--lines", "30"], "without --lines"),
    ],
)
def test_bad_prices_are_refused(arguments: list[str], expected: str) -> None:
    code, output = _run("erlang", *arguments)
    assert code == 2
    assert expected in output
