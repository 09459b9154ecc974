"""``simcall report``: one HTML file a planner can forward to a manager."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
    interrupted,
    out,
    shift_rules,
    stages,
)
from simcall.errors import SimcallError


def report_command(
    context: typer.Context,
    scenario: ScenarioPath,
    out_path: Annotated[Path, typer.Option(
        "--out", help="The HTML file to write (self-contained: open it in any browser).",
        show_default=False)],
    others: Annotated[list[Path] | None, typer.Option(
        "--compare", metavar="OTHER.toml",
        help="Also compare with this scenario on the same callers (repeatable).")] = None,
    staff: Annotated[bool, typer.Option(
        "--staff", help="Also find the fewest agents that meet every target "
                        "(simcall staff; takes longer).")] = False,
    backtest: Annotated[Path | None, typer.Option(
        "--backtest", metavar="FIT.json",
        help="Add the back-test against the call log from this JSON of "
             "simcall fit LOG --check --json FIT.json.", show_default=False)] = None,
    marginal: Annotated[Path | None, typer.Option(
        "--marginal", metavar="MARGINAL.json",
        help="Add where the next agent pays most, from this JSON of "
             "simcall marginal SCENARIO --json MARGINAL.json.", show_default=False)] = None,
    shifts: ShiftLengths = None,
    starts_every: StartsEvery = None,
    break_rule: BreakWords = None,
    cost_per_hour: CostPerHour = None,
    replications: Annotated[int, typer.Option(
        "--replications", "-r", help="Replications (simulated days) per scenario.")] = REPLICATIONS,
    seed: Seed = None,
    overrides: Overrides = None,
    workers: Workers = None,
    max_calls: MaxCalls = None,
    dask: Dask = None,
    dask_security: DaskSecurity = None,
) -> None:
    """Simulate a scenario and write a self-contained HTML report: KPIs, targets, figures."""
    from simcall.experiments.executors import executor_for
    from simcall.experiments.workload import check_workload
    from simcall.files import write_text
    from simcall.report.build import build_report
    from simcall.report.html import render
    from simcall.scenario.loader import load

    try:
        check_run(replications, seed, workers, 2)
        tls = dask_tls(dask_security)
        if out_path.suffix.lower() not in (".html", ".htm"):
            raise SimcallError(f"--out {out_path}: a report is an .html file, e.g. "
                               "--out report.html")
        check_output("--out", out_path)
        rules = shift_rules(shifts, starts_every, break_rule, cost_per_hour)
        if rules is not None and not staff:
            raise SimcallError("--shifts: only with --staff (the roster is made from the "
                               "staffing plan)")
        tested = tested_scenario = None
        if backtest is not None:
            from simcall.plots.backtesting import backtested_scenario, read_backtest

            tested = read_backtest(backtest)  # a file without one fails before simulating
            tested_scenario = backtested_scenario(backtest)
        analysis = None
        if marginal is not None:
            from simcall.plots.marginals import read_marginal

            analysis = read_marginal(marginal)  # a wrong file fails before simulating
        loaded = load(scenario, overrides or (), named="--set")
        compared = [load(path, overrides or (), named="--set") for path in others or ()]
        check_workload([loaded, *compared], replications, max_calls)
        with executor_for(workers, dask, tls) as executor, stages() as steps:
            report = build_report(loaded, replications=replications, seed=seed,
                                  executor=executor, others=compared, staff=staff,
                                  shifts=rules, backtest=tested,
                                  backtested=tested_scenario, marginal=analysis,
                                  command=command_line(context), steps=steps)
            if steps is not None:
                steps("drawing the figures", 0, 1)
            page = render(report)
        write_text(out_path, page)
    except SimcallError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        raise interrupted() from None
    size = out_path.stat().st_size
    out.print(f"wrote {out_path} ({size / 1e6:.1f} MB): open it in a browser", highlight=False)
