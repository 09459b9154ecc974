"""Several variants on one figure: a comparison per interval, a sweep against its values."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from simcall.plots import style
from simcall.plots.facts import facts
from simcall.results.stats import Estimate
from simcall.results.targets import goals

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from simcall.experiments.comparison import Comparison
    from simcall.experiments.sweeps import SweepResult


def comparison(comparison: Comparison, kpi: str = "service_level", *,
               ax: Axes | None = None) -> Axes:
    """Each variant's per-interval KPI, mean and 95% band, one colour each, and the target.

    The variants ran on common random numbers, so where their bands overlap
    the paired differences (``simcall compare``) may still be significant: the
    picture shows levels, the comparison table the differences. The target is
    the baseline's.
    """
    ax = style.new_axes(ax)
    base = facts(comparison.summaries[comparison.baseline])
    for i, name in enumerate(comparison.names):
        summary = comparison.summaries[name]
        if kpi not in summary.intervals[0]:
            raise ValueError(f"kpi {kpi!r}: not a per-interval KPI")
        label = f"{name} (baseline)" if name == comparison.baseline else name
        style.mean_and_band(ax, facts(summary).centres_h,
                            [row[kpi] for row in summary.intervals], style.colour(i), label,
                            alpha=0.15)
    goal = base.goal(kpi)
    if goal is not None:
        style.target_line(ax, goal)
    style.kpi_axis(ax, kpi, base.threshold)
    if style.is_share(kpi):
        _, high = ax.get_ylim()
        ax.set_ylim(0.0, 1.02 if kpi == "service_level" else min(high, 1.0))
    style.clock_axis(ax, float(min(facts(s).starts_h[0] for s in comparison.summaries.values())),
                     float(max(f.starts_h[-1] + f.width_h for f in
                               map(facts, comparison.summaries.values()))),
                     "Interval (clock time of its middle, hh:mm)")
    shown = style.KPI_NAMES_SHOWN.get(kpi, kpi)
    return style.finish(ax, f"{shown} per interval — {len(comparison.names)} variants "
                            f"({comparison.replications} replications each)")


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None


def sweep(result: SweepResult, kpi: str = "service_level", *, x: str | None = None,
          ax: Axes | None = None) -> Axes:
    """A sweep's overall KPI (mean and 95% band) against one varied key.

    ``x`` is the varied key on the x axis (default: the first). With other
    varied keys, one line per combination of their values. Numeric values are
    placed at their value, others evenly in the order given. Failed points
    leave a gap. The target line is the scenario's.
    """
    keys = list(result.vary)
    x = keys[0] if x is None else x
    if x not in result.vary:
        raise ValueError(f"x {x!r}: not a varied key; varied: {', '.join(keys)}")
    others = [k for k in keys if k != x]
    values = result.vary[x]
    numeric = all(_number(v) is not None for v in values)
    positions = np.array([_number(v) if numeric else i for i, v in enumerate(values)],
                         dtype=float)
    kpis = result.kpis
    index: dict[tuple[Any, ...], Mapping[str, Estimate]] = {}
    for point, point_kpis in zip(result.points, kpis, strict=True):
        index[tuple(_key(point.values[k]) for k in keys)] = point_kpis
    ax = style.new_axes(ax)
    combinations = list(itertools.product(*(result.vary[k] for k in others))) or [()]
    for i, combination in enumerate(combinations):
        estimates = []
        for value in values:
            chosen = dict(zip(others, combination, strict=True)) | {x: value}
            found = index.get(tuple(_key(chosen[k]) for k in keys), {})
            estimates.append(found.get(kpi, Estimate(math.nan, None, ())))
        label = ", ".join(f"{_short(k)} = {v}" for k, v in zip(others, combination,
                                                                  strict=True)) or "simulated"
        style.mean_and_band(ax, positions, estimates, style.colour(i), label, alpha=0.15)
    scenario = next((p.scenario for p in result.points if p.scenario is not None), None)
    goal = next((g for g in goals(scenario.targets) if g.kpi == kpi), None) \
        if scenario is not None else None
    if goal is not None:
        style.target_line(ax, goal)
    style.kpi_axis(ax, kpi, scenario.service_level_threshold if scenario is not None else None)
    if style.is_share(kpi):
        _, high = ax.get_ylim()
        ax.set_ylim(0.0, 1.02 if kpi == "service_level" else min(high, 1.0))
    if not numeric:
        ax.set_xticks(positions, [str(v) for v in values])
    elif all(isinstance(v, int) for v in values):
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"{x} (swept value)")
    shown = style.KPI_NAMES_SHOWN.get(kpi, kpi)
    return style.finish(ax, f"{shown} against {_short(x)} — sweep of {len(result.points)} "
                            f"points ({result.replications} replications each)")


def _key(value: Any) -> Any:
    """A hashable stand-in for a varied value (lists become tuples)."""
    if isinstance(value, list | tuple):
        return tuple(_key(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _key(v)) for k, v in value.items()))
    return value


def _short(key: str) -> str:
    """The last part of a dotted key: what a legend has room for."""
    return key.rsplit(".", 1)[-1]


__all__: Sequence[str] = ("comparison", "sweep")
