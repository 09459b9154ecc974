"""``simcall sweep``: vary scenario keys over values, save every run as it finishes."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from simcall.cli.common import (
    REPLICATIONS,
    Dask,
    DaskSecurity,
    MaxCalls,
    Overrides,
    ScenarioPath,
    Seed,
    Workers,
    check_run,
    command_line,
    dask_tls,
    err,
    fail,
    out,
    progress,
)
from simcall.errors import SimcallError

if TYPE_CHECKING:
    from simcall.experiments.sweeps import SweepResult

_RANGE = re.compile(r"^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*$")
_SHOWN = ("service_level", "asa_s", "abandon_rate", "occupancy")


def sweep_command(
    context: typer.Context,
    scenario: ScenarioPath,
    vary: Annotated[list[str], typer.Option(
        "--vary", metavar="KEY=V1,V2,...",
        help="A scenario key and its values, e.g. --vary 'agents.support team.staff=8..12' "
             "or --vary callers.customers.arrivals_per_hour=100,120,140 (repeatable: every "
             "combination runs; values are TOML; A..B is every whole number from A to B).",
        show_default=False)],
    out_path: Annotated[Path, typer.Option(
        "--out", help="results.csv, results.parquet, or a folder (results.csv, scenario.toml, "
                      "metadata.json). Rows are saved as runs finish.", show_default=False)],
    replications: Annotated[int, typer.Option(
        "--replications", "-r", help="Replications per point.")] = REPLICATIONS,
    resume: Annotated[bool, typer.Option(
        "--resume", help="Keep the runs already in --out; simulate only the missing ones.")]
    = False,
    seed: Seed = None,
    overrides: Overrides = None,
    workers: Workers = None,
    max_calls: MaxCalls = None,
    dask: Dask = None,
    dask_security: DaskSecurity = None,
) -> None:
    """Simulate every combination of the varied values and save a tidy table."""
    from simcall.experiments.executors import executor_for
    from simcall.experiments.sweeps import sweep
    from simcall.experiments.workload import check_workload
    from simcall.scenario.loader import load

    try:
        check_run(replications, seed, workers)
        tls = dask_tls(dask_security)
        grid = dict(parse_vary(text) for text in vary)
        base = load(scenario, overrides or ())
        total = replications * math.prod(len(v) for v in grid.values())
        check_workload([base], total, max_calls)  # from the base scenario's rates
        with executor_for(workers, dask, tls) as executor, progress(total, "runs") as advance:
            result = sweep(base, grid, replications, seed, executor=executor, out=out_path,
                           resume=resume, command=command_line(context),
                           progress=(lambda done, _total: advance(done)) if advance else None)
    except SimcallError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        err.print(f"interrupted: the finished runs are saved in {out_path}; run the same "
                  "command with --resume to finish", highlight=False)
        raise typer.Exit(code=130) from None
    print_sweep(result)
    out.print(f"wrote {len(result.rows)} rows to {out_path}", highlight=False)


def parse_vary(text: str) -> tuple[str, list[Any]]:
    """``KEY=V1,V2`` (commas inside brackets, braces or quotes belong to a value)."""
    from simcall.scenario.overrides import parse_value

    key, equals, values = text.partition("=")
    if not equals or not key.strip() or not values.strip():
        raise SimcallError(f"--vary {text!r}: expected KEY=V1,V2,..., e.g. "
                           "--vary 'agents.support team.staff=8..12'")
    parsed: list[Any] = []
    for part in _split_top_level(values):
        span = _RANGE.match(part)
        if span:
            low, high = int(span.group(1)), int(span.group(2))
            if high < low:
                raise SimcallError(f"--vary {text!r}: range {part.strip()} is empty "
                                   "(write LOW..HIGH)")
            parsed += list(range(low, high + 1))
        elif part.strip():
            parsed.append(parse_value(part))
    if not parsed:
        raise SimcallError(f"--vary {text!r}: no values after '='")
    return key.strip(), parsed


def _split_top_level(text: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth, quote = 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def print_sweep(result: SweepResult) -> None:
    """One line per point: the varied values, then KPI means with 95% half-widths."""
    from simcall.report.terminal import format_kpi

    table = Table(show_edge=False, title=f"{len(result.points)} points x "
                                         f"{result.replications} replications, seed {result.seed}")
    for key in result.vary:
        table.add_column(key.rsplit(".", 1)[-1] if len(result.vary) > 1 else key)
    for kpi in _SHOWN:
        table.add_column(kpi, justify="right")
    errors = result.errors
    for point, kpis in zip(result.points, result.kpis, strict=True):
        values = [str(v) for v in point.values.values()]
        if point.index in errors:
            table.add_row(*values, f"[red]error: {errors[point.index]}[/red]",
                          *[""] * (len(_SHOWN) - 1))
            continue
        cells = []
        for kpi in _SHOWN:
            estimate = kpis[kpi]
            ci = estimate.ci95
            half = "" if ci is None else f" ± {format_kpi(kpi, (ci.high - ci.low) / 2)}"
            cells.append(format_kpi(kpi, estimate.mean) + half)
        table.add_row(*values, *cells)
    out.print(table)
