"""A KPI interval by interval: the simulated mean with its 95% band, the target, Erlang."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simcall.plots import style
from simcall.plots.facts import Result, facts
from simcall.plots.theory import erlang_values, why_not

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def interval_kpi(summary: Result, kpi: str = "service_level", *, ax: Axes | None = None,
                 erlang: bool = True) -> Axes:
    """One KPI per interval, as the simulation measured it and as the targets ask.

    Draws, against the clock time of each interval's middle:

    * the mean over replications (``summary.intervals[k][kpi].mean``) as a line,
      and its 95% confidence band when there are two or more replications;
    * the target as a dashed line when the scenario has one on ``kpi``;
    * with ``erlang=True``, the closed-form value of each interval (Erlang A, C, B
      or M/M/n/K(+M), as :mod:`simcall.results.erlang_intervals` decides) when the
      scenario has one department and a closed form gives it figures; the legend
      says "approximate" where its assumptions do not all hold (see
      :mod:`simcall.plots.theory`). Elsewhere no line is drawn and the legend
      says why. A result read from JSON without its scenario has no Erlang line.

    Parameters
    ----------
    summary
        A :class:`~simcall.results.summary.Summary` or a
        :class:`~simcall.plots.facts.ResultDocument`.
    kpi
        Any per-interval KPI: ``"service_level"``, ``"asa_s"``, ``"abandon_rate"``,
        ``"occupancy"``, ``"p_wait"``, ...
    ax
        Axes to draw on; a new figure when ``None``.
    """
    known = facts(summary)
    if kpi not in summary.intervals[0]:
        allowed = ", ".join(sorted(summary.intervals[0]))
        raise ValueError(f"kpi {kpi!r}: not a per-interval KPI; allowed: {allowed}")
    ax = style.new_axes(ax)
    x = known.centres_h
    estimates = [row[kpi] for row in summary.intervals]
    style.mean_and_band(ax, x, estimates, style.SIMULATED, "simulated")
    goal = known.goal(kpi)
    if goal is not None:
        style.target_line(ax, goal)
    if erlang and known.scenario is not None:
        rows = getattr(summary, "erlang", None)  # a Summary has them; a JSON document not
        reason = why_not(known.scenario, kpi, rows)
        if reason is None:
            values, model = erlang_values(known.scenario, kpi, rows)
            ax.plot(x, values, color=style.ERLANG, linestyle=style.ERLANG_STYLE, marker="s",
                    markersize=3, label=f"{model} (steady state of each interval)")
        else:  # a legend entry without a line sample: there is no line to match it
            ax.plot([], [], linestyle="none", label=f"no Erlang line: {reason}")
    elif erlang:
        ax.plot([], [], linestyle="none", label="no Erlang line: the scenario is not known")
    style.kpi_axis(ax, kpi, known.threshold)
    style.clock_axis(ax, known.starts_h[0], known.starts_h[-1] + known.width_h,
                     "Interval (clock time of its middle, hh:mm)")
    if style.is_share(kpi):
        _, high = ax.get_ylim()  # after autoscaling: room above the data, never past 100%
        ax.set_ylim(0.0, 1.02 if kpi == "service_level" else min(high, 1.0))
    shown = style.KPI_NAMES_SHOWN.get(kpi, kpi)
    return style.finish(ax, f"{shown} per interval — {known.name} "
                            f"({known.replications} replications)")
