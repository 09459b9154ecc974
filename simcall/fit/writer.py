"""The fitted scenario as TOML, each figure preceded by a comment saying where it came from."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

from simcall.scenario.toml_writer import dumps


def _comment(text: str | None) -> list[str]:
    if not text:
        return []
    return [f"# {line}" for line in textwrap.wrap(text, 96)]


def _inline(value: Any) -> str:
    """A value on one line: tables as inline tables, numpy numbers as plain ones."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_inline(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    return dumps({"v": value}).strip().removeprefix("v = ")


def _key(key: str) -> str:
    return dumps({key: 0}).strip().removesuffix(" = 0")


def _line(key: str, value: Any) -> str:
    return f"{_key(key)} = {_inline(value)}"


def scenario_toml(data: Mapping[str, Any], notes: Mapping[str, str],
                  extended: bool = True) -> str:
    """TOML text of scenario ``data`` with a comment above every figure, from ``notes``
    (key path -> where the figure came from; ``""``: the header)."""
    lines: list[str] = []
    for line in notes.get("", "").splitlines():
        lines += _comment(line)
    if not extended:
        lines += _comment("written without the caller-type talk, priority_credit and "
                          "not_ready keys: the departments' pooled talk stands in")
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            continue
        lines += _comment(notes.get(key))
        lines.append(_line(key, value))
    for section in ("callers", "departments", "agents"):
        for index, entry in enumerate(data.get(section, [])):
            lines += ["", f"[[{section}]]"]
            for key, value in entry.items():
                lines += _comment(notes.get(f"{section}[{index}].{key}"))
                lines.append(_line(key, value))
    return "\n".join(lines) + "\n"
