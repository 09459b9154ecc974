"""What every ``simcall`` command shares: consoles, option types, errors, progress.

Why a module of its own: each command lives in a small module of its own
(:mod:`simcall.cli.run`, :mod:`simcall.cli.staff`, ...), and they must all fail,
check their options and show progress the same way.
"""

from __future__ import annotations

import math
import shlex
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from simcall.errors import SimcallError
from simcall.files import output_problem, write_json

if TYPE_CHECKING:
    from rich.progress import Progress

    from simcall.experiments.executors import TlsFiles
    from simcall.staffing.shift_rules import ShiftRules

out = Console()
err = Console(stderr=True)


class Unclipped(Console):
    """A console whose tables are never cut to "…": each is printed as wide as it needs.

    Why: away from a terminal (piped to a file, ``less`` or ``grep``) rich takes 80
    columns and shortens the cells of a wide table (a staffing plan with a column per
    target), losing the very figures the output was saved for. Prose still wraps at the
    console's width; only a table widens the line for itself.
    """

    def print(self, *objects: Any, **options: Any) -> None:
        from rich.measure import Measurement
        from rich.table import Table

        tables = [o for o in objects if isinstance(o, Table)]
        if not tables or "width" in options:
            super().print(*objects, **options)
            return
        wide = self.options.update_width(100_000)
        need = max(Measurement.get(self, wide, table).maximum for table in tables)
        before = self.width
        self.width = max(before, need)
        try:
            super().print(*objects, **options)
        finally:
            self.width = before


def plain_or_unclipped(console: Console) -> Console:
    """``console`` on a terminal (tables fit the window there); away from one, an
    :class:`Unclipped` console writing where it writes."""
    if console.is_terminal:
        return console
    return Unclipped(file=console.file, stderr=console.stderr)

ScenarioPath = Annotated[
    Path, typer.Argument(help="Scenario file (TOML).", metavar="SCENARIO", show_default=False)
]


def fail(message: str) -> typer.Exit:
    # the message may quote the user's own text, brackets included: never read it as markup
    err.print(f"[bold red]error:[/bold red] {escape(message)}", highlight=False,
               soft_wrap=True)
    return typer.Exit(code=2)


def check_output(option: str, path: Path | None) -> None:
    """Refuse an output path before simulating, so a mistake costs no waiting.

    A directory, a device, a FIFO or a socket is refused, and so is a folder
    that is missing or not writable; a symlink is judged by its target, which
    is where the file will be written (:mod:`simcall.files`).
    """
    if path is None:
        return
    problem = output_problem(path)
    if problem is not None:
        raise SimcallError(f"{option} {path}: {problem}")
    if option == "--records" and path.suffix not in (".csv", ".parquet"):
        raise SimcallError(f"--records {path}: use a .csv or .parquet file name")
    if option == "--records" and path.suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise SimcallError("--records *.parquet needs pyarrow: pip install pyarrow "
                               "(or give a .csv file)") from None


def write_json_file(path: Path, document: dict[str, Any]) -> None:
    """Write atomically, so an interrupted run never leaves half a result."""
    check_output("--json", path)
    write_json(path, document)


def finite(option: str, value: float | None) -> None:
    """Refuse ``nan`` and ``inf`` (Typer reads them as numbers; ranges let ``nan`` through)."""
    if value is not None and not math.isfinite(value):
        raise SimcallError(f"{option} {value:g}: must be a finite number")


def in_range(option: str, value: float | None, low: float | None = None,
              high: float | None = None) -> None:
    """Range checks with the value in the message (Typer's own omit it)."""
    if value is None:
        return
    if (low is not None and value < low) or (high is not None and value > high):
        allowed = (f"from {low:g} to {high:g}" if low is not None and high is not None
                   else f"at least {low:g}" if low is not None else f"at most {high:g}")
        raise SimcallError(f"{option} {value:g}: must be {allowed}")


INTERRUPTED = ("nothing more was written (a file listed above as written is whole: every file "
               "is written to a temporary name and renamed into place)")


def interrupted(kept: str = INTERRUPTED) -> typer.Exit:
    """Ctrl-C: one line saying what was kept, and the exit code 130 to raise.

    Why one place: every simulating command must stop within a second or two, print no
    traceback (click would print "Aborted!" and exit 1) and tell the planner what is on
    disk. Use as ``except KeyboardInterrupt: raise interrupted() from None``.
    """
    err.print(f"interrupted: {kept}", highlight=False)
    return typer.Exit(code=130)


def check_run(replications: int, seed: int | None, workers: int | None,
              least_replications: int = 1) -> None:
    """The options every simulating command shares, checked before anything runs."""
    in_range("--replications", replications, least_replications)
    in_range("--seed", seed, 0)
    in_range("--workers", workers, 1)


def duration(option: str, text: str | None, ring: float = 6.0,
             measures: str | None = None) -> float | None:
    """A duration option read: ``"4min"``, ``"2 rings"`` or a bare number of seconds.

    With ``measures`` (a key of :data:`simcall.scenario.plausible.LEAST`), a bare number
    too short for it is warned about as in a scenario file (``--aht 4``: four seconds).
    """
    import warnings

    from simcall.scenario.durations import parse_duration
    from simcall.scenario.plausible import BareSecondsWarning, bare_seconds_message

    if text is None:
        return None
    try:
        try:
            value: float | str = float(text)  # a bare number on the command line is seconds
        except ValueError:
            value = text.strip()
        seconds = parse_duration(value, ring)
    except ValueError as exc:
        raise SimcallError(f"{option} {text}: {exc}") from None
    if measures is not None and isinstance(value, float):
        doubt = bare_seconds_message(value, measures, f"{option} {value:g}min",
                                     f"{option} {value:g}s")
        if doubt is not None:
            warnings.warn(BareSecondsWarning(f"{option} {doubt}"), stacklevel=2)
    return seconds


@contextmanager
def warnings_on_stderr() -> Iterator[None]:
    """simcall's warnings (:class:`~simcall.errors.SimcallWarning`) printed on stderr, one
    ``warning:`` line each and each once, while a command runs; other warnings as usual.

    Why not Python's own display: it adds the file and line of simcall's code and would
    repeat a warning for every variant of a comparison loaded from the same file.
    """
    import warnings

    from simcall.errors import SimcallWarning

    shown: set[str] = set()
    with warnings.catch_warnings():
        warnings.simplefilter("always", SimcallWarning)  # each once: counted here
        before = warnings.showwarning

        def show(message: Warning | str, category: type[Warning], filename: str,
                 lineno: int, file: Any = None, line: str | None = None) -> None:
            if not issubclass(category, SimcallWarning):
                before(message, category, filename, lineno, file, line)
            elif getattr(message, "once", str(message)) not in shown:
                shown.add(getattr(message, "once", str(message)))
                err.print(f"[yellow]warning:[/yellow] {escape(str(message))}",
                          highlight=False, soft_wrap=True)

        warnings.showwarning = show
        yield


def command_line(context: typer.Context) -> str:
    """The command being run, rebuilt from its parsed options, ready to paste into a shell.

    Why not ``sys.argv``: the same command runs from tests and from other
    programs (Typer's runner), where ``sys.argv`` is somebody else's.
    Options left at their defaults are left out.
    """
    parts = context.command_path.split()
    for param in context.command.params:
        value = context.params.get(param.name or "")
        if value is None or value is False or value == [] or value == param.default:
            continue
        values = value if isinstance(value, list | tuple) else [value]
        if param.param_type_name != "option":
            parts += [str(v) for v in values]
        elif getattr(param, "is_flag", False):
            parts.append(param.opts[0])
        else:
            for item in values:
                parts += [param.opts[0], str(item)]
    return shlex.join(parts)


REPLICATIONS = 20
"""Every command's default ``--replications``: one number, so that ``simcall run``, ``plot``,
``report``, ``compare``, ``sweep``, ``marginal`` and ``staff`` show a planner the same days
(the same seeds) unless told otherwise; 20 days give 95% intervals a few points wide on the
ready scenarios (the Python functions default to it too)."""

Seed = Annotated[int | None, typer.Option(
    "--seed", help="Root seed (default: the scenario's seed, else 1).")]
Overrides = Annotated[list[str] | None, typer.Option(
    "--set", metavar="KEY=VALUE",
    help="Change the scenario, e.g. --set callers.customers.arrivals_per_hour=150 "
         "(repeatable; list entries by name; the value is TOML).")]
Workers = Annotated[int | None, typer.Option(
    "--workers", "-w", help="Local worker processes (default: every core; 1 runs in this "
                            "process). Results are the same for any number.")]
Dask = Annotated[str | None, typer.Option(
    "--dask", metavar="ADDRESS",
    help="Run on a Dask cluster: 'local' to start one here (on 127.0.0.1), "
         "tls://HOST:PORT (with --dask-security) or tcp://HOST:PORT (unencrypted, "
         "unauthenticated: a trusted network only). A scheduler runs pickled code; see "
         "docs/runner.md. Needs pip install 'simcall\\[dask]'.")]  # \\[: not rich markup
DaskSecurity = Annotated[str | None, typer.Option(
    "--dask-security", metavar="FOLDER|CA,CERT,KEY",
    help="With --dask tls://...: the CA file, this client's certificate and its key, as "
         "a folder holding ca.pem, cert.pem and key.pem, or as three files CA,CERT,KEY.")]

TLS_NAMES = ("ca.pem", "cert.pem", "key.pem")


def dask_tls(text: str | None) -> TlsFiles | None:
    """The --dask-security option read: a folder of the usual three names, or three files.

    Why two forms: a folder is short to type when the files are made for simcall; three
    paths spare renaming files a cluster's administrator handed out under other names.
    Whether the files exist is checked when they are used, so the Python API checks too.
    """
    from simcall.experiments.executors import TlsFiles

    if text is None:
        return None
    if "," in text:
        paths = [part.strip() for part in text.split(",")]
        if len(paths) != 3 or not all(paths):
            raise SimcallError(f"--dask-security {text}: give three files CA,CERT,KEY "
                               "(or a folder holding ca.pem, cert.pem and key.pem)")
        return TlsFiles(*(Path(p).expanduser() for p in paths))
    folder = Path(text).expanduser()
    if not folder.is_dir():
        raise SimcallError(f"--dask-security {text}: no such folder; give a folder holding "
                           "ca.pem, cert.pem and key.pem, or three files CA,CERT,KEY")
    return TlsFiles(*(folder / name for name in TLS_NAMES))

PROGRESS_CALLS = 200_000
"""Calls per replication (the workload estimate) above which a replication running in this
process shows how far it has got: about ten seconds of one core and more."""


class progress:
    """A progress bar over jobs (replications, points), shown only on a terminal.

    With ``calls_per_replication`` above :data:`PROGRESS_CALLS`, :attr:`within` is a
    callback for the engine (the share of the running replication's horizon simulated):
    the bar then moves within a replication too, even for one replication; away from a
    terminal (a CI log) a line is printed at each tenth of the whole run instead. Only
    replications simulated in this process report within (not a worker's).
    """

    def __init__(self, total: int, label: str = "replications",
                 calls_per_replication: float = 0.0) -> None:
        self._bar: Progress | None = None
        self._total = total
        self._label = label
        self._long = calls_per_replication > PROGRESS_CALLS
        self._done = 0
        self._tenths = 0
        self._start = time.monotonic()
        self.within: Callable[[float], None] | None = None

    def __enter__(self) -> Any:
        if not err.is_terminal:
            if self._long:
                self.within = self._log
            return None
        if self._total < 2 and not self._long:
            return None
        from rich.progress import (  # here, not at the top: `simcall --help` needs no bar
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        columns: list[Any] = [self._label, BarColumn()]
        columns += ([TaskProgressColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                     TimeRemainingColumn()] if self._long
                    else [MofNCompleteColumn(), TimeElapsedColumn()])
        bar = self._bar = Progress(*columns, console=err, transient=True)
        task = bar.add_task("run", total=self._total)
        bar.start()

        def advance(done: int) -> None:
            self._done = done
            bar.update(task, completed=done)

        if self._long:
            self.within = lambda share: bar.update(task, completed=self._done + share)
        return advance

    def _log(self, share: float) -> None:
        """Away from a terminal: a line at each tenth of the run, no more."""
        if share >= 1.0:
            self._done += 1
            share = 0.0
        tenths = int(10 * (self._done + share) / self._total)
        if tenths > self._tenths:
            self._tenths = tenths
            which = (f" (replication {self._done + 1 if share else self._done} of "
                     f"{self._total})" if self._total > 1 else "")
            seconds = time.monotonic() - self._start
            err.print(f"simulated {10 * tenths}%{which} after {seconds:.0f} s",
                      highlight=False)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


class stages:
    """A bar that follows a command through its stages (``step``, done, total), shown only
    on a terminal: ``simcall report`` simulates, compares and searches one after another,
    each with its own count of jobs."""

    def __init__(self) -> None:
        self._bar: Progress | None = None

    def __enter__(self) -> Callable[[str, int, int], None] | None:
        if not err.is_terminal:
            return None
        from rich.progress import (  # here, not at the top: `simcall --help` needs no bar
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        bar = self._bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                   MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                                   transient=True)
        task = bar.add_task("", total=None)
        bar.start()

        shown = [""]

        def advance(step: str, done: int, total: int) -> None:
            # a new stage is drawn at once: a quick one would otherwise never be seen
            bar.update(task, description=step, completed=done, total=total,
                       refresh=step != shown[0])
            shown[0] = step
        return advance

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


MaxCalls = Annotated[float | None, typer.Option(
    "--max-calls", metavar="N",
    help="Refuse to start when the run would simulate more calls than this (an estimate "
         "from the arrival rates; default 20,000,000).", show_default=False)]


# -- shift rules (simcall staff and simcall report --staff) ---------------------------------

ShiftLengths = Annotated[str | None, typer.Option(
    "--shifts", metavar="LENGTHS",
    help="Turn the plan into a roster of these shift lengths, e.g. 8h,6h,4h: the cheapest "
         "shifts covering every interval, verified and repaired as a roster. Groups staffed "
         "by shifts are rostered again.")]
StartsEvery = Annotated[str | None, typer.Option(
    "--starts-every", metavar="DURATION",
    help="With --shifts: shifts start on this grid from opening (default: every interval).")]
BreakWords = Annotated[str | None, typer.Option(
    "--break", metavar="RULE",
    help='With --shifts: one break per shift long enough, e.g. "30min within 3h..5h" (its '
         "length, and the window it lies in, from the shift's start).")]
CostPerHour = Annotated[float | None, typer.Option(
    "--cost-per-hour", metavar="AMOUNT",
    help="With --shifts: paid per agent-hour (whole shifts, breaks included), to price the "
         "roster.")]


def shift_rules(shifts: str | None, starts_every: str | None, break_rule: str | None,
                cost_per_hour: float | None) -> ShiftRules | None:
    """The --shifts options read, or ``None`` without --shifts (the others then make no
    sense: saying so beats ignoring them)."""
    if shifts is None:
        given = [name for name, value in (("--starts-every", starts_every),
                                          ("--break", break_rule),
                                          ("--cost-per-hour", cost_per_hour))
                 if value is not None]
        if given:
            raise SimcallError(f"{', '.join(given)}: only with --shifts (the shift lengths a "
                               "roster may use, e.g. --shifts 8h,4h)")
        return None
    from simcall.staffing.shift_rules import ShiftRules

    return ShiftRules.parse(shifts, starts_every, break_rule,
                            1.0 if cost_per_hour is None else cost_per_hour)
