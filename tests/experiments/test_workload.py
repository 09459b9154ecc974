"""The workload guard: a run far beyond the machine is refused before it starts, with the
estimate and the option that overrides it; the estimate is the scenario's expected calls."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import simcall
from helpers import SCENARIOS
from simcall.cli import app
from simcall.experiments.workload import MAX_CALLS, WorkloadError, check_workload, workload

HELPDESK = SCENARIOS / "helpdesk.toml"
runner = CliRunner()


def test_the_estimate_is_the_expected_number_of_arrivals() -> None:
    """120 calls an hour for 8 hours is 960 calls a day; a week of 24 h days of the same
    rate is 120 x 24 x 7."""
    assert workload(simcall.load(HELPDESK), 5).calls == pytest.approx(5 * 960)
    week = simcall.load(HELPDESK, ["intervals=48", "days=7"])
    assert workload(week, 1).calls == pytest.approx(120 * 24 * 7)
    offered = simcall.replicate(simcall.load(HELPDESK), 20, seed=4).kpis["offered"]
    assert offered.ci95 is not None and offered.ci95.low <= 960 <= offered.ci95.high


def test_a_run_over_the_limit_is_refused_with_the_estimate_and_the_override() -> None:
    result = runner.invoke(app, ["run", str(HELPDESK), "-r", "10000000"], terminal_width=300)
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "about 9,600,000,000 calls" in text and "--max-calls 9600000000" in text
    assert f"more than the {MAX_CALLS:,} allowed" in text and "Traceback" not in text


def test_huge_arrivals_are_refused_even_for_one_replication() -> None:
    """The largest rate allowed over a week of 24-hour days: 168 million calls in one day's
    replication is refused before anything is allocated."""
    result = runner.invoke(app, ["run", str(HELPDESK), "-r", "1", "--set",
                                 "callers.customers.arrivals_per_hour=1000000",
                                 "--set", "intervals=48", "--set", "days=7",
                                 "--set", "agents.support team.staff=10000"],
                           terminal_width=300)
    text = " ".join(result.output.split())
    assert result.exit_code == 2 and "about 168,000,000 calls" in text
    assert "218.4 GB of memory per replication" in text


def test_max_calls_lets_a_run_go_ahead_and_a_lower_one_stops_a_small_one() -> None:
    assert runner.invoke(app, ["run", str(HELPDESK), "-r", "2", "--max-calls",
                               "2000"]).exit_code == 0
    stopped = runner.invoke(app, ["compare", str(HELPDESK), "--variant", "more",
                                  "--set", "agents.support team.staff=12",
                                  "-r", "2", "--max-calls", "100"])
    assert stopped.exit_code == 2, stopped.output
    with pytest.raises(WorkloadError):
        check_workload([simcall.load(HELPDESK)], 3, 100)


def test_trace_animate_and_plot_are_guarded_too(tmp_path) -> None:
    huge = ["--set", "callers.customers.arrivals_per_hour=1000000", "--set", "intervals=48",
            "--set", "days=7"]
    for command in (["trace", str(HELPDESK)],
                    ["animate", str(HELPDESK), "--out", str(tmp_path / "a.gif")],
                    ["plot", str(HELPDESK), "--kind", "interval", "--out",
                     str(tmp_path / "a.png"), "-r", "1"]):
        result = runner.invoke(app, [*command, *huge], terminal_width=300)
        assert result.exit_code == 2, result.output
        assert "--max-calls" in result.output and "Traceback" not in result.output
