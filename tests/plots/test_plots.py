"""simcall.plots and simcall plot: figures checked for what they show, under Agg.

Each plot's drawn data is compared with the result's own numbers (means,
confidence limits, target bounds, Erlang values, counts from the records),
not only checked for existing.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import typer
from matplotlib.collections import PolyCollection
from typer.testing import CliRunner

import simcall
from helpers import SCENARIOS
from simcall import plots
from simcall.cli.plot import KIND_NAMES, plot_command
from simcall.erlang import erlang_a_metrics
from simcall.model.records import Outcome
from simcall.plots import style
from simcall.plots.answer_times import not_answered_within
from simcall.plots.facts import from_json
from simcall.plots.transfer_flows import transfer_counts


@pytest.fixture(autouse=True)
def _no_show_and_close(monkeypatch: pytest.MonkeyPatch):
    def show(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a plot called show()")

    monkeypatch.setattr(plt, "show", show)
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def helpdesk() -> simcall.Scenario:
    return simcall.load(SCENARIOS / "helpdesk.toml", ["intervals=6"])


@pytest.fixture(scope="module")
def summary(helpdesk: simcall.Scenario) -> simcall.Summary:
    return simcall.replicate(helpdesk, 4, seed=3, keep_records=True)


@pytest.fixture(scope="module")
def five() -> simcall.Summary:
    scenario = simcall.load(SCENARIOS / "five_departments.toml")
    return simcall.replicate(scenario, 2, seed=2, keep_records=True)


def bands(ax) -> list[PolyCollection]:
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


def band_limits(collection: PolyCollection, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper edges of a fill_between band at each ``x`` (from its outline)."""
    vertices = collection.get_paths()[0].vertices
    at = [vertices[np.isclose(vertices[:, 0], value), 1] for value in x]
    return np.array([ys.min() for ys in at]), np.array([ys.max() for ys in at])


def line(ax, label_part: str):
    found = [ln for ln in ax.get_lines() if label_part in ln.get_label()]
    assert len(found) == 1, [ln.get_label() for ln in ax.get_lines()]
    return found[0]


# -- per interval --------------------------------------------------------------------------


def test_service_level_per_interval_draws_means_band_target_and_erlang(summary) -> None:
    ax = plots.interval_kpi(summary, "service_level")
    scenario = summary.scenario
    means = [row["service_level"].mean for row in summary.intervals]
    mean_line = line(ax, "simulated")
    np.testing.assert_allclose(mean_line.get_ydata(), means)
    centres = (scenario.open_s + (np.arange(6) + 0.5) * scenario.interval) / 3600
    np.testing.assert_allclose(mean_line.get_xdata(), centres)
    (band,) = bands(ax)
    low, high = band_limits(band, centres)
    np.testing.assert_allclose(low, [r["service_level"].ci95.low for r in summary.intervals])
    np.testing.assert_allclose(high, [r["service_level"].ci95.high for r in summary.intervals])
    target = line(ax, "target")
    assert set(target.get_ydata()) == {0.80}
    erlang = line(ax, "Erlang A")
    expected = erlang_a_metrics(10, 120, 240, 180, within=12.0).service_level
    np.testing.assert_allclose(erlang.get_ydata(), [expected] * 6)
    assert "12 s" in ax.get_ylabel() and "%" in ax.get_ylabel()
    assert "hh:mm" in ax.get_xlabel()
    assert "Service level" in ax.get_title()
    assert ax.get_legend() is not None and len(ax.get_legend().get_texts()) == 3


def test_asa_and_abandonment_use_their_own_erlang_fields_and_units(summary) -> None:
    ax = plots.interval_kpi(summary, "asa_s")
    assert ax.get_ylabel() == "ASA (s)"
    assert not [ln for ln in ax.get_lines() if "target" in ln.get_label()]  # no ASA target
    np.testing.assert_allclose(line(ax, "Erlang A").get_ydata(),
                               [erlang_a_metrics(10, 120, 240, 180).asa] * 6)
    ax = plots.interval_kpi(summary, "abandon_rate")
    assert set(line(ax, "target").get_ydata()) == {0.05}
    np.testing.assert_allclose(line(ax, "Erlang A").get_ydata(),
                               [erlang_a_metrics(10, 120, 240, 180).p_abandon] * 6)


def test_no_erlang_line_for_several_departments_and_the_legend_says_why(five) -> None:
    ax = plots.interval_kpi(five, "service_level")
    assert not [ln for ln in ax.get_lines() if ln.get_label().startswith("Erlang")]
    assert line(ax, "no Erlang line").get_xydata().size == 0


def test_one_replication_has_no_band(helpdesk) -> None:
    one = simcall.replicate(helpdesk, 1, seed=3)
    ax = plots.interval_kpi(one, "service_level", erlang=False)
    assert bands(ax) == []
    assert "1 replication" in line(ax, "simulated").get_label()


def test_drawing_on_a_given_axes_returns_it(summary) -> None:
    figure, (left, right) = plt.subplots(1, 2)
    assert plots.interval_kpi(summary, ax=left) is left
    assert plots.rings(summary, ax=right) is right
    assert len(figure.axes) == 2


def test_unknown_kpi_names_the_allowed_ones(summary) -> None:
    with pytest.raises(ValueError, match=r"allowed: .*asa_s"):
        plots.interval_kpi(summary, "speed")


# -- staffing ------------------------------------------------------------------------------


def test_staffing_draws_offered_bars_agents_on_duty_and_erlang_a_required(summary) -> None:
    ax = plots.staffing(summary)
    bars = ax.patches
    assert len(bars) == 6
    np.testing.assert_allclose([b.get_height() for b in bars],
                               [row["offered"].mean for row in summary.intervals])
    assert "calls" in ax.get_ylabel().lower()
    (agents,) = [other for other in ax.figure.axes if other is not ax]
    assert "agents" in agents.get_ylabel().lower()
    np.testing.assert_allclose(line(agents, "on duty").get_ydata(), [10.0] * 6)
    from simcall.staffing.closed_form import erlang_plans

    _, erlang_a = erlang_plans(summary.scenario, ["support team"])
    np.testing.assert_allclose(line(agents, "required (Erlang A)").get_ydata(),
                               erlang_a["support team"])


def test_staffing_shows_a_search_plan(summary) -> None:
    plan = simcall.staff(summary.scenario.model_copy(update={"intervals": 2}),
                         replications=9, verify_replications=7)
    result = simcall.replicate(plan.scenario, 2)
    ax = plots.staffing(result, plan)
    (agents,) = [other for other in ax.figure.axes if other is not ax]
    np.testing.assert_allclose(line(agents, "simcall staff").get_ydata(),
                               plan.plan["support team"])
    np.testing.assert_allclose(line(agents, "Erlang A").get_ydata(),
                               plan.erlang_a["support team"])


# -- through the day -----------------------------------------------------------------------


def test_through_the_day_queue_and_busy_are_time_averages_of_the_records(summary) -> None:
    ax = plots.through_the_day(summary, step=600.0)
    scenario = summary.scenario
    queue, busy = line(ax, "callers waiting"), line(ax, "agents busy")
    assert len(queue.get_xdata()) == int(scenario.horizon / 600)
    # busy agent-seconds of the whole day, from the records, equal the plotted averages x bin
    busy_seconds = np.mean([np.sum(np.minimum(r.records.busy.end, scenario.horizon)
                                   - np.minimum(r.records.busy.start, scenario.horizon))
                            for r in summary.runs])
    assert np.sum(busy.get_ydata()) * 600.0 == pytest.approx(busy_seconds)
    visits = [r.records.visits for r in summary.runs]
    wait_seconds = np.mean([np.sum(np.clip(v.entered + np.nan_to_num(v.wait), None,
                                           scenario.horizon) - np.minimum(v.entered,
                                                                          scenario.horizon))
                            for v in visits])
    assert np.sum(queue.get_ydata()) * 600.0 == pytest.approx(wait_seconds)
    assert len(bands(ax)) == 2
    assert "agents" in ax.get_ylabel() and "hh:mm" in ax.get_xlabel()


def test_through_the_day_adds_not_ready_agents_to_the_busy_ones_when_there_are_any(
        helpdesk: simcall.Scenario, summary: simcall.Summary) -> None:
    """With not-ready time a dashed line is busy + not ready (its area: the records' busy
    and not-ready agent-seconds); without any, no such line."""
    assert not [ln for ln in plots.through_the_day(summary).get_lines()
                if "not ready" in str(ln.get_label())]
    paused = simcall.replicate(simcall.load(SCENARIOS / "helpdesk.toml", [
        "intervals=6", 'agents.support team.not_ready = { dist = "deterministic", '
        "value = 30 }"]), 3, keep_records=True)
    ax = plots.through_the_day(paused, step=600.0)
    both = line(ax, "agents busy or not ready")
    horizon = paused.scenario.horizon

    def seconds(periods) -> float:
        return float(np.sum(np.minimum(periods.end, horizon)
                            - np.minimum(periods.start, horizon)))

    expected = np.mean([seconds(r.records.busy) + seconds(r.records.not_ready)
                        for r in paused.runs])
    assert np.sum(both.get_ydata()) * 600.0 == pytest.approx(expected)
    assert seconds(paused.runs[0].records.not_ready) > 0


def test_a_title_too_long_for_the_figure_goes_on_two_lines() -> None:
    _, ax = plt.subplots()
    style.finish(ax, "Queue and agents through the day — " + "x" * 40 + " (5 replications)")
    assert ax.get_title() == ("Queue and agents through the day\n" + "x" * 40
                              + " (5 replications)")
    style.finish(ax, "Queue and agents through the day — helpdesk (20 replications)")
    assert "\n" not in ax.get_title()


def test_plots_that_need_records_say_how_to_keep_them(helpdesk) -> None:
    without = simcall.replicate(helpdesk, 2)
    for draw in (plots.through_the_day, plots.waiting, plots.transfer_matrix):
        with pytest.raises(ValueError, match="keep_records=True"):
            draw(without)


# -- waiting and rings ---------------------------------------------------------------------


def test_waiting_curve_starts_at_the_share_that_waited_and_meets_one_minus_sl(summary) -> None:
    ax = plots.waiting(summary)
    curve = line(ax, "not yet answered")
    times, shares = curve.get_xdata(), curve.get_ydata()
    assert times[0] == 0.0 and np.all(np.diff(shares) <= 1e-12)
    threshold = summary.scenario.service_level_threshold
    waited, one_minus_sl = [], []
    for run in summary.runs:  # independently, from the call records
        calls = run.records.calls
        judged = np.isin(calls.outcome, (Outcome.ANSWERED, Outcome.ABANDONED))
        answered = calls.outcome == Outcome.ANSWERED
        waited.append(np.mean(~answered[judged] | (calls.answer_time[judged] > 0)))
        within = np.count_nonzero(answered & (calls.answer_time < threshold))
        one_minus_sl.append(1 - within / np.count_nonzero(judged))
    assert shares[0] == pytest.approx(np.mean(waited))
    at = shares[np.searchsorted(times, threshold)]
    assert at == pytest.approx(np.mean(one_minus_sl))
    assert at == pytest.approx(1 - summary.kpis["service_level"].mean)
    threshold_line = line(ax, "threshold")
    assert set(threshold_line.get_xdata()) == {threshold}
    assert "12 s = 2 rings" in threshold_line.get_label()
    assert "Rings (6 s each)" in [child.get_xlabel() for child in ax.child_axes]
    assert "(s)" in ax.get_xlabel() and "%" in ax.get_ylabel()


def test_not_answered_within_counts_abandoned_calls_as_never_answered(summary) -> None:
    records = summary.runs[0].records
    far = not_answered_within(records, np.array([1e9]))
    calls = records.calls
    abandoned = np.count_nonzero(calls.outcome == Outcome.ABANDONED)
    judged = abandoned + np.count_nonzero(calls.outcome == Outcome.ANSWERED)
    assert far[0] == pytest.approx(abandoned / judged)


def test_rings_bars_are_the_ring_shares_with_their_intervals(summary) -> None:
    ax = plots.rings(summary)
    shown = [p for p in ax.patches if p.get_hatch() is None]
    heights = [p.get_height() for p in shown]
    np.testing.assert_allclose(heights, [e.mean for e in summary.ring_shares[:len(shown)]])
    colours = [matplotlib.colors.to_hex(p.get_facecolor()) for p in shown[:3]]
    assert colours == [style.MET.lower(), style.MET.lower(), style.NOT_MET.lower()]
    assert set(line(ax, "threshold").get_xdata()) == {2.5}  # between ring 2 and ring 3
    assert "6 s each" in ax.get_xlabel()


# -- transfers -----------------------------------------------------------------------------


def test_transfer_matrix_counts_every_transfer_once(five) -> None:
    ax = plots.transfer_matrix(five)
    (image,) = ax.get_images()
    matrix = image.get_array()
    transfers = np.mean([r.records.calls.transfers[r.records.calls.arrival >= 0].sum()
                         for r in five.runs])
    assert matrix.sum() == pytest.approx(transfers)
    names = [d.name for d in five.scenario.departments]
    assert [t.get_text() for t in ax.get_xticklabels()] == names
    assert len(ax.texts) == len(names) ** 2
    assert ax.get_xlabel() == "To department" and ax.get_ylabel() == "From department"
    records = five.runs[0].records
    counts = transfer_counts(records, len(names))
    sales, orders = names.index("sales"), names.index("orders")
    visits = records.visits
    from_sales = np.count_nonzero(visits.transferred & (visits.department == sales))
    assert counts[sales].sum() <= from_sales and counts[sales, orders] > 0


def test_transfers_per_caller_marks_the_limit(five) -> None:
    ax = plots.transfers_per_caller(five)
    heights = [p.get_height() for p in ax.patches]
    np.testing.assert_allclose(heights, [e.mean for e in five.transfer_shares])
    limit = line(ax, "target")
    assert set(limit.get_xdata()) == {1.5}
    assert "95%" in limit.get_label() and "at most 1" in limit.get_label()
    assert "count" in ax.get_xlabel() and "%" in ax.get_ylabel()


# -- comparisons and sweeps ----------------------------------------------------------------


def test_comparison_draws_one_line_and_band_per_variant(helpdesk) -> None:
    more = simcall.load(SCENARIOS / "helpdesk.toml", ["intervals=6",
                                                      "agents.support team.staff=11"])
    comparison = simcall.compare({"ten": helpdesk, "eleven": more}, 3, seed=1)
    ax = plots.comparison(comparison, "service_level")
    for name in ("ten", "eleven"):
        np.testing.assert_allclose(
            line(ax, f"{name} ").get_ydata(),
            [row["service_level"].mean for row in comparison.summaries[name].intervals])
    assert len(bands(ax)) == 2
    assert "baseline" in line(ax, "ten ").get_label()
    assert set(line(ax, "target").get_ydata()) == {0.8}


def test_sweep_draws_one_line_per_value_of_the_other_key(helpdesk) -> None:
    result = simcall.sweep(helpdesk.model_copy(update={"intervals": 2}),
                           {"agents.support team.staff": [9, 11],
                            "callers.customers.arrivals_per_hour": [100, 120]}, 2, seed=1)
    ax = plots.sweep(result, "asa_s")
    lines = [ln for ln in ax.get_lines() if "arrivals_per_hour" in ln.get_label()]
    assert len(lines) == 2
    kpis = result.kpis
    for ln, rate in zip(lines, (100, 120), strict=True):
        np.testing.assert_allclose(ln.get_xdata(), [9, 11])
        expected = [kpis[p.index]["asa_s"].mean for p in result.points
                    if p.values["callers.customers.arrivals_per_hour"] == rate]
        np.testing.assert_allclose(ln.get_ydata(), expected)
    assert "staff" in ax.get_xlabel() and ax.get_ylabel() == "ASA (s)"
    ax = plots.sweep(result, "service_level", x="callers.customers.arrivals_per_hour")
    assert len([ln for ln in ax.get_lines() if "staff =" in ln.get_label()]) == 2


# -- from a saved result -------------------------------------------------------------------


def test_a_json_result_plots_intervals_rings_and_transfers(summary) -> None:
    document = from_json(json.loads(json.dumps(summary.to_json())))
    ax = plots.interval_kpi(document, "service_level")
    np.testing.assert_allclose(line(ax, "simulated").get_ydata(),
                               [row["service_level"].mean for row in summary.intervals])
    assert set(line(ax, "target").get_ydata()) == {0.8}
    assert line(ax, "scenario is not known").get_xydata().size == 0
    np.testing.assert_allclose(line(ax, "simulated").get_xdata(),
                               line(plots.interval_kpi(summary), "simulated").get_xdata())
    assert len(plots.rings(document).patches) >= 3
    assert len(plots.transfers_per_caller(document).patches) == len(summary.transfer_shares)


# -- the command ---------------------------------------------------------------------------


runner = CliRunner()


def cli() -> typer.Typer:
    from simcall.cli import app

    if any(c.name == "plot" for c in app.registered_commands):
        return app
    local = typer.Typer()
    local.command("plot")(plot_command)
    local.command("noop")(lambda: None)  # two commands: "plot" stays a subcommand
    return local


def test_every_kind_is_a_plot() -> None:
    assert set(KIND_NAMES) == set(plots.KINDS)


def test_plot_writes_png_and_svg(tmp_path: Path) -> None:
    png, svg = tmp_path / "sl.png", tmp_path / "waiting.svg"
    scenario = str(SCENARIOS / "helpdesk.toml")
    result = runner.invoke(cli(), ["plot", scenario, "--kind", "service-level", "--out", str(png),
                                   "-r", "2", "--set", "intervals=4", "-w", "1"])
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    result = runner.invoke(cli(), ["plot", scenario, "--kind", "waiting", "--out", str(svg),
                                   "-r", "2", "--set", "intervals=4", "-w", "1"])
    assert result.exit_code == 0, result.output
    assert "<svg" in svg.read_text()[:500]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sl.png", "waiting.svg"]


def test_bad_kind_and_bad_file_name_exit_2_with_what_is_allowed(tmp_path: Path) -> None:
    scenario = str(SCENARIOS / "helpdesk.toml")
    result = runner.invoke(cli(), ["plot", scenario, "--kind", "pie", "--out",
                                   str(tmp_path / "x.png")])
    assert result.exit_code == 2
    assert "--kind pie" in result.output and "service-level" in result.output
    assert "transfer-matrix" in result.output and "Traceback" not in result.output
    result = runner.invoke(cli(), ["plot", scenario, "--kind", "day", "--out",
                                   str(tmp_path / "x.jpg")])
    assert result.exit_code == 2 and ".png or .svg" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_result_json_gives_interval_plots_and_a_clear_error_for_the_day(
        summary, tmp_path: Path) -> None:
    source = tmp_path / "result.json"
    source.write_text(json.dumps(summary.to_json()))
    out = tmp_path / "asa.png"
    result = runner.invoke(cli(), ["plot", str(source), "--kind", "asa", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:4] == b"\x89PNG"
    result = runner.invoke(cli(), ["plot", str(source), "--kind", "day", "--out",
                                   str(tmp_path / "day.png")])
    assert result.exit_code == 2
    assert "call records" in result.output and "scenario file" in result.output
    assert not (tmp_path / "day.png").exists()


def test_compare_kind_needs_another_scenario(tmp_path: Path) -> None:
    result = runner.invoke(cli(), ["plot", str(SCENARIOS / "helpdesk.toml"), "--kind",
                                   "compare", "--out", str(tmp_path / "c.png")])
    assert result.exit_code == 2 and "--compare OTHER.toml" in result.output


def test_no_nan_means_hidden(summary) -> None:
    """A guard for the band helper: limits and means have one value per interval."""
    low, high = style.limits([row["asa_s"] for row in summary.intervals])
    assert low.shape == high.shape == (6,) and not math.isnan(low[0])
