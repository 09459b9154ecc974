"""simcall: a call-centre phone queue simulator checked against Erlang closed forms.

>>> import simcall
>>> scenario = simcall.load("scenarios/helpdesk.toml")      # doctest: +SKIP
>>> summary = simcall.replicate(scenario, replications=10)  # doctest: +SKIP
>>> summary.kpis["service_level"].ci95                      # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from simcall.comparison import Comparison, compare
from simcall.errors import ScenarioError, SimcallError
from simcall.loader import from_dict, load, loads
from simcall.model import Arrival
from simcall.results import RunResult, Summary
from simcall.runner import replicate, simulate
from simcall.scenario import Scenario
from simcall.staffing_search import StaffingPlan, staff
from simcall.stats import ConfidenceInterval, Estimate
from simcall.sweeps import SweepResult, sweep


def __getattr__(name: str) -> object:
    """Import :mod:`simcall.erlang` on first use: it needs scipy, a simulation does not."""
    if name == "erlang":
        import importlib

        return importlib.import_module("simcall.erlang")
    raise AttributeError(f"module 'simcall' has no attribute {name!r}")


__all__ = [
    "Arrival", "Comparison", "ConfidenceInterval", "Estimate", "RunResult", "Scenario",
    "ScenarioError", "SimcallError", "StaffingPlan", "Summary", "SweepResult", "__version__",
    "compare", "erlang", "from_dict", "load", "loads", "replicate", "simulate", "staff",
    "sweep",
]
