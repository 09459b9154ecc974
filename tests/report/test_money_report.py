"""Money in the report, the terminal and the figure: shown when the scenario prices
anything, with the numbers of the summary, and nowhere when it prices nothing."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.patches import Rectangle
from typer.testing import CliRunner

import simcall
from helpers import SCENARIOS, Page
from simcall import plots
from simcall.cli import app
from simcall.report.terminal import format_kpi

LARGE = SCENARIOS / "large_accounts.toml"
runner = CliRunner()


@pytest.fixture(scope="module")
def summary() -> simcall.Summary:
    return simcall.replicate(simcall.load(LARGE), replications=3, seed=2)


def test_the_report_has_a_money_section_with_the_summarys_numbers(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(LARGE), "-r", "3", "--seed", "2", "-w", "1",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = Page(out.read_text(encoding="utf-8"))
    assert "money" in page.sections
    same = simcall.replicate(simcall.load(LARGE), replications=3, seed=2)
    rows = {row[0][1]: [text for _, text in row[1:]] for row in page.rows if row}
    for name, kpis in same.callers.items():
        assert rows[name][3].startswith(format_kpi("lost_value", kpis["lost_value"].mean))
        assert rows[name][2] == format_kpi("defections", kpis["defections"].mean)
    for name, kpis in same.agent_groups.items():
        assert rows[name][2] == format_kpi("wage_cost", kpis["wage_cost"].mean)


def test_a_scenario_without_prices_has_no_money_anywhere(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    helpdesk = SCENARIOS / "helpdesk.toml"
    result = runner.invoke(app, ["report", str(helpdesk), "-r", "2", "-w", "1", "--out",
                                 str(out)])
    assert result.exit_code == 0, result.output
    assert "money" not in Page(out.read_text(encoding="utf-8")).sections
    printed = runner.invoke(app, ["run", str(helpdesk), "-r", "2", "--details"],
                            terminal_width=200).output
    assert "value lost" not in printed and "wages" not in printed
    priced = runner.invoke(app, ["run", str(LARGE), "-r", "2", "--details"],
                           terminal_width=200).output
    assert "value lost to defection" in priced and "wages" in priced


def test_the_figure_stacks_wages_and_value_lost_per_interval(summary: simcall.Summary) -> None:
    ax = plots.cost_per_interval(summary)
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    n = summary.scenario.intervals
    assert len(bars) == 2 * n
    wages, lost = bars[:n], bars[n:]
    for k, row in enumerate(summary.intervals):
        assert wages[k].get_height() == pytest.approx(row["wage_cost"].mean)
        assert lost[k].get_height() == pytest.approx(row["lost_value"].mean)
        assert lost[k].get_y() == pytest.approx(row["wage_cost"].mean)
    plt.close("all")
