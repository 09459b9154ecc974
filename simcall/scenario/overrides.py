"""``--set KEY=VALUE``: change a scenario from the command line, then validate it.

Keys are dotted paths into the scenario file; entries of ``[[callers]]``,
``[[departments]]`` and ``[[agents]]`` are addressed by their ``name``::

    callers.customers.arrivals_per_hour=150
    "agents.support team.staff=[8, 9, 10, 10]"
    targets.service_level.within="3 rings"

An entry may also be addressed by its position (``departments.0.talk``).
The value is read as a TOML value (numbers, strings in quotes, lists,
inline tables); a value that is not valid TOML is taken as a plain string,
so ``open=09:00`` works without quotes. The changed scenario is validated
exactly like a file.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable, Iterable
from typing import Any

from simcall.errors import SimcallError, did_you_mean


class OverrideError(SimcallError):
    """A change of a scenario key that cannot be made: a ``--set``, a sweep's key or an edit
    of a file (:mod:`simcall.scenario.toml_edit`) with bad syntax or a path to nothing."""


def parse_value(text: str) -> Any:
    """A TOML value, or the text itself when it is not one."""
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text.strip()


def apply_overrides(data: dict[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    """A copy of ``data`` with every ``KEY=VALUE`` applied in order."""
    result = copy.deepcopy(data)
    for override in overrides:
        key, value = split_override(override)
        _assign(result, key, value, f"--set {override}")
    return result


def split_override(override: str) -> tuple[str, Any]:
    """``"KEY=VALUE"`` -> the dotted key and the value read as TOML (:func:`parse_value`)."""
    key, separator, text = override.partition("=")
    if not separator or not key.strip():
        raise OverrideError(f"--set {override!r}: expected KEY=VALUE, "
                            "e.g. callers.customers.arrivals_per_hour=150")
    return key.strip(), parse_value(text)


def assign(data: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """A copy of ``data`` with the dotted ``key`` set to a Python value (sweeps)."""
    result = copy.deepcopy(data)
    _assign(result, key, value, f"vary {key}")
    return result


def _assign(data: dict[str, Any], key: str, value: Any, where: str) -> None:
    node, last = table_of(data, key, where)
    node[last] = value


def table_of(data: dict[str, Any], key: str, where: str,
           new_table: Callable[[], Any] | None = dict) -> tuple[Any, str]:
    """The table that holds the dotted ``key``'s last part, and that part.

    Entries of a list are found by name (or position), as everywhere in this
    module. A missing table on the way is made with ``new_table`` (``--set``
    may add a table, e.g. ``targets.max_asa``: validation judges it), or is an
    error when ``new_table`` is ``None`` (removing a key that is not there).
    ``data`` may be any nest of mappings and lists, e.g. a tomlkit document,
    so that an edit of a file addresses keys exactly as ``--set`` does.
    ``where`` starts every error message (the option or key being applied).
    """
    parts = key.split(".")
    node: Any = data
    walked: list[str] = []
    position = 0
    while position < len(parts) - 1:
        part = parts[position]
        if isinstance(node, list):
            node, used = _entry_by_name(node, parts, position, walked, where)
            walked.append(".".join(parts[position:position + used]))
            position += used
            continue
        if not isinstance(node, dict):
            raise OverrideError(f"{where}: '{'.'.join(walked)}' is a value, "
                                "not a table; nothing is below it")
        if part not in node:
            if new_table is None:
                raise OverrideError(f"{where}: no '{part}' in "
                                    f"'{'.'.join(walked) or 'the scenario'}'"
                                    f"{did_you_mean(part, map(str, node))}")
            node[part] = new_table()
        node = node[part]
        walked.append(part)
        position += 1
    if isinstance(node, list):
        raise OverrideError(f"{where}: '{'.'.join(walked)}' is a list of entries; "
                            "name one, e.g. callers.customers.arrivals_per_hour=150")
    if not isinstance(node, dict):
        raise OverrideError(f"{where}: '{'.'.join(walked)}' is a value, not a table")
    return node, parts[-1]


def _entry_by_name(entries: list[Any], parts: list[str], position: int, walked: list[str],
                   where: str) -> tuple[Any, int]:
    """The entry whose name is the next part (names may contain dots); parts used."""
    names = [str(e.get("name")) for e in entries if isinstance(e, dict)]
    if parts[position].isdigit() and parts[position] not in names:
        index = int(parts[position])
        if index < len(entries):
            return entries[index], 1
    for used in range(len(parts) - position - 1, 0, -1):
        name = ".".join(parts[position:position + used])
        for entry in entries:
            if isinstance(entry, dict) and entry.get("name") == name:
                return entry, used
    section = ".".join(walked)
    wanted = parts[position]
    raise OverrideError(
        f"{where}: no {section} entry named '{wanted}'{did_you_mean(wanted, names)}; "
        f"{section} has: {', '.join(repr(n) for n in names)}"
    )
