"""The back-test figure and ``simcall plot FIT.json --kind backtest``, under Agg.

The back-test comes from small synthetic tallies (:meth:`Backtest.compare`), so every
row's numbers are known; the panels' drawn data are compared with them, and the hollow
rings with the rows whose ``inside`` is false.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import typer
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from typer.testing import CliRunner

from helpers import SCENARIOS
from simcall import plots
from simcall.errors import SimcallError
from simcall.fit.backtesting import Backtest, Tallies
from simcall.plots.backtesting import FIGURES, backtest_document, clock_hours, read_backtest

INTERVALS = 4


def tallies(days: int, seed: int, arrivals: float, patience: float) -> Tallies:
    """Counts per day and interval with known proportions: about ``patience`` of the
    handled calls are answered, most of them within the threshold."""
    rng = np.random.default_rng(seed)
    offered = rng.poisson(arrivals, size=(days, INTERVALS)).astype(float)
    answered = np.floor(offered * rng.uniform(patience - 0.1, patience + 0.1, offered.shape))
    within = np.floor(answered * rng.uniform(0.5, 0.9, offered.shape))
    return Tallies(offered, answered, offered - answered, within,
                   answered * rng.uniform(10.0, 60.0, offered.shape))


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def result() -> Backtest:
    log = tallies(12, 1, 60.0, 0.8)
    simulated = tallies(30, 2, 66.0, 0.75)  # more calls, more abandonment: some misses
    return Backtest.compare(log, simulated, open_s=8 * 3600, interval_s=3600, seed=5)


@pytest.fixture(scope="module")
def document(result: Backtest) -> dict[str, Any]:
    return result.to_dict()


def rows_of(document: dict[str, Any], figure: str) -> list[dict[str, Any]]:
    return [r for r in document["rows"] if r["figure"] == figure]


def series(ax, label_part: str):
    found = [ln for ln in ax.get_lines() if label_part in ln.get_label()]
    assert len(found) == 1, [ln.get_label() for ln in ax.get_lines()]
    return found[0]


def test_the_synthetic_back_test_has_intervals_inside_and_outside(document) -> None:
    inside = [r["inside"] for r in document["rows"]]
    assert any(inside) and not all(inside)  # the test below checks both kinds


@pytest.mark.parametrize("figure", FIGURES)
def test_each_panel_draws_the_rows_and_rings_exactly_the_outside_intervals(
        document, figure: str) -> None:
    panels = plots.backtest(document)
    assert list(panels) == list(FIGURES)
    ax = panels[figure]
    rows = rows_of(document, figure)
    centres = np.array([clock_hours(r["clock"]) + 0.5 for r in rows])
    assert centres.tolist() == [8.5, 9.5, 10.5, 11.5]
    log = series(ax, "day-to-day mean")
    simulated = series(ax, "simulated: mean of 30 days")
    rings = series(ax, "outside")
    assert np.allclose(log.get_xdata(), centres)
    assert np.allclose(log.get_ydata(), [r["log_mean"] for r in rows])  # 1 h: per hour
    assert np.allclose(simulated.get_ydata(), [r["simulated"] for r in rows])
    outside = [not r["inside"] for r in rows]
    assert np.allclose(rings.get_xdata(), centres[outside])
    assert np.allclose(rings.get_ydata(), np.array([r["simulated"] for r in rows])[outside])
    assert rings.get_markerfacecolor() == "none"
    assert len(ax.get_lines()) == 3
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2  # the log's ± 2 SE and its 10th-90th percentiles
    inside = sum(r["inside"] for r in rows)
    assert f"inside ±2 SE in {inside} of {INTERVALS} hours" in ax.get_title()


def test_a_backtest_and_its_dict_draw_the_same(result: Backtest, document) -> None:
    from_object, from_dict = plots.backtest(result), plots.backtest(document)
    for figure in FIGURES:
        for a, b in zip(from_object[figure].get_lines(), from_dict[figure].get_lines(),
                        strict=True):
            assert np.array_equal(a.get_ydata(), b.get_ydata(), equal_nan=True)


def test_the_title_gives_the_days_and_the_seed(document) -> None:
    panels = plots.backtest(document)
    title = panels["arrivals"].figure.get_suptitle()
    assert "12 log days" in title and "30 simulated days" in title and "seed 5" in title
    assert "within 5% in" in panels["arrivals"].get_title()


def test_half_hour_intervals_draw_arrivals_per_hour() -> None:
    log, simulated = tallies(6, 3, 30.0, 0.8), tallies(6, 4, 30.0, 0.8)
    document = Backtest.compare(log, simulated, 9 * 3600, 1800, seed=1).to_dict()
    ax = plots.backtest(document)["arrivals"]
    rows = rows_of(document, "arrivals")
    assert np.allclose(series(ax, "day-to-day mean").get_ydata(),
                       [2 * r["log_mean"] for r in rows])
    assert np.allclose(series(ax, "day-to-day mean").get_xdata(), [9.25, 9.75, 10.25, 10.75])
    assert "per hour" in ax.get_title() and "of 4 intervals" in ax.get_title()


def test_missing_values_leave_gaps_not_errors(document) -> None:
    changed = json.loads(json.dumps(document))
    changed["rows"][0].update(log_se=None, log_mean=None, simulated=None, inside=False)
    ax = plots.backtest(changed)["arrivals"]
    assert math.isnan(series(ax, "day-to-day mean").get_ydata()[0])
    assert len(series(ax, "outside").get_xdata()) >= 1


def test_drawn_in_the_place_of_an_axes_of_a_figure(document) -> None:
    """The report hands it one Axes of a Figure: the four panels take its place."""
    figure = Figure(layout="constrained")
    panels = plots.backtest(document, ax=figure.add_subplot())
    assert len(figure.axes) == 4 and set(figure.axes) == set(panels.values())


def test_a_wrong_document_is_refused_with_what_is_missing(document) -> None:
    with pytest.raises(SimcallError, match="no rows"):
        backtest_document({k: v for k, v in document.items() if k != "rows"})
    broken = json.loads(json.dumps(document))
    del broken["rows"][2]["log_p90"]
    with pytest.raises(SimcallError, match="log_p90"):
        backtest_document(broken)
    broken["rows"][2]["log_p90"] = 1.0
    broken["rows"][2]["figure"] = "occupancy"
    with pytest.raises(SimcallError, match="occupancy"):
        backtest_document(broken)


# -- the command ---------------------------------------------------------------------------


runner = CliRunner()


def cli() -> typer.Typer:
    from simcall.cli import app

    return app


def output(result) -> str:
    return " ".join(result.output.split())  # rich wraps long messages


def test_plot_a_fit_json_writes_a_png(document, tmp_path: Path) -> None:
    fit = tmp_path / "fit.json"
    fit.write_text(json.dumps({"command": "simcall fit ...", "backtest": document}))
    out = tmp_path / "backtest.png"
    result = runner.invoke(cli(), ["plot", str(fit), "--kind", "backtest", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert read_backtest(fit)["seed"] == 5


def test_a_json_without_a_back_test_says_what_to_run(summary_json: Path,
                                                      tmp_path: Path) -> None:
    out = tmp_path / "b.png"
    result = runner.invoke(cli(), ["plot", str(summary_json), "--kind", "backtest", "-o",
                                   str(out)])
    assert result.exit_code == 2
    assert "no back-test" in output(result)
    assert "simcall fit LOG --check --json fit.json" in output(result)
    assert "Traceback" not in result.output and not out.exists()


def test_a_scenario_with_kind_backtest_says_what_to_run(tmp_path: Path) -> None:
    out = tmp_path / "b.png"
    result = runner.invoke(cli(), ["plot", str(SCENARIOS / "helpdesk.toml"), "--kind",
                                   "backtest", "-o", str(out)])
    assert result.exit_code == 2
    assert "not a scenario" in output(result)
    assert "simcall fit LOG --check --json fit.json" in output(result)
    assert "Traceback" not in result.output and not out.exists()


def test_a_fit_json_asked_for_another_kind_points_to_backtest(document,
                                                              tmp_path: Path) -> None:
    fit = tmp_path / "fit.json"
    fit.write_text(json.dumps({"backtest": document}))
    result = runner.invoke(cli(), ["plot", str(fit), "--kind", "asa", "-o",
                                   str(tmp_path / "a.png")])
    assert result.exit_code == 2 and "--kind backtest" in output(result)


@pytest.fixture
def summary_json(tmp_path: Path) -> Path:
    import simcall

    summary = simcall.replicate(simcall.load(SCENARIOS / "helpdesk.toml", ["intervals=2"]), 2)
    path = tmp_path / "result.json"
    path.write_text(json.dumps(summary.to_json()))
    return path
