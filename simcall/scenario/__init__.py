"""The scenario wing: one call centre, read from TOML and validated once.

Everything a planner writes comes in here and leaves as a frozen, validated
:class:`Scenario`; no other wing reads a scenario file or checks a key.

=====================  ==============================================================
module                 holds
=====================  ==============================================================
``schema``             the pydantic models (:class:`Scenario`, caller types,
                       departments, agent groups, targets) and the cross-checks
                       that need the whole centre
``loader``             TOML in, a :class:`Scenario` or one :class:`ScenarioError`
                       with key paths and lines out (:func:`load`, :func:`loads`,
                       :func:`from_dict`)
``overrides``          ``--set KEY=VALUE``: dotted keys into the scenario data
``distributions``      talk, wrap-up, patience and pickup distributions
``durations``          ``"45s"``, ``"4min"``, ``"2 rings"``, clock labels
``units``              pydantic field types for seconds, rates and counts
``shifts``             the scenario keys of shifts and breaks, and their checks
``toml_writer``        a scenario written back out as TOML
=====================  ==============================================================

Imports: only :mod:`simcall.errors` from outside the wing.
"""

from __future__ import annotations

from simcall.scenario.distributions import Distribution
from simcall.scenario.durations import format_clock, parse_clock, parse_duration
from simcall.scenario.loader import from_dict, load, loads
from simcall.scenario.overrides import OverrideError, apply_overrides, assign, parse_value
from simcall.scenario.schema import AgentGroup, CallerType, Department, Scenario, Targets
from simcall.scenario.shifts import Break, Shift, clock_seconds
from simcall.scenario.toml_writer import dumps

__all__ = [
    "AgentGroup", "Break", "CallerType", "Department", "Distribution", "OverrideError",
    "Scenario", "Shift", "Targets", "apply_overrides", "assign", "clock_seconds", "dumps",
    "format_clock", "from_dict", "load", "loads", "parse_clock", "parse_duration",
    "parse_value",
]
