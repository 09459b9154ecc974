"""A roster of shifts: the answer of :func:`~simcall.staffing.rostering.plan_shifts`.

Why a module of its own: the result is what the rest of simcall uses (a scenario's
``shifts`` list, a table), and its conversion to the scenario is checked here
against the engine's own reading of shifts (:mod:`simcall.model.roster`), so that
the roster a planner runs is the roster that was solved, proven rather than assumed.

Times are seconds after opening, as in the engine; ``opening`` gives the clock
labels (``"08:00"``, ``"00:30+1d"`` past midnight).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simcall.errors import SimcallError, needs_pandas
from simcall.model.roster import scheduled_periods, slot_periods
from simcall.scenario.durations import parse_clock
from simcall.scenario.loader import from_dict
from simcall.scenario.shifts import clock_label

Period = tuple[float, float]
"""``[start, end)`` in seconds after opening."""


class RosteringError(SimcallError):
    """A roster cannot be planned as asked (a bad input, a requirement nothing covers),
    or its shifts do not read back as planned."""


@dataclass(frozen=True)
class RosterShift:
    """``count`` agents working ``length`` seconds from ``start``, less one break (if any).

    Attributes
    ----------
    start, length
        Seconds after opening, and the shift's length in seconds (paid in full).
    break_start, break_length
        When the break starts (seconds after opening; ``None``: no break) and how
        long it is (0 without one). The agent is off duty during it.
    count
        How many agents work this shift.
    """

    start: float
    length: float
    break_start: float | None
    break_length: float
    count: int

    @property
    def end(self) -> float:
        """When the shift ends, in seconds after opening."""
        return self.start + self.length

    def on_duty(self) -> list[Period]:
        """The periods an agent of this shift is on duty: the shift less its break."""
        if self.break_start is None:
            return [(self.start, self.end)]
        return [(self.start, self.break_start),
                (self.break_start + self.break_length, self.end)]


@dataclass(frozen=True)
class ShiftRoster:
    """The cheapest shifts found for a requirement per interval.

    Attributes
    ----------
    shifts
        The chosen shifts (each with its count), by start, then length, then break.
    requirement
        Agents needed on duty in each interval, as given.
    coverage
        Agents on duty and not on break in each interval (a break covering part
        of an interval takes that share of an agent), at least the requirement.
    interval
        The interval length in seconds.
    opening
        The clock label of opening.
    cost_per_hour
        Paid per scheduled hour.
    """

    shifts: tuple[RosterShift, ...]
    requirement: tuple[int, ...]
    coverage: tuple[float, ...]
    interval: float
    opening: str
    cost_per_hour: float

    @property
    def paid_hours(self) -> float:
        """Scheduled hours paid: every agent's whole shift, breaks included."""
        return sum(s.count * s.length for s in self.shifts) / 3600.0

    @property
    def cost(self) -> float:
        """``paid_hours`` x ``cost_per_hour``."""
        return self.paid_hours * self.cost_per_hour

    @property
    def agents(self) -> int:
        """How many agents work in all (one shift each)."""
        return sum(s.count for s in self.shifts)

    @property
    def labels(self) -> tuple[str, ...]:
        """The clock label of each interval's start."""
        open_s = parse_clock(self.opening)
        return tuple(clock_label(open_s, k * self.interval)
                     for k in range(len(self.requirement)))

    def to_shifts(self) -> list[dict[str, Any]]:
        """The roster as a scenario agent group's ``shifts`` list.

        Clock labels as the scenario writes them (``"+1d"`` past midnight); the
        solver placed each break, so it is a fixed ``at`` break. Shifts that read
        the same (start, end, break) are merged into one entry.
        """
        open_s = parse_clock(self.opening)
        merged: dict[tuple[float, float, float | None, float], int] = {}
        for s in self.shifts:
            key = (s.start, s.end, s.break_start, s.break_length)
            merged[key] = merged.get(key, 0) + s.count
        out: list[dict[str, Any]] = []
        for (start, end, at, length), agents in merged.items():
            entry: dict[str, Any] = {"start": clock_label(open_s, start),
                                     "end": clock_label(open_s, end), "agents": agents}
            if at is not None:
                entry["breaks"] = [{"at": clock_label(open_s, at),
                                    "length": duration_label(length)}]
            out.append(entry)
        return out

    def to_frame(self) -> Any:
        """One row per chosen shift, as a pandas DataFrame (needs ``simcall[pandas]``)."""
        with needs_pandas("ShiftRoster.to_frame()"):
            import pandas as pd
        open_s = parse_clock(self.opening)
        return pd.DataFrame({
            "start": [clock_label(open_s, s.start) for s in self.shifts],
            "end": [clock_label(open_s, s.end) for s in self.shifts],
            "hours": [s.length / 3600.0 for s in self.shifts],
            "break_at": [None if s.break_start is None else clock_label(open_s, s.break_start)
                         for s in self.shifts],
            "break_min": [s.break_length / 60.0 for s in self.shifts],
            "agents": [s.count for s in self.shifts],
            "paid_hours": [s.count * s.length / 3600.0 for s in self.shifts],
            "cost": [s.count * s.length / 3600.0 * self.cost_per_hour for s in self.shifts],
        })

    def verify(self) -> None:
        """Check that :meth:`to_shifts`, read back by the engine, is this roster.

        The shifts go through the scenario's validation and the duty roster's
        functions (:func:`~simcall.model.roster.slot_periods` for on-duty time,
        :func:`~simcall.model.roster.scheduled_periods` for paid time); their
        coverage per interval and their paid hours must equal the roster's.

        Raises
        ------
        RosteringError
            Naming the first interval whose coverage differs, or the paid hours.
        """
        coverage, paid = _through_the_model(self.to_shifts(), self.interval,
                                            len(self.requirement), self.opening)
        for k, (mine, read) in enumerate(zip(self.coverage, coverage, strict=True)):
            if abs(mine - read) > 1e-9:
                raise RosteringError(f"the shifts read back by the engine cover interval "
                                     f"{self.labels[k]} with {read:g} agents, the roster with "
                                     f"{mine:g}")
        if abs(paid / 3600.0 - self.paid_hours) > 1e-9:
            raise RosteringError(f"the shifts read back by the engine are paid for "
                                 f"{paid / 3600.0:g} h, the roster for {self.paid_hours:g} h")


def shifts_coverage(shifts: Sequence[Mapping[str, Any]], *, interval: float, intervals: int,
                    opening: str) -> tuple[float, ...]:
    """Agents on duty and not on break per interval, as the engine reads ``shifts``.

    ``shifts`` is a scenario agent group's ``shifts`` list; it is validated as a
    scenario (a day of ``intervals`` x ``interval`` seconds from ``opening``), and
    its agents' on-duty periods come from :func:`simcall.model.roster.slot_periods`.
    A break with a ``within`` window is drawn at random (a fixed seed), so its
    coverage is one draw; fixed ``at`` breaks are exact.
    """
    return _through_the_model(shifts, interval, intervals, opening)[0]


def _through_the_model(shifts: Sequence[Mapping[str, Any]], interval: float, intervals: int,
                       opening: str) -> tuple[tuple[float, ...], float]:
    """Coverage per interval and paid seconds of ``shifts``, read by the engine."""
    if not shifts:  # a scenario group needs at least one shift; nobody works
        return (0.0,) * intervals, 0.0
    scenario = from_dict({
        "name": "roster", "interval": interval, "intervals": intervals, "open": opening,
        "callers": [{"name": "nobody", "arrivals_per_hour": 0, "enters": "work"}],
        "departments": [{"name": "work", "talk": {"dist": "deterministic", "value": 60}}],
        "agents": [{"name": "rostered", "skills": ["work"], "shifts": list(shifts)}],
    }, source="roster shifts")
    group = scenario.agents[0]
    slots = slot_periods(group, scenario, np.random.default_rng(0))
    coverage = interval_shares([p for slot in slots for p in slot], interval, intervals)
    paid = sum(end - start for start, end in scheduled_periods(group, scenario))
    return coverage, paid


def interval_shares(periods: Sequence[Period], interval: float,
                    intervals: int) -> tuple[float, ...]:
    """Per interval, the agents the ``periods`` keep there: each period counts for the
    share of the interval it overlaps (half an interval on duty is half an agent)."""
    shares = [0.0] * intervals
    for low, high in periods:
        first = max(math.floor(low / interval + 1e-9), 0)
        last = min(math.ceil(high / interval - 1e-9), intervals)
        for k in range(first, last):
            overlap = min(high, (k + 1) * interval) - max(low, k * interval)
            shares[k] += max(overlap, 0.0) / interval
    return tuple(shares)


def duration_label(seconds: float) -> str:
    """A break length as the scenario writes durations: ``"30min"``, or ``"45s"``."""
    return f"{seconds / 60:g}min" if seconds % 60 == 0 else f"{seconds:g}s"
