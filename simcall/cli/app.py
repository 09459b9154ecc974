"""The ``simcall`` command line: parse, call one library function, render, save.

A user's mistake (bad file, bad option) prints one clear message and exits
with code 2; no traceback, and no result file is written. ``--check`` exits
with code 1 when a target is not met, for scripted use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from simcall.cli.animate import animate_command
from simcall.cli.common import Dask, ScenarioPath, Workers, check_run, command_line
from simcall.cli.common import check_output as _check_output
from simcall.cli.common import duration as _duration
from simcall.cli.common import err as _err
from simcall.cli.common import fail as _fail
from simcall.cli.common import in_range as _in_range
from simcall.cli.common import out as _out
from simcall.cli.common import progress as _progress
from simcall.cli.common import write_json_file as _write_json
from simcall.cli.compare import compare_command
from simcall.cli.plot import plot_command
from simcall.cli.report import report_command
from simcall.cli.staff import staff_command
from simcall.cli.sweep import sweep_command
from simcall.errors import SimcallError
from simcall.experiments.executors import executor_for
from simcall.experiments.runner import replicate
from simcall.report.terminal import print_details, print_erlang, print_summary
from simcall.results.provenance import provenance
from simcall.results.summary import Summary
from simcall.scenario.loader import load
from simcall.version import __version__

app = typer.Typer(
    name="simcall",
    help="Call-centre phone queue simulator: run staffing scenarios against service targets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False,
) -> None:
    """simcall: callers, agents, rings, transfers and abandonment, on SimPy."""
    if version:
        _out.print(f"simcall {__version__}")
        raise typer.Exit()


@app.command()
def run(
    context: typer.Context,
    scenario: ScenarioPath,
    replications: Annotated[int, typer.Option(
        "--replications", "-r", help="Independent replications (for 95% intervals).")] = 20,
    seed: Annotated[int | None, typer.Option(
        "--seed", help="Root seed (default: the scenario's seed, else 1).")] = None,
    overrides: Annotated[list[str] | None, typer.Option(
        "--set", metavar="KEY=VALUE",
        help="Change the scenario, e.g. --set callers.customers.arrivals_per_hour=150 "
             "(repeatable; list entries by name; the value is TOML).")] = None,
    json_path: Annotated[Path | None, typer.Option(
        "--json", help="Write the JSON result document to this file.")] = None,
    records: Annotated[Path | None, typer.Option(
        "--records", help="Write one row per call to this .csv (or .parquet) file.")] = None,
    check: Annotated[bool, typer.Option(
        "--check", help="Exit with code 1 when a target is not met.")] = False,
    details: Annotated[bool, typer.Option(
        "--details", help="Also show KPIs per interval, department and caller type.")] = False,
    workers: Workers = None,
    dask: Dask = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="Write scenario.toml, result.json, records.csv and metadata.json into "
                      "this folder.")] = None,
) -> None:
    """Simulate a scenario and show its KPIs with confidence intervals and targets."""
    try:
        check_run(replications, seed, workers)
        loaded = load(scenario, overrides or ())
        _check_output("--json", json_path)
        _check_output("--records", records)
        keep = records is not None or out_dir is not None
        with executor_for(workers if replications > 1 else 1, dask) as executor, \
                _progress(replications) as advance:
            summary = replicate(loaded, replications, seed, keep_records=keep,
                                progress=advance, executor=executor)
        print_summary(summary, _out)
        if details:
            print_details(summary, _out)
        meta = provenance(loaded, summary.seed, command_line(context), replications=replications)
        if json_path is not None:
            _write_json(json_path, summary.to_json() | {"provenance": meta})
            _out.print(f"wrote {json_path}")
        if out_dir is not None:
            _save_run(out_dir, summary, meta)
            _out.print(f"wrote {out_dir}/")
        if records is not None:
            from simcall.results.export import write_records

            rows = write_records(records, summary.runs)
            _out.print(f"wrote {rows:,} call records to {records}")
    except SimcallError as exc:
        raise _fail(str(exc)) from None
    failed = [t.goal.kpi for t in summary.targets if t.met is False]
    if check and failed:
        _err.print(f"targets not met: {', '.join(failed)}")
        raise typer.Exit(code=1)


def _save_run(folder: Path, summary: Summary, meta: dict[str, Any]) -> None:
    """Scenario, KPIs, records and metadata together (metadata last: the folder is complete)."""
    from simcall.results.export import write_records
    from simcall.results.output_dir import finish, prepare, write_scenario

    prepare(folder)
    write_scenario(folder / "scenario.toml", summary.scenario, meta)
    _write_json(folder / "result.json", summary.to_json() | {"provenance": meta})
    write_records(folder / "records.csv", summary.runs)
    finish(folder, meta, ["scenario.toml", "result.json", "records.csv"])


@app.command()
def validate(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario files to check.")],
) -> None:
    """Check scenario files and report every problem at once."""
    failed = False
    for path in scenarios:
        try:
            loaded = load(path)
        except SimcallError as exc:
            _err.print(escape(str(exc)), style="red", highlight=False, soft_wrap=True)
            failed = True
            continue
        _out.print(
            f"{path}: ok - '{loaded.name}', {loaded.intervals} x {loaded.interval / 60:g} min, "
            f"{len(loaded.callers)} caller type(s), {len(loaded.departments)} department(s), "
            f"{len(loaded.agents)} agent group(s)", highlight=False,
        )
    if failed:
        raise typer.Exit(code=2)


@app.command("erlang")
def erlang_command(
    calls_per_hour: Annotated[float, typer.Option(
        "--calls-per-hour", help="Offered calls per hour.")],
    aht: Annotated[str, typer.Option(
        "--aht", help='Average handle time: seconds or "4min".')],
    agents: Annotated[int | None, typer.Option(
        "--agents", help="Agents (omit and give a target to find the agents needed).")]
    = None,
    within: Annotated[str, typer.Option(
        "--within", help='Service-level threshold: "20s", or "2 rings" with --ring.')] = "20s",
    ring: Annotated[str, typer.Option("--ring", help="Ring cycle, for --within in rings.")]
    = "6s",
    patience: Annotated[str | None, typer.Option(
        "--patience", help="Mean patience (exponential): Erlang A.")] = None,
    lines: Annotated[int | None, typer.Option(
        "--lines", help="Trunk lines (calls in the system at most): M/M/n/K.")] = None,
    target_sl: Annotated[float | None, typer.Option(
        "--target-sl", help="Service level to reach, e.g. 0.8.")] = None,
    target_asa: Annotated[str | None, typer.Option(
        "--target-asa", help='Longest acceptable ASA, e.g. "30s".')] = None,
    json_path: Annotated[Path | None, typer.Option(
        "--json", help="Write the figures to this JSON file.")] = None,
) -> None:
    """Exact Erlang B, C and A (and M/M/n/K) figures, or the agents needed for a target."""
    from simcall.erlang.question import ErlangQuestion, answer

    try:
        _in_range("--calls-per-hour", calls_per_hour, 0)
        _in_range("--agents", agents, 1)
        _in_range("--lines", lines, 1)
        _in_range("--target-sl", target_sl, 0, 1)
        ring_s = _duration("--ring", ring)
        handle = _duration("--aht", aht)
        if not handle:
            raise SimcallError(f"--aht {aht}: must be more than 0")
        mean_patience = _duration("--patience", patience)
        if mean_patience == 0:
            raise SimcallError(f"--patience {patience}: must be more than 0")
        _check_output("--json", json_path)
        result = answer(ErlangQuestion(
            calls_per_hour=calls_per_hour, aht=handle,
            within=_duration("--within", within, ring_s or 6.0) or 0.0, agents=agents,
            patience=mean_patience, lines=lines, target_sl=target_sl,
            target_asa=_duration("--target-asa", target_asa)))
        print_erlang(result, _out)
        if json_path is not None:
            _write_json(json_path, result.to_json())
            _out.print(f"wrote {json_path}")
    except (SimcallError, ValueError) as exc:
        raise _fail(str(exc)) from None


@app.command("trace")
def trace_command(
    scenario: ScenarioPath,
    calls: Annotated[int, typer.Option(
        "--calls", "-n", help="How many calls to tell the story of.")] = 20,
    start: Annotated[str | None, typer.Option(
        "--from", metavar="HH:MM",
        help='First arrival to show, as a clock time like "10:00" (default: opening); the '
             "timeline then covers the shown calls instead of the whole day.")] = None,
    seed: Annotated[int | None, typer.Option(
        "--seed", help="Root seed (default: the scenario's seed, else 1).")] = None,
    replication: Annotated[int, typer.Option(
        "--replication", help="Replication index (0 is the first of simcall run's).")] = 0,
    overrides: Annotated[list[str] | None, typer.Option(
        "--set", metavar="KEY=VALUE",
        help="Change the scenario, e.g. --set 'agents.support team.staff=9' (repeatable; "
             "the value is TOML).")] = None,
) -> None:
    """Tell the story of calls one by one, with a timeline of queue and busy agents."""
    from simcall.experiments.runner import simulate
    from simcall.report.terminal_trace import print_trace
    from simcall.results.stories import parse_from
    from simcall.results.timeline import trace_report

    try:
        _in_range("--calls", calls, 1)
        _in_range("--seed", seed, 0)
        _in_range("--replication", replication, 0)
        loaded = load(scenario, overrides or ())
        begin = parse_from(loaded, start) if start is not None else None
        rows: list = []
        result = simulate(loaded, seed, replication, trace=rows)
        print_trace(trace_report(loaded, result, rows, begin, calls), _out)
    except SimcallError as exc:
        raise _fail(str(exc)) from None


app.command("compare")(compare_command)
app.command("sweep")(sweep_command)
app.command("staff")(staff_command)
app.command("report")(report_command)
app.command("plot")(plot_command)
app.command("animate")(animate_command)
