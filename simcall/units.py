"""Pydantic field types for scenario quantities (seconds, rates, counts).

They are shared by the scenario model and the distributions, so that every
duration everywhere accepts the same spellings and reports the same errors.
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import BeforeValidator, ValidationInfo

from simcall.durations import parse_duration


def _seconds(value: object, info: ValidationInfo) -> float:
    ring = (info.context or {}).get("ring")
    return parse_duration(value, ring)


def _finite_non_negative(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    if isinstance(value, int | float) and (not math.isfinite(value) or value < 0):
        raise ValueError(f"must be a finite number >= 0, got {value!r}")
    return value


Seconds = Annotated[float, BeforeValidator(_seconds)]
"""A duration in seconds, written as a number or ``"4min"``, ``"2 rings"``..."""

NonNegative = Annotated[float, BeforeValidator(_finite_non_negative)]
"""A finite number >= 0 (rates, counts as floats)."""
