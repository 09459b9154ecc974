"""Transfers: which department sends callers where, and how often a caller is transferred."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simcall.model.records import Records
from simcall.plots import style
from simcall.plots.day import records_of
from simcall.plots.facts import Result, facts
from simcall.results.summary import Summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def transfer_counts(records: Records, departments: int, warmup: float = 0.0) -> np.ndarray:
    """Transfers from department i (row) to department j (column) in one replication.

    A visit flagged ``transferred`` is followed by the same call's next queue
    visit (visits ordered by the time they joined their queue); calls that
    arrived before the warm-up count nowhere. A transfer whose next visit had
    not ended when the run stopped is not counted.
    """
    visits = records.visits
    order = np.lexsort((visits.entered, visits.call))
    call, department = visits.call[order], visits.department[order]
    transferred = visits.transferred[order]
    counted = records.calls.arrival[call] >= warmup
    moves = transferred[:-1] & (call[1:] == call[:-1]) & counted[:-1]
    matrix = np.zeros((departments, departments))
    np.add.at(matrix, (department[:-1][moves], department[1:][moves]), 1.0)
    return matrix


def transfer_matrix(summary: Summary, *, ax: Axes | None = None) -> Axes:
    """Mean transfers per day from each department (rows) to each department (columns).

    An annotated heatmap over replications and days (see
    :func:`transfer_counts`); the diagonal is transfers within a department
    (to another agent of the same team). Needs records (``keep_records=True``).
    """
    all_records = records_of(summary)
    scenario = summary.scenario
    names = [d.name for d in scenario.departments]
    matrix = np.mean([transfer_counts(r, len(names), scenario.warmup) for r in all_records],
                     axis=0) / scenario.days
    ax = style.new_axes(ax)
    image = ax.imshow(matrix, cmap="Blues", aspect="auto",
                      vmin=0.0, vmax=max(float(matrix.max()), 1e-9))
    ax.figure.colorbar(image, ax=ax, label="Transfers per day (mean)")
    threshold = matrix.max() / 2
    for i in range(len(names)):
        for j in range(len(names)):
            ax.text(j, i, f"{matrix[i, j]:.1f}", ha="center", va="center", fontsize="small",
                    color="white" if matrix[i, j] > threshold else "black")
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("To department")
    ax.set_ylabel("From department")
    return style.finish(ax, f"Transfers per day — {scenario.name} "
                            f"({summary.replications} replications, "
                            f"{matrix.sum():.1f} transfers a day)", legend=False, grid=False)


def transfers_per_caller(summary: Result, *, ax: Axes | None = None) -> Axes:
    """Share of answered calls by how many times they were transferred, with 95% intervals.

    With a ``transfers = { at_most = N, fraction = F }`` target, bars for at
    most N transfers are green, the others red, a dashed line separates them,
    and the legend gives the share within N against F.
    """
    known = facts(summary)
    shares = list(summary.transfer_shares)
    ax = style.new_axes(ax)
    x = np.arange(len(shares), dtype=float)
    heights = style.means(shares)
    bands = style.limits(shares)
    errors = None if bands is None else np.vstack((heights - np.nan_to_num(bands[0]),
                                                   np.nan_to_num(bands[1]) - heights))
    limit = known.transfers_at_most
    colours = [style.NEUTRAL if limit is None else style.MET if n <= limit else style.NOT_MET
               for n in range(len(shares))]
    ax.bar(x, heights, color=colours, yerr=errors, capsize=2, ecolor="#444444",
           label="answered calls (mean, 95% interval)" if bands is not None
           else "answered calls")
    goal = known.goal("transfer_share_within")
    if limit is not None and goal is not None:
        within = float(heights[: limit + 1].sum())
        ax.axvline(limit + 0.5, color=style.TARGET, linestyle=style.TARGET_STYLE,
                   linewidth=1.2, label=f"target: ≥ {goal.bound:.0%} transferred at most "
                                        f"{limit} time{'s' if limit != 1 else ''} "
                                        f"(simulated {within:.1%})")
    for position, height in zip(x, heights, strict=True):
        ax.annotate(f"{height:.1%}", (position, height), xytext=(0, 3),
                    textcoords="offset points", ha="center", va="bottom", fontsize="small")
    ax.set_xticks(x, [str(n) for n in range(len(shares))])
    if len(shares):
        ax.set_xlim(-0.6, max(len(shares) - 0.4, (limit or 0) + 1.0))
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.set_ylim(0.0, 1.05)
    ax.set_xlabel("Transfers per call (count)")
    ax.set_ylabel("Answered calls (%)")
    return style.finish(ax, f"Transfers per caller — {known.name} "
                            f"({known.replications} replications)")
