"""``simcall run``: simulate a scenario and show its KPIs with confidence intervals.

Parse, call :func:`simcall.experiments.runner.replicate`, render the KPI and target
tables, save what was asked (``--json``, ``--records``, ``--out``). ``--check`` exits
with code 1 when a target is not met, so a script can gate on a staffing plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from simcall.cli.common import (
    REPLICATIONS,
    Dask,
    DaskSecurity,
    MaxCalls,
    Overrides,
    ScenarioPath,
    Seed,
    Workers,
    check_output,
    check_run,
    command_line,
    dask_tls,
    err,
    fail,
    interrupted,
    out,
    progress,
    write_json_file,
)
from simcall.errors import SimcallError
from simcall.files import together

if TYPE_CHECKING:
    from simcall.results.summary import Summary

# what --out DIR holds, metadata last (its presence says the folder is complete)
RUN_FILES = ("scenario.toml", "result.json", "records.csv", "metadata.json")


def run_command(
    context: typer.Context,
    scenario: ScenarioPath,
    replications: Annotated[int, typer.Option(
        "--replications", "-r", help="Independent replications (for 95% intervals).")]
    = REPLICATIONS,
    seed: Seed = None,
    overrides: Overrides = None,
    json_path: Annotated[Path | None, typer.Option(
        "--json", help="Write the JSON result document to this file.")] = None,
    records: Annotated[Path | None, typer.Option(
        "--records", help="Write one row per call to this .csv (or .parquet) file.")] = None,
    check: Annotated[bool, typer.Option(
        "--check", help="Exit with code 1 when a target is not met.")] = False,
    details: Annotated[bool, typer.Option(
        "--details", help="Also show KPIs per interval, department and caller type.")] = False,
    workers: Workers = None,
    max_calls: MaxCalls = None,
    dask: Dask = None,
    dask_security: DaskSecurity = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="Write scenario.toml, result.json, records.csv and metadata.json into "
                      "this folder.")] = None,
) -> None:
    """Simulate a scenario and show its KPIs with confidence intervals and targets."""
    from simcall.experiments.executors import executor_for
    from simcall.experiments.runner import replicate
    from simcall.experiments.workload import check_workload, workload
    from simcall.report.terminal import print_details, print_summary
    from simcall.report.terminal_erlang import print_erlang_intervals
    from simcall.results.provenance import provenance_block
    from simcall.scenario.loader import load

    try:
        check_run(replications, seed, workers)
        tls = dask_tls(dask_security)
        loaded = load(scenario, overrides or (), named="--set")
        check_workload([loaded], replications, max_calls)
        load_per_run = workload(loaded, 1).calls_per_replication
        check_output("--json", json_path)
        check_output("--records", records)
        if out_dir is not None:
            from simcall.results.output_dir import check_folder

            check_folder(out_dir, RUN_FILES)
        keep = records is not None or out_dir is not None
        shown = progress(replications, calls_per_replication=load_per_run)
        with executor_for(workers if replications > 1 else 1, dask, tls) as executor, \
                shown as advance:
            summary = replicate(loaded, replications, seed, keep_records=keep,
                                progress=advance, executor=executor,
                                within=shown.within if executor is None else None)
        print_summary(summary, out, details)
        if details:
            print_details(summary, out)
            print_erlang_intervals(summary, out)
        meta = provenance_block(loaded, summary.seed, command_line(context),
                                replications=replications)
        if out_dir is not None:
            _save_run(out_dir, summary, meta)
            out.print(f"wrote {out_dir}/")
        files = [path for path in (json_path, records) if path is not None]
        with together(files) as staged:  # --json and --records: both, or neither
            if json_path is not None:
                write_json_file(staged[json_path], summary.to_json() | {"provenance": meta})
            if records is not None:
                from simcall.results.export import write_records

                rows = write_records(staged[records], summary.runs)
        if json_path is not None:
            out.print(f"wrote {json_path}")
        if records is not None:
            out.print(f"wrote {rows:,} call records to {records}")
    except SimcallError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        raise interrupted() from None
    failed = [t.goal.kpi for t in summary.targets if t.met is False]
    if check and failed:
        err.print(f"targets not met: {', '.join(failed)}")
        raise typer.Exit(code=1)


def _save_run(folder: Path, summary: Summary, meta: dict[str, Any]) -> None:
    """Scenario, KPIs, records and metadata together (metadata last: the folder is complete)."""
    from simcall.results.export import write_records
    from simcall.results.output_dir import building, finish, write_scenario

    with building(folder) as staging:
        write_scenario(staging / "scenario.toml", summary.scenario, meta)
        write_json_file(staging / "result.json", summary.to_json() | {"provenance": meta})
        write_records(staging / "records.csv", summary.runs)
        finish(staging, meta, list(RUN_FILES[:-1]))
