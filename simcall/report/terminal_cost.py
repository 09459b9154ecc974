"""The plan of least cost in the terminal: the plan beside the Erlang A plan of least cost,
what one agent more or fewer would change in each interval, and the verdict in words."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from simcall.report.terminal import format_kpi
from simcall.results.stats import Estimate
from simcall.staffing.cost_plan import CostPlan
from simcall.staffing.marginals import AgentChange


def money(value: float) -> str:
    """An amount with thousands separators, signed when asked by the caller."""
    return format_kpi("total_cost", value)


def net_cell(change: AgentChange | None, cheaper: Sequence[AgentChange] = ()) -> str:
    """The change in total cost with its paired 95% interval; green when it is among the
    ``cheaper`` neighbours."""
    if change is None:
        return "-"
    net = change.net
    ci = net.ci95
    text = f"{net.mean:+,.0f}" + ("" if ci is None else f" ({ci.low:+,.0f}..{ci.high:+,.0f})")
    if change in cheaper:
        return f"[green]{text}[/green]"
    return text


def estimate_text(estimate: Estimate) -> str:
    ci = estimate.ci95
    band = "" if ci is None else f" (95% CI {money(ci.low)} .. {money(ci.high)})"
    return f"{money(estimate.mean)}{band}"


def print_cost_plan(result: CostPlan, console: Console) -> None:
    """The plan, each interval's neighbours, the verified cost and the verdict."""
    last = result.rounds[-1]
    several = len(result.groups) > 1
    table = Table(title=f"Plan of least cost for '{result.scenario.name}' (seed {result.seed}; "
                        f"verified on fresh replications {last.first}.."
                        f"{last.first + last.replications - 1})", title_justify="left")
    table.add_column("interval")
    if several:
        table.add_column("group")
    table.add_column("Erlang A\nleast cost", justify="right")
    if result.floor is not None:
        table.add_column("targets\nneed", justify="right")
    table.add_column("plan", justify="right", style="bold")
    table.add_column("one agent more:\nchange in cost", justify="right")
    table.add_column("one agent fewer:\nchange in cost", justify="right")
    cheaper = result.cheaper()
    for k, label in enumerate(result.labels):
        for g in result.groups:
            more, fewer = result.neighbours(g, k)
            cells = [label] + ([g] if several else []) + [str(result.erlang_a[g][k])]
            if result.floor is not None:
                cells.append(str(result.floor[g][k]))
            cells += [str(result.plan[g][k]), net_cell(more, cheaper),
                      net_cell(fewer, cheaper)]
            table.add_row(*cells)
    console.print(table)
    console.print("Change in cost: the day's total cost (wages + value lost to defection) with "
                  "one agent more or fewer in that interval alone, minus the plan's, paired "
                  "on the fresh replications, 95% interval in brackets; green: cheaper with "
                  f"{result.confidence_wanted:.0%} confidence over all "
                  f"{len(result.verification.changes)} neighbours at once (Bonferroni).",
                  style="dim", highlight=False)
    kpis = result.kpis
    console.print(f"Expected total cost of the plan: {estimate_text(kpis['total_cost'])}: "
                  f"wages {money(kpis['wage_cost'].mean)}, lost value "
                  f"{money(kpis['lost_value'].mean)} ({kpis['defections'].mean:,.1f} callers "
                  "expected to defect).", highlight=False)
    console.print(f"Agent-hours: plan {result.agent_hours():g}, Erlang A least cost "
                  f"{result.agent_hours('erlang_a'):g}"
                  + (f", targets need {result.agent_hours('floor'):g}"
                     if result.floor is not None else "") + ".", highlight=False)
    for g, roster in result.rosters.items():
        shifts = roster.to_shifts()
        console.print(f"Roster of {g}: " + ("; ".join(
            f"{shift['agents']} x {shift['start']}-{shift['end']}"
            + "".join(f" (break at {b['at']}, {b['length']})" for b in shift.get("breaks", ()))
            for shift in shifts) or "nobody") + ". The plan column is the requirement "
            "the roster covers; one agent more or fewer there may leave the roster as it is "
            "(a change of exactly 0).", highlight=False)
    for r in result.rounds[:-1]:
        console.print(f"Verification on replications {r.first}..{r.first + r.replications - 1}"
                      ": cheaper with " + ", ".join(f"{s:+d} at {label}" for _, label, s
                                                    in r.taken) + "; taken.", highlight=False)
    shortfall = result.shortfall()
    if shortfall:
        console.print("[yellow]The plan cannot be signed as it is:[/yellow]")
        for line in shortfall:
            console.print(f"  {line}", highlight=False)
        console.print(f"What to do: more verification rounds (--budget, now "
                      f"{len(result.rounds)}) or fresh replications (--verify, now "
                      f"{result.verify_replications}).", highlight=False)
    else:
        console.print("No single agent more or fewer in any interval is significantly cheaper "
                      "on the fresh replications"
                      + (", and every target is met there." if result.keeps_targets else "."),
                      highlight=False)
    console.print(f"{result.runs:,} replications run, {result.calls:,} calls simulated.",
                  style="dim", highlight=False)
