"""``simcall plot``: one figure of a scenario's simulation, or of a saved result, to a file.

The argument (SCENARIO|RESULT) is a scenario (simulated here, with the records the day,
waiting and transfer-matrix plots need) or a result JSON from ``simcall run --json``
(estimates only: enough for the interval, staffing, ring and transfer-count
plots); ``--kind backtest`` draws the back-test in the JSON of ``simcall fit LOG --check
--json``, ``--kind marginal`` the JSON of ``simcall marginal --json``. The figure is
drawn under matplotlib's Agg backend (no display needed) and written atomically: the file
is complete or absent.
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
)
from simcall.errors import SimcallError

if TYPE_CHECKING:
    from simcall.experiments.executors import TlsFiles

KIND_NAMES = ("service-level", "asa", "abandonment", "interval", "staffing", "day", "waiting",
              "rings", "transfer-matrix", "transfers", "compare", "sweep", "backtest", "money",
              "marginal")
"""The plot kinds, as :data:`simcall.plots.kinds.KINDS` names them (kept here so that a
wrong ``--kind`` fails before matplotlib is imported)."""
NEEDS_RECORDS = frozenset({"day", "waiting", "transfer-matrix"})
FROM_JSON = frozenset({"service-level", "asa", "abandonment", "interval", "staffing", "rings",
                       "transfers"})
ONLY_FROM_JSON = frozenset({"backtest", "marginal"})  # drawn from a JSON, never simulated
BACKTEST_FROM = "simcall fit LOG --check --json fit.json"
MARGINAL_FROM = "simcall marginal SCENARIO --json marginal.json"
FORMATS = (".png", ".svg")


def plot_command(
    context: typer.Context,
    source: Annotated[Path, typer.Argument(
        help="Scenario file (TOML, simulated here) or result JSON (simcall run --json); "
             "for --kind backtest the JSON of simcall fit LOG --check --json, for --kind "
             "marginal the JSON of simcall marginal --json.",
        metavar="SCENARIO|RESULT", show_default=False)],
    kind: Annotated[str, typer.Option(
        "--kind", "-k", help=f"What to draw: {', '.join(KIND_NAMES)}.", show_default=False)],
    out_path: Annotated[Path, typer.Option(
        "--out", "-o", help="Image file: FILE.png or FILE.svg.", show_default=False)],
    replications: Annotated[int, typer.Option(
        "--replications", "-r", help="Replications (per variant or sweep point).")] = REPLICATIONS,
    seed: Seed = None,
    overrides: Overrides = None,
    kpi: Annotated[str, typer.Option(
        "--kpi", help="KPI for --kind interval, compare and sweep, e.g. asa_s.")]
    = "service_level",
    others: Annotated[list[Path] | None, typer.Option(
        "--compare", metavar="OTHER.toml",
        help="Another scenario file to draw beside the SCENARIO argument (repeatable; "
             "--kind compare).")] = None,
    vary: Annotated[list[str] | None, typer.Option(
        "--vary", metavar="KEY=V1,V2,...",
        help="A key to sweep and its values, as simcall sweep takes them (repeatable; "
             "--kind sweep; the first is the x axis).")] = None,
    workers: Workers = None,
    dask: Dask = None,
    dask_security: DaskSecurity = None,
    max_calls: MaxCalls = None,
) -> None:
    """Draw one figure (service level per interval, staffing, the day, waiting, rings,
    transfers, a comparison, a sweep, a fit's back-test or a marginal analysis) to a PNG or
    SVG file."""
    try:
        _check_options(source, kind, out_path, replications, seed, workers, kpi,
                       others or [], vary or [], overrides or [])
        result = _simulate(context, source, kind, replications, seed, overrides or [], kpi,
                           others or [], vary or [], workers, dask,
                           dask_tls(dask_security), max_calls)
        figure = _draw(kind, result, kpi)
        _save(figure, out_path)
    except SimcallError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        raise interrupted() from None
    out.print(f"wrote {out_path}", highlight=False)


def _check_options(source: Path, kind: str, out_path: Path, replications: int,
                   seed: int | None, workers: int | None, kpi: str, others: list[Path],
                   vary: list[str], overrides: list[str]) -> None:
    """Every option checked before anything is simulated."""
    if kind not in KIND_NAMES:
        raise SimcallError(f"--kind {kind}: not a plot kind; allowed: {', '.join(KIND_NAMES)}")
    if out_path.suffix.lower() not in FORMATS:
        raise SimcallError(f"--out {out_path}: use a .png or .svg file name")
    check_output("--out", out_path)
    check_run(replications, seed, workers)
    from simcall.results.metrics import KPI_NAMES

    allowed = (*KPI_NAMES, "scheduled_agents", "staffed_agents")
    if kpi not in allowed:
        raise SimcallError(f"--kpi {kpi}: not a KPI; allowed: {', '.join(allowed)}")
    if others and kind != "compare":
        raise SimcallError(f"--compare is for --kind compare, not --kind {kind}")
    if vary and kind != "sweep":
        raise SimcallError(f"--vary is for --kind sweep, not --kind {kind}")
    if kind == "compare" and not others:
        raise SimcallError("--kind compare needs another scenario: --compare OTHER.toml")
    if kind == "sweep" and not vary:
        raise SimcallError("--kind sweep needs --vary KEY=V1,V2,..., e.g. "
                           "--vary 'agents.support team.staff=8..12'")
    if kind == "compare" and replications < 2:
        raise SimcallError(f"--replications {replications}: compare needs at least 2")
    if kind == "backtest" and source.suffix.lower() != ".json":
        raise SimcallError(f"--kind {kind} draws a fitted scenario's back-test against its "
                           f"call log, not a scenario: run '{BACKTEST_FROM}' and give that "
                           f"JSON instead of {source}")
    if kind == "marginal" and source.suffix.lower() != ".json":
        raise SimcallError(f"--kind {kind} draws a marginal analysis, which takes many runs "
                           f"of its own: run '{MARGINAL_FROM}' and give that JSON instead "
                           f"of {source}")
    if source.suffix.lower() == ".json":
        if kind not in FROM_JSON | ONLY_FROM_JSON:
            why = "call records" if kind in NEEDS_RECORDS else "a scenario to simulate"
            readable = ", ".join(sorted(FROM_JSON | ONLY_FROM_JSON))
            raise SimcallError(
                f"--kind {kind} needs {why}, which a result JSON does not hold: give the "
                f"scenario file instead of {source} (from JSON: {readable})")
        if overrides:
            raise SimcallError(f"--set changes a scenario; {source} is a result, already "
                               "simulated")


def _simulate(context: typer.Context, source: Path, kind: str, replications: int,
              seed: int | None, overrides: list[str], kpi: str, others: list[Path],
              vary: list[str], workers: int | None, dask: str | None,
              tls: TlsFiles | None, max_calls: float | None = None) -> Any:
    """The result the kind draws: a read-back document, a Summary, a Comparison or a sweep."""
    from simcall.experiments.executors import executor_for
    from simcall.experiments.workload import check_workload
    from simcall.scenario.loader import load

    if kind == "marginal":
        from simcall.plots.marginals import read_marginal

        return read_marginal(source)
    if kind in ONLY_FROM_JSON:
        from simcall.plots.backtesting import read_backtest

        return read_backtest(source)
    if source.suffix.lower() == ".json":
        from simcall.plots.facts import read_result

        return read_result(source)
    if kind == "compare":
        from simcall.cli.compare import variants_from
        from simcall.experiments.comparison import compare

        named = variants_from([source, *others], [], overrides)
        check_workload(list(named.values()), replications, max_calls)
        with executor_for(workers, dask, tls) as executor, \
                progress(replications * len(named), "runs") as advance:
            return compare(named, replications, seed, executor=executor, progress=advance,
                           command=command_line(context))
    if kind == "sweep":
        import math

        from simcall.cli.sweep import parse_vary
        from simcall.experiments.sweeps import sweep

        grid = dict(parse_vary(text) for text in vary)
        base = load(source, overrides)
        total = replications * math.prod(len(v) for v in grid.values())
        check_workload([base], total, max_calls)  # from the base scenario's rates
        with executor_for(workers, dask, tls) as executor, progress(total, "runs") as advance:
            return sweep(base, grid, replications, seed, executor=executor,
                         command=command_line(context),
                         progress=(lambda done, _total: advance(done)) if advance else None)
    from simcall.experiments.runner import replicate

    scenario = load(source, overrides)
    check_workload([scenario], replications, max_calls)
    with executor_for(workers if replications > 1 else 1, dask, tls) as executor, \
            progress(replications) as advance:
        return replicate(scenario, replications, seed, executor=executor, progress=advance,
                         keep_records=kind in NEEDS_RECORDS)


def _draw(kind: str, result: Any, kpi: str) -> Any:
    """The figure of ``kind``, drawn off screen."""
    import matplotlib

    matplotlib.use("Agg")
    from simcall.plots.kinds import KINDS

    draw = KINDS[kind]
    try:
        ax = draw(result, kpi) if kind in ("interval", "compare", "sweep") else draw(result)
    except ValueError as exc:  # e.g. a KPI the result has no interval values for
        raise SimcallError(f"--kind {kind}: {exc}") from None
    if isinstance(ax, dict):  # several panels (backtest, marginal): one figure
        return next(iter(ax.values())).figure
    return ax.figure


def _save(figure: Any, path: Path) -> None:
    """Write the image atomically (the temporary file has no image suffix: say the format)."""
    import matplotlib.pyplot as plt

    from simcall.files import write_atomically

    try:
        write_atomically(path, lambda temporary: figure.savefig(
            temporary, format=path.suffix.lower().lstrip("."), dpi=120))
    finally:
        plt.close(figure)
