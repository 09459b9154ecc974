"""The scenario wing: one call centre, read from TOML and validated once.

Everything a planner writes comes in here and leaves as a frozen, validated
:class:`Scenario`; no other wing reads a scenario file or checks a key.

=================  =================================================================
module             holds
=================  =================================================================
``schema``         the pydantic models (:class:`Scenario`, :class:`CallerType`,
                   :class:`Department`, :class:`AgentGroup`, :class:`Targets`) and
                   the cross-checks that need the whole centre
``references``     department names used in ``enters``, ``transfer`` and ``skills``,
                   checked on plain data so misspellings show with every other problem
``loader``         TOML in, a :class:`Scenario` or one ``ScenarioError`` with key
                   paths and lines out (:func:`load`, :func:`loads`,
                   :func:`from_dict`)
``overrides``      ``--set KEY=VALUE``: dotted keys into the scenario data
                   (:func:`apply_overrides`, :func:`assign`, :func:`parse_value`,
                   :class:`OverrideError`)
``distributions``  talk, wrap-up, patience and pickup distributions
                   (:data:`Distribution`)
``durations``      ``"45s"``, ``"4min"``, ``"2 rings"``, clock labels
                   (:func:`parse_duration`, :func:`parse_clock`, :func:`format_clock`)
``units``          pydantic field types for seconds, rates and counts
``plausible``      bare numbers too short for what they measure (``talk.mean = 4``:
                   four seconds), warned about at load (:class:`BareSecondsWarning`)
``limits``         the range of every numeric key (``MAX_STAFF``, ``MAX_RATE``, ...)
                   and the per-interval list check
``shifts``         the keys of shifts and breaks and their checks (:class:`Shift`,
                   :class:`Break`, :func:`clock_seconds`)
``toml_writer``    a scenario written back out as TOML (:func:`dumps`)
``toml_edit``      a scenario file's own text with some keys changed, its comments,
                   units and key order kept (:func:`edit_scenario_text`,
                   :data:`REMOVE` to delete a key)
=================  =================================================================

Imports: only the shared base (:mod:`simcall.errors`) from outside the wing.
"""

from __future__ import annotations

from simcall.scenario.distributions import Distribution
from simcall.scenario.durations import format_clock, parse_clock, parse_duration
from simcall.scenario.loader import from_dict, load, loads
from simcall.scenario.overrides import OverrideError, apply_overrides, assign, parse_value
from simcall.scenario.plausible import BareSecondsWarning
from simcall.scenario.schema import AgentGroup, CallerType, Department, Scenario, Targets
from simcall.scenario.shifts import Break, Shift, clock_seconds
from simcall.scenario.toml_edit import REMOVE, edit_scenario_text
from simcall.scenario.toml_writer import dumps

__all__ = [
    "REMOVE", "AgentGroup", "BareSecondsWarning", "Break", "CallerType", "Department",
    "Distribution",
    "OverrideError", "Scenario", "Shift", "Targets", "apply_overrides", "assign",
    "clock_seconds", "dumps", "edit_scenario_text", "format_clock", "from_dict", "load",
    "loads", "parse_clock", "parse_duration", "parse_value",
]
