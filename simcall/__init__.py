"""simcall: a call-centre phone queue simulator checked against Erlang closed forms.

>>> import simcall
>>> scenario = simcall.load("scenarios/helpdesk.toml")      # doctest: +SKIP
>>> summary = simcall.replicate(scenario, replications=10)  # doctest: +SKIP
>>> summary.kpis["service_level"].ci95                      # doctest: +SKIP
"""

from __future__ import annotations

from simcall.errors import ScenarioError, SimcallError
from simcall.experiments import (
    Comparison,
    SweepResult,
    compare,
    replicate,
    simulate,
    sweep,
)
from simcall.fit import FitResult, fit  # the function shadows the wing: simcall.fit(...)
from simcall.model import Arrival
from simcall.results import ConfidenceInterval, Estimate, RunResult, Summary
from simcall.scenario import Scenario, from_dict, load, loads
from simcall.staffing import (
    CostPlan,
    Marginal,
    ShiftRules,
    StaffingPlan,
    marginal,
    staff,
    staff_for_cost,
)
from simcall.version import __version__


def __getattr__(name: str) -> object:
    """Import :mod:`simcall.erlang` on first use: it needs scipy, a simulation does not."""
    if name == "erlang":
        import importlib

        return importlib.import_module("simcall.erlang")
    raise AttributeError(f"module 'simcall' has no attribute {name!r}")


__all__ = [
    "Arrival", "Comparison", "ConfidenceInterval", "CostPlan", "Estimate", "FitResult",
    "Marginal", "RunResult", "Scenario", "ScenarioError", "ShiftRules", "SimcallError",
    "StaffingPlan", "Summary", "SweepResult", "__version__", "compare", "erlang", "fit",
    "from_dict", "load", "loads", "marginal", "replicate", "simulate", "staff",
    "staff_for_cost", "sweep",
]
