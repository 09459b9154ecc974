"""The staffing section of the HTML report: the plan, its verification and its roster.

Why a module of its own: it is the report's one section about a decision (how many
agents, in which shifts) rather than a result, and with rosters it grew its own table,
chart and advice.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from simcall.report.build import Report
from simcall.report.html_parts import figures_html, table_html
from simcall.report.terminal import format_kpi, kpi_label

if TYPE_CHECKING:
    from simcall.staffing.plan import StaffingPlan, TargetCheck


def staffing_section(report: Report) -> str:
    """The staffing plan beside Erlang C and A, its confidence per interval, any shortfall
    with what to do, and with a roster: the roster, its paid hours and the requirement
    chart."""
    plan = report.plan
    assert plan is not None
    groups = plan.groups

    def total(which: Mapping[str, tuple[int, ...]], k: int) -> int:
        return sum(which[g][k] for g in groups)

    rows = []
    for k, label in enumerate(plan.labels):
        confidence = plan.confidence(k)
        bar = plan.confidence_wanted - 1e-12
        state = "" if confidence is None else "met" if confidence >= bar else "missed"
        shown = "-" if confidence is None else f"{100 * confidence:.0f}%"
        by_group = "".join(f'<td class="num">{plan.plan[g][k]}</td>' for g in groups)
        rostered = (f'<td class="num">{sum(plan.coverage(g, k) for g in groups):g}</td>'
                    if plan.rostered else "")
        rows.append(f'<tr><th scope="row">{label}</th>'
                    f'<td class="num">{total(plan.erlang_c, k)}</td>'
                    f'<td class="num">{total(plan.erlang_a, k)}</td>'
                    f'<td class="num"><strong>{total(plan.plan, k)}</strong></td>'
                    f"{rostered}{by_group if len(groups) > 1 else ''}"
                    f"{_target_cells(plan.checks[k])}"
                    f'<td class="num {state}">{shown}</td></tr>')
    hours = "".join(f'<td class="num">{plan.agent_hours("plan", g):g}</td>' for g in groups)
    rows.append(f'<tr class="total"><th scope="row">agent-hours</th>'
                f'<td class="num">{plan.agent_hours("erlang_c"):g}</td>'
                f'<td class="num">{plan.agent_hours("erlang_a"):g}</td>'
                f'<td class="num">{plan.agent_hours():g}</td>'
                + (f'<td class="num">{plan.paid_hours():g} paid</td>' if plan.rostered else "")
                + f"{hours if len(groups) > 1 else ''}{_target_cells(plan.checks[-1])}"
                "<td></td></tr>")
    head = ["interval", "Erlang C", "Erlang A", "plan", *(["rostered"] * plan.rostered),
            *(groups if len(groups) > 1 else []),
            *(f"{kpi_label(c.kpi, report.summary)} {_goal(c)}" for c in plan.checks[0]),
            "confidence"]
    wanted = f"{plan.confidence_wanted:.0%}"
    text = (f"<p>The fewest agents per interval such that every target holds with {wanted} "
            f"confidence: {plan.agent_hours():g} agent-hours, against "
            f"{plan.agent_hours('erlang_a'):g} for Erlang A and "
            f"{plan.agent_hours('erlang_c'):g} for Erlang C"
            + (" (totals over the groups; then the plan of each group)" if len(groups) > 1
               else "") + ". Each target: its mean with a 95% confidence interval; "
            "confidence: that the interval meets every target, "
            f"from {plan.verify_replications} fresh replications the search never saw "
            f"(red below {wanted}).</p>")
    shortfall = plan.shortfall()
    if shortfall:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in shortfall)
        text += (f"<p><strong>The plan falls short of {wanted} confidence in "
                 f"{len(shortfall)} interval(s):</strong></p><ul>{items}</ul><p>More "
                 "verification rounds (<code>--budget</code>) let the search add agents "
                 "where they fall short; more replications per decision "
                 "(<code>--replications</code>) make the search itself surer.</p>")
    if plan.rostered:
        text += _roster_text(plan)
    from simcall import plots

    figure = figures_html([(
        "Required and rostered agents" if plan.rostered else "Required agents",
        "Agents per interval the plan requires (orange), the Erlang A plan it started from "
        "(dash-dot)" + (", and the agents the roster puts on duty and not on break (blue; "
        "shaded where whole shifts put more agents on duty than required)" if plan.rostered
                        else "") + "; a red cross marks an interval short of the confidence "
        "asked for.", lambda ax: plots.requirement(plan, ax=ax))])
    shifts = _roster_shifts(plan) if plan.rostered else ""
    return text + figure + table_html(head, rows) + shifts


def _target_cells(checks: Sequence[TargetCheck]) -> str:
    """Each target's verified mean with its 95% confidence interval, on the fresh
    replications."""
    cells = []
    for check in checks:
        ci = check.verified.ci95
        band = "" if ci is None else (f" <small>({format_kpi(check.kpi, ci.low)} to "
                                      f"{format_kpi(check.kpi, ci.high)})</small>")
        cells.append(f'<td class="num">{format_kpi(check.kpi, check.verified.mean)}{band}</td>')
    return "".join(cells)


def _goal(check: TargetCheck) -> str:
    sign, bound = check.goal.split(" ", 1)
    return f"{sign} {format_kpi(check.kpi, float(bound))}"


def _roster_text(plan: StaffingPlan) -> str:
    rules = plan.shift_rules
    extra = plan.paid_hours() - plan.agent_hours()
    cost = sum(plan.rosters[g].cost for g in plan.groups)
    priced = (f", costing {cost:,.2f} at {rules.cost_per_hour:g} an hour"
              if rules is not None and rules.cost_per_hour != 1.0 else "")
    advice = ("" if extra <= 0.2 * plan.agent_hours() else
              " That is more than a fifth above the requirement: shorter shifts "
              "(<code>--shifts</code>) or a finer start grid (<code>--starts-every</code>) "
              "let the roster follow the requirement more closely.")
    return (f"<p>Rostered as {html.escape(rules.describe() if rules else 'shifts')}: "
            f"{sum(plan.rosters[g].agents for g in plan.groups)} agents paid for "
            f"{plan.paid_hours():g} hours (whole shifts, breaks included){priced}, for a "
            f"requirement of {plan.agent_hours():g} agent-hours ({extra:+g} h). The "
            "confidence below is the roster's own, verified with its breaks and shift edges."
            f"{advice}</p>")


def _roster_shifts(plan: StaffingPlan) -> str:
    from simcall.scenario.durations import parse_clock
    from simcall.scenario.shifts import clock_label

    open_s = parse_clock(plan.scenario.open)
    rows = []
    for g in plan.groups:
        for shift in plan.rosters[g].shifts:
            pause = "-" if shift.break_start is None else (
                f"{clock_label(open_s, shift.break_start)}-"
                f"{clock_label(open_s, shift.break_start + shift.break_length)}")
            rows.append(f"<tr><td>{html.escape(g)}</td>"
                        f'<td class="num">{clock_label(open_s, shift.start)}</td>'
                        f'<td class="num">{clock_label(open_s, shift.end)}</td>'
                        f"<td>{pause}</td>"
                        f'<td class="num">{shift.count}</td>'
                        f'<td class="num">{shift.count * shift.length / 3600:g}</td></tr>')
    return "<h3>The roster</h3>" + table_html(
        ["group", "start", "end", "break", "agents", "paid hours"], rows)
