"""The Erlang columns of the report's interval table, and the note that says how far to trust them.

Why beside the simulated columns and not in a table of their own: the planner reads one row
(one interval) and sees the simulated service level, ASA, abandonment and occupancy next to
what the closed form says for the same calls and agents (:mod:`simcall.results.erlang_intervals`).
Each department with figures adds its columns (with several departments, headed by its name);
an approximate figure is marked "≈"; the note under the table gives, per department, the model,
whether it is exact, and the reasons where it is approximate or absent.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from simcall.report.terminal import format_kpi
from simcall.results.erlang_intervals import ErlangFigures, outside
from simcall.results.summary import Summary

_HEADS = {"service_level": "SL", "asa_s": "ASA (s)", "abandon_rate": "abandon",
          "block_rate": "block", "occupancy": "occupancy"}


def erlang_kpis(summary: Summary) -> list[str]:
    """The figures shown per department: those of the simulated columns, blocking with lines."""
    kpis = ["service_level", "asa_s", "abandon_rate", "occupancy"]
    if summary.scenario.lines is not None:
        kpis.insert(3, "block_rate")
    return kpis


def _shown(summary: Summary) -> list[str]:
    """Departments with figures in at least one interval, in scenario order."""
    return [d.name for d in summary.scenario.departments
            if any(row[d.name].metrics is not None for row in summary.erlang)]


Column = str | tuple[str, str]
"""A column of the interval table: a simulated KPI, or (department, KPI) for an Erlang figure."""


def interval_columns(summary: Summary, simulated: Sequence[str]) -> list[Column]:
    """The simulated KPIs with the Erlang figures placed among them.

    With one department each Erlang figure follows its simulated column, so the two are
    read side by side; with several, each department's figures follow all simulated columns,
    department by department (the simulated interval figures are of all departments).
    """
    shown = _shown(summary)
    kpis = erlang_kpis(summary)
    if len(summary.scenario.departments) == 1 and shown:
        (name,) = shown
        out: list[Column] = []
        for kpi in simulated:
            out.append(kpi)
            out += [(name, kpi)] if kpi in kpis else []
        return out + [(name, kpi) for kpi in kpis if kpi not in simulated]
    return [*simulated, *((name, kpi) for name in shown for kpi in kpis)]


def erlang_head(summary: Summary, column: tuple[str, str]) -> str:
    """"Erlang" beside its simulated column; "Erlang SL (sales)" among several departments."""
    name, kpi = column
    if len(summary.scenario.departments) == 1:
        return "Erlang" if kpi != "block_rate" else "Erlang block"
    return f"Erlang {_HEADS[kpi]} ({name})"


def erlang_cell(summary: Summary, k: int, column: tuple[str, str]) -> str:
    """Interval ``k``'s figure for ``column``, "≈" in front where it is approximate; its
    tooltip says why (or "exact"). With one department, a figure outside the simulated
    mean's 95% interval is in bold: there the two part ways beyond the simulation's noise."""
    name, kpi = column
    figures = summary.erlang[k][name]
    text = format_kpi(kpi, figures.figures[kpi])
    mark = "≈" if figures.status == "approximate" and text != "-" else ""
    title = html.escape(figures.reason or "exact", quote=True)
    apart = len(summary.scenario.departments) == 1 and outside(summary.intervals[k].get(kpi),
                                                                figures.figures[kpi])
    css = "num erlang apart" if apart else "num erlang"
    return f'<td class="{css}" title="{title}">{mark}{text}</td>'


def erlang_note(summary: Summary) -> str:
    """Per department: the model and exact, or approximate and why, or why there are none."""
    items = []
    for department in summary.scenario.departments:
        column = [row[department.name] for row in summary.erlang]
        items.append(f"<li><strong>{html.escape(department.name)}</strong>: "
                     f"{html.escape(_verdict(column))}</li>")
    return ('<p class="note">Erlang columns: the steady state of each interval taken on its '
            "own (its calls per hour and agents on duty held for ever), from the closed form "
            "that fits the department; the simulation carries queues from one interval into "
            "the next, the formula does not. ≈: approximate"
            + ("; in bold: outside the simulated 95% interval"
               if len(summary.scenario.departments) == 1 else "")
            + ". See docs/metrics.md.</p>"
            f'<ul class="note">{"".join(items)}</ul>')


def _verdict(column: Sequence[ErlangFigures]) -> str:
    """One sentence on a department's Erlang figures over the day."""
    shown = [f for f in column if f.metrics is not None]
    if not shown:
        return "no Erlang figures: " + "; ".join(dict.fromkeys(f.reason or "" for f in column))
    models = " / ".join(dict.fromkeys(f.model or "" for f in shown))
    reasons = list(dict.fromkeys(p for f in column for p in (f.reason or "").split("; ") if p))
    if not reasons:
        return f"{models}, exact in every interval."
    exact = sum(f.status == "exact" for f in column)
    lead = f"{models}, exact in {exact} of {len(column)} intervals; " if exact else \
        f"{models}, approximate: "
    return lead + "; ".join(reasons) + "."
