"""``simcall validate``: check scenario files and report every problem at once.

Each file is loaded as ``simcall run`` would load it; a good file gets one line that
says what it holds, a bad one its problems. Exit code 2 if any file is bad.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from simcall.cli.common import err, out
from simcall.errors import SimcallError


def validate_command(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario files to check.")],
) -> None:
    """Check scenario files and report every problem at once."""
    from simcall.scenario.loader import load

    failed = False
    for path in scenarios:
        try:
            loaded = load(path)
        except SimcallError as exc:
            err.print(escape(str(exc)), style="red", highlight=False, soft_wrap=True)
            failed = True
            continue
        out.print(
            f"{path}: ok - '{loaded.name}', {loaded.intervals} x {loaded.interval / 60:g} min, "
            f"{len(loaded.callers)} caller type(s), {len(loaded.departments)} department(s), "
            f"{len(loaded.agents)} agent group(s)", highlight=False,
        )
    if failed:
        raise typer.Exit(code=2)
