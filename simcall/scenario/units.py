"""Pydantic field types for scenario quantities (seconds, rates, counts).

They are shared by the scenario model and the distributions, so that every
duration everywhere accepts the same spellings and reports the same errors.
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import BeforeValidator, Field, ValidationInfo

from simcall.scenario.durations import MAX_DURATION_S, parse_duration


def _seconds(value: object, info: ValidationInfo) -> float:
    ring = (info.context or {}).get("ring")
    return parse_duration(value, ring)


def _number(value: object) -> object:
    """A real number, never a string or a boolean (no silent "0.8" -> 0.8)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"must be a finite number, got {value!r}")
    return value


def _finite_non_negative(value: object) -> object:
    _number(value)
    if value < 0:  # type: ignore[operator]
        raise ValueError(f"must be a finite number >= 0, got {value!r}")
    return value


def _whole_number(value: object) -> object:
    """An integer (``16`` or ``16.0``), never ``"16"``, ``True`` or ``16.5``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or (
            isinstance(value, float) and not value.is_integer()):
        raise ValueError(f"expected a whole number, got {value!r}")
    return int(value)


Seconds = Annotated[float, BeforeValidator(_seconds), Field(ge=0.0, le=MAX_DURATION_S)]
"""A duration in seconds, written as a number or ``"4min"``, ``"2 rings"``..., from 0 to
:data:`~simcall.scenario.durations.MAX_DURATION_S` (checked by the parser, with its message;
the bounds are declared too, so that the range is visible to the schema)."""

NonNegative = Annotated[float, BeforeValidator(_finite_non_negative), Field(ge=0.0)]
"""A finite number >= 0 (rates, counts as floats); the upper bound is added where it is used."""

Number = Annotated[float, BeforeValidator(_number)]
"""A finite number (range constraints are added where it is used)."""

WholeNumber = Annotated[int, BeforeValidator(_whole_number)]
"""A whole number (range constraints are added where it is used)."""
