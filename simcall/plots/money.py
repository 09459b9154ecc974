"""What each interval costs: wages and the value lost to defection, stacked, per interval.

Why a figure of its own: a planner weighing staff against lost customers wants to see, hour
by hour, where the money goes: bars of wages (the plan's price, fixed) and value lost (what
the queue costs, uncertain), with the 95% interval of their sum.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simcall.plots import style
from simcall.plots.facts import Result, facts

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def cost_per_interval(summary: Result, *, ax: Axes | None = None) -> Axes:
    """Per interval: wages and value lost to defection (means, stacked bars) and the 95%
    interval of the total cost (error bars), in the scenario's money per interval (summed
    over days)."""
    if "total_cost" not in summary.intervals[0]:
        raise ValueError("these results have no money KPIs (wage_cost, lost_value, total_cost)")
    known = facts(summary)
    ax = style.new_axes(ax)
    x = known.centres_h
    width = known.width_h * 0.8
    wages = style.means([row["wage_cost"] for row in summary.intervals])
    lost = style.means([row["lost_value"] for row in summary.intervals])
    ax.bar(x, wages, width=width, color=style.colour(0), label="wages (scheduled hours)")
    ax.bar(x, lost, width=width, bottom=wages, color=style.colour(1),
           label="value lost to defection (expected)")
    totals = [row["total_cost"] for row in summary.intervals]
    bands = style.limits(totals)
    if bands is not None:
        centre = style.means(totals)
        below, above = centre - bands[0], bands[1] - centre
        ax.errorbar(x, centre, yerr=np.vstack((below, above)), fmt="none",
                    ecolor=style.TARGET, elinewidth=1.0, capsize=2,
                    label="total cost, 95% interval")
    style.clock_axis(ax, float(known.starts_h[0]), float(known.starts_h[-1] + known.width_h))
    ax.set_ylabel("cost per interval (scenario's money)")
    ax.set_ylim(bottom=0.0)
    return style.finish(ax, "Where the money goes, interval by interval")
