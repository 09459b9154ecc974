"""``--set KEY=VALUE``: change a scenario from the command line (or ``overrides=`` from
Python), then validate it.

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

From Python the same changes are ``simcall.load(path, overrides=...)``: a list of
``"KEY=VALUE"`` strings, or a dict ``{key: value}`` of Python values. An error names the
change as the caller wrote it: ``--set KEY=VALUE`` on the command line,
``overrides['KEY']`` or ``overrides 'KEY=VALUE'`` in Python (``named`` says which).
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
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


Overrides = Sequence[str] | Mapping[str, Any]
"""Changes to a scenario: ``"KEY=VALUE"`` strings (as ``--set`` takes them) or a mapping
of dotted keys to Python values."""

SET_OPTION = "--set"
"""How the command line names its overrides (what it passes as ``named``)."""


def apply_overrides(data: dict[str, Any], overrides: Overrides,
                    named: str = "overrides") -> dict[str, Any]:
    """A copy of ``data`` with every change applied in order.

    ``named`` is what the caller called the changes, for error messages: the Python
    argument (``overrides``) by default, :data:`SET_OPTION` from the command line.
    """
    result = copy.deepcopy(data)
    for where, key, value in changes(overrides, named):
        _assign(result, key, value, where)
    return result


def changes(overrides: Overrides, named: str = "overrides"
            ) -> Iterator[tuple[str, str, Any]]:
    """Each change as (how an error names it, dotted key, value)."""
    if isinstance(overrides, Mapping):
        for key, value in overrides.items():
            if not isinstance(key, str) or not key.strip():
                raise OverrideError(f"{named}[{key!r}]: a key is a dotted scenario key, "
                                    "e.g. 'callers.customers.arrivals_per_hour'")
            yield f"{named}[{key!r}]", key.strip(), value
        return
    if isinstance(overrides, str):  # one string would be taken letter by letter
        raise OverrideError(f"{named}={overrides!r}: give a list of 'KEY=VALUE' strings "
                            "or a dict {key: value}, not one string")
    for override in overrides:
        where = override_name(override, named)
        key, value = split_override(override, None if named == SET_OPTION else where)
        yield where, key, value


def override_name(override: str, named: str = SET_OPTION) -> str:
    """How an error names one ``KEY=VALUE`` change: ``--set KEY=VALUE`` as typed on the
    command line, ``overrides 'KEY=VALUE'`` (the string as written) in Python."""
    return f"{named} {override}" if named == SET_OPTION else f"{named} {override!r}"


def split_override(override: str, where: str | None = None) -> tuple[str, Any]:
    """``"KEY=VALUE"`` -> the dotted key and the value read as TOML (:func:`parse_value`);
    ``where`` names the change in the error (``--set 'KEY'`` by default)."""
    if not isinstance(override, str):
        raise OverrideError(f"{where or SET_OPTION}: {override!r} is not a 'KEY=VALUE' "
                            "string")
    key, separator, text = override.partition("=")
    if not separator or not key.strip():
        where = where if where is not None else f"{SET_OPTION} {override!r}"
        raise OverrideError(f"{where}: expected KEY=VALUE, "
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
