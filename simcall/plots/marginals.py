"""Where does the next hour of staff pay most: a marginal analysis as a figure.

Why a figure of its own: ``simcall marginal`` answers, interval by interval, what one agent
more (or fewer) changes in the day's cost, wages plus the value of callers who defect. A
planner reads the answer best as bars against the clock: below zero the change pays, the
lowest bar is where the next agent pays most, and the error bar says whether the
simulation can tell (its paired 95% interval, common random numbers).

The figure is drawn from the analysis' document (``Marginal.to_json()``), so it is the same
from a live analysis and from the JSON that ``simcall marginal --json`` writes
(:func:`read_marginal`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from simcall.errors import SimcallError
from simcall.plots import style
from simcall.plots.backtesting import clock_hours

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure
    from matplotlib.gridspec import GridSpecBase

    from simcall.staffing.marginals import Marginal

WHERE = "simcall marginal SCENARIO --json marginal.json"
"""The command that writes a marginal analysis to JSON, named in every error about one."""
STEPS = {+1: ("one agent more", style.SIMULATED), -1: ("one agent fewer", style.REQUIRED)}
FAINT = 0.4  # a bar whose 95% interval holds zero: drawn this transparent
_KEYS = ("group", "interval", "index", "step", "agent_hours", "net", "lost_callers")


def marginal_document(data: Marginal | Mapping[str, Any]) -> dict[str, Any]:
    """The analysis as its document, checked: ``data`` itself, or ``data.to_json()``.

    Raises
    ------
    SimcallError
        When a key the table or the figure needs is missing or malformed.
    """
    document = dict(data) if isinstance(data, Mapping) else data.to_json()
    missing = [key for key in ("scenario", "seed", "replications", "groups", "labels",
                               "interval_s", "changes") if key not in document]
    if missing:
        raise SimcallError(f"not a marginal analysis: no {', '.join(missing)} (write one "
                           f"with '{WHERE}')")
    labels = document["labels"]
    if not isinstance(labels, list) or not labels:
        raise SimcallError("not a marginal analysis: 'labels' must list the intervals")
    if not isinstance(document["changes"], list) or not document["changes"]:
        raise SimcallError("the marginal analysis has no changes: nothing to show")
    for change in document["changes"]:
        if not isinstance(change, Mapping):
            raise SimcallError(f"not a marginal analysis: a change is "
                               f"{type(change).__name__}, not an object")
        absent = [key for key in _KEYS if key not in change]
        if absent:
            raise SimcallError(f"not a marginal analysis: a change has no {', '.join(absent)}")
        if change["step"] not in STEPS or change["group"] not in document["groups"]:
            raise SimcallError(f"not a marginal analysis: a change of step {change['step']!r} "
                               f"in group {change['group']!r}")
        if not (isinstance(change["index"], int) and 0 <= change["index"] < len(labels)):
            raise SimcallError(f"not a marginal analysis: a change's interval index "
                               f"{change['index']!r} is not one of the {len(labels)}")
    return document


def read_marginal(path: Path) -> dict[str, Any]:
    """The marginal analysis in a JSON file from ``simcall marginal --json``, checked.

    Raises
    ------
    SimcallError
        When the file cannot be read, is not JSON, or is not a marginal analysis (a run
        result, a comparison): the message names the command that writes one.
    """
    from simcall.plots.facts import read_json

    document = read_json(path)
    if not isinstance(document, dict) or "changes" not in document:
        raise SimcallError(f"{path} holds no marginal analysis (no 'changes' key): write one "
                           f"with '{WHERE}' and give that file")
    try:
        return marginal_document(document)
    except SimcallError as exc:
        raise SimcallError(f"{path}: {exc}") from None


def priced(document: Mapping[str, Any]) -> bool:
    """Whether the scenario puts a price on anything (wages, or callers worth keeping):
    without, every net change is zero and the figure shows callers lost instead."""
    prices = document.get("prices") or {}
    return bool(prices.get("wages") or prices.get("losses"))


def mean_and_ci(entry: Mapping[str, Any] | None) -> tuple[float, float, float]:
    """An estimate of the document as (mean, low, high); ``nan`` where there is none."""
    if entry is None:
        return math.nan, math.nan, math.nan
    mean = entry.get("mean")
    ci = entry.get("ci95")
    low, high = (math.nan, math.nan) if ci is None else (
        math.nan if v is None else float(v) for v in ci)
    return math.nan if mean is None else float(mean), low, high


def marginal_net(result: Marginal | Mapping[str, Any], *, ax: Axes | None = None
                 ) -> dict[str, Axes]:
    """Per interval, what one agent more (and one fewer) there changes in the day's cost.

    One panel per agent group, against the clock. At each interval two bars: the change in
    the day's total cost (wages + lost value; ``net``) of one agent more in that interval
    alone (blue) and of one agent fewer (orange), variant minus base, with the paired 95%
    interval as an error bar. Below zero the change pays; a bar whose interval holds zero
    is faint (the simulation cannot tell the sign). The lowest blue bar whose interval lies
    below zero is marked "surely pays most". When the scenario prices nothing,
    the bars are the change in callers lost over the day instead.

    Parameters
    ----------
    result
        A :class:`~simcall.staffing.marginals.Marginal` or its ``to_json()`` document
        (:func:`read_marginal` reads one from a file).
    ax
        The panels take this Axes' place in its figure (its slot is split, one row per
        group); a new figure when ``None``.

    Returns
    -------
    dict
        The panels' Axes by group name.
    """
    document = marginal_document(result)
    groups = list(document["groups"])
    figure, grid = _grid(ax, len(groups))
    kpi = "net" if priced(document) else "lost_callers"
    panels: dict[str, Axes] = {}
    first: Axes | None = None
    for row, group in enumerate(groups):
        panel = figure.add_subplot(grid[row, 0], sharex=first, sharey=first)
        first = first or panel
        _panel(panel, document, group, kpi)
        if row < len(groups) - 1:
            panel.tick_params(labelbottom=False)
            panel.set_xlabel("")
        panels[group] = panel
    minutes = float(document["interval_s"]) / 60.0
    width = f"{minutes / 60:g}-h" if minutes >= 60 and minutes % 60 == 0 else f"{minutes:g}-min"
    what = ("the day's cost (wages + lost value)" if kpi == "net"
            else "callers lost over the day (the scenario prices nothing)")
    figure.suptitle(
        f"Where does the next hour of staff pay most? '{document['scenario']}': change in "
        f"{what} of one agent more or fewer for one {width} interval "
        f"({document['replications']} paired replications, seed {document['seed']})",
        fontsize="medium", wrap=True)
    figure.legend(handles=_legend(), loc="outside lower center", ncols=4, fontsize="small",
                  frameon=False)
    return panels


def _legend() -> list[Any]:
    """The legend's entries, made by hand: a colour per step, faint bars, the error bars."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    return [*(Patch(color=colour, label=name) for name, colour in STEPS.values()),
            Patch(color=style.NEUTRAL, alpha=FAINT,
                  label="faint: the 95% interval holds zero"),
            Line2D([], [], color="#444444", marker="_", markersize=8, linewidth=0.9,
                   label="paired 95% interval")]


def _grid(ax: Axes | None, rows: int) -> tuple[Figure | SubFigure, GridSpecBase]:
    """The figure and a column of ``rows`` panels: in ``ax``'s slot, or a new figure."""
    if ax is None:
        import matplotlib.pyplot as plt

        created = plt.figure(figsize=(10.0, 1.2 + 3.2 * rows), layout="constrained")
        return created, created.add_gridspec(rows, 1)
    spec = ax.get_subplotspec()
    if spec is None:
        raise ValueError("ax must be a subplot (its slot is split into the panels)")
    figure = ax.figure
    ax.remove()
    return figure, spec.subgridspec(rows, 1)


def _panel(ax: Axes, document: Mapping[str, Any], group: str, kpi: str) -> None:
    labels = document["labels"]
    width_h = float(document["interval_s"]) / 3600.0
    starts = np.array([clock_hours(str(label)) for label in labels])
    bar = width_h * 0.38
    best: tuple[float, float, float] | None = None  # (mean, x, bottom of its error bar)
    for step, (_, colour) in STEPS.items():
        changes = sorted((c for c in document["changes"]
                          if c["group"] == group and c["step"] == step),
                         key=lambda c: c["index"])
        if not changes:
            continue
        x = np.array([starts[c["index"]] + width_h / 2 - step * bar / 2 for c in changes])
        values = np.array([mean_and_ci(c[kpi]) for c in changes]).reshape(-1, 3)
        mean, low, high = values[:, 0], values[:, 1], values[:, 2]
        sure = (high < 0) | (low > 0)
        errors = np.vstack([np.nan_to_num(mean - low), np.nan_to_num(high - mean)])
        for chosen, alpha in ((sure, 1.0), (~sure, FAINT)):
            if chosen.any():
                ax.bar(x[chosen], np.nan_to_num(mean[chosen]), width=bar, color=colour,
                       alpha=alpha, yerr=errors[:, chosen], capsize=2, ecolor="#444444",
                       error_kw={"linewidth": 0.9})
        if step == +1:
            for m, lo, h, xi in zip(mean, low, high, x, strict=True):
                if math.isfinite(m) and h < 0 and (best is None or m < best[0]):
                    best = (m, xi, lo)
    ax.axhline(0.0, color=style.TARGET, linewidth=0.9)
    if best is not None:
        low_edge, high_edge = ax.get_ylim()
        span = high_edge - low_edge
        ax.set_ylim(min(low_edge, best[2] - 0.1 * span), high_edge)
        ax.annotate("surely pays most", xy=(best[1], best[2]), xytext=(0, -3),
                    textcoords="offset points", ha="center", va="top", fontsize="small",
                    color=style.SIMULATED, fontweight="bold", zorder=5,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                          "edgecolor": "none", "alpha": 0.9})
    style.clock_axis(ax, float(starts[0]), float(starts[-1] + width_h),
                     "Interval changed (clock time, hh:mm)")
    ax.set_ylabel("change in the day's cost" if kpi == "net" else "change in callers lost")
    from matplotlib.ticker import FuncFormatter

    digits = 0 if kpi == "net" else 1
    ax.yaxis.set_major_formatter(FuncFormatter(
        lambda value, _pos: "0" if abs(value) < 1e-9 else f"{value:+,.{digits}f}"))
    ax.grid(True, axis="y", alpha=0.3)
    ax.set_title(f"{group}: below zero, the change pays" if kpi == "net"
                 else f"{group}: below zero, fewer callers lost", fontsize="medium",
                 loc="left")
