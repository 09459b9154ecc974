"""Provenance: what made a saved result, so that anyone can make it again.

Every file simcall saves carries the simcall version, the seed, the scenario
(and a hash of it) and the command or call that made it. The scenario hash
is taken over the validated scenario, so two files that differ only in
comments, spacing or units ("4min" or "240s") hash alike.
"""

from __future__ import annotations

import hashlib
import json
import platform
from datetime import UTC, datetime
from typing import Any

from simcall.scenario.schema import Scenario
from simcall.version import __version__


def scenario_data(scenario: Scenario) -> dict[str, Any]:
    """The scenario as the plain data of a scenario file (durations in seconds).

    Loading it again (:func:`simcall.from_dict`) gives an equal scenario; a
    test checks this for every ready scenario.
    """
    return scenario.model_dump(mode="json", exclude_none=True)


def scenario_hash(scenario: Scenario) -> str:
    """``sha256:`` and the hex digest of the scenario's canonical JSON."""
    text = json.dumps(scenario_data(scenario), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def api_call(function: str, **arguments: Any) -> str:
    """A Python call as text, e.g. ``simcall.sweep(scenario='helpdesk', replications=5)``."""
    shown = ", ".join(f"{name}={_show(value)}" for name, value in arguments.items())
    return f"simcall.{function}({shown})"


def _show(value: Any) -> str:
    if isinstance(value, Scenario):
        return repr(value.name)
    if isinstance(value, list | tuple) and value and all(isinstance(v, Scenario) for v in value):
        return repr([v.name for v in value])
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_show(v)}" for k, v in value.items()) + "}"
    return repr(value)


def provenance_block(scenario: Scenario, seed: int, command: str, **extra: Any) -> dict[str, Any]:
    """The provenance block saved with a result: simcall and Python versions, when, the
    command or call, the seed and the scenario's name and hash, plus ``extra``."""
    return {
        "simcall": __version__,
        "python": platform.python_version(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "seed": seed,
        "scenario": scenario.name,
        "scenario_sha256": scenario_hash(scenario),
        **extra,
    }
