"""Erlang beside every interval, on the terminal (``simcall run --details``).

Why its own table: the per-interval table above it shows the simulation; this one shows,
per department, what the closed form says for the same interval
(:mod:`simcall.results.erlang_intervals`), so a planner sees where the two part ways.
With one department the simulated interval figures are that department's, so each Erlang
figure stands right beside its simulated mean; with several, the simulated interval figures
are of all departments together, so the table shows the Erlang figures alone. It fits 80
columns; the reasons (why approximate, why none) follow as sentences, once per department.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.table import Table

from simcall.report.terminal import format_kpi
from simcall.results.erlang_intervals import ErlangFigures, outside
from simcall.results.stats import Estimate
from simcall.results.summary import Summary

_SHORT = {"service_level": "SL", "p_wait": "P(wait)", "abandon_rate": "aband.",
          "block_rate": "block", "asa_s": "ASA s", "occupancy": "occ."}
_PAIRED = ("service_level", "asa_s", "abandon_rate", "occupancy")
_MARK = {"exact": "", "approximate": "~", "none": ""}  # before each Erlang figure


def print_erlang_intervals(summary: Summary, console: Console) -> None:
    """Per department, the Erlang figures of every interval, or the reason there are none."""
    scenario = summary.scenario
    names = [d.name for d in scenario.departments]
    paired = len(names) == 1
    blocking = scenario.lines is not None
    for name in names:
        column = [summary.erlang[k][name] for k in range(scenario.intervals)]
        shown = [f for f in column if f.metrics is not None]
        if not shown:
            reasons = sorted({f.reason or "" for f in column})
            console.print(f"[bold]Erlang, department '{name}'[/bold]: no figures: "
                          f"{'; '.join(reasons)}", highlight=False)
            continue
        models = "/".join(dict.fromkeys(f.model or "" for f in shown))
        title = (f"{models} beside the simulation (steady state per interval)" if paired
                 else f"{models}, department '{name}' (steady state per interval)")
        table = _table(summary, column, paired, blocking, title)
        console.print(table)
        _print_reasons(summary, column, console)
    console.print(("sim: simulated mean; Erl.: the closed form at the interval's calls and "
                   "agents on duty, in bold where it lies outside the simulated 95% interval"
                   if paired else
                   "Erlang figures per department at each interval's calls and agents on duty "
                   "(the simulated figures per interval above are of all departments)")
                  + "; ~: approximate, the formula's assumptions do not all hold (reasons "
                    "above); -: no figure; see docs/metrics.md", highlight=False)


def _table(summary: Summary, column: Sequence[ErlangFigures], paired: bool, blocking: bool,
           title: str) -> Table:
    """The figures of one department, one row per interval."""
    table = Table(show_edge=False, title=title, padding=(0, 1) if not paired else (0, 0, 0, 1))
    table.add_column("interval" if not paired else "time")
    kpis = list(_PAIRED) if paired else ["service_level", "p_wait", "abandon_rate",
                                         "asa_s", "occupancy"]
    if blocking:
        kpis.insert(3, "block_rate")
    for kpi in kpis:
        if paired:
            table.add_column(f"{_SHORT[kpi]}\nsim", justify="right")
            table.add_column("\nErl.", justify="right")
        else:
            table.add_column(_SHORT[kpi], justify="right")
    for k, figures in enumerate(column):
        values = figures.figures
        cells = [summary.scenario.interval_label(k)]
        for kpi in kpis:
            figure = format_kpi(kpi, values[kpi])
            figure = _MARK[figures.status] + figure if figure != "-" else figure
            if paired:
                estimate = summary.intervals[k].get(kpi)
                cells.append(_simulated(summary.intervals[k], kpi))
                figure = f"[bold]{figure}[/bold]" if outside(estimate, values[kpi]) else figure
            cells.append(figure)
        table.add_row(*cells, style="dim" if figures.status == "none" else None)
    return table


def _simulated(kpis: Mapping[str, Estimate], kpi: str) -> str:
    estimate = kpis.get(kpi)
    return format_kpi(kpi, estimate.mean if estimate is not None else math.nan)


def _print_reasons(summary: Summary, column: Sequence[ErlangFigures], console: Console) -> None:
    """The reasons shared by every interval once, the others with their intervals."""
    parts = [(k, [p for p in (f.reason or "").split("; ") if p]) for k, f in enumerate(column)]
    with_figures = [reasons for (_, reasons), f in zip(parts, column, strict=True)
                    if f.metrics is not None]
    common = [p for p in with_figures[0] if all(p in r for r in with_figures)]
    if common:
        console.print(f"~ approximate: {'; '.join(common)}", highlight=False)
    own: dict[str, list[str]] = {}
    for k, reasons in parts:
        for reason in reasons:
            if reason not in common:
                own.setdefault(reason, []).append(summary.scenario.interval_label(k))
    for reason, labels in own.items():
        console.print(f"{', '.join(labels)}: {reason}", highlight=False)
