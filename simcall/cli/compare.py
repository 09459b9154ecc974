"""``simcall compare``: two or more staffing plans on the same callers, side by side."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
    write_json_file,
)
from simcall.errors import SimcallError

if TYPE_CHECKING:
    from simcall.experiments.comparison import Comparison
    from simcall.scenario.schema import Scenario


def compare_command(
    context: typer.Context,
    scenarios: Annotated[list[Path], typer.Argument(
        help="Scenario files; the first is the baseline. With --variant, give one.",
        metavar="SCENARIO...", show_default=False)],
    variants: Annotated[list[str] | None, typer.Option(
        "--variant", metavar='"NAME: KEY=VALUE ..."',
        help='A variant of the one scenario, e.g. --variant "+1 agent: agents.support '
             'team.staff=11 lines=40" (repeatable; the name may hold colons, "08:30 +1: '
             "...\"; single-quote a change whose value holds double quotes).")] = None,
    replications: Annotated[int, typer.Option(
        "--replications", "-r", help="Replications per variant.")] = REPLICATIONS,
    seed: Seed = None,
    overrides: Overrides = None,
    kpis: Annotated[list[str] | None, typer.Option(
        "--kpi", help="KPI to show per interval (repeatable; default: the targets' KPIs).")]
    = None,
    workers: Workers = None,
    max_calls: MaxCalls = None,
    dask: Dask = None,
    dask_security: DaskSecurity = None,
    json_path: Annotated[Path | None, typer.Option(
        "--json", help="Write the comparison (every variant and the differences) as JSON.")]
    = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="Write scenarios, comparison and metadata into this folder.")] = None,
) -> None:
    """Compare variants on common random numbers: each KPI with its paired difference."""
    from simcall.experiments.comparison import compare
    from simcall.experiments.executors import executor_for
    from simcall.experiments.workload import check_workload
    from simcall.report.terminal_compare import print_comparison
    from simcall.results.metrics import KPI_NAMES

    try:
        check_run(replications, seed, workers, 2)
        tls = dask_tls(dask_security)
        for kpi in kpis or ():
            if kpi not in KPI_NAMES:
                raise SimcallError(f"--kpi {kpi}: not a KPI; allowed: {', '.join(KPI_NAMES)}")
        named = variants_from(scenarios, variants or [], overrides or [])
        check_workload(list(named.values()), replications, max_calls)
        check_output("--json", json_path)
        if out_dir is not None:
            from simcall.results.output_dir import check_folder, slug

            check_folder(out_dir, [*(f"scenario-{slug(name)}.toml" for name in named),
                            "comparison.json", "metadata.json"])
        with executor_for(workers, dask, tls) as executor, \
                progress(replications * len(named), "runs") as advance:
            comparison = compare(named, replications, seed, executor=executor,
                                 progress=advance, command=command_line(context))
        print_comparison(comparison, out, kpis or ())
        if json_path is not None:
            write_json_file(json_path, comparison.to_json())
            out.print(f"wrote {json_path}")
        if out_dir is not None:
            save(out_dir, comparison)
            out.print(f"wrote {out_dir}/")
    except SimcallError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        raise interrupted() from None


def variants_from(paths: list[Path], variants: list[str],
                  overrides: list[str]) -> dict[str, Scenario]:
    """Scenario files, or one file and its ``--variant`` changes, by name."""
    from simcall.scenario.loader import load

    if variants and len(paths) != 1:
        raise SimcallError(f"--variant changes one scenario; got {len(paths)} files "
                           "(give one file, or several files and no --variant)")
    if not variants:
        if len(paths) < 2:
            raise SimcallError("compare needs two or more scenario files, or one file and "
                               '--variant "NAME: KEY=VALUE ..."')
        loaded = [load(path, overrides) for path in paths]
        named: dict[str, Scenario] = {}
        for path, scenario in zip(paths, loaded, strict=True):
            name = scenario.name if scenario.name not in named else f"{scenario.name} ({path})"
            named[name] = scenario
        return named
    base = load(paths[0], overrides)
    named = {"baseline": base}
    for text in variants:
        name, changes = parse_variant(text)
        if name in named:
            raise SimcallError(f"--variant {text!r}: the name '{name}' is used twice")
        named[name] = load(paths[0], [*overrides, *changes])
    return named


def parse_variant(text: str) -> tuple[str, list[str]]:
    """``"+1 agent: agents.support team.staff=11 lines=40"`` -> name and KEY=VALUE changes.

    The name ends at a colon before the first ``=``: the last one after which the changes
    read (so a name may hold colons, ``"08:30 +1: ..."``). The changes are split as a shell
    splits words (quotes keep a change whole, as before), then each word holding ``=``
    ends a change and takes the words before it without one into its key
    (``agents.support team.staff=11``: a key with a space needs no quotes), and a value
    with an unclosed bracket takes the words after it (``staff=[8, 9, 10]``).
    """
    example = "e.g. --variant \"+1 agent: agents.support team.staff=11\""
    equals = text.find("=")
    colons = [n for n, char in enumerate(text[:equals if equals >= 0 else len(text)])
              if char == ":"]
    name = text[:colons[-1]].strip() if colons else ""
    if not name:
        raise SimcallError(f"--variant {text!r}: expected \"NAME: KEY=VALUE ...\", {example}")
    problem = ""
    for colon in reversed(colons):
        name = text[:colon].strip()
        try:
            return name, _changes(text[colon + 1:])
        except ValueError as exc:
            problem = problem or str(exc)
    raise SimcallError(f"--variant {text!r}: {problem}")


def _changes(text: str) -> list[str]:
    """The KEY=VALUE changes after a variant's name (see :func:`parse_variant`)."""
    words = shlex.split(text)  # ValueError for an unclosed quote
    changes: list[str] = []
    key: list[str] = []
    for word in words:
        if changes and not key and _unclosed(changes[-1].partition("=")[2]):
            changes[-1] += f" {word}"
        elif "=" in word:
            changes.append(" ".join([*key, word]))
            key = []
        else:
            key.append(word)
    if key or not changes:
        rest = " ".join(key) if key else "nothing"
        raise ValueError(f"after the name give KEY=VALUE changes (got {rest!r} without "
                         "'=VALUE'), e.g. agents.support team.staff=11")
    return changes


def _unclosed(value: str) -> bool:
    """A TOML value cut at a space: more brackets or braces opened than closed."""
    return value.count("[") + value.count("{") > value.count("]") + value.count("}")


def save(folder: Path, comparison: Comparison) -> None:
    """Each variant's scenario, the comparison document, then the metadata."""
    from simcall.results.output_dir import building, finish, slug, write_scenario

    with building(folder) as staging:
        files = []
        for name, summary in comparison.summaries.items():
            file = f"scenario-{slug(name)}.toml"
            write_scenario(staging / file, summary.scenario, comparison.provenance)
            files.append(file)
        write_json_file(staging / "comparison.json", comparison.to_json())
        finish(staging, comparison.provenance, [*files, "comparison.json"])
