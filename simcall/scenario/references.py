"""Department names a scenario refers to, checked on plain data before the models exist.

A misspelt department in ``enters``, ``transfer``, ``resolution_desk`` or ``skills`` is
reported with its key path even when other fields are invalid, so that a planner sees every
problem at once (:func:`reference_problems`, called by the schema's cross-checks and the
loader).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from simcall.errors import Problem, did_you_mean


def _key(name: str) -> str:
    """A name as a path segment, quoted when it is not a plain word."""
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else f'"{name}"'


def reference_problems(data: Mapping[str, Any]) -> list[Problem]:
    """Department names used in ``enters``, ``transfer`` and ``skills`` that do not exist.

    Works on plain data (as read from TOML, or dumped from a validated
    scenario), so misspelt names are reported even when other fields are
    invalid: a planner sees every problem at once.
    """
    def entries(section: str) -> list[Mapping[str, Any]]:
        value = data.get(section)
        return [e for e in value if isinstance(e, Mapping)] if isinstance(value, list | tuple) \
            else []

    names = [d["name"] for d in entries("departments") if isinstance(d.get("name"), str)]
    known = set(names)
    problems: list[Problem] = []

    def check(path: str, name: object) -> None:
        if isinstance(name, str) and name not in known:
            problems.append(Problem(path, f"no department named '{name}'"
                                          f"{did_you_mean(name, names)}"))

    for index, caller in enumerate(entries("callers")):
        enters = caller.get("enters")
        if isinstance(enters, str):  # the same path as for the { name = 1.0 } it stands for
            check(f"callers[{index}].enters.{_key(enters)}", enters)
        elif isinstance(enters, Mapping):
            for name in enters:
                check(f"callers[{index}].enters.{_key(name)}", name)
    for index, department in enumerate(entries("departments")):
        transfer = department.get("transfer")
        if isinstance(transfer, Mapping):
            for name in transfer:
                check(f"departments[{index}].transfer.{_key(name)}", name)
        check(f"departments[{index}].resolution_desk", department.get("resolution_desk"))
    for index, group in enumerate(entries("agents")):
        skills = group.get("skills")
        if isinstance(skills, list | tuple):
            for position, name in enumerate(skills):
                check(f"agents[{index}].skills[{position}]", name)
    return problems
