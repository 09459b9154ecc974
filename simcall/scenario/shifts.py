"""Shifts and breaks: the scenario keys of an agent group staffed by ``shifts``.

An agent group is staffed either by a head count per interval (``staff``) or by
``shifts``. This module holds the keys of a shift (:class:`Shift`, :class:`Break`)
and their checks against the scenario's opening time and horizon
(:func:`shift_problems`). Turning a plan into time (who is on duty when, breaks
and absences drawn) is the duty roster's job: :mod:`simcall.model.roster`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from simcall.errors import Problem
from simcall.scenario.durations import format_clock, parse_clock
from simcall.scenario.limits import MAX_STAFF
from simcall.scenario.units import Seconds, WholeNumber

DAY_S = 86_400.0
MAX_SHIFT_AGENTS = MAX_STAFF  # the same bound as one group's staff

Period = tuple[float, float]
"""``[start, end)`` in seconds after opening."""

_CLOCK = re.compile(r"\s*(\d{1,2}:\d{2}(?::\d{2})?)\s*(?:\+\s*(\d+)\s*d)?\s*")


@functools.lru_cache(maxsize=4096)
def clock_seconds(label: str) -> float:
    """``"08:30"`` -> seconds after midnight; ``"01:00+1d"`` is 1 am the next day.

    Cached: a shift of 100,000 agents asks for the same few labels once per agent."""
    match = _CLOCK.fullmatch(label)
    if match is None:
        raise ValueError(f"'{label}' is not a clock time: use \"HH:MM\", e.g. \"08:00\" "
                         '("00:00+1d" for midnight at the end of the day)')
    if match[1].split(":")[0] == "24":
        raise ValueError(f"'{label}' is not a valid clock time: write midnight at the end of "
                         'the day as "00:00+1d"')
    return parse_clock(match[1]) + DAY_S * int(match[2] or 0)


def _clock(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError(f'expected a clock time "HH:MM", e.g. "08:00", got {value!r}')
    clock_seconds(value)
    return value


Clock = Annotated[str, BeforeValidator(_clock)]
"""A clock label like the scenario's ``open``: ``"08:00"``, ``"08:00:30"``, ``"00:30+1d"``."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Break(_Section):
    """A break: at a fixed time, or starting at a random time so that it lies in a window."""

    at: Clock | None = None
    within: tuple[Clock, Clock] | None = None
    length: Seconds = Field(gt=0)

    @model_validator(mode="after")
    def _when(self) -> Break:
        if self.at is not None and self.within is not None:
            raise ValueError("give either 'at' (a fixed clock time) or 'within' (a window, "
                             'e.g. ["12:00", "14:00"]), not both')
        if self.at is None and self.within is None:
            raise ValueError("needs 'at' (a fixed clock time) or 'within' (a window the break "
                             'is drawn in, e.g. ["12:00", "14:00"])')
        if self.within is not None:
            low, high = (clock_seconds(t) for t in self.within)
            if high <= low:
                raise ValueError(f"within: the window must end after it starts, got "
                                 f"{list(self.within)}")
            if self.length > high - low:
                raise ValueError(f"the break ({self.length:g} s) is longer than its window "
                                 f"{list(self.within)} ({high - low:g} s): the whole break "
                                 "lies in the window")
        return self

    def window(self, open_s: float) -> Period:
        """The earliest start and the latest end of the break, in seconds after opening."""
        if self.at is not None:
            start = clock_seconds(self.at) - open_s
            return start, start + self.length
        low, high = (clock_seconds(t) - open_s for t in self.within)  # type: ignore[union-attr]
        return low, high


class Shift(_Section):
    """``agents`` agents on duty from ``start`` to ``end`` (clock labels), less their breaks."""

    start: Clock
    end: Clock
    agents: WholeNumber = Field(ge=1, le=MAX_SHIFT_AGENTS)
    breaks: tuple[Break, ...] = ()

    def period(self, open_s: float) -> Period:
        """The shift in seconds after opening."""
        return clock_seconds(self.start) - open_s, clock_seconds(self.end) - open_s


# -- checks against the scenario ----------------------------------------------------------


def shift_problems(
    groups: Sequence[Sequence[Shift] | None], open_label: str, horizon: float
) -> list[Problem]:
    """Shift and break times outside the day or outside their shift; fixed breaks overlapping.

    ``groups`` holds each agent group's shifts (``None`` for a group staffed by head
    count), in the order of ``[[agents]]``, so that key paths name the right group;
    ``open_label`` is the scenario's ``open`` and ``horizon`` the length of its day in
    seconds. Plain values rather than the scenario, so that this module need not know
    the scenario model (which uses :class:`Shift`).
    """
    problems: list[Problem] = []
    open_s = parse_clock(open_label)
    close = format_clock(open_s + horizon)

    def in_day(path: str, label: str) -> bool:
        t = clock_seconds(label) - open_s
        if t < 0:
            problems.append(Problem(path, f"{label} is before the centre opens "
                                          f"(open = \"{open_label}\")"))
        elif t > horizon + 1e-9:
            problems.append(Problem(path, f"{label} is after the last interval ends ({close})"))
        return 0 <= t <= horizon + 1e-9

    for g, shifts in enumerate(groups):
        for j, shift in enumerate(shifts or ()):
            path = f"agents[{g}].shifts[{j}]"
            in_day(f"{path}.start", shift.start)
            in_day(f"{path}.end", shift.end)
            start, end = shift.period(open_s)
            if end <= start:
                problems.append(Problem(f"{path}.end", f"the shift must end after it starts "
                                                       f"({shift.start}), got {shift.end}"))
                continue
            fixed: list[tuple[float, float, int]] = []
            for b, item in enumerate(shift.breaks):
                key = f"{path}.breaks[{b}].{'at' if item.at is not None else 'within'}"
                low, high = item.window(open_s)
                if low < start - 1e-9 or high > end + 1e-9:
                    what = (f"the break ({clock_label(open_s, low)} to "
                            f"{clock_label(open_s, high)})" if item.at is not None
                            else f"the window {list(item.within or ())}")
                    problems.append(Problem(key, f"{what} is not inside the shift "
                                                 f"({shift.start} to {shift.end})"))
                if item.at is not None:
                    fixed.append((low, high, b))
            fixed.sort()
            latest, before = -float("inf"), -1  # the latest end so far, and whose it is
            for low, high, b in fixed:
                if low < latest - 1e-9:
                    problems.append(Problem(
                        f"{path}.breaks[{b}].at",
                        f"the break ({clock_label(open_s, low)} to "
                        f"{clock_label(open_s, high)}) overlaps breaks[{before}] "
                        f"(until {clock_label(open_s, latest)})"))
                if high > latest:
                    latest, before = high, b
    return problems


def clock_label(open_s: float, t: float) -> str:
    """A time after opening as a clock label (``"08:30"``, ``"01:00+1d"``), with seconds
    when it has them (``"08:30:15"``): the form :func:`clock_seconds` reads back."""
    total = open_s + t
    label = format_clock(total)
    seconds = round(total) % 60
    if seconds:
        hours_minutes, _, day = label.partition("+")
        label = f"{hours_minutes}:{seconds:02d}" + (f"+{day}" if day else "")
    return label
