"""A comparison on the terminal: each KPI side by side, with the paired difference.

A difference reads "+4.1 ± 0.8 pts": shares in percentage points, times in
seconds, counts in calls; the ± is the half-width of the paired 95%
interval. Bold marks a difference whose interval excludes zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from simcall.experiments.comparison import Comparison, Difference
from simcall.report.terminal import format_kpi, kpi_label
from simcall.results.metrics import COUNT_KPIS, RATE_KPIS, SHARE_KPIS
from simcall.results.money import MONEY_KPIS, has_money
from simcall.results.targets import goals


def difference_text(difference: Difference, markup: bool = True) -> str:
    """``+4.1 ± 0.8 pts`` (shares), ``-3.6 ± 0.5 s`` (times), ``+12.0 ± 3.1`` (counts).

    With ``markup``, a significant difference is wrapped in rich's ``[bold]``.
    """
    kpi, mean, ci = difference.kpi, difference.paired.mean, difference.paired.ci95
    if not math.isfinite(mean):
        return "-"
    scale, unit = (100.0, " pts") if kpi in SHARE_KPIS else (1.0, " s" if kpi.endswith("_s")
                                                             else "")
    digits = 2 if kpi == "mean_transfers" else 0 if kpi in MONEY_KPIS[:3] else 1
    spread = 0 if kpi in MONEY_KPIS[:3] else max(digits, 1)
    half = "" if ci is None else f" ± {scale * (ci.high - ci.low) / 2:,.{spread}f}"
    shown = scale * mean if round(scale * mean, digits) != 0 else 0.0  # never "-0.0"
    text = f"{shown:+,.{digits}f}{half}{unit}"
    return f"[bold]{text}[/bold]" if markup and difference.significant else text


def independent_width(difference: Difference) -> str:
    """``± 2.6``: the half-width independent (unpaired) runs would give, in the same units."""
    unpaired = difference.unpaired
    if unpaired is None:
        return ""
    scale = 100.0 if difference.kpi in SHARE_KPIS else 1.0
    return f"± {scale * (unpaired.high - unpaired.low) / 2:.1f}"


def print_comparison(comparison: Comparison, console: Console,
                     interval_kpis: Sequence[str] = ()) -> None:
    """Overall KPIs side by side, the headline differences, then the chosen KPIs per interval."""
    base = comparison.summaries[comparison.baseline]
    scenario = base.scenario
    console.print(f"[bold]compare[/bold]: {len(comparison.names)} variants, seed "
                  f"{comparison.seed}, {comparison.replications} replications each, on common "
                  "random numbers (the same callers in every variant)", highlight=False)
    table = Table(show_edge=False)
    table.add_column("KPI")
    for name in comparison.names:
        table.add_column(name, justify="right")
    for name in comparison.names[1:]:
        table.add_column(f"{name} - {comparison.baseline}", justify="right")
    for kpi in RATE_KPIS + COUNT_KPIS + MONEY_KPIS:
        if kpi not in base.kpis or not _moves(comparison, kpi):
            continue
        means = [format_kpi(kpi, s.kpis[kpi].mean) for s in comparison.summaries.values()]
        diffs = [difference_text(comparison.differences[n][kpi]) for n in comparison.names[1:]]
        table.add_row(kpi_label(kpi, base), *means, *diffs)
    console.print(table)
    if has_money(scenario) and len(base.callers) > 1:
        print_caller_money(comparison, console)
    for line in headlines(comparison):
        console.print(line, highlight=False)
    kpis = list(interval_kpis) or _target_kpis(comparison)
    for kpi in kpis:
        if not all(comparison.intervals[n] for n in comparison.names[1:]):
            console.print("(per-interval differences need the same intervals in every variant)")
            return
        rows = Table(show_edge=False, title=f"{kpi_label(kpi, base)} per interval")
        rows.add_column("interval")
        rows.add_column(comparison.baseline, justify="right")
        for name in comparison.names[1:]:
            rows.add_column(f"{name} - {comparison.baseline}", justify="right")
        for k, estimates in enumerate(base.intervals):
            rows.add_row(scenario.interval_label(k), format_kpi(kpi, estimates[kpi].mean),
                         *(difference_text(comparison.intervals[n][k][kpi])
                           for n in comparison.names[1:]))
        console.print(rows)
    console.print("± is the half-width of the paired 95% interval; [bold]bold[/bold]: the "
                  "interval excludes zero", highlight=False)


def print_caller_money(comparison: Comparison, console: Console) -> None:
    """Who pays for a change: each caller type's abandonment, defections and lost value,
    the baseline's and each variant's paired difference."""
    base = comparison.summaries[comparison.baseline]
    table = Table(show_edge=False, title="per caller type")
    table.add_column("caller type")
    table.add_column("KPI")
    table.add_column(comparison.baseline, justify="right")
    for name in comparison.names[1:]:
        table.add_column(f"{name} - {comparison.baseline}", justify="right")
    for caller, kpis in base.callers.items():
        for kpi in ("abandon_rate", "defections", "lost_value"):
            table.add_row(caller if kpi == "abandon_rate" else "", kpi_label(kpi, base),
                          format_kpi(kpi, kpis[kpi].mean),
                          *(difference_text(comparison.callers[n][caller][kpi])
                            if caller in comparison.callers.get(n, {}) else "-"
                            for n in comparison.names[1:]))
    console.print(table)


def headlines(comparison: Comparison) -> list[str]:
    """One line per variant and target KPI, with the unpaired width for contrast."""
    base = comparison.summaries[comparison.baseline]
    lines = []
    for name in comparison.names[1:]:
        for kpi in _target_kpis(comparison):
            d = comparison.differences[name][kpi]
            width = independent_width(d)
            contrast = f" (independent runs would give {width})" if width else ""
            text = f"{name}: {kpi_label(kpi, base)} {difference_text(d)}{contrast}"
            peak = _largest_interval_change(comparison, name, kpi)
            if peak:
                text += f"; largest change at {peak}"
            lines.append(text)
    return lines


def _largest_interval_change(comparison: Comparison, name: str, kpi: str) -> str:
    rows = comparison.intervals[name]
    changes = [(abs(row[kpi].paired.mean), k) for k, row in enumerate(rows)
               if math.isfinite(row[kpi].paired.mean) and row[kpi].significant]
    if not changes:
        return ""
    _, k = max(changes)
    label = comparison.summaries[comparison.baseline].scenario.interval_label(k)
    return f"{label}: {difference_text(rows[k][kpi])}"


def _target_kpis(comparison: Comparison) -> list[str]:
    scenario = comparison.summaries[comparison.baseline].scenario
    kpis = [g.kpi for g in goals(scenario.targets)]
    return kpis or ["service_level", "abandon_rate"]


def _moves(comparison: Comparison, kpi: str) -> bool:
    """Show a KPI unless it is zero (or undefined) in every variant."""
    return any(math.isfinite(s.kpis[kpi].mean) and s.kpis[kpi].mean != 0.0
               for s in comparison.summaries.values())
