"""The ``simcall`` command line: parse, call one library function, render, save.

A user's mistake (bad file, bad option) prints one clear message and exits
with code 2; no traceback, and no result file is written.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from simcall import __version__
from simcall.errors import SimcallError
from simcall.loader import load
from simcall.render import print_summary
from simcall.runner import replicate

app = typer.Typer(
    name="simcall",
    help="Call-centre phone queue simulator: run staffing scenarios against service targets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
_out = Console()
_err = Console(stderr=True)

ScenarioPath = Annotated[
    Path, typer.Argument(help="Scenario file (TOML).", metavar="SCENARIO", show_default=False)
]


def _fail(message: str) -> typer.Exit:
    _err.print(f"[bold red]error:[/bold red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def _write_json(path: Path, document: dict[str, Any]) -> None:
    """Write atomically, so an interrupted run never leaves half a result."""
    directory = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise SimcallError(f"--json {path}: is a directory; give a file name")
    if not directory.is_dir():
        raise SimcallError(f"--json {path}: folder '{directory}' does not exist")
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(document, stream, indent=2)
            stream.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
    scenario: ScenarioPath,
    replications: Annotated[int, typer.Option(
        "--replications", "-r", min=1, help="Independent replications (for 95% intervals).")] = 20,
    seed: Annotated[int | None, typer.Option(
        "--seed", min=0, help="Root seed (default: the scenario's seed, else 1).")] = None,
    json_path: Annotated[Path | None, typer.Option(
        "--json", help="Write the JSON result document to this file.")] = None,
) -> None:
    """Simulate a scenario and show its KPIs with confidence intervals and targets."""
    try:
        loaded = load(scenario)
        if json_path is not None and json_path.is_dir():
            raise SimcallError(f"--json {json_path}: is a directory; give a file name")
        summary = replicate(loaded, replications, seed)
        print_summary(summary, _out)
        if json_path is not None:
            _write_json(json_path, summary.to_json())
            _out.print(f"wrote {json_path}")
    except SimcallError as exc:
        raise _fail(str(exc)) from None


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
            _err.print(f"[red]{exc}[/red]", highlight=False, soft_wrap=True)
            failed = True
            continue
        _out.print(
            f"{path}: ok - '{loaded.name}', {loaded.intervals} x {loaded.interval / 60:g} min, "
            f"{len(loaded.callers)} caller type(s), {len(loaded.departments)} department(s), "
            f"{len(loaded.agents)} agent group(s)", highlight=False,
        )
    if failed:
        raise typer.Exit(code=2)
