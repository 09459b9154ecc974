"""Shift rules: which shifts a roster may use, and the roster of a requirement.

Why a module of its own: ``simcall staff --shifts 8h,6h,4h --starts-every 30min
--break "30min within 3h..5h" --cost-per-hour 20`` and ``simcall.staff(...,
shifts=ShiftRules.parse("8h,6h,4h", ...))`` say the same thing. This module reads
the planner's words into :class:`ShiftRules` (a bad word is named with what is
allowed), and :class:`Rostering` turns the staffing search's requirement per interval
into the cheapest roster for one scenario's day
(:func:`~simcall.staffing.rostering.plan_shifts`), remembering each answer: the
verification's repairs add an agent here and there, and only a changed requirement
is solved again.

A group already staffed by ``shifts`` is re-rostered: :func:`as_staffed` gives it,
for the search, a head count per interval (its shifts' coverage, rounded up).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from simcall.results.provenance import scenario_data
from simcall.scenario.durations import parse_duration
from simcall.scenario.loader import from_dict
from simcall.scenario.schema import Scenario
from simcall.staffing.rostering import BreakRule, plan_shifts
from simcall.staffing.shift_roster import RosteringError, ShiftRoster, shifts_coverage

BREAKS = "breaks (--break)"  # errors name the Python argument and the command's option
_BREAK = re.compile(r"\s*(?P<length>\S+)\s+within\s+(?P<earliest>\S+?)\s*\.\.\s*"
                    r"(?P<latest>\S+)\s*")


@dataclass(frozen=True)
class ShiftRules:
    """The shifts a roster may use.

    Attributes
    ----------
    lengths
        Allowed shift lengths in seconds (paid in full, breaks included).
    starts_every
        Shifts start on this grid, in seconds after opening (``None``: every interval).
    breaks
        One break per shift long enough to hold its window (``None``: no breaks).
    cost_per_hour
        Paid per scheduled agent-hour; it prices the roster, never changes it (one rate).
    """

    lengths: tuple[float, ...]
    starts_every: float | None = None
    breaks: BreakRule | None = None
    cost_per_hour: float = 1.0

    @classmethod
    def parse(cls, shifts: str, starts_every: str | None = None, breaks: str | None = None,
              cost_per_hour: float = 1.0) -> ShiftRules:
        """Read the command line's words: ``"8h,6h,4h"``, ``"30min"``,
        ``"30min within 3h..5h"`` (the break's length, then the window it lies in,
        counted from the shift's start).

        Raises
        ------
        RosteringError
            Naming the option, the value and what is allowed.
        """
        lengths = tuple(_duration("shifts (--shifts)", part, "8h")
                        for part in shifts.split(",") if part.strip())
        if not lengths:
            raise RosteringError(f"shifts (--shifts) {shifts!r}: give the allowed shift "
                                 "lengths, separated by commas, e.g. '8h,6h,4h'")
        grid = None if starts_every is None else _duration(
            "starts_every (--starts-every)", starts_every, "30min")
        rule = None
        if breaks is not None:
            match = _BREAK.fullmatch(breaks)
            if match is None:
                raise RosteringError(f"{BREAKS} {breaks!r}: write the break's length and the "
                                     "window it lies in, counted from the shift's start, "
                                     "e.g. '30min within 3h..5h'")
            rule = BreakRule(length=_duration(BREAKS, match["length"], "30min"),
                             earliest=_duration(BREAKS, match["earliest"], "3h", zero=True),
                             latest=_duration(BREAKS, match["latest"], "5h"))
        if not math.isfinite(cost_per_hour) or cost_per_hour <= 0:
            raise RosteringError(f"cost_per_hour (--cost-per-hour) {cost_per_hour!r}: must be "
                                 "a positive amount paid per agent-hour, e.g. 25")
        return cls(lengths, grid, rule, float(cost_per_hour))

    def describe(self) -> str:
        """The rules in the command line's words (for tables and the plan file)."""
        words = "shifts of " + ", ".join(f"{length / 3600:g} h" for length in self.lengths)
        if self.starts_every is not None:
            words += f", starting every {self.starts_every / 60:g} min"
        if self.breaks is not None:
            b = self.breaks
            words += (f", a {b.length / 60:g} min break between {b.earliest / 3600:g} h and "
                      f"{b.latest / 3600:g} h into shifts that long")
        return words


def _duration(option: str, text: str, example: str, zero: bool = False) -> float:
    try:
        seconds = parse_duration(text.strip())
    except (TypeError, ValueError):
        seconds = math.nan
    if seconds == 0 and not zero:
        raise RosteringError(f"{option}: {text.strip()!r} must be longer than 0")
    if not math.isfinite(seconds) or seconds < 0:
        raise RosteringError(f"{option}: {text.strip()!r} is not a duration: write e.g. "
                             f"{example!r} (units s, min, h)")
    return seconds


@dataclass
class Rostering:
    """The cheapest roster of a requirement per interval, for one scenario's day.

    Calling it with a requirement (agents needed on duty in each interval) gives the
    :class:`ShiftRoster`; answers are remembered by requirement.
    """

    rules: ShiftRules
    interval: float
    intervals: int
    opening: str
    _solved: dict[tuple[int, ...], ShiftRoster] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, rules: ShiftRules, scenario: Scenario) -> Rostering:
        """The rules for ``scenario``'s day, checked against it now (shift lengths longer
        than the opening hours, break windows outside the shift, a start grid that does
        not fit the interval), before any simulation."""
        rostering = cls(rules, float(scenario.interval), scenario.intervals, scenario.open)
        rostering([0] * scenario.intervals)
        return rostering

    def __call__(self, requirement: Sequence[int]) -> ShiftRoster:
        key = tuple(int(n) for n in requirement)
        if key not in self._solved:
            self._solved[key] = plan_shifts(
                key, interval=self.interval, intervals=self.intervals,
                shift_lengths=self.rules.lengths, opening=self.opening,
                starts_every=self.rules.starts_every, breaks=self.rules.breaks,
                cost_per_hour=self.rules.cost_per_hour)
        return self._solved[key]


def as_staffed(scenario: Scenario, groups: Sequence[str] | None) -> Scenario:
    """``scenario`` with every group to roster (``groups``, default all) that is staffed by
    ``shifts`` staffed by head count instead: its shifts' agents on duty per interval,
    rounded up, as the search's starting point. Other groups are left as they are."""
    data = scenario_data(scenario)
    changed = False
    for entry, group in zip(data["agents"], scenario.agents, strict=True):
        if group.shifts is None or (groups is not None and group.name not in groups):
            continue
        coverage = shifts_coverage(entry["shifts"], interval=scenario.interval,
                                   intervals=scenario.intervals, opening=scenario.open)
        del entry["shifts"]
        entry["staff"] = [math.ceil(c - 1e-9) for c in coverage]
        changed = True
    return from_dict(data) if changed else scenario
