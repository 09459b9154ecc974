"""Reference cases: simulated centres whose exact answer is known.

Each :class:`Case` is a scenario (built from a dictionary) and the exact
value of some KPIs from :mod:`simcall.erlang`. The tests check that the
simulated 99% confidence interval over independent replications contains
each exact value; ``python -m simcall.experiments.validation`` prints the same
comparison as a Markdown table (it generates ``docs/validation.md``).

All cases are steady-state queues: one long interval, a warm-up window, and
exponential talk (and patience) times, so the Erlang formulas apply exactly.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from simcall import erlang
from simcall.experiments.runner import replicate
from simcall.results.stats import ConfidenceInterval
from simcall.scenario.loader import from_dict
from simcall.scenario.schema import Scenario

WITHIN_S = 20.0


def centre(
    agents: int, calls_per_hour: float, aht: float, *, patience: float | None = None,
    lines: int | None = None, hours: float = 10.0, warmup_hours: float = 1.0,
) -> dict[str, Any]:
    """One department, one caller type, one agent group: the textbook queue."""
    caller: dict[str, Any] = {"name": "callers", "arrivals_per_hour": calls_per_hour,
                              "enters": "service"}
    if patience is not None:
        caller["patience"] = {"dist": "exponential", "mean": patience}
    data: dict[str, Any] = {
        "name": "reference",
        "interval": f"{hours}h",
        "intervals": 1,
        "warmup": f"{warmup_hours}h",
        "targets": {"service_level": {"within": WITHIN_S, "fraction": 0.8}},
        "callers": [caller],
        "departments": [{"name": "service", "talk": {"dist": "exponential", "mean": aht}}],
        "agents": [{"name": "agents", "skills": ["service"], "staff": agents}],
    }
    if lines is not None:
        data["lines"] = lines
    return data


def _queue(metrics: erlang.QueueMetrics, *kpis: str) -> dict[str, float]:
    names = {"p_wait": "p_wait", "service_level": "service_level", "asa_s": "asa",
             "abandon_rate": "p_abandon", "block_rate": "p_block", "occupancy": "occupancy"}
    return {kpi: float(getattr(metrics, names[kpi])) for kpi in kpis}


@dataclass(frozen=True)
class Case:
    """A simulated centre and the exact values its KPIs must match."""

    name: str
    model: str  # which closed form
    data: dict[str, Any]
    exact: Callable[[], Mapping[str, Mapping[str, float]]]  # scope -> kpi -> value
    replications: int = 20
    seed: int = 2024
    slow: bool = False
    notes: str = field(default="")

    def scenario(self) -> Scenario:
        """The validated scenario."""
        return from_dict(self.data)

    @property
    def label(self) -> str:
        """The name with the run length, unique among the cases."""
        return f"{self.name} ({self.data['interval']} x {self.replications})"


def _erlang_c(n: int, rate: float, aht: float, **kw: Any) -> Case:
    load = rate * aht / 3600
    return Case(
        f"Erlang C, {n} agents, {load:g} Erlangs", "Erlang C (M/M/n)",
        centre(n, rate, aht, **kw),
        lambda: {"overall": _queue(erlang.erlang_c_metrics(n, rate, aht, within=WITHIN_S),
                                   "p_wait", "service_level", "asa_s", "occupancy")},
    )


def _erlang_a(n: int, rate: float, aht: float, patience: float, **kw: Any) -> Case:
    load = rate * aht / 3600
    return Case(
        f"Erlang A, {n} agents, {load:g} Erlangs, patience {patience:g} s", "Erlang A (M/M/n+M)",
        centre(n, rate, aht, patience=patience, **kw),
        lambda: {"overall": _queue(
            erlang.erlang_a_metrics(n, rate, aht, patience, within=WITHIN_S),
            "p_wait", "abandon_rate", "service_level", "asa_s", "occupancy")},
    )


def _mmck(n: int, lines: int, rate: float, aht: float, patience: float | None = None,
          **kw: Any) -> Case:
    load = rate * aht / 3600
    model = "M/M/n/K" + ("+M" if patience else "")
    kpis = ["block_rate", "p_wait", "service_level", "asa_s", "occupancy"]
    if patience:
        kpis.append("abandon_rate")
    if lines == n and not patience:
        model = "Erlang B (M/M/n/n)"
        kpis = ["block_rate", "occupancy"]
    return Case(
        f"{model}, {n} agents, {lines} lines, {load:g} Erlangs"
        + (f", patience {patience:g} s" if patience else ""), model,
        centre(n, rate, aht, lines=lines, patience=patience, **kw),
        lambda: {"overall": _queue(
            erlang.mmck_metrics(n, lines, rate, aht, patience=patience, within=WITHIN_S), *kpis)},
    )


def _jackson(hours: float) -> Case:
    """Two departments that transfer to each other (no self-transfers: see docs/model.md)."""
    rates, agents, aht = (60.0, 20.0), (3, 2), (120.0, 150.0)
    transfer = ((0.0, 0.3), (0.2, 0.0))
    data: dict[str, Any] = {
        "name": "jackson", "interval": f"{hours}h", "intervals": 1, "warmup": "1h",
        "targets": {"service_level": {"within": WITHIN_S, "fraction": 0.8},
                    "transfers": {"at_most": 1, "fraction": 0.9}},
        "callers": [{"name": "sales callers", "arrivals_per_hour": rates[0], "enters": "sales"},
                    {"name": "support callers", "arrivals_per_hour": rates[1],
                     "enters": "support"}],
        "departments": [
            {"name": "sales", "talk": {"dist": "exponential", "mean": aht[0]},
             "transfer": {"support": transfer[0][1]}},
            {"name": "support", "talk": {"dist": "exponential", "mean": aht[1]},
             "transfer": {"sales": transfer[1][0]}},
        ],
        "agents": [{"name": "sales team", "skills": ["sales"], "staff": agents[0]},
                   {"name": "support team", "skills": ["support"], "staff": agents[1]}],
    }

    def exact() -> dict[str, dict[str, float]]:
        network = erlang.jackson_network(rates, transfer, agents, aht, within=WITHIN_S)
        out: dict[str, dict[str, float]] = {
            "overall": {
                "mean_transfers": network.mean_transfers,
                "transfer_share_within": float(network.transfer_distribution(0)
                                               + network.transfer_distribution(1)),
            },
        }
        for name, node in zip(("sales", "support"), network.nodes, strict=True):
            out[name] = {"p_wait": node.p_wait, "asa_s": node.asa,
                         "service_level": node.service_level, "occupancy": node.occupancy}
        return out

    return Case("Jackson network: sales (3 agents) <-> support (2 agents)",
                "Jackson (M/M/c nodes)", data, exact)


CASES: tuple[Case, ...] = (
    # Run lengths are chosen so that the 99% intervals are a few per cent wide:
    # a check that could not fail would prove nothing.
    # small pools, light to heavy load
    _erlang_c(1, 25.2, 100.0, hours=400),  # M/M/1 at 70%
    _erlang_c(3, 97.2, 100.0, hours=300),  # 90%
    _erlang_c(5, 72.0, 150.0, hours=200),  # 60%
    # large pools
    _erlang_c(100, 1900.0, 180.0, hours=20),  # 95 Erlangs on 100
    _mmck(5, 5, 96.0, 150.0, hours=200),  # Erlang B: lines = agents
    _mmck(3, 8, 115.2, 100.0, hours=150),  # M/M/c/K, overloaded at 107%
    _mmck(4, 10, 120.0, 150.0, patience=200.0, hours=150),  # M/M/c/K+M
    _erlang_a(2, 90.0, 100.0, 60.0, hours=150),  # overloaded 125%, impatient callers
    _erlang_a(50, 960.0, 180.0, 120.0, hours=20),  # the benchmark centre
    _jackson(hours=300),
    # the slow tier: bigger, longer, more extreme (pytest -m slow)
    *(replace(case, slow=True) for case in (
        _erlang_c(1, 10.8, 100.0, hours=1000),  # M/M/1 at 30%
        _erlang_c(20, 360.0, 100.0, hours=200),  # 50%, light
        _erlang_c(200, 3880.0, 180.0, hours=20),  # 194 Erlangs on 200
        _erlang_c(100, 1900.0, 180.0, hours=100),  # the default case, five times longer
        _erlang_a(150, 3200.0, 180.0, 300.0, hours=15),  # 160 Erlangs on 150
        _mmck(50, 50, 900.0, 180.0, hours=40),  # Erlang B, 45 Erlangs on 50 lines
        _mmck(60, 75, 1250.0, 180.0, patience=150.0, hours=30),
        _jackson(hours=1500),
    )),
)


@dataclass(frozen=True)
class Comparison:
    """One KPI of one case: simulated interval against the exact value."""

    case: Case
    scope: str
    kpi: str
    exact: float
    mean: float
    ci99: ConfidenceInterval

    @property
    def contains(self) -> bool:
        """Does the 99% confidence interval contain the exact value?"""
        return self.exact in self.ci99


def compare(case: Case) -> list[Comparison]:
    """Simulate a case and compare every KPI with its exact value."""
    summary = replicate(case.scenario(), case.replications, case.seed)
    out = []
    for scope, kpis in case.exact().items():
        estimates = summary.kpis if scope == "overall" else summary.departments[scope]
        for kpi, exact in kpis.items():
            ci = estimates[kpi].ci(0.99)
            assert ci is not None
            out.append(Comparison(case, scope, kpi, exact, estimates[kpi].mean, ci))
    return out


def markdown(cases: tuple[Case, ...] = CASES) -> str:
    """The validation table, one row per KPI."""
    lines = [
        "| case | tier | scope | KPI | exact | simulated mean | 99% CI | contains |",
        "| --- | --- | --- | --- | ---: | ---: | --- | --- |",
    ]
    for case in cases:
        for c in compare(case):
            lines.append(
                f"| {case.label} | {'slow' if case.slow else 'default'} | {c.scope} | "
                f"{c.kpi} | {c.exact:.5g} | {c.mean:.5g} | "
                f"[{c.ci99.low:.5g}, {c.ci99.high:.5g}] | {'yes' if c.contains else '**no**'} |"
            )
    return "\n".join(lines)


HEADER = """# Validation: simulation against the exact formulas

Generated by `python -m simcall.experiments.validation > docs/validation.md` (do not edit by hand).
Each case is a steady-state centre with exponential talk (and patience) times, simulated
for the stated interval (the first hour is warm-up) in independent replications with a
fixed seed; the exact value comes from `simcall.erlang`. "contains" says whether the
simulated 99% Student-t confidence interval over replications contains the exact value,
which is what `tests/experiments/test_theory.py` asserts (cases marked slow run with
`pytest -m slow`).

"""


if __name__ == "__main__":  # pragma: no cover - the docs generator
    sys.stdout.write(HEADER + markdown() + "\n")
