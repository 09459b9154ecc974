"""Parameter sweeps: every combination of values, replicated, as one tidy table.

A sweep varies scenario keys (the dotted keys of ``--set``) over lists of
values and simulates every combination ("point") with the same seed and
replication indices, so neighbouring points meet the same callers and the
curves they trace are smooth (common random numbers). A point whose
scenario is invalid, or whose run fails, is recorded with its error and the
sweep goes on. With ``out=`` each finished run is on disk at once, and
``resume=True`` simulates only what is missing (see :mod:`simcall.experiments.sweep_store`).
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from simcall.errors import ScenarioError, SimcallError
from simcall.experiments.runner import Job, simulate
from simcall.experiments.sweep_store import Row, SweepStore
from simcall.results.metrics import KPI_NAMES, kpi_bounds
from simcall.results.provenance import api_call, provenance_block, scenario_data
from simcall.results.stats import Estimate
from simcall.scenario.loader import from_dict
from simcall.scenario.overrides import assign
from simcall.scenario.schema import Scenario


@dataclass(frozen=True)
class Point:
    """One combination of the varied values, and its scenario (or why there is none)."""

    index: int
    values: Mapping[str, Any]
    scenario: Scenario | None
    error: str | None


@dataclass(frozen=True)
class SweepResult:
    """Every run of a sweep: one row per (point, replication), in that order."""

    vary: Mapping[str, tuple[Any, ...]]
    points: tuple[Point, ...]
    rows: tuple[Mapping[str, Any], ...]
    replications: int
    seed: int
    provenance: Mapping[str, Any] = field(default_factory=dict)

    @property
    def kpis(self) -> tuple[Mapping[str, Estimate], ...]:
        """Each point's KPIs over its replications (empty for a failed point)."""
        by_point: dict[int, list[Mapping[str, Any]]] = {}
        for row in self.rows:
            if row["error"] is None:
                by_point.setdefault(row["point"], []).append(row)
        return tuple(
            MappingProxyType({kpi: Estimate.of([r[kpi] for r in by_point[p.index]],
                                               kpi_bounds(kpi)) for kpi in KPI_NAMES})
            if p.index in by_point else MappingProxyType({})
            for p in self.points
        )

    @property
    def errors(self) -> dict[int, str]:
        """Point index -> the first error recorded for it."""
        found: dict[int, str] = {}
        for row in self.rows:
            if row["error"] is not None:
                found.setdefault(row["point"], row["error"])
        return found

    def to_frame(self, per_point: bool = False) -> Any:
        """A tidy pandas table: one row per run, or per point with mean and 95% interval."""
        import pandas as pd

        if not per_point:
            return pd.DataFrame(list(self.rows))
        rows = []
        errors = self.errors
        for point, kpis in zip(self.points, self.kpis, strict=True):
            row: dict[str, Any] = {"point": point.index, **point.values,
                                   "replications": sum(1 for r in self.rows
                                                       if r["point"] == point.index
                                                       and r["error"] is None),
                                   "error": errors.get(point.index)}
            for kpi, estimate in kpis.items():
                ci = estimate.ci95
                row[kpi] = estimate.mean
                row[f"{kpi}_ci95_low"] = ci.low if ci else math.nan
                row[f"{kpi}_ci95_high"] = ci.high if ci else math.nan
            rows.append(row)
        return pd.DataFrame(rows)


def sweep(
    scenario: Scenario,
    vary: Mapping[str, Sequence[Any]],
    replications: int = 20,
    seed: int | None = None,
    *,
    executor: Executor | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
    command: str | None = None,
) -> SweepResult:
    """Simulate every combination of ``vary``'s values, ``replications`` times each.

    Parameters
    ----------
    scenario
        The scenario every point starts from.
    vary
        Dotted scenario keys (as ``--set`` takes them) and the values each
        takes, e.g. ``{"agents.support team.staff": [9, 10, 11]}``.
    out
        A ``.csv`` or ``.parquet`` file, or a folder (``results.csv``,
        ``scenario.toml``, ``metadata.json``); rows are saved as runs finish.
    resume
        Keep the runs already in ``out`` and simulate only the missing ones.
    progress
        Called with (runs finished, runs in total).
    """
    if replications < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")
    if not vary:
        raise ValueError("vary needs at least one key with a list of values")
    grid = {key: tuple(values) for key, values in vary.items()}
    for key, values in grid.items():
        if not values:
            raise ValueError(f"vary {key!r}: give at least one value")
    seed = scenario.seed if seed is None else seed
    points = plan_points(scenario, grid)
    columns = ["point", *grid, "replication", "seed", "error", *KPI_NAMES]
    call = command or api_call("sweep", scenario=scenario, vary=dict(grid),
                               replications=replications, seed=seed)
    meta = provenance_block(scenario, seed, call, vary={k: [_text(v) for v in vs]
                                                  for k, vs in grid.items()},
                      replications=replications, points=len(points))
    store = SweepStore(Path(out), text_columns=[*grid, "error"]) if out is not None else None
    done: dict[tuple[int, int], Row] = {}
    if store is not None:
        store.check_writable(resume)
        for row in store.load(meta, columns) if resume else []:
            if row["point"] < len(points) and row["replication"] < replications:
                done[(row["point"], row["replication"])] = _with_values(row, points, grid)
        store.open(columns, _ordered(done), meta)
        if store.folder_mode:
            from simcall.results.output_dir import write_scenario

            write_scenario(store.out / "scenario.toml", scenario, meta)
    total = len(points) * replications
    try:
        for row in _run_missing(points, replications, seed, done, executor):
            done[(row["point"], row["replication"])] = row
            if store is not None:
                store.append(row)
            if progress is not None:
                progress(len(done), total)
    finally:
        if store is not None:
            store.close()
    rows = _ordered(done)
    if store is not None:
        store.finish(columns, rows)
    return SweepResult(MappingProxyType(grid), tuple(points), tuple(rows), replications, seed,
                       meta)


def plan_points(scenario: Scenario, grid: Mapping[str, tuple[Any, ...]]) -> list[Point]:
    """Every combination, first key slowest; each validated like a scenario file.

    A point with an invalid value is kept with its error. A key that names
    nothing in the scenario, or a sweep where every point is invalid, is the
    user's mistake rather than data, and raises.
    """
    base = scenario_data(scenario)
    points = []
    for index, combination in enumerate(itertools.product(*grid.values())):
        values = dict(zip(grid, combination, strict=True))
        data = base
        for key, value in values.items():
            data = assign(data, key, value)  # OverrideError: no such entry, raised at once
        label = ", ".join(f"{k}={_text(v)}" for k, v in values.items())
        try:
            points.append(Point(index, values, from_dict(data, source=label), None))
        except ScenarioError as exc:
            points.append(Point(index, values, None, str(exc)))
    if all(p.scenario is None for p in points):
        raise SimcallError(f"every point of the sweep is invalid; the first: {points[0].error}")
    return points


def _run_missing(points: Sequence[Point], replications: int, seed: int,
                 done: Mapping[tuple[int, int], Row], executor: Executor | None
                 ) -> Any:
    """Rows of the runs not yet done, as they finish (in any order)."""
    todo = [(p, r) for p in points for r in range(replications) if (p.index, r) not in done]
    failed = [(p, r) for p, r in todo if p.scenario is None]
    for point, replication in failed:
        yield _row(point, replication, seed, {}, point.error)
    jobs = [(p, Job(p.scenario, seed, r)) for p, r in todo if p.scenario is not None]
    if executor is None:
        for point, job in jobs:
            yield _row(point, job.replication, seed, *run_kpis(job))
        return
    futures = {executor.submit(run_kpis, job): (point, job) for point, job in jobs}
    try:
        for future in as_completed(futures):
            point, job = futures[future]
            yield _row(point, job.replication, seed, *future.result())
    finally:
        for future in futures:
            future.cancel()


def run_kpis(job: Job) -> tuple[dict[str, float], str | None]:
    """One run's overall KPIs, or the error that stopped it (the sweep goes on)."""
    try:
        result = simulate(job.scenario, job.seed, job.replication, keep_records=False)
    except Exception as exc:  # a failed point is data, not the end of the sweep
        return {}, f"{type(exc).__name__}: {exc}"
    return dict(result.kpis), None


def _row(point: Point, replication: int, seed: int, kpis: Mapping[str, float],
         error: str | None) -> Row:
    return {"point": point.index, **point.values, "replication": replication, "seed": seed,
            "error": error, **{k: float(kpis.get(k, math.nan)) for k in KPI_NAMES}}


def _with_values(row: Row, points: Sequence[Point], grid: Mapping[str, Any]) -> Row:
    """A row read back from a file, with the varied values as given (not as text)."""
    return row | dict(points[row["point"]].values)


def _ordered(done: Mapping[tuple[int, int], Row]) -> list[Row]:
    return [done[key] for key in sorted(done)]


def _text(value: Any) -> str:
    """A varied value as it appears in a file: strings as they are, the rest as JSON."""
    return value if isinstance(value, str) else json.dumps(value)
