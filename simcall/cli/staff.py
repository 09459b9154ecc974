"""``simcall staff``: find the fewest agents per interval that meet every target.

Parse, call :func:`simcall.staffing.search.staff`, render the plan beside the
Erlang C and Erlang A plans, save. No search logic here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from simcall.cli.common import (
    REPLICATIONS,
    BreakWords,
    CostPerHour,
    Dask,
    DaskSecurity,
    MaxCalls,
    Overrides,
    ScenarioPath,
    Seed,
    ShiftLengths,
    StartsEvery,
    Workers,
    check_output,
    check_run,
    command_line,
    dask_tls,
    fail,
    in_range,
    interrupted,
    out,
    plain_or_unclipped,
    shift_rules,
    stages,
    write_json_file,
)
from simcall.errors import SimcallError
from simcall.files import write_text

if TYPE_CHECKING:
    from simcall.scenario.schema import Scenario
    from simcall.staffing.cost_plan import CostPlan
    from simcall.staffing.plan import StaffingPlan

# simcall.staffing.plan.CONFIDENCE_WANTED, written out so that ``simcall --help`` need not
# import the staffing wing (tests/cli/test_light_help.py checks that the two agree)
CONFIDENCE_WANTED = 0.95


def staff_command(
    context: typer.Context,
    scenario: ScenarioPath,
    group: Annotated[list[str] | None, typer.Option(
        "--group", "-g", metavar="NAME",
        help="Agent group to staff (repeatable; default: every group with a 'staff' "
             "list). Other groups keep their staffing.")] = None,
    replications: Annotated[int, typer.Option(
        "--replications", "-r",
        help="The most replications one candidate plan is simulated on (a clear decision "
             "stops earlier).")] = REPLICATIONS,
    verify: Annotated[int | None, typer.Option(
        "--verify", help="Fresh replications per verification round (never used by the "
                         "search; default 100, or 40 with --objective cost, where each round "
                         "also runs one agent more and fewer in every interval).",
        show_default=False)] = None,
    confidence: Annotated[float, typer.Option(
        "--confidence", help="One-sided confidence with which every target must hold in "
                             "every interval on fresh replications (with --objective cost: "
                             "with which a neighbour must be cheaper, over all neighbours at "
                             "once, to be taken).")] = CONFIDENCE_WANTED,
    budget: Annotated[int | None, typer.Option(
        "--budget", help="Verification rounds: an interval that falls short on fresh "
                         "replications (or, with --objective cost, one agent more or fewer "
                         "that is significantly cheaper) is changed and verified again, at "
                         "most this many rounds in all (default 5, or 3 with --objective "
                         "cost).", show_default=False)] = None,
    objective: Annotated[str, typer.Option(
        "--objective", metavar="targets|cost",
        help="targets: the fewest agents meeting every target; cost: the lowest expected "
             "total cost (wages from cost_per_hour + value lost to defection).")] = "targets",
    keep_targets: Annotated[bool, typer.Option(
        "--keep-targets", help="With --objective cost: never below the fewest agents that "
                               "meet every target.")] = False,
    check: Annotated[bool, typer.Option(
        "--check", help="Exit with code 1 when the plan falls short of the confidence in "
                        "some interval.")] = False,
    seed: Seed = None,
    overrides: Overrides = None,
    workers: Workers = None,
    max_calls: MaxCalls = None,
    dask: Dask = None,
    dask_security: DaskSecurity = None,
    plan_path: Annotated[Path | None, typer.Option(
        "--out", help="Write the scenario file with the plan in it to this TOML file: only "
                      "the staff lists (and --set keys) change, comments are kept.")] = None,
    json_path: Annotated[Path | None, typer.Option(
        "--json", help="Write the plan, margins, verification and minimality proof as "
                       "JSON.")] = None,
    shifts: ShiftLengths = None,
    starts_every: StartsEvery = None,
    break_rule: BreakWords = None,
    cost_per_hour: CostPerHour = None,
) -> None:
    """Find the fewest agents per interval such that every target holds in every interval."""
    from simcall.experiments.executors import executor_for
    from simcall.experiments.workload import check_loads
    from simcall.report.terminal_cost import print_cost_plan
    from simcall.scenario.loader import load
    from simcall.staffing.cost_search import staff_for_cost
    from simcall.staffing.search import staff
    from simcall.staffing.workload import cost_search_workload, search_workload

    try:
        if objective not in ("targets", "cost"):
            raise fail(f"--objective {objective!r}: choose 'targets' (the fewest agents "
                       "meeting every target) or 'cost' (the lowest expected total cost)")
        if keep_targets and objective != "cost":
            raise fail("--keep-targets goes with --objective cost (the target search always "
                       "keeps the targets)")
        by_cost = objective == "cost"
        verify = verify if verify is not None else 40 if by_cost else 100
        budget = budget if budget is not None else 3 if by_cost else 5
        check_run(replications, seed, workers, 3)
        tls = dask_tls(dask_security)
        in_range("--verify", verify, 3)
        in_range("--confidence", confidence, 0.5, 0.999)
        in_range("--budget", budget, 1)
        rules = shift_rules(shifts, starts_every, break_rule, cost_per_hour)
        loaded = load(scenario, overrides or (), named="--set")
        estimate = cost_search_workload if by_cost else search_workload
        extra = {"keep_targets": keep_targets} if by_cost else {}
        check_loads([estimate(loaded, group or None, replications=replications,
                              verify_replications=verify, budget=budget,
                              rostered=rules is not None, **extra)],
                    max_calls, "staffing search")
        # the text as planned, read now: --out edits it (the file may change meanwhile)
        original = scenario.read_bytes().decode("utf-8") if plan_path is not None else ""
        check_output("--out", plan_path)
        check_output("--json", json_path)
        result: StaffingPlan | CostPlan
        shown = plain_or_unclipped(out)  # a plan piped to a file is never cut to "…"
        with executor_for(workers, dask, tls) as executor, stages() as progress:
            if by_cost:
                result = staff_for_cost(
                    loaded, groups=group or None, replications=replications,
                    verify_replications=verify, seed=seed, executor=executor,
                    progress=progress, command=command_line(context), budget=budget,
                    shifts=rules, keep_targets=keep_targets, confidence=confidence)
                print_cost_plan(result, shown)
            else:
                result = staff(loaded, groups=group or None, replications=replications,
                               verify_replications=verify, seed=seed, executor=executor,
                               progress=progress, command=command_line(context),
                               confidence=confidence, budget=budget, shifts=rules)
                print_plan(result, shown)
        if plan_path is not None:
            write_text(plan_path, plan_toml(result, original, overrides or (),
                                            base_dir=scenario.parent))
            out.print(f"wrote {plan_path}")
        if json_path is not None:
            write_json_file(json_path, result.to_json())
            out.print(f"wrote {json_path}")
    except SimcallError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        raise interrupted() from None
    if check and not result.holds:
        raise typer.Exit(1)


def plan_toml(result: StaffingPlan | CostPlan, original: str, overrides: Sequence[str] = (),
              base_dir: Path = Path(".")) -> str:
    """The planner's own scenario file with the plan in it, provenance in a header comment.

    ``original`` is the text of the file the plan was found for. Only what the search
    changed (the staff of the staffed groups) and what ``--set`` changed (each
    ``overrides`` entry, in order) are edited; comments, units and key order stay as the
    planner wrote them (:func:`simcall.scenario.toml_edit.edit_scenario_text`).

    Raises
    ------
    RuntimeError
        When the edited text does not load to the planned scenario (a bug in simcall):
        a plan file that says something else than the plan found must never be written.
    """
    import warnings

    from simcall.results.provenance import scenario_hash
    from simcall.scenario.loader import loads as load_text
    from simcall.scenario.overrides import split_override
    from simcall.scenario.plausible import BareSecondsWarning
    from simcall.scenario.toml_edit import REMOVE, edit_scenario_text
    from simcall.staffing.cost_plan import CostPlan

    def loads(text: str, base_dir: Path) -> Scenario:
        # the planner's file, edited: its bare numbers were warned about when it was loaded
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", BareSecondsWarning)
            return load_text(text, base_dir=base_dir)

    meta = result.provenance
    header = cost_header(result) if isinstance(result, CostPlan) else "\n".join([
        f"Staffing plan found by simcall {meta['simcall']} on {meta['created']}",
        f"command: {meta['command']}",
        f"searched scenario: {meta['searched_scenario']} (seed {result.seed}, up to "
        f"{result.replications} search replications per decision; verified on fresh "
        f"replications {result.rounds[-1].first}.."
        f"{result.rounds[-1].first + result.verify_replications - 1}: "
        + ("every interval holds with " if result.holds else "falls short of ")
        + f"{result.confidence_wanted:.0%} confidence)",
        f"groups staffed: {', '.join(result.groups)}"
        + (f" (rostered: {result.shift_rules.describe()})" if result.shift_rules else ""),
        *([f"roster: {result.paid_hours():g} paid hours for a requirement of "
           f"{result.agent_hours():g} agent-hours"] if result.rostered else []),
        f"agent-hours: plan {result.agent_hours():g}, Erlang A "
        f"{result.agent_hours('erlang_a'):g}, Erlang C {result.agent_hours('erlang_c'):g}",
        f"scenario sha256 (with the plan): {meta['scenario_sha256'].removeprefix('sha256:')}",
    ])
    text = original
    for override in overrides:  # one at a time, as --set applies them
        text = edit_scenario_text(text, dict([split_override(override)]))
    plan: dict[str, Any] = {}
    for g in result.groups:
        if not result.rostered:
            plan[f"agents.{g}.staff"] = list(result.plan[g])
            continue
        shifts = result.rosters[g].to_shifts()
        was = next(a for a in loads(text, base_dir=base_dir).agents if a.name == g)
        if shifts:  # the shifts take the place of the staff list
            if was.staff is not None:
                plan[f"agents.{g}.staff"] = REMOVE
            plan[f"agents.{g}.shifts"] = shifts
        else:  # nobody is needed all day
            if was.shifts is not None:
                plan[f"agents.{g}.shifts"] = REMOVE
            plan[f"agents.{g}.staff"] = 0
    text = edit_scenario_text(text, plan, header)
    written, planned = scenario_hash(loads(text, base_dir=base_dir)), scenario_hash(
        result.scenario)
    if written != planned:
        raise RuntimeError(
            f"simcall bug: the scenario file edited with the plan loads to {written}, not to "
            f"the planned scenario {planned}; the plan file was not written (the plan is in "
            "the table above). Please report this with the scenario file.")
    return text


def cost_header(result: CostPlan) -> str:
    """The header comment of a plan file from a cost search."""
    meta, last = result.provenance, result.rounds[-1]
    total = result.total_cost
    ci = total.ci95
    return "\n".join([
        f"Staffing plan of least expected cost found by simcall {meta['simcall']} on "
        f"{meta['created']}",
        f"command: {meta['command']}",
        f"searched scenario: {meta['searched_scenario']} (seed {result.seed}; verified with "
        f"one agent more and fewer in every interval on fresh replications {last.first}.."
        f"{last.first + last.replications - 1}: "
        + ("no neighbour significantly cheaper" if result.holds else "not signed: "
           + "; ".join(result.shortfall())) + ")",
        f"expected total cost {total.mean:,.0f}"
        + ("" if ci is None else f" (95% CI {ci.low:,.0f} .. {ci.high:,.0f})")
        + f"; agent-hours: plan {result.agent_hours():g}, Erlang A least cost "
        f"{result.agent_hours('erlang_a'):g}",
        f"groups staffed: {', '.join(result.groups)}",
        f"scenario sha256 (with the plan): {meta['scenario_sha256'].removeprefix('sha256:')}",
    ])


def print_plan(result: StaffingPlan, console: Console) -> None:
    """The plan beside Erlang C and A, each target per interval, and the verification."""
    groups = result.groups
    several = len(groups) > 1
    last = result.rounds[-1]
    title = (f"Staffing plan for '{result.scenario.name}' (seed {result.seed}; verified on "
             f"fresh replications {last.first}..{last.first + last.replications - 1})")
    table = Table(title=title, title_justify="left")
    table.add_column("interval")
    table.add_column("Erlang C", justify="right")
    table.add_column("Erlang A", justify="right")
    table.add_column("plan", justify="right", style="bold")
    if result.rostered:
        table.add_column("rostered", justify="right")
    if several:
        for g in groups:
            table.add_column(g, justify="right")
    first = result.checks[0]
    for check in first:
        table.add_column(f"{check.kpi}\n{_goal_text(check.kpi, check.goal)}", justify="right")
    table.add_column("confidence", justify="right")

    def total(plan: Any, k: int) -> str:
        return str(sum(plan[g][k] for g in groups))

    for k, label in enumerate(result.labels):
        cells = [label, total(result.erlang_c, k), total(result.erlang_a, k),
                 total(result.plan, k)]
        if result.rostered:
            cells.append(f"{sum(result.coverage(g, k) for g in groups):g}")
        if several:
            cells += [str(result.plan[g][k]) for g in groups]
        cells += [_check_cell(c) for c in result.checks[k]]
        cells.append(_confidence_cell(result.confidence(k), result.confidence_wanted))
        table.add_row(*cells)
    hours = [f"{result.agent_hours('erlang_c'):g}", f"{result.agent_hours('erlang_a'):g}",
             f"{result.agent_hours():g}"]
    if result.rostered:
        hours.append(f"{result.paid_hours():g} paid")
    if several:
        hours += [f"{result.agent_hours('plan', g):g}" for g in groups]
    table.add_section()
    table.add_row("agent-hours", *hours, *[_check_cell(c) for c in result.checks[-1]],
                  _confidence_cell(result.confidence(-1), result.confidence_wanted),
                  style="bold")
    console.print(table)
    console.print("Each target cell: the mean on the fresh replications, with its 95% "
                  "confidence interval in brackets. Confidence: that the interval meets "
                  "every target on days like these (one-sided t per target, Bonferroni "
                  "over targets), from the fresh replications.", style="dim", highlight=False)
    saved = result.agent_hours("erlang_a") - result.agent_hours()
    versus = (f"{saved:g} fewer than" if saved > 0 else f"{-saved:g} more than"
              if saved < 0 else "the same as")
    console.print(f"Plan: {result.agent_hours():g} agent-hours, {versus} Erlang A "
                  f"({result.agent_hours('erlang_a'):g}); Erlang C "
                  f"{result.agent_hours('erlang_c'):g}.", highlight=False)
    if result.rostered:
        print_roster(result, console)
    for r in result.rounds[:-1]:
        console.print(f"Verification on replications {r.first}..{r.first + r.replications - 1}"
                      f": short at {', '.join(r.short)}; one agent more there.",
                      highlight=False)
    shortfall = result.shortfall()
    if shortfall:
        console.print(f"[yellow]The plan falls short of {result.confidence_wanted:.0%} "
                      f"confidence in {len(shortfall)} interval(s):[/yellow]", highlight=False)
        for line in shortfall:
            console.print(f"  {line}", highlight=False)
        console.print(f"What to do: more verification rounds (--budget, now "
                      f"{len(result.rounds)}) let the search add agents where they fall "
                      f"short; more replications per decision (--replications, now "
                      f"{result.replications}) make the search itself surer.", highlight=False)
    else:
        console.print(f"Every interval meets every target with at least "
                      f"{result.confidence_wanted:.0%} confidence on the fresh replications.",
                      highlight=False)
    console.print(f"{result.plans_simulated} plans simulated, {result.runs:,} replications run.",
                  style="dim", highlight=False)


def print_roster(result: StaffingPlan, console: Console) -> None:
    """The shifts: who starts when, their breaks, paid hours and cost."""
    rules = result.shift_rules
    console.print(f"Roster: {rules.describe() if rules else 'shifts'}.", highlight=False)
    table = Table()
    several = len(result.groups) > 1
    names = ("group",) * several + ("start", "end", "break", "agents", "paid hours", "cost")
    for name in names:
        table.add_column(name, justify="left" if name in ("group", "break") else "right")
    rate = rules.cost_per_hour if rules else 1.0
    for g in result.groups:
        for shift in result.rosters[g].shifts:
            start, end = _clock(result, shift.start), _clock(result, shift.end)
            pause = "-" if shift.break_start is None else (
                f"{_clock(result, shift.break_start)}-"
                f"{_clock(result, shift.break_start + shift.break_length)}")
            paid = shift.count * shift.length / 3600.0
            table.add_row(*(g,) * several, start, end, pause, str(shift.count), f"{paid:g}",
                          f"{paid * rate:,.2f}")
    table.add_section()
    cost = sum(result.rosters[g].cost for g in result.groups)
    table.add_row(*("total",) * several, "" if several else "total", "", "",
                  str(sum(result.rosters[g].agents for g in result.groups)),
                  f"{result.paid_hours():g}", f"{cost:,.2f}", style="bold")
    console.print(table)
    extra = result.paid_hours() - result.agent_hours()
    console.print(f"Roster: {result.paid_hours():g} paid hours for a requirement of "
                  f"{result.agent_hours():g} agent-hours ({extra:+g} h, "
                  f"{extra / result.agent_hours():+.0%}: whole shifts and breaks); "
                  "'rostered' above is the agents on duty and not on break per interval.",
                  highlight=False)


def _clock(result: StaffingPlan, seconds: float) -> str:
    from simcall.scenario.durations import parse_clock
    from simcall.scenario.shifts import clock_label
    return clock_label(parse_clock(result.scenario.open), seconds)


def _goal_text(kpi: str, goal: str) -> str:
    from simcall.report.terminal import format_kpi

    sign, bound = goal.split(" ", 1)
    return f"{sign} {format_kpi(kpi, float(bound))}"


def _check_cell(check: Any) -> str:
    import math

    from simcall.report.terminal import format_kpi

    if not math.isfinite(check.verified.mean):
        return "-"
    ci = check.verified.ci95
    band = "" if ci is None else (f" ({format_kpi(check.kpi, ci.low)}-"
                                  f"{format_kpi(check.kpi, ci.high)})")
    return f"{format_kpi(check.kpi, check.verified.mean)}{band}"


def _confidence_cell(value: float | None, wanted: float) -> str:
    if value is None:
        return "-"
    text = f"{100 * value:.0f}%"
    return text if value >= wanted - 1e-12 else f"[yellow]{text}[/yellow]"
