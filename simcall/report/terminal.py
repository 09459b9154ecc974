"""Human-readable summaries for the terminal (rich tables)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from simcall.report.kpi_rows import hidden_kpis, shown
from simcall.results.metrics import COUNT_KPIS, KPI_NAMES, SHARE_KPIS
from simcall.results.money import MONEY_KPIS, has_money
from simcall.results.stats import Estimate
from simcall.results.summary import Summary
from simcall.scenario.schema import Scenario

if TYPE_CHECKING:
    from simcall.erlang.question import ErlangAnswer

_LABELS = {
    "service_level": "service level", "asa_s": "ASA (s)", "p_wait": "P(wait)",
    "abandon_rate": "abandon rate", "block_rate": "block rate", "occupancy": "occupancy",
    "mean_transfers": "transfers per answered call",
    "first_attempt_resolution": "callers resolved on the first attempt",
    "eventual_resolution": "callers resolved in the end",
    "callback_wait_s": "wait until called back (s)",
    "ivr_hang_ups": "hung up in the menu",
    "called_back": "called back",
    "in_system": "still in the system",
    "self_served": "self-served",
    "transfer_limited": "stopped by the transfer limit",
    "rona": "rang out (ring-no-answer)",
    "callers": "distinct callers",
    "lost_callers": "lost callers",
    "voicemail_callbacks": "voicemails called back",
    "wage_cost": "wages (scheduled hours)",
    "lost_value": "value lost to defection",
    "total_cost": "total cost (wages + lost value)",
    "defections": "callers expected to defect",
    "revisit_rate": "answered calls sent back (ping-pong)",
}


def kpi_label(kpi: str, summary: Summary) -> str:
    """The name a planner reads for a KPI (with the scenario's own threshold)."""
    scenario = summary.scenario
    if kpi == "service_level":
        return f"service level (answered < {scenario.service_level_threshold:g} s)"
    if kpi == "transfer_share_within":
        transfers = scenario.targets.transfers
        n = transfers.at_most if transfers is not None else 1
        return f"answered calls transferred <= {n} time{'s' if n != 1 else ''}"
    return _LABELS.get(kpi, kpi)


def _goal(kpi: str, at_least: bool, bound: float) -> str:
    return f"{'>=' if at_least else '<='} {format_kpi(kpi, bound)}"


_HEADS = {"scheduled_agents": "sched.", "staffed_agents": "staffed", "revisit_rate": "back"}
_MONEY_HEADS = {"wage_cost": "wages", "lost_value": "lost", "total_cost": "cost",
                "defections": "defect."}


def format_kpi(kpi: str, value: float) -> str:
    """Shares as percentages, counts with thousands separators, "-" when undefined."""
    if not math.isfinite(value):
        return "-"
    if kpi in SHARE_KPIS:
        return f"{100 * value:.1f}%"
    if kpi in COUNT_KPIS or kpi in _HEADS or kpi == "defections":
        return f"{value:,.1f}"
    if kpi in MONEY_KPIS:
        return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.2f}"
    return f"{value:.2f}"


def _cell(kpi: str, estimate: Estimate) -> tuple[str, str]:
    ci = estimate.ci95
    interval = "" if ci is None else f"{format_kpi(kpi, ci.low)} .. {format_kpi(kpi, ci.high)}"
    return format_kpi(kpi, estimate.mean), interval


def print_summary(summary: Summary, console: Console, details: bool = False) -> None:
    """KPIs with confidence intervals, then each target, met or not.

    Only the KPIs the scenario's features can produce are listed (:mod:`simcall.report.
    kpi_rows`); ``details`` lists them all. Both tables stay readable in 80 columns."""
    scenario = summary.scenario
    runs = summary.replications
    days = f" on {scenario.days} days" if scenario.days > 1 else ""
    console.print(
        f"[bold]{scenario.name}[/bold]: {scenario.intervals} intervals of "
        f"{scenario.interval / 60:g} min from {scenario.open}{days}, seed {summary.seed}, "
        f"{runs} replication{'s' if runs != 1 else ''}"
    )
    table = Table(show_edge=False)
    table.add_column("KPI")
    table.add_column("mean", justify="right", no_wrap=True)
    table.add_column("95% CI", justify="right", no_wrap=True)
    for kpi in KPI_NAMES:
        if kpi in summary.kpis and shown(kpi, scenario, summary.kpis[kpi], details):
            table.add_row(kpi_label(kpi, summary), *_cell(kpi, summary.kpis[kpi]))
    console.print(table)
    left_out = 0 if details else hidden_kpis(scenario, summary.kpis)
    if left_out:
        console.print(f"--details shows {left_out} more KPIs, of features this scenario "
                      "does not use", highlight=False)
    if not summary.targets:
        console.print("No targets in this scenario.")
        return
    targets = Table(show_edge=False, title="targets")
    # labels (36 characters at most) stay whole; the intervals wrap, a span to a line at 80
    targets.add_column("target", no_wrap=True)
    targets.add_column("goal", no_wrap=True)
    targets.add_column("value", justify="right", no_wrap=True)
    targets.add_column("met", no_wrap=True)
    targets.add_column("intervals not met")
    for result in summary.targets:
        mark = {True: "[green]yes[/green]", False: "[red]no[/red]", None: "n/a"}[result.met]
        failed = ", ".join(interval_spans(scenario, result.intervals_failed)) or "none"
        goal = result.goal
        targets.add_row(kpi_label(goal.kpi, summary), _goal(goal.kpi, goal.at_least, goal.bound),
                        format_kpi(goal.kpi, result.value), mark, failed)
    console.print(targets)


def interval_spans(scenario: Scenario, labels: Sequence[str]) -> list[str]:
    """Intervals as spans of the clock: ``["08:00", "08:30", "09:30"]`` of half-hours is
    ``["08:00-09:00", "09:30"]`` (from the start of the first to the end of the last).

    Why: a bad morning lists a dozen half-hours, which wrap into a tall column on a
    narrow terminal; the spans say the same in a third of the room. A label that is not
    one of the scenario's intervals is kept as it is."""
    index = {scenario.interval_label(k): k for k in range(scenario.intervals)}
    spans: list[str] = []
    run: list[int] = []

    def close() -> None:
        if len(run) == 1:
            spans.append(scenario.interval_label(run[0]))
        elif run:
            end = scenario.interval_label(run[-1] + 1)
            spans.append(f"{scenario.interval_label(run[0])}-"
                         f"{'24:00' if end == '00:00+1d' else end}")
        run.clear()

    for label in labels:
        k = index.get(label)
        if k is None:
            close()
            spans.append(label)
        elif run and k == run[-1] + 1:
            run.append(k)
        else:
            close()
            run.append(k)
    close()
    return spans


def print_erlang(answer: ErlangAnswer, console: Console) -> None:
    """The closed-form figures as a small table."""
    m = answer.metrics
    console.print(f"[bold]{answer.model}[/bold]: {answer.agents} agents, "
                  f"offered load {answer.load:.2f} Erlangs", highlight=False)
    table = Table(show_edge=False, show_header=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("P(wait)", format_kpi("p_wait", float(m.p_wait)))
    table.add_row(f"service level (answered < {answer.within:g} s)",
                  format_kpi("service_level", float(m.service_level)))
    table.add_row("ASA (s)", format_kpi("asa_s", float(m.asa)))
    table.add_row("abandon rate", format_kpi("abandon_rate", float(m.p_abandon)))
    table.add_row("block rate", format_kpi("block_rate", float(m.p_block)))
    table.add_row("occupancy", format_kpi("occupancy", float(m.occupancy)))
    console.print(table)
    if answer.targets_met is not None:
        console.print("targets met" if answer.targets_met else "[red]targets not met[/red]")
    cost = answer.cost
    if cost is not None:
        console.print(f"cost-optimal: {cost.agents} agents, {cost.hourly_cost:,.2f} per hour "
                      f"(wages {cost.wage_cost_per_hour:,.2f} + value lost "
                      f"{cost.lost_value_per_hour:,.2f})", highlight=False)
        curve = Table(show_edge=False)
        curve.add_column("agents", justify="right")
        curve.add_column("cost per hour", justify="right")
        for n, hourly in cost.curve:
            curve.add_row(str(n), f"{hourly:,.2f}", style="bold" if n == cost.agents else None)
        console.print(curve)


_SHORT = {"offered": "calls", "service_level": "SL", "asa_s": "ASA s",
          "abandon_rate": "aband.", "occupancy": "occ.", "mean_transfers": "transf."}


def _print_money(summary: Summary, console: Console) -> None:
    """Wages, value lost, total cost and defections per interval (and day), means."""
    table = Table(show_edge=False, title="money per interval (means)")
    table.add_column("interval")
    for kpi in MONEY_KPIS:
        table.add_column(_MONEY_HEADS[kpi], justify="right")
    rows = [(summary.scenario.interval_label(k), kpis) for k, kpis in enumerate(summary.intervals)]
    rows += [(f"day {d + 1}", kpis) for d, kpis in enumerate(summary.days)
             if len(summary.days) > 1]
    for name, kpis in rows:
        table.add_row(name, *(format_kpi(k, kpis[k].mean) for k in MONEY_KPIS))
    table.add_section()
    table.add_row("all", *(format_kpi(k, summary.kpis[k].mean) for k in MONEY_KPIS),
                  style="bold")
    console.print(table)


def sends_back(summary: Summary) -> bool:
    """Can a call be sent back to a department it left? Only when some department
    transfers calls (a misrouted call alone goes on to its own department once)."""
    return any(sum(d.transfer.values()) > 0 for d in summary.scenario.departments)


def print_details(summary: Summary, console: Console) -> None:
    """Means per interval (targets missed in red), per department and per caller type."""
    failed = {label for t in summary.targets for label in t.intervals_failed}
    scopes: list[tuple[str, list[tuple[str, Mapping[str, Estimate]]]]] = [
        ("interval", [(summary.scenario.interval_label(k), kpis)
                      for k, kpis in enumerate(summary.intervals)]),
        ("department", list(summary.departments.items())),
        *([("day", [(f"day {d + 1}", kpis) for d, kpis in enumerate(summary.days)])]
          if len(summary.days) > 1 else []),
        ("caller type", list(summary.callers.items())),
    ]
    for title, rows in scopes:
        table = Table(show_edge=False, title=f"per {title} (means)")
        table.add_column(title)
        # occupancy belongs to agents, not callers; head counts to intervals
        columns = [k for k in _SHORT if not (k == "occupancy" and title == "caller type")]
        if title in ("interval", "day") and rows and "staffed_agents" in rows[0][1]:
            columns += ["scheduled_agents", "staffed_agents"]
        if sends_back(summary):
            columns.append("revisit_rate")
        if has_money(summary.scenario) and title == "caller type":
            columns += [k for k in MONEY_KPIS if rows and k in rows[0][1]]
        for kpi in columns:
            table.add_column(_SHORT.get(kpi) or _HEADS.get(kpi) or _MONEY_HEADS[kpi],
                             justify="right")
        for name, kpis in rows:
            style = "red" if title == "interval" and name in failed else None
            table.add_row(name, *(format_kpi(k, kpis[k].mean) for k in columns), style=style)
        if console.measure(table, options=console.options.update_width(1000)).maximum \
                > console.width:
            table.collapse_padding = True  # whole headers, not "inte…", on a narrow terminal
        console.print(table)
    if has_money(summary.scenario):
        _print_money(summary, console)
    console.print(f"calls: offered; SL: service level (answered < "
                  f"{summary.scenario.service_level_threshold:g} s); aband.: abandon rate; occ.: "
                  "occupancy ('-': agents shared with other departments); transf.: transfers "
                  "per answered call; sched./staffed: agents scheduled / on duty (time average)"
                  + ("; back: answered calls sent back to a department they had left (per "
                     "department: its answered entries that were such returns)"
                     if sends_back(summary) else "")
                  + ("; wages, lost, cost: wage cost, value lost to defection, both; "
                     "defect.: callers expected to defect" if has_money(summary.scenario)
                     else ""))
    if failed:
        console.print("[red]red[/red]: an interval where a target is not met")
