"""A back-test as a figure: the call log's day-to-day spread beside the simulated mean.

Why a figure of its own: a fitted scenario is trusted when, interval by interval, its
simulated figures lie where the log's days put them. Four small panels (calls per hour,
abandonment, ASA, service level) against the clock show the log's mean with its ± 2 SE band
and its 10th-90th percentile band of days, the simulated mean on top, and a hollow red ring
on every interval where the simulation falls outside ± 2 SE: the verdict of
:class:`simcall.fit.backtesting.Backtest`, drawn where it happens.

The figure is drawn from the back-test's dictionary (``Backtest.to_dict()``), so it is the
same from a live back-test and from the ``"backtest"`` key of the JSON that
``simcall fit LOG --check --json fit.json`` writes (:func:`read_backtest`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from simcall.errors import SimcallError
from simcall.plots import style

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure
    from matplotlib.gridspec import GridSpecBase

    from simcall.fit.backtesting import Backtest
    from simcall.scenario.schema import Scenario

FIGURES = ("arrivals", "abandon_rate", "asa_s", "service_level")
"""The panels, in reading order (the back-test's figures)."""
WHERE = "simcall fit LOG --check --json fit.json"
"""The command that writes a back-test to JSON, named in every error about a missing one."""
LOG_MEAN = style.OBSERVED
SE_ALPHA = 0.35  # the log's mean ± 2 SE band
SPREAD_ALPHA = 0.12  # the log's 10th-90th percentile band of days: lighter
_KEYS = ("log_mean", "log_se", "log_p10", "log_p90", "simulated")


def backtest_document(data: Backtest | Mapping[str, Any]) -> dict[str, Any]:
    """The back-test as its dictionary, checked: ``data`` itself, or ``data.to_dict()``.

    Raises
    ------
    SimcallError
        When a key the figure needs is missing or a row names an unknown figure.
    """
    document = dict(data) if isinstance(data, Mapping) else data.to_dict()
    missing = [key for key in ("log_days", "simulated_days", "seed", "rows")
               if key not in document]
    if missing:
        raise SimcallError(f"not a back-test: no {', '.join(missing)} (the back-test is "
                           f"the 'backtest' key of the JSON of '{WHERE}')")
    for row in document["rows"]:
        if not isinstance(row, Mapping):
            raise SimcallError(f"not a back-test: a row is {type(row).__name__}, not an object")
        absent = [key for key in ("figure", "interval", "clock", "inside", *_KEYS)
                  if key not in row]
        if absent:
            raise SimcallError(f"not a back-test: a row has no {', '.join(absent)}")
        if row["figure"] not in FIGURES:
            raise SimcallError(f"not a back-test: a row's figure is {row['figure']!r}; "
                               f"allowed: {', '.join(FIGURES)}")
    if not document["rows"]:
        raise SimcallError("the back-test has no rows: nothing to draw")
    return document


def read_backtest(path: Path) -> dict[str, Any]:
    """The back-test in a fit's JSON file (its ``"backtest"`` key), checked.

    Raises
    ------
    SimcallError
        When the file cannot be read, is not JSON, or holds no back-test (a run result,
        or a fit made without ``--check``): the message names the command that writes one.
    """
    from simcall.plots.facts import read_json

    document = read_json(path)
    if not isinstance(document, dict) or not isinstance(document.get("backtest"), dict):
        raise SimcallError(f"{path} holds no back-test (no 'backtest' key): write one with "
                           f"'{WHERE}' and plot that file")
    return backtest_document(document["backtest"])


def backtested_scenario(path: Path) -> Scenario | None:
    """The scenario a fit's JSON says it back-tested (its ``"scenario"`` key), or ``None``
    when the file holds none that loads: the report uses it to say whether the back-test
    is of the scenario it reports on."""
    from simcall.scenario.loader import from_dict

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        scenario = document.get("scenario") if isinstance(document, dict) else None
        return from_dict(scenario) if isinstance(scenario, dict) else None
    except (OSError, ValueError, SimcallError):
        return None


def clock_hours(clock: str) -> float:
    """``"09:30"`` -> ``9.5``; ``"00:30+1d"`` (past midnight) -> ``24.5``."""
    text, _, days = clock.partition("+")
    hours, _, minutes = text.partition(":")
    return float(hours) + float(minutes or 0) / 60.0 + 24.0 * float(days.rstrip("d") or 0)


def interval_hours(document: Mapping[str, Any]) -> float | None:
    """The intervals' length in hours, from the clocks of the first two (``None`` with one)."""
    starts = sorted({(int(row["interval"]), clock_hours(str(row["clock"])))
                     for row in document["rows"]})
    if len(starts) < 2:
        return None
    (k0, h0), (k1, h1) = starts[0], starts[1]
    return (h1 - h0) / (k1 - k0)


def counts_text(document: Mapping[str, Any], figure: str, unit: str) -> str:
    """``"inside ±2 SE in 16 of 17 hours"`` (for arrivals also ``"within 5% in 11"``)."""
    rows = [row for row in document["rows"] if row["figure"] == figure]
    inside = sum(bool(row["inside"]) for row in rows)
    text = f"inside ±2 SE in {inside} of {len(rows)} {unit}"
    within = document.get("arrivals_within_5_percent")
    if figure == "arrivals" and within is not None:
        text += f", within 5% in {within}"
    return text


def backtest(result: Backtest | Mapping[str, Any], *, ax: Axes | None = None
             ) -> dict[str, Axes]:
    """A back-test in four panels against the clock: calls per hour, abandonment, ASA and
    service level, the call log's days beside the simulated ones.

    Each panel draws, at each interval's middle:

    * the log's day-to-day mean (dark grey line) with its mean ± 2 standard errors (grey
      band) and the 10th to 90th percentile of its days (a lighter band: how much one day
      varies);
    * the simulated mean over the simulated days (blue line with markers);
    * a hollow red ring around the simulated point in every interval where it lies outside
      the log's mean ± 2 SE (``inside`` false), and the count of intervals inside in the
      panel's title.

    Arrivals (calls reaching the agent queue) are drawn per hour: the back-test's calls per
    interval divided by the interval's length. The figure's title gives the log days, the
    simulated days and the seed; one legend below the panels names every series.

    Parameters
    ----------
    result
        A :class:`~simcall.fit.backtesting.Backtest` or its ``to_dict()`` form (the
        ``"backtest"`` key of a fit's JSON; :func:`read_backtest` reads one).
    ax
        The four panels take this Axes' place in its figure (its slot is split 2 x 2); a
        new figure when ``None``. The title and the legend go on the figure.

    Returns
    -------
    dict
        The panels' Axes by figure name: ``"arrivals"``, ``"abandon_rate"``, ``"asa_s"``,
        ``"service_level"``.
    """
    document = backtest_document(result)
    figure, grid = _grid(ax)
    width = interval_hours(document)
    unit = "hours" if width is not None and math.isclose(width, 1.0) else "intervals"
    panels: dict[str, Axes] = {}
    for index, name in enumerate(FIGURES):
        panel = figure.add_subplot(grid[divmod(index, 2)],
                                   sharex=panels.get("arrivals"))
        _panel(panel, document, name, width, unit)
        panels[name] = panel
    for name in ("arrivals", "abandon_rate"):
        panels[name].tick_params(labelbottom=False)
        panels[name].set_xlabel("")
    threshold = document.get("service_level_threshold_s")
    figure.suptitle(
        f"Back-test against the call log: {document['log_days']} log days beside "
        f"{document['simulated_days']} simulated days (seed {document['seed']})"
        + (f", service level within {threshold:g} s" if threshold is not None else ""),
        fontsize="medium")
    handles, labels = panels["arrivals"].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=3, fontsize="small",
                  frameon=False)
    return panels


def _grid(ax: Axes | None) -> tuple[Figure | SubFigure, GridSpecBase]:
    """The figure and a 2 x 2 grid: in ``ax``'s slot, or filling a new figure."""
    if ax is None:
        import matplotlib.pyplot as plt

        created = plt.figure(figsize=(10.0, 6.5), layout="constrained")
        return created, created.add_gridspec(2, 2)
    spec = ax.get_subplotspec()
    if spec is None:
        raise ValueError("ax must be a subplot (its slot is split into the four panels)")
    figure = ax.figure
    ax.remove()
    return figure, spec.subgridspec(2, 2)


def _column(rows: list[Mapping[str, Any]], key: str) -> np.ndarray:
    return np.array([math.nan if row[key] is None else float(row[key]) for row in rows])


_TITLES = {"arrivals": "Calls", "abandon_rate": "Abandonment", "asa_s": "ASA",
           "service_level": "Service level"}


def _panel(ax: Axes, document: Mapping[str, Any], name: str, width: float | None,
           unit: str) -> None:
    rows = sorted((row for row in document["rows"] if row["figure"] == name),
                  key=lambda row: row["interval"])
    starts = np.array([clock_hours(row["clock"]) for row in rows])
    step = width if width is not None else 1.0
    x = starts + step / 2
    scale = 1.0 / width if name == "arrivals" and width is not None else 1.0
    mean, se = _column(rows, "log_mean") * scale, _column(rows, "log_se") * scale
    p10, p90 = _column(rows, "log_p10") * scale, _column(rows, "log_p90") * scale
    simulated = _column(rows, "simulated") * scale
    outside = np.array([not row["inside"] for row in rows])
    ax.fill_between(x, p10, p90, color=LOG_MEAN, alpha=SPREAD_ALPHA, linewidth=0,
                    label="log: 10th-90th percentile of days")
    ax.fill_between(x, mean - 2 * se, mean + 2 * se, color=LOG_MEAN, alpha=SE_ALPHA,
                    linewidth=0, label="log: mean ± 2 SE")
    ax.plot(x, mean, color=LOG_MEAN, linewidth=1.5, label="log: day-to-day mean")
    ax.plot(x, simulated, color=style.SIMULATED, marker="o", markersize=4, linewidth=1.5,
            label=f"simulated: mean of {document['simulated_days']} days")
    ax.plot(x[outside], simulated[outside], linestyle="none", marker="o", markersize=11,
            markerfacecolor="none", markeredgecolor=style.NOT_MET, markeredgewidth=1.8,
            label="simulated outside the log's ± 2 SE")
    per = "hour" if width is not None else "interval"  # arrivals are per hour when known
    if name == "arrivals":
        ax.set_ylabel(f"calls per {per}")
    elif name == "asa_s":
        ax.set_ylabel("seconds")
    else:
        from matplotlib.ticker import PercentFormatter

        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        ax.set_ylabel("% of calls")
    ax.set_ylim(bottom=0.0)
    if name in ("abandon_rate", "service_level"):
        _, high = ax.get_ylim()
        ax.set_ylim(0.0, min(high, 1.0) if name == "abandon_rate" else 1.02)
    style.clock_axis(ax, starts[0], starts[-1] + step,
                     "Interval (clock time of its middle, hh:mm)")
    span = starts[-1] + step - starts[0]
    if span > 6.0:  # a half-width panel holds about six clock labels, not nine
        from matplotlib.ticker import MultipleLocator

        spacing = next(s for s in (2.0, 3.0, 4.0, 6.0, 12.0, 24.0) if span / s <= 6)
        ax.xaxis.set_major_locator(MultipleLocator(spacing))
    if starts[-1] + step <= 24.0:  # one day: midnight at the right edge is "00:00"
        from matplotlib.ticker import FuncFormatter

        ax.xaxis.set_major_formatter(FuncFormatter(
            lambda value, _pos: style.clock_text(value % 24.0)))
    ax.grid(True, alpha=0.3)
    threshold = document.get("service_level_threshold_s")
    title = _TITLES[name] + (f" per {per}" if name == "arrivals" else "") + (
        f" (within {threshold:g} s)" if name == "service_level" and threshold is not None
        else "")
    ax.set_title(f"{title}: {counts_text(document, name, unit)}", fontsize="medium")
