"""``simcall fit`` in the terminal: what was read and fitted, and the back-test table.

Why a module of its own: the back-test is read hour by hour, with the log's spread beside
the simulated figure and a mark where they part, which no other table here does.
"""

from __future__ import annotations

import math

from rich import box
from rich.console import Console
from rich.table import Table

from simcall.fit.backtesting import FIGURES, Backtest, Row
from simcall.fit.fitting import FitResult

_FORMATS = {"arrivals": "{:.0f}", "abandon_rate": "{:.0%}", "asa_s": "{:.0f}s",
            "service_level": "{:.0%}"}
_TITLES = {"arrivals": "arrivals", "abandon_rate": "abandoned", "asa_s": "ASA",
           "service_level": "SL"}


def print_fit(fitted: FitResult, console: Console) -> None:
    """The log's account and the fitted scenario in a few lines."""
    log, estimates = fitted.log, fitted.estimates
    first, last = log.dates[0], log.dates[-1]
    span = f"{first} to {last}" if first is not None else "no dates"
    console.print(f"[bold]{len(log.dates)} days[/bold] ({span}), "
                  f"{log.intervals} intervals of {log.interval_s / 60:g} min", highlight=False)
    for line in log.selection.lines():
        console.print(f"  {line}", highlight=False)
    arrivals = estimates.arrivals
    console.print(f"caller types: {len(arrivals.caller_types)}; calls reaching the agents: "
                  f"{arrivals.daily_totals.mean():,.0f} a day "
                  f"(day_volume_cv {arrivals.day_volume_cv:.3f})", highlight=False)
    agents = estimates.staffing.agents
    console.print(f"agents on the phones: {agents.min():.1f} to {agents.max():.1f} "
                  f"(sessions broken by gaps over {estimates.staffing.gap_s / 60:g} min); "
                  "not-ready gap mean " + (f"{estimates.not_ready.mean:.1f} s"
                                           if math.isfinite(estimates.not_ready.mean)
                                           else "unknown (no gaps while callers waited)"),
                  highlight=False)


def _cell(figure: str, value: float) -> str:
    return "-" if math.isnan(value) else _FORMATS[figure].format(value)


def _log_cell(row: Row) -> str:
    if math.isnan(row.log_mean):
        return "-"
    form = _FORMATS[row.figure]
    if math.isnan(row.log_se):
        return form.format(row.log_mean)
    mean = form.format(row.log_mean).rstrip("%s")  # the unit once, after the spread
    return f"{mean}±{form.format(2 * row.log_se)}"


def print_backtest(result: Backtest, console: Console) -> None:
    """One row per interval: each figure's log mean ± 2 SE and the simulated mean, marked
    where the simulation falls outside; then the verdict in words."""
    table = Table(title=f"back-test: {result.simulated_days} simulated days (seed "
                        f"{result.seed}) beside {result.log_days} days of the log: the log's "
                        "mean ± 2 SE, the simulated mean (✗: outside); SL: answered within "
                        f"{result.threshold:g} s", title_justify="left",
                  box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    table.add_column("from", justify="right", no_wrap=True)
    for figure in FIGURES:
        table.add_column(_TITLES[figure], justify="right", no_wrap=True)
        table.add_column("sim", justify="right", no_wrap=True)
    by_figure = {figure: result.of(figure) for figure in FIGURES}
    for k in range(result.intervals):
        cells = [by_figure["arrivals"][k].clock]
        for figure in FIGURES:
            row = by_figure[figure][k]
            mark = "" if row.inside or math.isnan(row.log_se) else "✗"
            cells += [_log_cell(row), f"{_cell(figure, row.simulated)}{mark}"]
        table.add_row(*cells)
    console.print(table)
    for line in result.verdict():
        console.print(f"  {line}", highlight=False)

