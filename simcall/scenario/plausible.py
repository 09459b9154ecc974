"""Bare numbers that are seconds by the format but minutes by intent: warned about at load.

A duration written without a unit is seconds (SPEC.md), so ``talk = { dist =
"exponential", mean = 4 }`` is a four-second call. Meant as four minutes, it runs without
complaint: agents sit idle and every target is met. Nothing is wrong with the file, so it
is no error; but some quantities are never that short in a call centre, and a bare number
below the least plausible value of what it measures is said aloud once, at load, naming
the key and the unit that was probably meant.

The rule (docs/scenario-reference.md, "Bare numbers"): a warning when every duration of
the quantity is a bare number (no unit anywhere in it: a value written with a unit is
never warned about) and its typical value (the mean, the deterministic value, the middle
of a uniform, the average of empirical values) is above 0 and below :data:`LEAST`. Zero
is taken as meant (no wrap-up). Writing the unit (``"4s"`` or ``"4min"``) silences it.

How it reaches the planner: :func:`simcall.scenario.loader.loads` (and so ``load``, with
any ``--set`` changes) issues each as a :class:`BareSecondsWarning` with
:func:`warnings.warn` (Python's default filters show it once per message); the command line
prints it on stderr as one ``warning:`` line. ``from_dict`` does not check: a dictionary
may be a scenario dumped in seconds, its units gone.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final, TypeGuard

from simcall.errors import Problem, SimcallWarning


class BareSecondsWarning(SimcallWarning):
    """A duration written as a bare number (seconds) too short for what it measures."""


LEAST: Final[dict[str, tuple[str, float]]] = {
    # key: (what it measures, the least plausible seconds)
    "interval": ("a staffing interval", 300.0),  # 15, 30 or 60 minutes in practice
    "talk": ("a talk time", 15.0),  # a conversation with an agent: a minute or more
    "handle": ("an average handle time", 15.0),  # talk + wrap-up (simcall erlang --aht)
    "wrap_up": ("a wrap-up", 5.0),  # after-call work: more than a key press
    "patience": ("a caller's patience", 15.0),  # callers wait a ring or two at the least
    "ivr": ("a voice menu", 5.0),  # one prompt takes longer to say
    "redial": ("a redial delay", 10.0),  # hanging up and dialling again
    "callback": ("a voicemail callback delay", 60.0),  # someone listens first
    "break": ("a break", 60.0),  # breaks are minutes long
}
"""What each checked key measures and the least number of seconds plausible for it."""

_PARAMETERS: Final = ("mean", "value", "low", "high", "values")


def is_bare(value: object) -> TypeGuard[int | float]:
    """A number without a unit (TOML integer or float), never a boolean."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def bare_seconds_message(value: float, measure: str, minutes: str, seconds: str,
                         given: str = "") -> str | None:
    """The warning for a bare ``value`` of ``measure`` (a :data:`LEAST` key), or None.

    ``minutes`` and ``seconds`` say what to write instead, e.g. ``"4min"`` and ``"4s"``
    (or ``--aht 4min`` and ``--aht 4s`` on the command line); ``given`` names several
    numbers averaged into ``value`` ("the values", "low and high"), if so.
    """
    what, least = LEAST[measure]
    if not 0.0 < value < least:
        return None
    said = (f"{given} have no unit and average {value:g} seconds" if given
            else f"{value:g} has no unit, so it is {value:g} seconds")
    return (f"{said}: short for {what} (under {least:g} s); if minutes were meant write "
            f"{minutes}; a unit ({seconds}) keeps seconds and silences this")


def bare_seconds_problems(data: Mapping[str, Any]) -> list[Problem]:
    """Every bare duration in the scenario ``data`` (as read from TOML) that is too short
    for what it measures, as a key path and a message (no line: the loader finds it)."""
    problems = []
    for path, measure, typical, several in _durations(data):
        minutes, seconds = f'"{typical:g}min"', f'"{typical:g}s"'
        if several:
            minutes, seconds = f"each value with its unit (e.g. {minutes})", f"e.g. {seconds}"
        given = {"values": "the values", "range": "low and high"}.get(several, "")
        message = bare_seconds_message(typical, measure, minutes, seconds, given)
        if message is not None:
            problems.append(Problem(_format(path), message))
    return problems


def warn_bare_seconds(problems: list[Problem], source: str, file: str | None = None) -> None:
    """Issue each problem as a :class:`BareSecondsWarning`, attributed to the first caller
    outside simcall (the script that loaded the scenario).

    ``source`` names the scenario in the message (a file, perhaps "with --set ...");
    ``file`` the file itself, so that variants of one file share a warning.
    """
    for problem in problems:
        once = f"{file or source}: {problem}"
        warnings.warn(BareSecondsWarning(f"{source}: {problem}", once), stacklevel=_outside())


def _outside() -> int:
    """The ``stacklevel`` of the first frame outside simcall, seen from the caller."""
    frame, level = sys._getframe(2), 2
    while frame.f_back is not None and str(frame.f_globals.get("__name__", "")).split(
            ".")[0] == "simcall":
        frame, level = frame.f_back, level + 1
    return level


Found = tuple[list[Any], str, float, str]
"""A bare duration: its key path, its measure (a :data:`LEAST` key), its typical seconds,
and how it was given: ``""`` one number, ``"values"`` empirical values, ``"range"`` a
uniform's low and high."""


def _durations(data: Mapping[str, Any]) -> Iterator[Found]:
    """Each checked key whose durations are all bare numbers."""
    interval = data.get("interval")
    if is_bare(interval):
        yield ["interval"], "interval", float(interval), ""
    callback = data.get("voicemail_callback")
    if isinstance(callback, Mapping):
        yield from _distribution(["voicemail_callback", "delay"], "callback",
                                 callback.get("delay"))
    for n, caller in _entries(data, "callers"):
        yield from _distribution(["callers", n, "patience"], "patience", caller.get("patience"))
        yield from _distribution(["callers", n, "talk"], "talk", caller.get("talk"))
        for section, measure in (("ivr", "ivr"), ("redial", "redial")):
            part = caller.get(section)
            if isinstance(part, Mapping):
                key = "time" if section == "ivr" else "delay"
                yield from _distribution(["callers", n, section, key], measure, part.get(key))
    for n, department in _entries(data, "departments"):
        yield from _distribution(["departments", n, "talk"], "talk", department.get("talk"))
        yield from _distribution(["departments", n, "wrap_up"], "wrap_up",
                                 department.get("wrap_up"))
    for n, group in _entries(data, "agents"):
        shifts = group.get("shifts")
        for s, shift in enumerate(shifts if isinstance(shifts, list) else []):
            breaks = shift.get("breaks") if isinstance(shift, Mapping) else None
            for b, pause in enumerate(breaks if isinstance(breaks, list) else []):
                length = pause.get("length") if isinstance(pause, Mapping) else None
                if is_bare(length):
                    yield (["agents", n, "shifts", s, "breaks", b, "length"], "break",
                           float(length), "")


def _entries(data: Mapping[str, Any], section: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    entries = data.get(section)
    for n, entry in enumerate(entries if isinstance(entries, Sequence) else []):
        if isinstance(entry, Mapping):
            yield n, entry


def _distribution(path: list[Any], measure: str, spec: Any) -> Iterator[Found]:
    """A distribution's typical value, when all its durations are bare numbers."""
    if not isinstance(spec, Mapping):
        return
    given = {key: spec[key] for key in _PARAMETERS if key in spec}
    numbers = [v for value in given.values()
               for v in (value if isinstance(value, list) else [value])]
    if not given or not numbers or not all(is_bare(v) for v in numbers):
        return
    if "mean" in given or "value" in given:
        key = "mean" if "mean" in given else "value"
        yield [*path, key], measure, float(given[key]), ""
    elif "values" in given:
        yield [*path, "values"], measure, sum(numbers) / len(numbers), "values"
    elif "low" in given and "high" in given:
        yield path, measure, (float(given["low"]) + float(given["high"])) / 2, "range"


def _format(path: list[Any]) -> str:
    """``["departments", 1, "talk"]`` -> ``departments[1].talk``, as errors name keys."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
