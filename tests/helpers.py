"""Shared test helpers: small scenarios built from dictionaries."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import simcall

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"

BASE: dict[str, Any] = {
    "name": "tiny",
    "interval": "1h",
    "intervals": 1,
    "ring": "6s",
    "callers": [{"name": "customers", "arrivals_per_hour": 60, "enters": "support"}],
    "departments": [{"name": "support", "talk": {"dist": "deterministic", "value": 100}}],
    "agents": [{"name": "team", "skills": ["support"], "staff": 1}],
}


def scenario_from(**changes: Any) -> simcall.Scenario:
    """The tiny base scenario with top-level keys replaced."""
    data = copy.deepcopy(BASE)
    data.update(changes)
    return simcall.from_dict(data)
