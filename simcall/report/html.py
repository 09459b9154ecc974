"""The report as one self-contained HTML file: readable offline, in any browser, without scripts.

Why these choices: a planner forwards the file by e-mail, and the manager
opens it on a laptop, maybe without network. So the images are PNGs embedded
as data URIs, the style sheet is inline, there is no JavaScript, and wide
tables scroll inside their own box instead of stretching the page. Colours
mean one thing throughout: green for a target met, red for a target missed,
the same as in the figures (:mod:`simcall.plots.style`).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from simcall.report.build import Report
from simcall.report.describe import describe
from simcall.report.html_backtest import backtest_section
from simcall.report.html_erlang import erlang_cell, erlang_head, erlang_note, interval_columns
from simcall.report.html_marginal import marginal_section
from simcall.report.html_money import money_section
from simcall.report.html_parts import Draw, figures_html, table_html
from simcall.report.html_staffing import staffing_section
from simcall.report.ping_pong import ping_pong_html
from simcall.report.terminal import format_kpi, kpi_label
from simcall.results.metrics import RATE_KPIS
from simcall.results.money import MONEY_KPIS, has_money
from simcall.results.stats import Estimate
from simcall.results.summary import Summary

_INTERVAL_COLUMNS = ("offered", "staffed_agents", "service_level", "asa_s", "abandon_rate",
                     "occupancy", "mean_transfers")
_HEADS = {"offered": "calls offered", "staffed_agents": "agents on duty",
          "service_level": "service level", "asa_s": "ASA (s)", "abandon_rate": "abandon rate",
          "occupancy": "occupancy", "mean_transfers": "transfers per call",
          "wage_cost": "wages", "lost_value": "value lost", "total_cost": "total cost",
          "revisit_rate": "sent back"}


def render(report: Report) -> str:
    """The whole HTML document."""
    summary, scenario = report.summary, report.scenario
    meta = report.provenance
    sections = [
        _verdict(summary),
        _section("scenario", "The scenario", _scenario(summary)),
        _section("kpis", "Key figures over the day", _kpitable_html(summary)),
        _section("through-the-day", "Through the day", figures_html(_dayfigures_html(report))),
        _section("waiting", "Waiting and rings", figures_html(_waitingfigures_html(summary))),
        _section("transfers", "Transfers", _transfers(summary)),
        *([_section("ping-pong", "Sent back: ping-pong between departments",
                    ping_pong_html(summary))] if _transfers_possible(summary) else []),
        _section("intervals", "Interval by interval", _intervaltable_html(summary)),
        _section("departments", "Departments and caller types", _breakdowns(summary)),
    ]
    if has_money(scenario):
        sections.append(_section("money", "Money: wages and callers lost", money_section(report)))
    if report.backtest is not None:
        sections.append(_section("backtest", "Back-test against the call log",
                                 backtest_section(report)))
    if report.comparison is not None:
        sections.append(_section("comparison", "Compared with other scenarios",
                                 _comparison(report)))
    if report.plan is not None:
        sections.append(_section("staffing", "Staffing plan", staffing_section(report)))
    if report.marginal is not None:
        sections.append(_section("marginal", "Where the next agent pays most",
                                 marginal_section(report)))
    sections.append(_section("provenance", "Provenance", _provenance(meta)))
    title = f"{scenario.name}: call-centre report"
    runs = summary.replications
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{html.escape(scenario.name)}</h1>
<p class="subtitle">Call-centre simulation report &middot; {scenario.intervals} intervals of
{scenario.interval / 60:g} min from {html.escape(scenario.open)} &middot; {runs}
replication{"s" if runs != 1 else ""}, seed {summary.seed} &middot; simcall
{html.escape(str(meta.get("simcall", "")))} &middot; {_when(meta.get("created"))}</p>
</header>
<main>
{"".join(sections)}
</main>
<footer>
<p><strong>How to read this report.</strong> Every figure is the mean over {runs} independent
simulated days (replications). A range such as &ldquo;78.6% (76.4 to 80.7)&rdquo; and a shaded band
are 95% confidence intervals for that mean: the simulation's own uncertainty, which more
replications narrow. A target is judged on the mean, over the whole day and in every
interval; <span class="met">met</span> and <span class="missed">missed</span> keep these
colours throughout. Calls count in the interval in which they arrived.</p>
</footer>
</body>
</html>
"""


def _when(created: object) -> str:
    """``2026-11-23T02:40:04+00:00`` as ``23 Nov 2026, 02:40 UTC``."""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(str(created))
    except ValueError:
        return html.escape(str(created or ""))
    return moment.strftime("%d %b %Y, %H:%M UTC").lstrip("0")


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}">\n<h2>{html.escape(title)}</h2>\n{body}\n</section>\n'


# -- the scenario, the verdict and the KPIs ----------------------------------------------


def _scenario(summary: Summary) -> str:
    said = describe(summary.scenario)
    tables = [table_html(list(rows[0]), [
        f'<tr><th scope="row">{html.escape(next(iter(row.values())))}</th>'
        + "".join(f"<td>{html.escape(v)}</td>" for v in list(row.values())[1:]) + "</tr>"
        for row in rows]) for rows in (said.callers, said.departments, said.agents)]
    return (f"<p>{html.escape(said.day)}</p>{''.join(tables)}"
            f"<p>{html.escape(said.targets)}</p>")



def _verdict(summary: Summary) -> str:
    targets = summary.targets
    if not targets:
        return _section("verdict", "At a glance",
                        "<p>The scenario sets no targets; the figures below describe it.</p>")
    met = sum(1 for t in targets if t.met)
    missed_somewhere = sorted({label for t in targets for label in t.intervals_failed},
                              key=_label_order(summary))
    lead = (f"{met} of {len(targets)} target{'s' if len(targets) != 1 else ''} met over the day"
            + (f"; missed in {len(missed_somewhere)} of {summary.scenario.intervals} intervals "
               f"({_list(missed_somewhere)})" if missed_somewhere else
               ", and in every interval") + ".")
    cards = []
    for t in targets:
        estimate = summary.kpis[t.goal.kpi]
        state = "met" if t.met else "missed" if t.met is False else "unknown"
        goal = _goal_text(t.goal.kpi, t.goal.at_least, t.goal.bound)
        word = {"met": "met over the day", "missed": "missed over the day",
                "unknown": "nothing to judge"}[state]
        where = (f'<span class="missed">missed in {len(t.intervals_failed)} interval'
                 f"{'s' if len(t.intervals_failed) != 1 else ''}: "
                 f"{html.escape(_list(t.intervals_failed))}</span>"
                 if t.intervals_failed else '<span class="met">met in every interval</span>')
        look = "partly" if state == "met" and t.intervals_failed else state
        cards.append(
            f'<div class="card card-{look}"><div class="card-title">'
            f"{html.escape(kpi_label(t.goal.kpi, summary))}</div>"
            f'<div class="card-value">{format_kpi(t.goal.kpi, estimate.mean)}</div>'
            f'<div class="card-ci">{_ci_text(t.goal.kpi, estimate)}</div>'
            f'<div class="card-goal">target {html.escape(goal)}'
            f' &middot; <span class="{state}">{word}</span></div>'
            f'<div class="card-where">{where}</div></div>')
    return _section("verdict", "At a glance",
                    f'<p class="lead">{html.escape(lead)}</p>\n'
                    f'<div class="cards">{"".join(cards)}</div>')


def _kpitable_html(summary: Summary) -> str:
    goals = {t.goal.kpi: t for t in summary.targets}
    rows = []
    for kpi in (*RATE_KPIS, "offered", "answered", "abandoned", "blocked", "voicemail",
                *MONEY_KPIS):
        if kpi not in summary.kpis:
            continue
        estimate = summary.kpis[kpi]
        if kpi not in goals and (not math.isfinite(estimate.mean) or estimate.mean == 0.0):
            continue  # a feature the scenario does not use
        target = goals.get(kpi)
        goal = _goal_text(kpi, target.goal.at_least, target.goal.bound) if target else ""
        state = "" if target is None else "met" if target.met else "missed"
        verdict = "" if target is None else f'<span class="{state}">{state}</span>'
        rows.append(f"<tr><th scope=\"row\">{html.escape(kpi_label(kpi, summary))}</th>"
                    f'<td class="num">{format_kpi(kpi, estimate.mean)}</td>'
                    f'<td class="num">{_ci_text(kpi, estimate)}</td>'
                    f"<td>{html.escape(goal)}</td><td>{verdict}</td></tr>")
    return table_html(["", "mean", "95% interval", "target", ""], rows)


# -- figures ------------------------------------------------------------------------------


def _dayfigures_html(report: Report) -> list[tuple[str, str, Draw]]:
    from simcall import plots

    summary = report.summary
    figures: list[tuple[str, str, Draw]] = [
        ("Service level per interval",
         "Mean per interval with its 95% band; the dashed line is the target, the dotted "
         "line what the Erlang A formula predicts where it applies.",
         lambda ax: plots.interval_kpi(summary, "service_level", ax=ax)),
        ("Average speed of answer per interval", "Mean with its 95% band.",
         lambda ax: plots.interval_kpi(summary, "asa_s", ax=ax)),
        ("Abandonment per interval", "Share of callers who hung up before an answer.",
         lambda ax: plots.interval_kpi(summary, "abandon_rate", ax=ax)),
        ("Calls and agents",
         "Calls offered per interval (bars), agents on duty and agents required"
         + (" by the staffing plan." if report.plan is not None else " by Erlang A."),
         lambda ax: plots.staffing(summary, report.plan, ax=ax)),
        ("Queue and busy agents through the day",
         "Callers waiting and agents busy, minute by minute, mean over the replications with "
         "a 95% band.", lambda ax: plots.through_the_day(summary, ax=ax)),
    ]
    return figures


def _waitingfigures_html(summary: Summary) -> list[tuple[str, str, Draw]]:
    from simcall import plots

    return [
        ("How long callers wait",
         "Share of callers still waiting after t seconds; the service-level threshold is "
         "marked in seconds and in rings.", lambda ax: plots.waiting(summary, ax=ax)),
        ("The ring calls are answered on", "Share of answered calls by ring, with 95% ranges.",
         lambda ax: plots.rings(summary, ax=ax)),
    ]


def _transfers_possible(summary: Summary) -> bool:
    return any(sum(d.transfer.values()) > 0 for d in summary.scenario.departments)


def _transfers(summary: Summary) -> str:
    from simcall import plots

    if not _transfers_possible(summary):
        return "<p>No department transfers calls in this scenario.</p>"
    return figures_html([
        ("Transfers between departments",
         "Calls transferred per day from each department (rows) to each department (columns).",
         lambda ax: plots.transfer_matrix(summary, ax=ax)),
        ("Transfers per call", "Share of answered calls by the number of times they were "
                               "transferred, with 95% ranges; the target's limit is marked.",
         lambda ax: plots.transfers_per_caller(summary, ax=ax)),
    ])


# -- tables -------------------------------------------------------------------------------


def _intervaltable_html(summary: Summary) -> str:
    scenario = summary.scenario
    failed = {t.goal.kpi: set(t.intervals_failed) for t in summary.targets}
    columns = [c for c in _INTERVAL_COLUMNS if c in summary.intervals[0]]
    if _transfers_possible(summary):
        columns.append("revisit_rate")
    if has_money(scenario):
        columns += ["wage_cost", "lost_value", "total_cost"]
    placed = interval_columns(summary, columns)
    rows = []
    for k, kpis in enumerate(summary.intervals):
        label = scenario.interval_label(k)
        cells = []
        for kpi in placed:
            if isinstance(kpi, tuple):
                cells.append(erlang_cell(summary, k, kpi))
                continue
            state = "num"
            if kpi in failed:
                state = "num missed" if label in failed[kpi] else "num met"
            cells.append(f'<td class="{state}">{format_kpi(kpi, kpis[kpi].mean)}</td>')
        rows.append(f'<tr><th scope="row">{label}</th>{"".join(cells)}</tr>')
    note = ("<p class=\"note\">Means over the replications; a coloured cell is judged against "
            "its target (green met, red missed).</p>")
    heads = [erlang_head(summary, c) if isinstance(c, tuple) else _HEADS[c] for c in placed]
    return table_html(["interval", *heads], rows) + note + erlang_note(summary)


def _breakdowns(summary: Summary) -> str:
    columns = ["offered", "service_level", "asa_s", "abandon_rate", "mean_transfers"]
    if _transfers_possible(summary):
        columns.append("revisit_rate")
    goals = {t.goal.kpi: t.goal for t in summary.targets}
    below = False
    parts = []
    for title, breakdown in (("department (every call entering its queue)",
                              summary.departments),
                             ("caller type", summary.callers)):
        rows = []
        for name, kpis in breakdown.items():
            cells = []
            for c in columns:
                short = c in goals and goals[c].met(kpis[c].mean) is False
                below = below or short
                cells.append(f'<td class="num{" below" if short else ""}">'
                             f"{format_kpi(c, kpis[c].mean)}</td>")
            rows.append(f'<tr><th scope="row">{html.escape(name)}</th>{"".join(cells)}</tr>')
        parts.append(table_html([title, *(_HEADS[c] for c in columns)], rows))
    if below:
        parts.append('<p class="note"><span class="below">Amber</span>: worse than the '
                     "day's target. Targets apply to all calls together, so this is not a "
                     "missed target, but it shows where service is uneven.</p>")
    return "\n".join(parts)


def _comparison(report: Report) -> str:
    from simcall import plots
    from simcall.report.terminal_compare import difference_text, independent_width

    comparison = report.comparison
    assert comparison is not None
    kpis = [t.goal.kpi for t in report.summary.targets] or ["service_level", "abandon_rate"]
    figures = [(f"{kpi_label(kpi, report.summary)} per interval, every variant",
                "Each variant's mean per interval with its 95% band; all variants met the same "
                "simulated callers (common random numbers).",
                lambda ax, kpi=kpi: plots.comparison(comparison, kpi, ax=ax)) for kpi in kpis]
    base = comparison.summaries[comparison.baseline]
    tables = []
    for name in comparison.names[1:]:
        rows = []
        for kpi in kpis:
            d = comparison.differences[name][kpi]
            text = difference_text(d, markup=False)
            rows.append(f'<tr><th scope="row">{html.escape(kpi_label(kpi, report.summary))}'
                        f'</th><td class="num">{format_kpi(kpi, base.kpis[kpi].mean)}</td>'
                        f'<td class="num">'
                        f"{format_kpi(kpi, comparison.summaries[name].kpis[kpi].mean)}</td>"
                        f'<td class="num">{html.escape(text)}</td>'
                        f'<td class="num">{independent_width(d)}</td>'
                        f"<td>{'yes' if d.significant else 'no'}</td></tr>")
        tables.append(f"<h3>{html.escape(name)} <small>against "
                      f"{html.escape(comparison.baseline)}</small></h3>"
                      + table_html(["over the day", "baseline", "variant", "change (paired 95%)",
                                "independent runs", "real change"], rows))
    table = "".join(tables)
    return figures_html(figures) + table


def _provenance(meta: Mapping[str, Any]) -> str:
    shown = [("simcall version", meta.get("simcall")), ("seed", meta.get("seed")),
             ("replications", meta.get("replications")), ("scenario", meta.get("scenario")),
             ("scenario hash", meta.get("scenario_sha256")), ("command", meta.get("command")),
             ("made", meta.get("created")), ("Python", meta.get("python"))]
    items = "".join(f"<dt>{html.escape(k)}</dt><dd><code>{html.escape(str(v))}</code></dd>"
                    for k, v in shown if v is not None)
    return f"<dl>{items}</dl>"


# -- small pieces -------------------------------------------------------------------------


def _ci_text(kpi: str, estimate: Estimate) -> str:
    ci = estimate.ci95
    if ci is None:
        return "one replication: no interval"
    return f"{format_kpi(kpi, ci.low)} to {format_kpi(kpi, ci.high)}"


def _goal_text(kpi: str, at_least: bool, bound: float) -> str:
    return f"{'at least' if at_least else 'at most'} {format_kpi(kpi, bound)}"


def _list(labels: Sequence[str], most: int = 6) -> str:
    labels = list(labels)
    return ", ".join(labels[:most]) + (f" and {len(labels) - most} more"
                                       if len(labels) > most else "")


def _label_order(summary: Summary) -> Callable[[str], int]:
    order = {summary.scenario.interval_label(k): k for k in range(summary.scenario.intervals)}
    return lambda label: order.get(label, len(order))


_CSS = """
:root { --met: #1a7f37; --missed: #c62828; --ink: #1f2328; --muted: #59636e;
        --line: #d1d9e0; --partly: #b35c00; --soft: #f6f8fa; --accent: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
       font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue",
             Arial, sans-serif; }
header, main, footer { max-width: 1040px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 32px; border-bottom: 1px solid var(--line); }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 4px; }
h2 { font-size: 1.35rem; margin: 40px 0 12px; padding-bottom: 4px;
     border-bottom: 1px solid var(--line); }
.subtitle { color: var(--muted); margin: 0 0 20px; font-size: 0.95rem; }
p { margin: 0 0 12px; max-width: 72ch; }
.lead { font-size: 1.15rem; }
.note { color: var(--muted); font-size: 0.9rem; }
.met { color: var(--met); font-weight: 600; }
.missed { color: var(--missed); font-weight: 600; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr));
         gap: 12px; margin: 16px 0; }
.card { border: 1px solid var(--line); border-left: 6px solid var(--muted);
        border-radius: 6px; padding: 12px 14px; background: var(--soft); }
.card-met { border-left-color: var(--met); }
.card-partly { border-left-color: var(--partly); }
.card-missed { border-left-color: var(--missed); }
.card-title { font-size: 0.9rem; color: var(--muted); }
.card-value { font-size: 1.8rem; font-weight: 700; line-height: 1.2; }
.card-ci { font-size: 0.85rem; color: var(--muted); }
.card-where { font-size: 0.9rem; margin-top: 2px; }
.card-goal { font-size: 0.95rem; margin-top: 4px; }
.table-wrap { overflow-x: auto; margin: 12px 0 20px; }
/* a wide table scrolls sideways: its first column (the row's label) stays in view */
.table-wrap th:first-child, .table-wrap td:first-child { position: sticky; left: 0;
  z-index: 1; background: #fff; box-shadow: inset -1px 0 0 var(--line); }
.table-wrap thead th:first-child { background: var(--soft); }
table { border-collapse: collapse; font-size: 0.92rem; min-width: 60%; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: left;
         white-space: nowrap; }
thead th { background: var(--soft); font-weight: 600; white-space: normal;
           vertical-align: bottom; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.erlang { color: #8a3f6c; background: #fbf3f8; }
td.erlang.apart { font-weight: 700; color: #6d1f4f; }
td.met { color: var(--met); font-weight: 400; }
.below { color: var(--partly); font-weight: 600; }
td.missed { color: var(--missed); background: #fdecea; font-weight: 600; }
table.backtest { font-size: 0.82rem; }
table.backtest th, table.backtest td { padding: 4px 5px; }
table.marginal { font-size: 0.85rem; }
table.marginal th, table.marginal td { padding: 3px 7px; }
thead th.group { text-align: center; border-left: 1px solid var(--line); }
ul.verdict { margin: 0 0 12px; padding-left: 1.4em; max-width: 72ch; }
tr.total { font-weight: 600; }
details.chains { margin: 8px 0 20px; }
details.chains summary { cursor: pointer; font-weight: 600; }
details.chains ol { max-height: 640px; overflow: auto; margin: 8px 0 0; padding: 8px 8px 8px 3em;
                    border: 1px solid var(--line); border-radius: 4px; }
details.chains li p { margin: 10px 0 2px; }
table.hops { font-size: 0.85rem; min-width: 0; }
table.hops td { padding: 2px 10px 2px 0; border: 0; }
table.hops tr.back td { color: var(--missed); }
figure { margin: 20px 0 28px; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line);
             border-radius: 4px; }
h3 { font-size: 1.05rem; margin: 24px 0 4px; }
h3 small { font-weight: 400; color: var(--muted); }
figcaption { color: var(--muted); font-size: 0.9rem; margin-top: 6px; max-width: 80ch; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
       font-size: 0.88rem; }
footer { margin-top: 40px; padding-top: 16px; padding-bottom: 40px;
         border-top: 1px solid var(--line); color: var(--muted); font-size: 0.9rem; }
@media print { h2 { break-after: avoid; } figure { break-inside: avoid; } }
"""
