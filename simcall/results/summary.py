"""Results: frozen objects with ``.kpis``, ``.to_json()`` and ``.to_frame()``.

:class:`RunResult` is one replication (KPIs as plain floats, plus the call
records); :class:`Summary` is several replications of one scenario (KPIs as
:class:`~simcall.results.stats.Estimate` with 95% confidence intervals). Both write
the JSON document of SPEC.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, partial
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from simcall.errors import needs_pandas
from simcall.model.records import Records, RunRecords
from simcall.results.metrics import KPI_NAMES, Chain, RunMetrics, kpi_bounds
from simcall.results.revisits import RevisitChain
from simcall.results.stats import ConfidenceInterval, Estimate
from simcall.results.targets import TargetResult, goals, judge
from simcall.scenario.schema import Scenario

if TYPE_CHECKING:
    from simcall.results.erlang_intervals import ErlangFigures


@dataclass(frozen=True)
class RunResult:
    """One replication of one scenario."""

    scenario: Scenario
    seed: int
    replication: int
    metrics: RunMetrics
    kept: RunRecords | None  # the records as the run kept them (None: not kept)

    @cached_property
    def records(self) -> Records | None:
        """The per-call records as tables (``None`` without ``keep_records``): derived on
        first use from an express-lane run's notes, then kept."""
        return None if self.kept is None else self.kept.tables()

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (to or from a worker) without tables derived from kept notes: they are
        derived again where they are read."""
        state = dict(self.__dict__)
        if state.get("records") is not self.kept:
            state.pop("records", None)
        return state

    @property
    def kpis(self) -> Mapping[str, float]:
        """Overall KPIs (SPEC.md's names), read-only."""
        return MappingProxyType(self.metrics.overall)

    def summary(self) -> Summary:
        """This run as a one-replication summary (confidence intervals are ``None``)."""
        return Summary.of(self.scenario, self.seed, [self])

    def to_json(self) -> dict[str, Any]:
        """SPEC.md's JSON document (``replications`` = 1, ``ci95`` null)."""
        return self.summary().to_json()

    def __repr__(self) -> str:
        """A few lines, not the call records (see :mod:`simcall.results.display`)."""
        from simcall.results.display import HEADLINE, text_block, value_text

        return text_block(f"RunResult {self.scenario.name!r}", self._facts(),
                          [f"{k} {value_text(k, self.kpis[k])}" for k in HEADLINE
                           if k in self.kpis])

    def _repr_html_(self) -> str:
        """Jupyter's view: the KPIs of this one replication (no intervals: one run)."""
        from simcall.results.display import html_block, html_table, shown_kpis, value_text
        from simcall.results.money import has_money

        kpis = self.summary().kpis
        names = shown_kpis(kpis, has_money(self.scenario))
        table = html_table(("KPI", "value"), ((k, value_text(k, self.kpis[k])) for k in names))
        return html_block(f"RunResult {self.scenario.name!r}", self._facts(), table)

    def _facts(self) -> list[str]:
        return [f"seed {self.seed}", f"replication {self.replication}",
                f"{self.kpis.get('offered', 0):,.0f} calls offered"]

    def to_frame(self) -> Any:
        """The call records as a pandas DataFrame (needs pandas)."""
        with needs_pandas("RunResult.to_frame()"):
            import pandas as pd

        if self.records is None:
            raise ValueError("this result was made without records (keep_records=False)")
        calls = self.records.calls
        callers = [c.name for c in self.scenario.callers]
        departments = [d.name for d in self.scenario.departments]
        from simcall.model.records import Outcome

        return pd.DataFrame({
            "call": range(calls.arrival.size),
            "caller": [callers[i] for i in calls.caller],
            "arrival_s": calls.arrival,
            "department": [departments[i] for i in calls.department],
            "outcome": [Outcome(o).name.lower() for o in calls.outcome],
            "waited": calls.waited,
            "wait_s": calls.wait,
            "answer_time_s": calls.answer_time,
            "transfers": calls.transfers,
        })


Breakdown = Mapping[str, Mapping[str, Estimate]]


@dataclass(frozen=True)
class Summary:
    """Several replications of one scenario: means and 95% confidence intervals."""

    scenario: Scenario
    seed: int
    kpis: Mapping[str, Estimate]
    intervals: tuple[Mapping[str, Estimate], ...]
    departments: Breakdown
    callers: Breakdown
    agent_groups: Breakdown
    ring_shares: tuple[Estimate, ...]
    transfer_shares: tuple[Estimate, ...]
    targets: tuple[TargetResult, ...]
    runs: tuple[RunResult, ...]
    days: tuple[Mapping[str, Estimate], ...] = ()

    @property
    def replications(self) -> int:
        """How many replications the estimates rest on."""
        return len(self.runs)

    @cached_property
    def erlang(self) -> tuple[Mapping[str, ErlangFigures], ...]:
        """Per interval, each department's closed-form figures beside the simulation (or why
        there are none): :func:`simcall.results.erlang_intervals.erlang_intervals`, computed
        once (the JSON document, ``--details`` and the report all show it)."""
        from simcall.results.erlang_intervals import erlang_intervals

        return erlang_intervals(self.scenario)

    def __repr__(self) -> str:
        """A few lines: the scenario, the replications and the headline KPIs with their 95%
        intervals (the dataclass's own repr printed every call record)."""
        from simcall.results.display import headline, text_block

        return text_block(f"Summary {self.scenario.name!r}", self._facts(),
                          headline(self.kpis))

    def _repr_html_(self) -> str:
        """Jupyter's view: a compact KPI table with 95% intervals, and the targets."""
        from simcall.results.display import html_block, kpi_table, shown_kpis, targets_note
        from simcall.results.money import has_money

        names = shown_kpis(self.kpis, has_money(self.scenario))
        return html_block(f"Summary {self.scenario.name!r}", self._facts(),
                          kpi_table(self.kpis, names), notes=targets_note(self.targets))

    def _facts(self) -> list[str]:
        from simcall.results.display import plural

        return [plural(self.replications, "replication"), f"seed {self.seed}"]

    @classmethod
    def of(cls, scenario: Scenario, seed: int, runs: Sequence[RunResult]) -> Summary:
        """Combine replications (all of the same scenario and seed)."""
        metrics = [run.metrics for run in runs]

        def combine(kpis: Sequence[Mapping[str, float]]) -> dict[str, Estimate]:
            return {name: Estimate.of([k[name] for k in kpis], kpi_bounds(name))
                    for name in kpis[0]}

        def breakdown(parts: Sequence[Mapping[str, Mapping[str, float]]]) -> Breakdown:
            return {name: combine([p[name] for p in parts]) for name in parts[0]}

        def shares(series: Sequence[tuple[float, ...]]) -> tuple[Estimate, ...]:
            width = max((len(s) for s in series), default=0)
            padded = [tuple(s) + (0.0,) * (width - len(s)) for s in series]
            return tuple(Estimate.of([p[i] for p in padded], (0.0, 1.0)) for i in range(width))

        overall = combine([m.overall for m in metrics])
        intervals = tuple(
            combine([m.intervals[k] for m in metrics]) for k in range(scenario.intervals)
        )
        labels = [scenario.interval_label(k) for k in range(scenario.intervals)]
        targets = judge(
            goals(scenario.targets),
            lambda kpi: overall[kpi].mean,
            {label: partial(_interval_mean, intervals[k]) for k, label in enumerate(labels)},
        )
        return cls(
            scenario=scenario,
            seed=seed,
            kpis=MappingProxyType(overall),
            intervals=intervals,
            departments=breakdown([m.departments for m in metrics]),
            callers=breakdown([m.callers for m in metrics]),
            agent_groups=breakdown([m.agent_groups for m in metrics]),
            ring_shares=shares([m.ring_shares for m in metrics]),
            transfer_shares=shares([m.transfer_shares for m in metrics]),
            targets=targets,
            runs=tuple(runs),
            days=tuple(combine([m.days[d] for m in metrics])
                       for d in range(len(metrics[0].days))),
        )

    def to_json(self) -> dict[str, Any]:
        """SPEC.md's JSON document (NaN, i.e. undefined, becomes null)."""
        from simcall.version import __version__

        scenario = self.scenario
        return {
            "simcall": __version__,
            "scenario": scenario.name,
            "seed": self.seed,
            "replications": self.replications,
            "kpis": _kpis_json(self.kpis),
            "intervals": [
                {"start": scenario.interval_label(k), "kpis": _kpis_json(kpis),
                 "erlang": {name: figures.to_json() for name, figures in self.erlang[k].items()}}
                for k, kpis in enumerate(self.intervals)
            ],
            "days": [{"day": d + 1, "kpis": _kpis_json(kpis)} for d, kpis in enumerate(self.days)],
            "departments": {n: {"kpis": _kpis_json(k)} for n, k in self.departments.items()},
            "callers": {n: {"kpis": _kpis_json(k)} for n, k in self.callers.items()},
            "agent_groups": {n: {"kpis": _kpis_json(k)} for n, k in self.agent_groups.items()},
            "rings": [estimate_json(e) | {"ring": i + 1} for i, e in enumerate(self.ring_shares)],
            "transfers_per_call": [
                estimate_json(e) | {"transfers": i} for i, e in enumerate(self.transfer_shares)
            ],
            "worst_transfer_chains": [
                {"replication": run.replication, "call": chain.call,
                 "transfers": chain.transfers, "path": list(chain.path)}
                for run, chain in self.worst_chains()
            ],
            "targets": [
                {
                    "name": t.goal.kpi,
                    "goal": t.goal.text,
                    "value": _number(t.value),
                    "ci95": _interval_json(self.kpis[t.goal.kpi]),
                    "met": t.met,
                    "intervals_failed": list(t.intervals_failed),
                }
                for t in self.targets
            ],
        }

    def worst_chains(self, count: int = 5) -> list[tuple[RunResult, Chain]]:
        """The most-transferred calls over all replications, worst first."""
        chains = [(run, chain) for run in self.runs for chain in run.metrics.worst_chains]
        chains.sort(key=lambda item: (-item[1].transfers, item[0].replication, item[1].call))
        return chains[:count]

    def revisit_chains(self) -> list[tuple[RunResult, RevisitChain]]:
        """Every call sent back to a department it had left, over all replications, worst
        first (most re-entries, then the longest chain; ties by replication and call)."""
        chains = [(run, chain) for run in self.runs for chain in run.metrics.revisit_chains]
        chains.sort(key=lambda item: (*item[1].worst_first()[:2], item[0].replication,
                                      item[1].call))
        return chains

    def to_frame(self, per_replication: bool = False) -> Any:
        """A tidy pandas table of every KPI in every scope: ``overall``, ``interval``,
        ``day``, ``department``, ``caller``, ``agent_group`` (``name`` says which one).

        By default one row per (scope, name, kpi) with ``mean``, ``ci95_low`` and
        ``ci95_high``. With ``per_replication=True`` one row per (scope, name, kpi,
        replication) with that replication's ``value`` (``nan`` where the KPI is undefined
        in it): the values the means and intervals rest on, for a plot of the spread or a
        test of one's own. ``replication`` is the replication index, as
        ``simcall.simulate(..., replication=i)`` takes it.
        """
        with needs_pandas("Summary.to_frame()"):
            import pandas as pd

        replications = [run.replication for run in self.runs]
        rows: list[dict[str, Any]] = []
        for scope, name, kpis in self._scopes():
            for kpi, estimate in kpis.items():
                if per_replication:
                    rows += [{"scope": scope, "name": name, "kpi": kpi, "replication": r,
                              "value": v} for r, v in zip(replications, estimate.values,
                                                          strict=True)]
                    continue
                ci = estimate.ci95
                rows.append({"scope": scope, "name": name, "kpi": kpi, "mean": estimate.mean,
                             "ci95_low": ci.low if ci else math.nan,
                             "ci95_high": ci.high if ci else math.nan})
        columns = ["scope", "name", "kpi"] + (["replication", "value"] if per_replication
                                              else ["mean", "ci95_low", "ci95_high"])
        return pd.DataFrame(rows, columns=columns)

    def _scopes(self) -> list[tuple[str, str, Mapping[str, Estimate]]]:
        """Every (scope, name, KPIs) of the summary, in the order the tables list them."""
        scopes: list[tuple[str, str, Mapping[str, Estimate]]] = [("overall", "", self.kpis)]
        scopes += [("interval", self.scenario.interval_label(k), kpis)
                   for k, kpis in enumerate(self.intervals)]
        scopes += [("day", str(d + 1), kpis) for d, kpis in enumerate(self.days)]
        scopes += [("department", n, k) for n, k in self.departments.items()]
        scopes += [("caller", n, k) for n, k in self.callers.items()]
        scopes += [("agent_group", n, k) for n, k in self.agent_groups.items()]
        return scopes


def _interval_mean(kpis: Mapping[str, Estimate], kpi: str) -> float:
    """The mean of one KPI in one interval (what a target is judged on)."""
    return kpis[kpi].mean


def _number(value: float) -> float | None:
    return value if math.isfinite(value) else None


def ci_json(ci: ConfidenceInterval | None) -> list[float | None] | None:
    """An interval as ``[low, high]`` (null ends where undefined), or null."""
    return None if ci is None else [_number(ci.low), _number(ci.high)]


def _interval_json(estimate: Estimate) -> list[float | None] | None:
    return ci_json(estimate.ci95)


def estimate_json(estimate: Estimate) -> dict[str, Any]:
    """``{"mean": ..., "ci95": [low, high]}``, as in SPEC.md's document."""
    return {"mean": _number(estimate.mean), "ci95": _interval_json(estimate)}


def _kpis_json(kpis: Mapping[str, Estimate]) -> dict[str, Any]:
    ordered = [k for k in KPI_NAMES if k in kpis] + [k for k in kpis if k not in KPI_NAMES]
    return {name: estimate_json(kpis[name]) for name in ordered}
