"""Durations as planners write them: ``45``, ``"45s"``, ``"4min"``, ``"1.5h"``, ``"2 rings"``.

Everything inside simcall is in seconds. A duration in rings is a number of
ring cycles, so it can only be resolved once the scenario's ``ring`` is known;
the scenario loader passes it in.
"""

from __future__ import annotations

import math
import re

_UNITS: dict[str, float] = {
    "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
    "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0, "m": 60.0,
    "h": 3600.0, "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0, "hours": 3600.0,
}
_RING_UNITS = {"ring", "rings"}
_PATTERN = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([a-zA-Z]+)\s*$")

ALLOWED = '"45s", "4min", "1.5h", "2 rings" or a number of seconds'
MAX_DURATION_S = 10_000 * 3600.0
"""The longest duration anywhere in a scenario: 10,000 hours, as long as the longest horizon.
Times beyond it mean nothing in a call centre, and sums of such times (a talk of 1e308 s
ended at infinity) would leave finite arithmetic."""


def parse_duration(value: object, ring: float | None = None) -> float:
    """Convert a duration to seconds.

    Parameters
    ----------
    value
        A non-negative number of seconds or a string with a unit.
    ring
        The ring cycle in seconds, needed for ``"N rings"``.

    Raises
    ------
    ValueError
        With a message naming the value and the accepted forms.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a duration ({ALLOWED}), got {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        match = _PATTERN.match(value)
        if not match:
            raise ValueError(f"'{value}' is not a duration: use {ALLOWED}")
        number, unit = float(match.group(1)), match.group(2).lower()
        if unit in _RING_UNITS:
            if ring is None:
                raise ValueError(f"'{value}' is in rings, but the ring cycle is not known here")
            seconds = number * ring
        elif unit in _UNITS:
            seconds = number * _UNITS[unit]
        else:
            raise ValueError(f"'{value}' has unknown unit '{unit}': use s, min, h or rings")
    else:
        raise ValueError(f"expected a duration ({ALLOWED}), got {value!r}")
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"a duration must be finite and not negative, got {value!r}")
    if seconds > MAX_DURATION_S:
        raise ValueError(f"a duration must be at most {MAX_DURATION_S / 3600:,.0f} hours "
                         f"({MAX_DURATION_S:,.0f} s), got {value!r}")
    return seconds


def parse_clock(value: str) -> float:
    """Convert an ``"HH:MM"`` or ``"HH:MM:SS"`` clock label to seconds after midnight."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", value.strip())
    if not match:
        raise ValueError(f"'{value}' is not a clock time: use \"HH:MM\", e.g. \"08:00\"")
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    if hours > 23 or minutes > 59 or seconds > 59:
        raise ValueError(f"'{value}' is not a valid clock time: use \"HH:MM\" from 00:00 "
                         "to 23:59")
    return hours * 3600.0 + minutes * 60.0 + seconds


def format_clock(seconds_after_midnight: float) -> str:
    """Render seconds after midnight as ``"HH:MM"`` (days wrap; ``+1d`` marks the next day)."""
    total_minutes = math.floor(seconds_after_midnight / 60.0 + 1e-9)
    days, minutes = divmod(total_minutes, 24 * 60)
    label = f"{minutes // 60:02d}:{minutes % 60:02d}"
    return label if days == 0 else f"{label}+{days}d"
