"""The ``simcall`` command line: the Typer application and the registration of commands.

Each command lives in a module of its own (:mod:`simcall.cli.run`, ...); this module
only makes the application, its ``--version`` callback, and registers the commands in
the order ``simcall --help`` lists them.

Every command parses, calls one library function, renders, saves. A user's mistake
(bad file, bad option) prints one clear message and exits with code 2; no traceback,
and no result file is written. ``--check`` exits with code 1 when a target is not
met, for scripted use.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, get_type_hints

import typer

from simcall.cli.animate import animate_command
from simcall.cli.common import out, warnings_on_stderr
from simcall.cli.compare import compare_command
from simcall.cli.erlang import erlang_command
from simcall.cli.fit import fit_command
from simcall.cli.marginal import marginal_command
from simcall.cli.parsing import Command, Group
from simcall.cli.plot import plot_command
from simcall.cli.report import report_command
from simcall.cli.run import run_command
from simcall.cli.staff import staff_command
from simcall.cli.sweep import sweep_command
from simcall.cli.trace import trace_command
from simcall.cli.validate import validate_command
from simcall.version import __version__

app = typer.Typer(
    name="simcall",
    help="Call-centre phone queue simulator: run staffing scenarios against service targets.",
    no_args_is_help=True,
    add_completion=False,
    cls=Group,
    pretty_exceptions_enable=False,
)


def show_version(value: bool) -> None:
    """``--version``: eager, so it answers before click asks for a command, and light (the
    version module imports nothing)."""
    if value:
        out.print(f"simcall {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def main(
    context: typer.Context,
    version: Annotated[bool, typer.Option(
        "--version", help="Show the version and exit.", is_eager=True,
        callback=show_version)] = False,
) -> None:
    """simcall: callers, agents, rings, transfers and abandonment, on SimPy."""
    context.with_resource(warnings_on_stderr())  # until the command is done


def _register(name: str, command: Callable[..., None]) -> None:
    """Add ``command`` to the app, its annotations evaluated once, here.

    Why: the command modules postpone their annotations (``from __future__ import
    annotations``), and Typer evaluates each annotation string four times while it builds
    the commands (twice for the signature, twice for the type hints), for every command,
    at every start, ``simcall --help`` included. Evaluated once, the strings are not parsed
    again: a tenth of the instructions of ``simcall --help``.

    The command list shows the docstring's first paragraph as one line of words: Typer's
    rich markup keeps the docstring's line breaks there, which broke lines mid-column.
    """
    command.__annotations__ = get_type_hints(command, include_extras=True)
    summary = " ".join(inspect.cleandoc(command.__doc__ or "").split("\n\n")[0].split())
    app.command(name, cls=Command, short_help=summary)(command)


_register("run", run_command)
_register("validate", validate_command)
_register("erlang", erlang_command)
_register("trace", trace_command)
_register("compare", compare_command)
_register("sweep", sweep_command)
_register("staff", staff_command)
_register("marginal", marginal_command)
_register("report", report_command)
_register("plot", plot_command)
_register("animate", animate_command)
_register("fit", fit_command)


def entry() -> None:
    """The ``simcall`` command: the app, with a Ctrl-C outside any command's own handling
    (while click parses, or between commands' steps) ending with exit code 130 and one line
    rather than click's "Aborted!" or a traceback."""
    import sys

    try:
        app(prog_name="simcall")
    except KeyboardInterrupt:
        sys.stderr.write("interrupted: nothing was written\n")
        raise SystemExit(130) from None
