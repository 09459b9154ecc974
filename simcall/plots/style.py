"""One look for every simcall figure: colours, axes, and the pieces every plot draws.

Why a module of its own: the plots and the HTML report must mean the same
thing by the same colour (blue is the simulation, a black dashed line is a
target, purple dash-dots are Erlang's closed forms, green met, red not met),
so a reader who learnt one figure can read them all. The colours are the
Okabe-Ito palette, which stays distinct for colour-blind readers.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from simcall.results.metrics import SHARE_KPIS
from simcall.results.stats import Estimate
from simcall.results.targets import Goal

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.lines import Line2D

SIMULATED = "#0072B2"  # simulated means (blue)
BAND_ALPHA = 0.25  # 95% confidence bands: the mean's colour, this transparent
TARGET = "#222222"  # target lines (near black, dashed)
TARGET_STYLE = "--"
ERLANG = "#CC79A7"  # Erlang closed forms (reddish purple, dash-dot)
ERLANG_STYLE = "-."
MET = "#009E73"  # a target met (bluish green)
NOT_MET = "#D55E00"  # a target not met (vermillion)
NEUTRAL = "#999999"  # neither: no target, or half in and half out
OBSERVED = "#4D4D4D"  # figures measured in a real call log (dark grey; its bands lighter)
OFFERED = "#BBBBBB"  # offered calls (light grey bars behind the agents)
STAFFED = SIMULATED  # agents on duty (simulated)
SCHEDULED = "#56B4E9"  # agents the plan schedules (sky blue)
REQUIRED = "#E69F00"  # agents a staffing search requires (orange)
QUEUE = "#D55E00"  # callers waiting
BUSY = SIMULATED  # agents busy
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")  # variants and sweep lines, in order (the baseline first)
FIGSIZE = (8.0, 4.5)  # inches: readable on a screen and in the report at 100 dpi
TITLE_CHARS = 78  # about what a title fits in FIGSIZE's width at matplotlib's title size

KPI_NAMES_SHOWN = {
    "service_level": "Service level",
    "asa_s": "ASA",
    "p_wait": "Calls that waited",
    "abandon_rate": "Abandonment",
    "block_rate": "Blocked calls",
    "occupancy": "Occupancy",
    "mean_transfers": "Transfers per answered call",
    "transfer_share_within": "Answered calls transferred at most N times",
    "first_attempt_resolution": "Resolved at the first attempt",
    "eventual_resolution": "Resolved eventually",
    "callback_wait_s": "Wait for a callback",
    "revisit_rate": "Answered calls sent back (ping-pong)",
    "staffed_agents": "Agents on duty",
    "scheduled_agents": "Agents scheduled",
}


def colour(index: int) -> str:
    """The palette's colour for the ``index``-th variant or line (it repeats after 8)."""
    return PALETTE[index % len(PALETTE)]


def new_axes(ax: Axes | None) -> Axes:
    """``ax`` itself, or the axes of a new figure (pyplot only when one is needed)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, created = plt.subplots(figsize=FIGSIZE, layout="constrained")
    return created


def is_share(kpi: str) -> bool:
    """KPIs that are shares of calls or of time: drawn as data in [0, 1], read as percent."""
    return kpi in SHARE_KPIS


def kpi_label(kpi: str, threshold: float | None = None) -> str:
    """The y-axis label of a KPI, with its unit (and the SL threshold when known)."""
    name = KPI_NAMES_SHOWN.get(kpi, kpi.replace("_", " "))
    if kpi == "service_level":
        within = f"answered within {threshold:g} s" if threshold is not None else "answered"
        return f"{name} (% of calls {within})"
    if kpi == "abandon_rate":
        return f"{name} (% of calls hanging up)"
    if is_share(kpi):
        return f"{name} (%)"
    if kpi.endswith("_s"):
        return f"{name} (s)"
    if kpi.endswith("_agents"):
        return f"{name} (agents)"
    return f"{name} (per interval)"


def kpi_axis(ax: Axes, kpi: str, threshold: float | None = None) -> None:
    """Label the y axis for ``kpi``; shares get a percent scale (the data stay in [0, 1])."""
    from matplotlib.ticker import PercentFormatter

    ax.set_ylabel(kpi_label(kpi, threshold))
    if is_share(kpi):
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        ax.set_ylim(bottom=0.0)
    else:
        ax.set_ylim(bottom=0.0)


def clock_text(hours: float) -> str:
    """``9.5`` -> ``"09:30"``; past midnight the day is shown: ``"d2 08:00"``."""
    minutes = int(np.rint(hours * 60.0))
    day, minute_of_day = divmod(minutes, 24 * 60)
    text = f"{minute_of_day // 60:02d}:{minute_of_day % 60:02d}"
    return f"d{day + 1} {text}" if day else text


def clock_axis(ax: Axes, start: float, end: float,
               label: str = "Clock time (hh:mm)") -> None:
    """An x axis from ``start`` to ``end`` hours since midnight, read as clock times, with
    ticks every quarter, half, whole or several hours (at most about nine of them)."""
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    span = max(end - start, 1e-9)
    spacing = next((s for s in (0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 12.0, 24.0)
                    if span / s <= 9), 24.0 * math.ceil(span / 24.0 / 9))
    ax.set_xlim(start, end)
    ax.xaxis.set_major_locator(MultipleLocator(spacing))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: clock_text(value)))
    ax.set_xlabel(label)


def means(estimates: Sequence[Estimate]) -> np.ndarray:
    """The means of ``estimates`` (``nan`` where undefined)."""
    return np.array([e.mean for e in estimates], dtype=float)


def limits(estimates: Sequence[Estimate]) -> tuple[np.ndarray, np.ndarray] | None:
    """Lower and upper 95% limits, ``nan`` where an estimate has none; ``None`` if none has."""
    if all(e.ci95 is None for e in estimates):
        return None
    low = np.array([e.ci95.low if e.ci95 is not None else math.nan for e in estimates])
    high = np.array([e.ci95.high if e.ci95 is not None else math.nan for e in estimates])
    return low, high


def mean_and_band(ax: Axes, x: np.ndarray, estimates: Sequence[Estimate], colour: str,
                  label: str, alpha: float = BAND_ALPHA, **line: Any) -> Line2D:
    """The mean as a line and its 95% confidence band, when there is one (two or more
    replications), in the same colour; the legend entry names both."""
    bands = limits(estimates)
    label = f"{label} (mean, 95% band)" if bands is not None else f"{label} (1 replication)"
    (mean_line,) = ax.plot(x, means(estimates), color=colour, label=label, marker="o",
                           markersize=3, **line)
    if bands is not None:
        ax.fill_between(x, bands[0], bands[1], color=colour, alpha=alpha, linewidth=0,
                        step="mid" if line.get("drawstyle") == "steps-mid" else None)
    return mean_line


def goal_text(goal: Goal, threshold: float | None = None) -> str:
    """``"target >= 80%"`` or ``"target <= 20 s"``: the bound as the axis reads it."""
    bound = f"{goal.bound:.0%}" if is_share(goal.kpi) else (
        f"{goal.bound:g} s" if goal.kpi.endswith("_s") else f"{goal.bound:g}")
    return f"target {'≥' if goal.at_least else '≤'} {bound}"


def target_line(ax: Axes, goal: Goal) -> Line2D:
    """A horizontal dashed line at the goal's bound."""
    return ax.axhline(goal.bound, color=TARGET, linestyle=TARGET_STYLE, linewidth=1.2,
                      label=goal_text(goal))


def finish(ax: Axes, title: str, legend: bool = True, grid: bool = True) -> Axes:
    """Title, grid and a legend (where it hides the least data) naming every series.

    A title too long for the figure's width (a long scenario name) goes on two lines,
    broken after its subject ("... — scenario (...)"), else at a space: matplotlib would
    clip it at the figure's edge."""
    if len(title) > TITLE_CHARS:
        subject, dash, rest = title.partition(" — ")
        title = (f"{subject}\n{rest}" if dash else
                 "\n".join(textwrap.wrap(title, TITLE_CHARS, break_on_hyphens=False)))
    ax.set_title(title)
    if grid:
        ax.grid(True, alpha=0.3)
    handles, _ = ax.get_legend_handles_labels()
    if legend and handles:  # even one series: its label says "mean, 95% band"
        ax.legend(loc="best", fontsize="small", framealpha=0.85)
    return ax
