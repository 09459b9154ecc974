"""The money section of the HTML report: where the money goes, and who it is lost with.

Why a module of its own: it appears only when the scenario prices something (wages, or
callers worth keeping), and it reads across breakdowns the other sections keep apart: wages
by agent group, value lost by caller type, both by interval (``docs/money.md``).
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from simcall.report.build import Report
from simcall.report.html_parts import figures_html, table_html
from simcall.report.terminal import format_kpi
from simcall.results.stats import Estimate


def money_section(report: Report) -> str:
    """The day's cost in words, the figure per interval, tables per caller type and group."""
    from simcall.plots.money import cost_per_interval

    summary = report.summary
    kpis = summary.kpis
    total, wages, lost = kpis["total_cost"], kpis["wage_cost"], kpis["lost_value"]
    share = lost.mean / total.mean if total.mean > 0 else 0.0
    lead = (f"<p>The day costs {_amount(total)}: wages {format_kpi('wage_cost', wages.mean)} "
            f"and {format_kpi('lost_value', lost.mean)} of value lost with the "
            f"{kpis['defections'].mean:,.1f} callers expected to take their business "
            f"elsewhere ({share:.0%} of the cost). A caller defects after a bad experience "
            "(hanging up, a busy signal, voicemail, a late answer, a transfer too many) with "
            "the chance its caller type states; the value lost is that chance times the "
            "caller's value, an expectation rather than a draw.</p>")
    figure = figures_html([(
        "Where the money goes, interval by interval",
        "Wages of the scheduled agents and the value lost with the callers arriving in each "
        "interval (means), with the 95% interval of their sum.",
        lambda ax: cost_per_interval(summary, ax=ax))])
    callers = [_row(name, row, ("callers", "abandon_rate", "defections", "lost_value"))
               for name, row in summary.callers.items()]
    groups = [_row(name, row, ("scheduled_agents", "occupancy", "wage_cost"))
              for name, row in summary.agent_groups.items()]
    return (lead + figure + "<h3>Per caller type</h3>"
            + table_html(["caller type", "callers", "abandon rate", "expected to defect",
                          "value lost (95% interval)"], callers)
            + "<h3>Per agent group</h3>"
            + table_html(["agent group", "agents scheduled", "occupancy",
                          "wages (95% interval)"], groups))


def _amount(estimate: Estimate) -> str:
    ci = estimate.ci95
    band = "" if ci is None or ci.low == ci.high else (
        f" (95% interval {format_kpi('total_cost', ci.low)} to "
        f"{format_kpi('total_cost', ci.high)})")
    return f"{format_kpi('total_cost', estimate.mean)}{band}"


def _row(name: str, row: Mapping[str, Estimate], kpis: tuple[str, ...]) -> str:
    cells = []
    for kpi in kpis:
        estimate = row[kpi]
        text = format_kpi(kpi, estimate.mean)
        if kpi in ("lost_value", "wage_cost"):
            text = _amount(estimate)
        cells.append(f'<td class="num">{html.escape(text)}</td>')
    return f'<tr><th scope="row">{html.escape(name)}</th>{"".join(cells)}</tr>'
