"""simcall: a call-centre phone queue simulator checked against Erlang closed forms.

>>> import simcall
>>> scenario = simcall.load("scenarios/helpdesk.toml")      # doctest: +SKIP
>>> summary = simcall.replicate(scenario, replications=10)  # doctest: +SKIP
>>> summary.kpis["service_level"].ci95                      # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING

from simcall.errors import ScenarioError, SimcallError
from simcall.version import __version__

if TYPE_CHECKING:
    from simcall import erlang
    from simcall.experiments import (
        Comparison,
        SweepResult,
        compare,
        replicate,
        simulate,
        sweep,
    )
    from simcall.fit import FitResult, fit
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

# Each public name and the wing it comes from, imported on first use: ``import simcall``
# stays light (0.5 s when every wing was imported up front; the pydantic models alone were
# half of it), and a script pays only for the wings it touches.
_WING_OF = {
    **dict.fromkeys(("Comparison", "SweepResult", "compare", "replicate", "simulate", "sweep"),
                    "simcall.experiments"),
    "FitResult": "simcall.fit",
    "Arrival": "simcall.model",
    **dict.fromkeys(("ConfidenceInterval", "Estimate", "RunResult", "Summary"),
                    "simcall.results"),
    **dict.fromkeys(("Scenario", "from_dict", "load", "loads"), "simcall.scenario"),
    **dict.fromkeys(("CostPlan", "Marginal", "ShiftRules", "StaffingPlan", "marginal", "staff",
                     "staff_for_cost"), "simcall.staffing"),
}


def __getattr__(name: str) -> object:
    """Import a public name's wing on first use (``simcall.erlang`` is the wing itself)."""
    if name == "erlang":
        return importlib.import_module("simcall.erlang")
    if name in _WING_OF:
        value = getattr(importlib.import_module(_WING_OF[name]), name)
        globals()[name] = value  # once imported, an ordinary attribute
        return value
    raise AttributeError(f"module 'simcall' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _FrontDoor(ModuleType):
    """``simcall.fit`` is the function, not the wing of the same name.

    Importing a subpackage sets it as an attribute of its parent; when ``simcall.fit`` (the
    wing) is first imported after this module, that would replace the function. The
    property keeps the function and ignores the import system's assignment of the wing.
    """

    @property
    def fit(self) -> object:
        from simcall.fit.fitting import fit as fit_function

        return fit_function

    @fit.setter
    def fit(self, value: object) -> None:
        if not isinstance(value, ModuleType):
            raise AttributeError("simcall.fit is the fitting function; it cannot be replaced")


sys.modules[__name__].__class__ = _FrontDoor


__all__ = [
    "Arrival", "Comparison", "ConfidenceInterval", "CostPlan", "Estimate", "FitResult",
    "Marginal", "RunResult", "Scenario", "ScenarioError", "ShiftRules", "SimcallError",
    "StaffingPlan", "Summary", "SweepResult", "__version__", "compare", "erlang", "fit",
    "from_dict", "load", "loads", "marginal", "replicate", "simulate", "staff",
    "staff_for_cost", "sweep",
]
