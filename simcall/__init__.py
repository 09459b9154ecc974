"""simcall: a call-centre phone queue simulator checked against Erlang closed forms."""

from __future__ import annotations

from simcall.loader import load, loads
from simcall.scenario import Scenario

__version__ = "0.1.0"
__all__ = ["Scenario", "__version__", "load", "loads"]
