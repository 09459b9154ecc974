"""``simcall marginal``: what one agent more (or fewer) is worth in each interval.

Parse, call :func:`simcall.staffing.marginals.marginal`, print the tables
(:mod:`simcall.report.terminal_marginal`), save. No simulation logic here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    fail,
    interrupted,
    out,
    progress,
    write_json_file,
)
from simcall.errors import SimcallError


def marginal_command(
    context: typer.Context,
    scenario: ScenarioPath,
    group: Annotated[list[str] | None, typer.Option(
        "--group", "-g", metavar="NAME",
        help="Agent group to change (repeatable; default: every group with a 'staff' "
             "list). Groups on shifts cannot be changed one interval at a time.")] = None,
    replications: Annotated[int, typer.Option(
        "--replications", "-r",
        help="Replications shared by the base and every change (common random "
             "numbers; at least 2 for a paired interval).")] = REPLICATIONS,
    seed: Seed = None,
    overrides: Overrides = None,
    workers: Workers = None,
    max_calls: MaxCalls = None,
    dask: Dask = None,
    dask_security: DaskSecurity = None,
    json_path: Annotated[Path | None, typer.Option(
        "--json", help="Write every change with its paired 95% intervals as JSON (for "
                       "simcall plot --kind marginal and simcall report --marginal).")]
    = None,
) -> None:
    """What one agent more, and one fewer, in each interval alone changes: service, callers
    lost, lost value, wages and net cost, paired against the base; and the break-even wage."""
    from simcall.experiments.executors import executor_for
    from simcall.experiments.workload import check_loads
    from simcall.report.terminal_marginal import print_marginal
    from simcall.scenario.loader import load
    from simcall.staffing.marginals import marginal, marginal_workload

    try:
        check_run(replications, seed, workers, 2)
        tls = dask_tls(dask_security)
        loaded = load(scenario, overrides or ())
        load_ = marginal_workload(loaded, group or None, replications)
        check_loads([load_], max_calls, "marginal analysis")
        check_output("--json", json_path)
        with executor_for(workers, dask, tls) as executor, \
                progress(load_.replications, "runs") as advance:
            result = marginal(loaded, groups=group or None, replications=replications,
                              seed=seed, executor=executor,
                              progress=(lambda _what, done, _total: advance(done))
                              if advance else None,
                              command=command_line(context))
        print_marginal(result, out)
        if json_path is not None:
            write_json_file(json_path, result.to_json())
            out.print(f"wrote {json_path}")
    except SimcallError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        raise interrupted() from None
