"""Offered calls and agents per interval: what came in, who was there, who was needed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simcall.errors import SimcallError
from simcall.plots import style
from simcall.plots.facts import Result, facts

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from simcall.scenario.schema import Scenario
    from simcall.staffing.search import StaffingPlan


def staffing(summary: Result, plan: StaffingPlan | None = None, *,
             ax: Axes | None = None) -> Axes:
    """Offered calls per interval (grey bars, left axis) and agents per interval (right axis).

    The agents (a twin axis sharing the x axis, ``ax.figure.axes``):

    * **on duty** -- ``staffed_agents``, the simulated time-average head count
      on duty (breaks and shrinkage taken off), mean over replications with
      its band;
    * **scheduled** -- ``scheduled_agents``, the plan's head count, drawn only
      where it differs from the agents on duty (breaks, shrinkage);
    * **required** -- with ``plan`` (from :func:`simcall.staff`), the plan found by
      simulation and its Erlang A plan, summed over the varied groups; without,
      the Erlang A plan of every agent group (:func:`simcall.staffing.closed_form.erlang_plans`),
      when the scenario is known and Erlang finds one. Required agents are
      scheduled heads (shrinkage included), so read them against "scheduled".

    Agent lines are steps: a head count holds for the whole interval.
    """
    known = facts(summary)
    ax = style.new_axes(ax)
    x = known.centres_h
    offered = style.means([row["offered"] for row in summary.intervals])
    ax.bar(x, offered, width=known.width_h * 0.9, color=style.OFFERED, alpha=0.7,
           label="offered calls (mean)")
    ax.set_ylabel("Offered calls (per interval)")
    style.clock_axis(ax, known.starts_h[0], known.starts_h[-1] + known.width_h,
                     "Interval (clock time, hh:mm)")
    agents = ax.twinx()
    style.mean_and_band(agents, x, [row["staffed_agents"] for row in summary.intervals],
                        style.STAFFED, "agents on duty", drawstyle="steps-mid")
    scheduled = style.means([row["scheduled_agents"] for row in summary.intervals]) \
        if "scheduled_agents" in summary.intervals[0] else None
    on_duty = style.means([row["staffed_agents"] for row in summary.intervals])
    if scheduled is not None and not np.allclose(scheduled, on_duty, equal_nan=True):
        agents.plot(x, scheduled, color=style.SCHEDULED, drawstyle="steps-mid",
                    label="agents scheduled")
    for label, values, line in _required(known.scenario, plan):
        agents.plot(x, values, color=style.REQUIRED if line == "-" else style.ERLANG,
                    linestyle=line, drawstyle="steps-mid", label=label)
    agents.set_ylabel("Agents (head count)")
    # headroom on both axes: the legend sits above the bars and lines, not on them
    ax.set_ylim(0.0, max(float(np.nanmax(offered)) if np.isfinite(offered).any() else 1.0,
                         1.0) * 1.45)
    agents.set_ylim(0.0, max(max((float(np.nanmax(line.get_ydata())) for line in
                                  agents.get_lines() if np.isfinite(line.get_ydata()).any()),
                                 default=1.0), 1.0) * 1.45)
    ax.set_zorder(agents.get_zorder() - 1)  # the bars behind the agent lines
    agents.patch.set_visible(False)
    handles, labels = ax.get_legend_handles_labels()
    more, more_labels = agents.get_legend_handles_labels()
    agents.legend(handles + more, labels + more_labels, loc="upper left", fontsize="small",
                  framealpha=0.85, ncol=2)
    ax.grid(True, alpha=0.3)
    ax.set_title(f"Offered calls and agents per interval — {known.name} "
                 f"({known.replications} replications)")
    return ax


def _required(scenario: Scenario | None, plan: StaffingPlan | None
              ) -> list[tuple[str, np.ndarray, str]]:
    """(label, agents per interval, line style) of each "required" line."""
    if plan is not None:
        total = np.sum([plan.plan[g] for g in plan.groups], axis=0)
        erlang_a = np.sum([plan.erlang_a[g] for g in plan.groups], axis=0)
        return [("agents required (simcall staff)", total.astype(float), "-"),
                ("agents required (Erlang A)", erlang_a.astype(float), style.ERLANG_STYLE)]
    if scenario is None:
        return []
    from simcall.staffing.closed_form import erlang_plans

    try:
        _, erlang_a = erlang_plans(scenario, [g.name for g in scenario.agents])
    except (SimcallError, ValueError):  # no staffing meets the targets in closed form
        return []
    total = np.sum(list(erlang_a.values()), axis=0).astype(float)
    return [("agents required (Erlang A)", total, style.ERLANG_STYLE)]


def requirement(plan: StaffingPlan, *, ax: Axes | None = None) -> Axes:
    """The staffing plan's requirement against the agents it puts on duty, per interval.

    Why: a roster of whole shifts cannot follow a requirement half-hour by half-hour; the
    gap between the two lines is what the shift rules cost (agents on duty beyond the
    requirement, shaded), and a planner should see where it falls. Drawn for any
    :class:`~simcall.staffing.plan.StaffingPlan` (from :func:`simcall.staff`), summed over
    the groups it staffed:

    * **required** -- the plan found by simulation (orange steps);
    * **rostered** -- with ``--shifts``, the roster's agents on duty and not on break (blue
      steps; a break covering part of an interval takes that share of an agent);
    * **Erlang A** -- the closed-form plan it started from (dash-dot);
    * intervals whose verification falls short of the confidence asked for are marked
      with a red cross on the required line.
    """
    ax = style.new_axes(ax)
    from simcall.scenario.durations import parse_clock

    start_h = parse_clock(plan.scenario.open) / 3600.0
    width_h = plan.scenario.interval / 3600.0
    edges = start_h + width_h * np.arange(len(plan.labels) + 1)
    required = np.sum([plan.plan[g] for g in plan.groups], axis=0).astype(float)
    erlang_a = np.sum([plan.erlang_a[g] for g in plan.groups], axis=0).astype(float)

    def steps(values: np.ndarray) -> np.ndarray:  # a value per interval, held to its end
        return np.append(values, values[-1])

    ax.step(edges, steps(erlang_a), where="post", color=style.ERLANG,
            linestyle=style.ERLANG_STYLE, label="Erlang A")
    if plan.rostered:  # under the requirement, wider: where they agree both show
        on_duty = np.array([sum(plan.coverage(g, k) for g in plan.groups)
                            for k in range(len(plan.labels))])
        ax.fill_between(edges, steps(required), steps(np.maximum(on_duty, required)),
                        step="post", color=style.SCHEDULED, alpha=style.BAND_ALPHA,
                        linewidth=0, label="rostered beyond the requirement")
        ax.step(edges, steps(on_duty), where="post", color=style.SCHEDULED, linewidth=4,
                label=f"rostered: on duty, not on break ({plan.paid_hours():g} paid h)")
    ax.step(edges, steps(required), where="post", color=style.REQUIRED, linewidth=2,
            label="required (simcall staff)")
    short = [k for k, label in enumerate(plan.labels) if label in plan.unsure]
    if short:
        ax.plot(edges[short] + width_h / 2, required[short], "x", color=style.NOT_MET,
                markersize=9, markeredgewidth=2,
                label=f"short of {plan.confidence_wanted:.0%} confidence")
    style.clock_axis(ax, float(edges[0]), float(edges[-1]), "Interval (clock time, hh:mm)")
    ax.set_ylabel("Agents (head count)")
    top = max(float(np.max(required)), float(np.max(erlang_a)),
              max((sum(plan.coverage(g, k) for g in plan.groups)
                   for k in range(len(plan.labels))), default=0.0), 1.0)
    ax.set_ylim(0.0, top * 1.35)
    title = ("Required and rostered agents" if plan.rostered
             else "Required agents") + f" per interval — {plan.scenario.name}"
    ax.legend(loc="upper left", fontsize="small", framealpha=0.85, ncol=2)
    return style.finish(ax, title, legend=False)
