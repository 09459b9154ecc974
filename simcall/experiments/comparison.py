"""Paired comparisons: how much does a change move each KPI, and how sure are we?

All variants are simulated with the same seed and replication indices, so
they meet the same callers with the same patience and talk times (common
random numbers). The difference is then estimated replication by
replication, and its confidence interval is far narrower than the one two
independent runs would give: the noise both variants share cancels.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from simcall.errors import needs_pandas
from simcall.experiments.runner import Job, simulate_many
from simcall.results.metrics import KPI_NAMES
from simcall.results.provenance import api_call, provenance_block, scenario_hash
from simcall.results.stats import ConfidenceInterval, Estimate, t_quantile
from simcall.results.summary import Summary, ci_json, estimate_json
from simcall.scenario.schema import Scenario

_SHOWN_VARIANTS = 5  # variants a repr names; the rest are counted


@dataclass(frozen=True)
class Difference:
    """One KPI of a variant minus the baseline's, paired by replication."""

    kpi: str
    paired: Estimate  # over the per-replication differences
    unpaired: ConfidenceInterval | None  # Welch interval, as if the runs were independent

    @property
    def significant(self) -> bool:
        """The paired 95% interval excludes zero."""
        ci = self.paired.ci95
        return ci is not None and not (ci.low <= 0.0 <= ci.high)


@dataclass(frozen=True)
class Comparison:
    """Several variants of a call centre on common random numbers."""

    baseline: str
    summaries: Mapping[str, Summary]  # by variant name, baseline first
    differences: Mapping[str, Mapping[str, Difference]]  # variant -> kpi -> difference
    intervals: Mapping[str, tuple[Mapping[str, Difference], ...]]  # variant -> per interval
    seed: int
    provenance: Mapping[str, Any] = field(default_factory=dict)
    # variant -> caller type -> kpi: the same callers in both (caller types of the baseline)
    callers: Mapping[str, Mapping[str, Mapping[str, Difference]]] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        """Variant names, the baseline first."""
        return tuple(self.summaries)

    @property
    def replications(self) -> int:
        """Replications per variant."""
        return self.summaries[self.baseline].replications

    @property
    def kpis(self) -> Mapping[str, Mapping[str, Estimate]]:
        """Each variant's overall KPIs (mean and 95% interval)."""
        return MappingProxyType({name: s.kpis for name, s in self.summaries.items()})

    def __repr__(self) -> str:
        """A few lines: the variants, and each one's change in two headline KPIs."""
        from simcall.results.display import HEADLINE, estimate_text, text_block

        lines = []
        for name, diffs in list(self.differences.items())[:_SHOWN_VARIANTS]:
            for kpi in [k for k in HEADLINE if k in diffs][:2]:
                lines.append(f"{name} - {self.baseline}: {kpi} "
                             f"{estimate_text(kpi, diffs[kpi].paired, change=True)}")
        if len(self.differences) > _SHOWN_VARIANTS:
            lines.append(f"... {len(self.differences) - _SHOWN_VARIANTS} more variants")
        return text_block("Comparison", self._facts(), lines)

    def _repr_html_(self) -> str:
        """Jupyter's view: each variant's mean, and each change from the baseline with its
        paired 95% interval."""
        from simcall.results.display import (
            change_text,
            html_block,
            html_table,
            interval_text,
            shown_kpis,
            value_text,
        )
        from simcall.results.money import has_money

        base = self.summaries[self.baseline]
        names = shown_kpis(base.kpis, has_money(base.scenario))
        others = list(self.differences)
        head = ["KPI", *self.summaries, *(f"{n} - {self.baseline} (95% CI)" for n in others)]
        rows = [[kpi,
                 *(value_text(kpi, s.kpis[kpi].mean) for s in self.summaries.values()),
                 *(f"{change_text(kpi, d.mean)} ({interval_text(kpi, d, change=True)})"
                   for d in (self.differences[n][kpi].paired for n in others))]
                for kpi in names if all(kpi in self.differences[n] for n in others)]
        return html_block("Comparison", self._facts(), html_table(head, rows),
                          notes=["Differences are paired by replication (common random "
                                 "numbers)."])

    def _facts(self) -> list[str]:
        from simcall.results.display import plural

        return [plural(len(self.summaries), "variant") + f" (baseline {self.baseline!r})",
                plural(self.replications, "replication") + " each", f"seed {self.seed}"]

    def to_json(self) -> dict[str, Any]:
        """One document: each variant's SPEC result and the paired differences."""
        def differences_json(diffs: Mapping[str, Difference]) -> dict[str, Any]:
            return {kpi: estimate_json(d.paired) | {"unpaired_ci95": ci_json(d.unpaired)}
                    for kpi, d in diffs.items()}

        baseline = self.summaries[self.baseline].scenario
        return {
            "provenance": dict(self.provenance),
            "seed": self.seed,
            "replications": self.replications,
            "baseline": self.baseline,
            "variants": {name: s.to_json() for name, s in self.summaries.items()},
            "differences": {
                name: {
                    "kpis": differences_json(diffs),
                    "intervals": [
                        {"start": baseline.interval_label(k), "kpis": differences_json(row)}
                        for k, row in enumerate(self.intervals[name])
                    ],
                    "callers": {caller: {"kpis": differences_json(row)}
                                for caller, row in self.callers.get(name, {}).items()},
                }
                for name, diffs in self.differences.items()
            },
        }

    def to_frame(self) -> Any:
        """A tidy table: one row per (variant, scope, kpi) with the paired difference."""
        with needs_pandas("Comparison.to_frame()"):
            import pandas as pd

        rows = []
        baseline = self.summaries[self.baseline].scenario
        for name, diffs in self.differences.items():
            scopes = [("overall", "", diffs)] + [
                ("interval", baseline.interval_label(k), row)
                for k, row in enumerate(self.intervals[name])] + [
                ("caller", caller, row) for caller, row in self.callers.get(name, {}).items()]
            for scope, label, row in scopes:
                for kpi, d in row.items():
                    ci, unpaired = d.paired.ci95, d.unpaired
                    rows.append({
                        "variant": name, "baseline": self.baseline, "scope": scope,
                        "name": label, "kpi": kpi, "difference": d.paired.mean,
                        "ci95_low": ci.low if ci else math.nan,
                        "ci95_high": ci.high if ci else math.nan,
                        "unpaired_ci95_low": unpaired.low if unpaired else math.nan,
                        "unpaired_ci95_high": unpaired.high if unpaired else math.nan,
                    })
        return pd.DataFrame(rows)


def compare(
    variants: Mapping[str, Scenario] | Sequence[Scenario],
    replications: int = 20,
    seed: int | None = None,
    *,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
    command: str | None = None,
) -> Comparison:
    """Simulate every variant on the same random numbers and difference each against the first.

    Parameters
    ----------
    variants
        Named scenarios (the first is the baseline), or a list named by
        each scenario's ``name``.
    replications, seed
        Replications per variant; the root seed shared by all variants
        (default: the baseline's seed).
    executor
        Any :class:`concurrent.futures.Executor`; results do not depend on it.
    """
    named = _named(variants)
    if replications < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")
    baseline = next(iter(named))
    seed = named[baseline].seed if seed is None else seed
    jobs = [Job(scenario, seed, r) for scenario in named.values() for r in range(replications)]
    runs = simulate_many(jobs, executor, progress=progress)
    summaries = {name: Summary.of(scenario, seed, runs[i * replications:(i + 1) * replications])
                 for i, (name, scenario) in enumerate(named.items())}
    base = summaries[baseline]
    differences: dict[str, Mapping[str, Difference]] = {}
    intervals: dict[str, tuple[Mapping[str, Difference], ...]] = {}
    callers: dict[str, Mapping[str, Mapping[str, Difference]]] = {}
    for name, summary in list(summaries.items())[1:]:
        differences[name] = _differences(summary.kpis, base.kpis)
        callers[name] = MappingProxyType({
            caller: _differences(summary.callers[caller], kpis)
            for caller, kpis in base.callers.items() if caller in summary.callers})
        same_day = summary.scenario.intervals == base.scenario.intervals
        intervals[name] = tuple(
            _differences(row, base_row) for row, base_row in zip(
                summary.intervals, base.intervals, strict=True)) if same_day else ()
    call = command or api_call("compare", variants=list(named), replications=replications,
                               seed=seed)
    return Comparison(baseline, MappingProxyType(summaries), MappingProxyType(differences),
                      MappingProxyType(intervals), seed,
                      provenance_block(named[baseline], seed, call,
                                       variants={n: scenario_hash(s) for n, s in named.items()}),
                      MappingProxyType(callers))


def _named(variants: Mapping[str, Scenario] | Sequence[Scenario]) -> dict[str, Scenario]:
    if isinstance(variants, Mapping):
        named = dict(variants)
    else:
        named = {}
        for scenario in variants:
            name, n = scenario.name, 2
            while name in named:  # two files with the same scenario name
                name, n = f"{scenario.name} ({n})", n + 1
            named[name] = scenario
    if len(named) < 2:
        raise ValueError(f"compare needs at least two variants, got {len(named)}")
    return named


def _differences(variant: Mapping[str, Estimate],
                 baseline: Mapping[str, Estimate]) -> dict[str, Difference]:
    ordered = [k for k in KPI_NAMES if k in variant and k in baseline]
    ordered += [k for k in variant if k in baseline and k not in ordered]
    return {kpi: paired_difference(kpi, variant[kpi], baseline[kpi]) for kpi in ordered}


def paired_difference(kpi: str, variant: Estimate, baseline: Estimate) -> Difference:
    """Variant minus baseline, replication by replication (both must have the same count).

    A replication where either value is undefined (no calls in an interval)
    is left out of the pairs.
    """
    a = np.asarray(variant.values, dtype=float)
    b = np.asarray(baseline.values, dtype=float)
    both = np.isfinite(a) & np.isfinite(b)
    return Difference(kpi, Estimate.of((a - b)[both]),
                      welch_interval(a[np.isfinite(a)], b[np.isfinite(b)]))


def welch_interval(a: np.ndarray, b: np.ndarray, level: float = 0.95
                   ) -> ConfidenceInterval | None:
    """The interval for mean(a) - mean(b) from two independent samples (Welch)."""
    if a.size < 2 or b.size < 2:
        return None
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    centre = float(a.mean() - b.mean())
    if se == 0.0:
        return ConfidenceInterval(centre, centre)
    df = (va + vb) ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1))
    half = t_quantile(0.5 + level / 2, df) * se
    return ConfidenceInterval(centre - half, centre + half)
