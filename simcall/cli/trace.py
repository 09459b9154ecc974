"""``simcall trace``: tell the story of calls one by one, with a timeline of the day.

Parse, simulate one replication with its trace (:func:`simcall.experiments.runner.simulate`),
turn the trace rows into stories and a timeline (:mod:`simcall.results.stories`,
:mod:`simcall.results.timeline`), print them (:mod:`simcall.report.terminal_trace`).
Those modules are imported only when the command runs.
"""

from __future__ import annotations

from typing import Annotated

import typer

from simcall.cli.common import MaxCalls, ScenarioPath, Seed, fail, in_range, interrupted, out
from simcall.errors import SimcallError


def trace_command(
    scenario: ScenarioPath,
    calls: Annotated[int, typer.Option(
        "--calls", "-n", help="How many calls to tell the story of.")] = 20,
    start: Annotated[str | None, typer.Option(
        "--from", metavar="HH:MM",
        help='First arrival to show, as a clock time like "10:00" (default: opening); the '
             "timeline then covers the shown calls instead of the whole day.")] = None,
    seed: Seed = None,
    replication: Annotated[int, typer.Option(
        "--replication", help="Replication index (0 is the first of simcall run's).")] = 0,
    max_calls: MaxCalls = None,
    overrides: Annotated[list[str] | None, typer.Option(
        "--set", metavar="KEY=VALUE",
        help="Change the scenario, e.g. --set 'agents.support team.staff=9' (repeatable; "
             "the value is TOML).")] = None,
) -> None:
    """Tell the story of calls one by one, with a timeline of queue and busy agents."""
    from simcall.experiments.runner import simulate
    from simcall.experiments.workload import check_workload
    from simcall.report.terminal_trace import print_trace
    from simcall.results.stories import Row, parse_from
    from simcall.results.timeline import trace_report
    from simcall.scenario.loader import load

    try:
        in_range("--calls", calls, 1)
        in_range("--seed", seed, 0)
        in_range("--replication", replication, 0)
        loaded = load(scenario, overrides or (), named="--set")
        check_workload([loaded], 1, max_calls)
        begin = parse_from(loaded, start) if start is not None else None
        rows: list[Row] = []
        result = simulate(loaded, seed, replication, trace=rows)
        print_trace(trace_report(loaded, result, rows, begin, calls), out)
    except SimcallError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        raise interrupted() from None
