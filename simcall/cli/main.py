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

from typing import Annotated

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


app.command("run", cls=Command)(run_command)
app.command("validate", cls=Command)(validate_command)
app.command("erlang", cls=Command)(erlang_command)
app.command("trace", cls=Command)(trace_command)
app.command("compare", cls=Command)(compare_command)
app.command("sweep", cls=Command)(sweep_command)
app.command("staff", cls=Command)(staff_command)
app.command("marginal", cls=Command)(marginal_command)
app.command("report", cls=Command)(report_command)
app.command("plot", cls=Command)(plot_command)
app.command("animate", cls=Command)(animate_command)
app.command("fit", cls=Command)(fit_command)


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
