"""How result objects show themselves in a Python shell and in Jupyter.

A dataclass's own ``repr`` prints every field: a summary of 20 replications holds the
scenario and every call record, 481,000 characters that bury the prompt. Result objects
instead say what they are in a few lines (the scenario, the replications, a few headline
KPIs with their 95% intervals), and Jupyter gets ``_repr_html_``: a compact KPI table.

Everything a user named (scenario, variant, group, interval labels) goes through
:func:`html.escape`: a scenario called ``<script>`` must show as text, not run.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence

from simcall.results.metrics import COUNT_KPIS, KPI_NAMES, SHARE_KPIS
from simcall.results.money import MONEY_KPIS
from simcall.results.stats import Estimate
from simcall.results.targets import TargetResult

HEADLINE = ("service_level", "asa_s", "abandon_rate", "occupancy")
"""The KPIs a short repr shows, when the result has them: what a planner looks at first."""

_STYLE = ("border-collapse:collapse;font-size:0.9em;margin:0.3em 0",
          "text-align:left;padding:0.15em 0.8em 0.15em 0",
          "text-align:right;padding:0.15em 0.8em;font-variant-numeric:tabular-nums;"
          "white-space:nowrap")


def value_text(kpi: str, value: float) -> str:
    """A KPI value as a planner reads it: shares in %, seconds with ``s``, money rounded."""
    if not math.isfinite(value):
        return "-"
    if kpi in SHARE_KPIS:
        return f"{100 * value:.1f}%"
    if kpi.endswith("_s"):
        return f"{value:.2f} s"
    if kpi in MONEY_KPIS and kpi != "defections":
        return f"{value:,.0f}" if abs(value) >= 10 or value == 0 else f"{value:,.2f}"
    if kpi in COUNT_KPIS or kpi == "defections":
        return f"{value:,.1f}"
    return f"{value:.4g}"


def change_text(kpi: str, value: float) -> str:
    """A signed difference: share changes in percentage points (``+7.7 pts``)."""
    if not math.isfinite(value):
        return "-"
    if kpi in SHARE_KPIS:
        return f"{100 * value:+.1f} pts"
    text = value_text(kpi, abs(value))
    return ("-" if value < 0 else "+") + text


def interval_text(kpi: str, estimate: Estimate, change: bool = False) -> str:
    """``low .. high`` of the 95% interval, or ``-`` without one (a single replication)."""
    if estimate.ci95 is None:
        return "-"
    low, high = estimate.ci95
    show = change_text if change else value_text
    return f"{show(kpi, low)} .. {show(kpi, high)}"


def estimate_text(kpi: str, estimate: Estimate, change: bool = False) -> str:
    """``mean (95% CI low .. high)``, the interval left out when there is none."""
    mean = (change_text if change else value_text)(kpi, estimate.mean)
    if estimate.ci95 is None:
        return mean
    return f"{mean} (95% CI {interval_text(kpi, estimate, change)})"


def headline(kpis: Mapping[str, Estimate], names: Sequence[str] = HEADLINE) -> list[str]:
    """One line per headline KPI the result has: ``name  mean (95% CI ..)``."""
    present = [k for k in names if k in kpis]
    width = max((len(k) for k in present), default=0)
    return [f"{k:<{width}}  {estimate_text(k, kpis[k])}" for k in present]


def text_block(title: str, facts: Iterable[str] = (), lines: Iterable[str] = ()) -> str:
    """``<title: facts\\n  line\\n  line>``: a repr of a few lines that says what it is."""
    head = title + (": " + ", ".join(facts) if facts else "")
    body = "".join(f"\n  {line}" for line in lines)
    return f"<{head}{body}>"


def shown_kpis(kpis: Mapping[str, Estimate], money: bool) -> list[str]:
    """The KPIs a notebook table lists, in SPEC.md's order: those with a value (not all
    undefined), leaving out those that are zero in every replication (no blocked calls in a
    centre without a line limit is noise) unless a headline KPI, and money KPIs unless the
    scenario prices anything."""
    names = [k for k in KPI_NAMES if k in kpis and (money or k not in MONEY_KPIS)]
    return [k for k in names if math.isfinite(kpis[k].mean)
            and (k in HEADLINE or any(v != 0 for v in kpis[k].values))]


def html_table(head: Sequence[str], rows: Iterable[Sequence[str]],
               left: int = 1) -> str:
    """A plain HTML table; every cell escaped, the first ``left`` columns left-aligned
    (names), the rest right-aligned (numbers)."""
    table, name_cell, number_cell = _STYLE

    def cells(tag: str, row: Sequence[str]) -> str:
        return "".join(
            f'<{tag} style="{name_cell if i < left else number_cell}">{html.escape(c)}</{tag}>'
            for i, c in enumerate(row))

    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
    return (f'<table style="{table}"><thead><tr>{cells("th", head)}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def html_block(title: str, facts: Iterable[str], *parts: str,
               notes: Iterable[str] = ()) -> str:
    """A result's notebook view: a bold title with its facts, tables, then notes."""
    facts_text = html.escape(", ".join(facts))
    lines = "".join(f'<p style="margin:0.2em 0">{html.escape(n)}</p>' for n in notes)
    return (f'<div class="simcall-result"><p style="margin:0.2em 0"><strong>'
            f"{html.escape(title)}</strong>{': ' + facts_text if facts_text else ''}</p>"
            f"{''.join(parts)}{lines}</div>")


def kpi_table(kpis: Mapping[str, Estimate], names: Sequence[str]) -> str:
    """The KPI table of one result: name, mean, 95% interval."""
    return html_table(("KPI", "mean", "95% CI"),
                      ((k, value_text(k, kpis[k].mean), interval_text(k, kpis[k]))
                       for k in names))


def plural(count: int, word: str) -> str:
    """``1 replication``, ``3 replications``."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def targets_note(targets: Iterable[TargetResult]) -> list[str]:
    """One sentence on the targets: each goal met, not met, or not judged (no calls)."""
    words = []
    for t in targets:
        verdict = {True: "met", False: "not met", None: "not judged"}[t.met]
        short = f", short in {plural(len(t.intervals_failed), 'interval')}" \
            if t.intervals_failed else ""
        words.append(f"{t.goal.kpi} {t.goal.text}: {verdict}{short}")
    return ["targets: " + "; ".join(words)] if words else []
