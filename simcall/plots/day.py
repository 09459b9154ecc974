"""Queue length and agents busy through the day, from the call records."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from simcall.model.records import Periods, Records
from simcall.plots import style
from simcall.results.agent_time import in_windows
from simcall.results.stats import t_quantile
from simcall.results.summary import Summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def records_of(summary: object) -> list[Records]:
    """Every replication's records, or a ``ValueError`` that says how to keep them."""
    runs = getattr(summary, "runs", None)
    if not isinstance(summary, Summary) or not runs or any(r.records is None for r in runs):
        raise ValueError("this plot needs the call records: simulate with "
                         "simcall.replicate(..., keep_records=True) (a result read from "
                         "JSON has none; give the scenario instead)")
    return [run.records for run in runs]


def waiting_periods(records: Records) -> Periods:
    """Each queue visit's time in the queue (ringing included) as a ``[start, end)`` period."""
    visits = records.visits
    wait = np.nan_to_num(visits.wait, nan=0.0)
    return Periods(visits.department, visits.entered, visits.entered + wait)


def day_levels(summary: Summary, step: float = 60.0) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Bin starts (s since opening) and, per level, an array (replications x bins) of its
    time average over each ``step``-second bin: ``"queue"``, ``"busy"``, ``"not ready"``,
    ``"on duty"``."""
    if not step > 0:
        raise ValueError(f"step {step}: must be more than 0 seconds")
    all_records = records_of(summary)
    horizon = summary.scenario.run_horizon
    begin = np.arange(0.0, horizon, step)
    finish = np.minimum(begin + step, horizon)
    width = finish - begin
    levels: dict[str, list[np.ndarray]] = {"queue": [], "busy": [], "not ready": [],
                                           "on duty": []}
    for records in all_records:
        levels["queue"].append(in_windows(waiting_periods(records), begin, finish) / width)
        levels["busy"].append(in_windows(records.busy, begin, finish) / width)
        levels["not ready"].append(in_windows(records.not_ready, begin, finish) / width)
        levels["on duty"].append(in_windows(records.staffed, begin, finish) / width)
    return begin, {name: np.array(rows) for name, rows in levels.items()}


def band(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Mean over replications (rows) and its 95% t-interval, point by point (``None``
    with one replication)."""
    n = rows.shape[0]
    mean = rows.mean(axis=0)
    if n < 2:
        return None
    half = t_quantile(0.975, n - 1) * rows.std(axis=0, ddof=1) / math.sqrt(n)
    return mean, np.maximum(mean - half, 0.0), mean + half


def through_the_day(summary: Summary, *, ax: Axes | None = None, step: float = 60.0) -> Axes:
    """Callers waiting and agents busy against the clock, mean over replications with a band.

    Each value is a time average over a ``step``-second bin (a level sampled at
    single instants would be noisier and could miss short peaks): callers
    waiting = callers in a queue or ringing (every queue visit, transfers
    included); agents busy = ringing, talk and wrap-up; agents on duty from the
    staffed periods. When agents were ever not ready (after a call, after a ring-no-answer),
    a line adds them to the busy ones: the gap up to on duty is then the idle agents, not
    idle and not-ready ones together. The band is the 95% t-interval over replications, bin by
    bin. Needs records: a Summary made with ``keep_records=True``, else
    ``ValueError``.
    """
    begin, levels = day_levels(summary, step)
    scenario = summary.scenario
    ax = style.new_axes(ax)
    x = (scenario.open_s + begin + step / 2) / 3600.0
    for name, colour, label in (("queue", style.QUEUE, "callers waiting"),
                                ("busy", style.BUSY, "agents busy")):
        rows = levels[name]
        spread = band(rows)
        suffix = " (mean, 95% band)" if spread is not None else " (1 replication)"
        ax.plot(x, rows.mean(axis=0), color=colour, linewidth=1.2, label=label + suffix)
        if spread is not None:
            ax.fill_between(x, spread[1], spread[2], color=colour, alpha=style.BAND_ALPHA,
                            linewidth=0)
    paused = levels["not ready"]
    if paused.any():
        ax.plot(x, (levels["busy"] + paused).mean(axis=0), color=style.BUSY, linewidth=0.9,
                linestyle="--", label="agents busy or not ready (mean)")
    ax.plot(x, levels["on duty"].mean(axis=0), color=style.TARGET, linewidth=1.0,
            linestyle=":", label="agents on duty (mean)")
    ax.set_ylabel("Callers / agents (time average per bin)")
    ax.set_ylim(bottom=0.0)
    style.clock_axis(ax, scenario.open_s / 3600.0,
                     (scenario.open_s + scenario.run_horizon) / 3600.0)
    return style.finish(ax, f"Queue and agents through the day — {scenario.name} "
                            f"({summary.replications} replications, {step:g} s bins)")
