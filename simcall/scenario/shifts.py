"""Shifts, breaks and shrinkage: an agent group's staffing plan, turned into time.

An agent group is staffed either by a head count per interval (``staff``) or by
``shifts``; either way ``shrinkage`` takes a share of the scheduled agent time
away at random (unplanned absence). This module holds the scenario keys for
shifts (:class:`Shift`, :class:`Break`), their checks against the scenario's
opening time and horizon (:func:`shift_problems`), and the pure functions that
turn a plan into time before the run:

* :func:`scheduled_periods` -- the plan itself: one ``[start, end)`` period per
  scheduled agent spell (shifts: the whole shift, breaks included), from which
  the ``scheduled_agents`` KPI is measured;
* :func:`present_counts` -- for ``staff`` lists: how many of the scheduled
  agents are present in each interval once absences are drawn;
* :func:`slot_periods` -- for ``shifts``: the on-duty periods of each agent
  (one *slot* per agent of each shift), that is its shift less its breaks and
  its absences.

Every time here is in seconds after opening (t = 0 at ``open``). Random draws
come from the agent group's own "breaks" stream (see :mod:`simcall.model.streams`),
split so that they stay aligned across scenarios compared with the same seed:
the window breaks of shift *j* come from that shift's own child stream, one row
of draws per agent, and the absences of interval *k* from that interval's own
child stream, one draw per agent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from simcall.errors import Problem
from simcall.scenario.durations import format_clock, parse_clock
from simcall.scenario.units import Seconds, WholeNumber

if TYPE_CHECKING:
    from simcall.scenario.schema import AgentGroup, Scenario

DAY_S = 86_400.0
MAX_SHIFT_AGENTS = 100_000  # the same bound as one group's staff (scenario.MAX_STAFF)

Period = tuple[float, float]
"""``[start, end)`` in seconds after opening."""

_CLOCK = re.compile(r"\s*(\d{1,2}:\d{2}(?::\d{2})?)\s*(?:\+\s*(\d+)\s*d)?\s*")


def clock_seconds(label: str) -> float:
    """``"08:30"`` -> seconds after midnight; ``"01:00+1d"`` is 1 am the next day."""
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


def shift_problems(scenario: Scenario) -> list[Problem]:
    """Shift and break times outside the day or outside their shift; fixed breaks overlapping."""
    problems: list[Problem] = []
    open_s, horizon = scenario.open_s, scenario.horizon
    close = format_clock(open_s + horizon)

    def in_day(path: str, label: str) -> bool:
        t = clock_seconds(label) - open_s
        if t < 0:
            problems.append(Problem(path, f"{label} is before the centre opens "
                                          f"(open = \"{scenario.open}\")"))
        elif t > horizon + 1e-9:
            problems.append(Problem(path, f"{label} is after the last interval ends ({close})"))
        return 0 <= t <= horizon + 1e-9

    for g, group in enumerate(scenario.agents):
        for j, shift in enumerate(group.shifts or ()):
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
                    what = (f"the break ({_clock_label(open_s, low)} to "
                            f"{_clock_label(open_s, high)})" if item.at is not None
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
                        f"the break ({_clock_label(open_s, low)} to "
                        f"{_clock_label(open_s, high)}) overlaps breaks[{before}] "
                        f"(until {_clock_label(open_s, latest)})"))
                if high > latest:
                    latest, before = high, b
    return problems


def _clock_label(open_s: float, t: float) -> str:
    """A time after opening as a clock label, with seconds when it has them."""
    total = open_s + t
    label = format_clock(total)
    seconds = round(total) % 60
    if seconds:
        hours_minutes, _, day = label.partition("+")
        label = f"{hours_minutes}:{seconds:02d}" + (f"+{day}" if day else "")
    return label


# -- the plan in time -------------------------------------------------------------------


def scheduled_periods(group: AgentGroup, scenario: Scenario) -> list[Period]:
    """One ``[start, end)`` period per scheduled agent spell, in ``[0, horizon]``.

    ``staff`` lists: agent *i* is scheduled while the head count is above *i*
    (consecutive intervals make one period). ``shifts``: each agent of a shift
    is scheduled for the whole shift, breaks included (breaks, like absences,
    are part of the gap between scheduled and staffed agents).
    """
    if group.shifts is not None:
        out: list[Period] = []
        for shift in group.shifts:
            out += [shift.period(scenario.open_s)] * shift.agents
        return out
    plan = scenario.per_interval(group.staff or (0,)).astype(int).tolist()
    interval = scenario.interval
    opened: list[float] = []  # start of the spell of scheduled agent i (a stack)
    periods: list[Period] = []
    for k, count in enumerate([*plan, 0]):
        now = k * interval
        while len(opened) > count:
            periods.append((opened.pop(), now))
        opened += [now] * (count - len(opened))
    return sorted(periods)


def present_counts(plan: Sequence[int], shrinkage: float,
                   absences: np.random.Generator) -> list[int]:
    """Agents present per interval: each scheduled agent is absent with probability
    ``shrinkage`` for the interval, drawn anew every interval.

    Interval *k* draws from its own child of ``absences`` (one uniform per
    scheduled agent, in order), so agent *i* of interval *k* gets the same number
    whatever the plan: more staff or less shrinkage never means fewer present.
    """
    if shrinkage <= 0.0:
        return [int(n) for n in plan]
    counts = []
    for n in plan:
        (child,) = absences.spawn(1)
        counts.append(int(np.count_nonzero(child.random(int(n)) >= shrinkage)))
    return counts


def slot_periods(group: AgentGroup, scenario: Scenario,
                 rng: np.random.Generator) -> list[list[Period]]:
    """On-duty periods of each agent of a shift group, in shift order, within ``[0, horizon]``.

    An agent is on duty during its shift, except during its breaks (a break with
    a window starts at a uniform time such that it lies in the window; breaks that
    happen to overlap merge) and in intervals it is absent (probability
    ``shrinkage`` per interval it is on shift). ``rng`` is the group's "breaks"
    stream: its first child draws the breaks, its second the absences.
    """
    assert group.shifts is not None
    break_rng, absence_rng = rng.spawn(2)
    open_s = scenario.open_s
    shifts: list[Period] = []
    offs: list[list[Period]] = []
    for shift, shift_rng in zip(group.shifts, break_rng.spawn(len(group.shifts)), strict=True):
        start, end = shift.period(open_s)
        fixed = [b.window(open_s) for b in shift.breaks if b.at is not None]
        drawn = [b for b in shift.breaks if b.within is not None]
        draws = shift_rng.random((shift.agents, len(drawn)))
        for agent in range(shift.agents):
            own = list(fixed)
            for item, u in zip(drawn, draws[agent].tolist(), strict=True):
                low, high = item.window(open_s)
                begin = low + u * (high - low - item.length)
                own.append((begin, begin + item.length))
            shifts.append((start, end))
            offs.append(own)
    if group.shrinkage > 0.0 and shifts:
        starts = np.array([s for s, _ in shifts])
        ends = np.array([e for _, e in shifts])
        interval = scenario.interval
        for k in range(scenario.intervals):
            (child,) = absence_rng.spawn(1)
            low, high = k * interval, (k + 1) * interval
            absent = (child.random(len(shifts)) < group.shrinkage) & (starts < high) & (ends > low)
            for slot in np.flatnonzero(absent).tolist():
                offs[slot].append((max(low, shifts[slot][0]), min(high, shifts[slot][1])))
    return [subtract(start, end, off) for (start, end), off in zip(shifts, offs, strict=True)]


def subtract(start: float, end: float, off: Sequence[Period]) -> list[Period]:
    """``[start, end)`` less the union of the ``off`` periods, as sorted disjoint periods."""
    pieces: list[Period] = []
    cursor = start
    for low, high in sorted(off):
        if high <= cursor or low >= end or high <= low:
            continue
        if low > cursor:
            pieces.append((cursor, low))
        cursor = high
    if cursor < end:
        pieces.append((cursor, end))
    return pieces
