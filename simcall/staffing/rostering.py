"""From a requirement per interval to shifts: the cheapest roster, as an integer program.

Why: a staffing plan says how many agents must be on duty in each interval, but
agents are hired by the shift. This module chooses how many agents start which
shift when (and when each takes its break) so that every interval is covered,
at the fewest paid hours. The result (:class:`~simcall.staffing.shift_roster.ShiftRoster`)
writes itself as a scenario's ``shifts`` list.

The integer program
-------------------
One integer variable ``x_j >= 0`` per *column* ``j``: a shift length, a start on the
start grid (from opening to ``horizon - length``) and, if the length has a break
rule, a break start on the break grid inside its window. ``a_kj`` is the share of
interval ``k`` an agent of column ``j`` is on duty and not on break (0 to 1), and

    minimise   sum_j  paid_j x_j        (paid_j: the whole shift, break included)
    subject to sum_j  a_kj x_j >= requirement_k     for every interval k

solved with :func:`scipy.optimize.milp` (HiGHS) at a relative gap of zero, so the
paid hours are the proven minimum. Ties are broken by two more solves, each holding
the previous optima as constraints: the fewest agents, then the earliest starts
(the least sum of the agents' start steps, and among those the earliest breaks).
All three objectives are whole numbers, so "at most the optimum" is exact.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from simcall.scenario.durations import parse_clock
from simcall.scenario.shifts import clock_label
from simcall.staffing.shift_roster import (
    RosteringError,
    RosterShift,
    ShiftRoster,
    interval_shares,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

DEFAULT_TIME_LIMIT_S = 30.0
MAX_REQUIREMENT = 100_000  # a scenario shift holds at most this many agents
_TOL = 1e-9


class RosterSolveError(RosteringError):
    """The solver stopped without a proven cheapest roster (time limit, or a failure)."""


@dataclass(frozen=True)
class BreakRule:
    """One unpaid-for-coverage break per shift, placed by the solver.

    Attributes
    ----------
    length
        Seconds the break lasts. The agent is paid for it but not on duty.
    earliest, latest
        The window, in seconds after the shift starts: the whole break lies in
        ``[earliest, latest]`` (as a scenario break's ``within``).
    step
        The break start's grid, in seconds from ``earliest``; ``None`` uses the
        start grid (``starts_every``).
    """

    length: float
    earliest: float
    latest: float
    step: float | None = None


Breaks = BreakRule | Mapping[float, BreakRule | None] | None
"""One rule for every shift long enough, or a rule per shift length (seconds)."""


@dataclass(frozen=True)
class _Column:
    """A candidate shift (its count left at 0) and where it stands on the grids."""

    shift: RosterShift
    start_step: int  # the start's index on the start grid (for the tie rule)
    break_step: int  # the break's index on its grid, 0 without one


def plan_shifts(
    requirement: Sequence[int],
    *,
    interval: float,
    intervals: int,
    shift_lengths: Sequence[float],
    opening: str = "00:00",
    starts_every: float | None = None,
    breaks: Breaks = None,
    cost_per_hour: float = 1.0,
    time_limit: float = DEFAULT_TIME_LIMIT_S,
) -> ShiftRoster:
    """The cheapest shifts that keep ``requirement[k]`` agents on duty in every interval.

    Parameters
    ----------
    requirement
        Agents needed on duty (present and not on break) in each interval.
    interval, intervals
        The interval length in seconds and the number of intervals; the day
        (horizon) is their product, from opening.
    shift_lengths
        The allowed shift lengths in seconds (e.g. 8 h, 6 h, 4 h); listed twice
        counts once.
    opening
        The clock time of opening (``"08:00"``), for labels only.
    starts_every
        The start grid in seconds after opening; default the interval length.
        It must split an interval evenly or be a whole number of intervals.
    breaks
        A :class:`BreakRule` for every shift whose length reaches the window's
        end (shorter shifts get no break), or a mapping from shift length to its
        rule (``None`` or a missing length: no break; a window beyond that shift
        is an error, since it was asked for that length).
    cost_per_hour
        Paid per scheduled hour (the whole shift, breaks included). One rate for
        every shift, so it scales the cost, not the choice.
    time_limit
        Seconds the solver may take in all (its three solves share it).

    Returns
    -------
    ShiftRoster
        The chosen shifts, their coverage per interval, paid hours and cost.

    Raises
    ------
    RosteringError
        A bad input, named with what is allowed, or an interval with a
        requirement that no allowed shift covers at all (named by its clock).
    RosterSolveError
        The solver did not prove an optimum within ``time_limit``, or failed.
    """
    need = _requirement(requirement, intervals)
    _positive("interval", interval)
    horizon = interval * intervals
    open_s = _opening(opening)
    step = interval if starts_every is None else starts_every
    _grid("starts_every", step, interval, horizon)
    lengths = _lengths(shift_lengths, horizon)
    rules = _rules(breaks, lengths, step, interval)
    if not math.isfinite(cost_per_hour) or cost_per_hour <= 0:
        raise RosteringError(f"cost_per_hour must be a positive number, got {cost_per_hour!r}")
    if not math.isfinite(time_limit) or time_limit <= 0:
        raise RosteringError(f"time_limit must be a positive number of seconds, got "
                             f"{time_limit!r}")
    columns = _columns(lengths, rules, step, horizon)
    cover = coverage_matrix([c.shift for c in columns], interval, intervals)
    _coverable(need, cover, open_s, interval)
    counts = _solve(cover, need, columns, lengths, time_limit)
    chosen = sorted((replace(c.shift, count=int(n))
                     for c, n in zip(columns, counts.tolist(), strict=True) if n > 0),
                    key=lambda s: (s.start, s.length, -1.0 if s.break_start is None
                                   else s.break_start))
    coverage = cover @ counts
    short = np.flatnonzero(coverage < need - 1e-6)
    if short.size:  # the solver's tolerance let a constraint slip: never return that
        raise RosterSolveError(f"the solver's roster leaves interval "
                               f"{clock_label(open_s, short[0] * interval)} short "
                               f"({coverage[short[0]]:g} < {need[short[0]]:g})")
    return ShiftRoster(shifts=tuple(chosen), requirement=tuple(int(n) for n in need),
                       coverage=tuple(float(c) for c in coverage), interval=float(interval),
                       opening=opening, cost_per_hour=float(cost_per_hour))


# -- checks, each before anything is solved -------------------------------------------------


def _requirement(requirement: Sequence[int], intervals: int) -> NDArray[np.float64]:
    if isinstance(intervals, bool) or not isinstance(intervals, int) or intervals < 1:
        raise RosteringError(f"intervals must be a whole number >= 1, got {intervals!r}")
    values = list(requirement)
    if len(values) != intervals:
        raise RosteringError(f"the requirement has {len(values)} values but there are "
                             f"{intervals} intervals: give one value per interval")
    for k, value in enumerate(values):
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not number.is_integer() or not 0 <= number <= MAX_REQUIREMENT:
            raise RosteringError(f"requirement[{k}] = {value!r}: agents needed must be a whole "
                                 f"number from 0 to {MAX_REQUIREMENT:,}")
    return np.asarray(values, dtype=float)


def _positive(name: str, value: float) -> None:
    if not math.isfinite(value) or value <= 0 or not float(value).is_integer():
        raise RosteringError(f"{name} must be a positive whole number of seconds, "
                             f"got {value!r}")


def _opening(opening: str) -> float:
    try:
        return parse_clock(opening)
    except (ValueError, AttributeError):
        raise RosteringError(f"opening must be a clock time \"HH:MM\" (e.g. \"08:00\"), got "
                             f"{opening!r}") from None


def _grid(name: str, step: float, interval: float, horizon: float) -> None:
    """A grid step splits an interval evenly or is whole intervals, so that the grid
    falls the same way in every interval (a 20 min grid on 30 min intervals would not)."""
    _positive(name, step)
    ratio = interval / step if step <= interval else step / interval
    if abs(ratio - round(ratio)) > _TOL:
        raise RosteringError(f"{name} = {step:g} s does not fit the {interval:g} s interval: "
                             "use a step that splits an interval evenly (e.g. "
                             f"{interval / 2:g} s) or a whole number of intervals")
    if step > horizon:
        raise RosteringError(f"{name} = {step:g} s is longer than the day ({horizon:g} s)")


def _lengths(shift_lengths: Sequence[float], horizon: float) -> list[float]:
    lengths = sorted({float(length) for length in shift_lengths}, reverse=True)
    if not lengths:
        raise RosteringError("shift_lengths is empty: give at least one shift length")
    for length in lengths:
        if not math.isfinite(length) or length <= 0 or not length.is_integer():
            raise RosteringError(f"shift_lengths: {length:g} s is not allowed: a shift length "
                                 "is a positive whole number of seconds")
        if length > horizon + _TOL:
            raise RosteringError(f"the shift length {length:g} s ({length / 3600:g} h) is "
                                 f"longer than the opening hours ({horizon:g} s, "
                                 f"{horizon / 3600:g} h)")
    return lengths


def _rules(breaks: Breaks, lengths: Sequence[float], step: float,
           interval: float) -> dict[float, BreakRule]:
    """The break rule of each shift length that has one (checked)."""
    if breaks is None:
        return {}
    if isinstance(breaks, BreakRule):
        _rule_itself("breaks", breaks, step, interval)
        if breaks.latest > lengths[0] + _TOL:
            raise RosteringError(f"breaks: the window ends {breaks.latest:g} s after the "
                                 f"start, outside every shift (the longest is "
                                 f"{lengths[0]:g} s)")
        return {length: breaks for length in lengths if breaks.latest <= length + _TOL}
    out: dict[float, BreakRule] = {}
    for key, rule in breaks.items():
        length = float(key)
        if length not in lengths:
            raise RosteringError(f"breaks[{key!r}]: {key!r} s is not one of the shift "
                                 f"lengths {[f'{v:g}' for v in lengths]}")
        if rule is None:
            continue
        _rule_itself(f"breaks[{key!r}]", rule, step, interval)
        if rule.latest > length + _TOL:
            raise RosteringError(f"breaks[{key!r}]: the window ends {rule.latest:g} s after "
                                 f"the start, outside the {length:g} s shift")
        out[length] = rule
    return out


def _rule_itself(name: str, rule: BreakRule, step: float, interval: float) -> None:
    _positive(f"{name}.length", rule.length)
    for field_name in ("earliest", "latest"):
        value = getattr(rule, field_name)
        if not math.isfinite(value) or value < 0 or not float(value).is_integer():
            raise RosteringError(f"{name}.{field_name} must be a whole number of seconds "
                                 f">= 0 after the shift starts, got {value!r}")
    if rule.latest <= rule.earliest:
        raise RosteringError(f"{name}: the window must end after it starts, got "
                             f"{rule.earliest:g} s to {rule.latest:g} s")
    if rule.length > rule.latest - rule.earliest + _TOL:
        raise RosteringError(f"{name}: the break ({rule.length:g} s) is longer than its "
                             f"window ({rule.earliest:g} s to {rule.latest:g} s): the whole "
                             "break lies in the window")
    _grid(f"{name}.step", step if rule.step is None else rule.step, interval, math.inf)


def _coverable(need: NDArray[np.float64], cover: NDArray[np.float64], open_s: float,
               interval: float) -> None:
    """An interval with a requirement that no column covers makes the program infeasible;
    every other requirement can be met (the counts are unbounded), so this is the check."""
    bare = [k for k in np.flatnonzero(need > 0).tolist() if not cover[k].any()]
    if bare:
        labels = ", ".join(clock_label(open_s, k * interval) for k in bare[:5])
        more = f" (and {len(bare) - 5} more)" if len(bare) > 5 else ""
        raise RosteringError(f"no allowed shift covers the interval(s) starting {labels}{more}, "
                             "which need agents: allow a shift length or a start that reaches "
                             "them (or a break that leaves them)")


# -- the columns and their coverage ----------------------------------------------------------


def _columns(lengths: Sequence[float], rules: Mapping[float, BreakRule], step: float,
             horizon: float) -> list[_Column]:
    """Every candidate shift: each length from each start on the grid that ends by the
    horizon, with each break start on its grid inside the window (lengths longest first)."""
    columns: list[_Column] = []
    for length in lengths:
        rule = rules.get(length)
        offsets: list[tuple[float | None, int]] = [(None, 0)]
        if rule is not None:
            every = step if rule.step is None else rule.step
            count = math.floor((rule.latest - rule.length - rule.earliest) / every + _TOL) + 1
            offsets = [(rule.earliest + i * every, i) for i in range(count)]
        for i in range(math.floor((horizon - length) / step + _TOL) + 1):
            start = i * step
            for offset, b in offsets:
                shift = RosterShift(start=start, length=length,
                                    break_start=None if offset is None else start + offset,
                                    break_length=0.0 if rule is None else rule.length, count=0)
                columns.append(_Column(shift, start_step=i, break_step=b))
    return columns


def coverage_matrix(shifts: Sequence[RosterShift], interval: float,
                    intervals: int) -> NDArray[np.float64]:
    """``a[k, j]``: the share of interval ``k`` an agent of shift ``j`` is on duty and not
    on break (a break of a quarter of an interval takes a quarter of an agent there)."""
    a = np.zeros((intervals, len(shifts)))
    for j, shift in enumerate(shifts):
        a[:, j] = interval_shares(shift.on_duty(), interval, intervals)
    return a


# -- the solver ------------------------------------------------------------------------------


def _solve(cover: NDArray[np.float64], need: NDArray[np.float64], columns: Sequence[_Column],
           lengths: Sequence[float], time_limit: float) -> NDArray[np.float64]:
    """Three lexicographic solves: paid time, then agents, then starts and breaks.

    Each solve keeps the optima before it as constraints. Paid time is counted in
    units of the greatest common divisor of the shift lengths, so every objective has
    whole coefficients and "at most the optimum" (``<= best + 0.5``) is exact.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    unit = math.gcd(*(int(length) for length in lengths))
    paid = np.array([c.shift.length / unit for c in columns])
    agents = np.ones(len(columns))
    width = 1 + max(c.break_step for c in columns)
    constraints = [LinearConstraint(cover, lb=need, ub=np.inf)]
    deadline = time.monotonic() + time_limit
    counts = np.zeros(len(columns))
    stages: list[tuple[str, NDArray[np.float64] | None]] = [
        ("least paid time", paid), ("fewest agents", agents), ("earliest starts", None)]
    for stage, objective in stages:
        if objective is None:
            # start steps weigh more than every agent's break steps together
            weight = float(agents @ counts) * (width - 1) + 1
            objective = np.array([c.start_step * weight + c.break_step for c in columns])
        remaining = deadline - time.monotonic()
        result = milp(objective, integrality=np.ones(len(columns), dtype=int),
                      bounds=Bounds(0, np.inf), constraints=constraints,
                      options={"time_limit": max(remaining, 1e-6), "mip_rel_gap": 0.0})
        if result.status != 0 or result.x is None:
            why = ("stopped at its time limit" if result.status == 1
                   else f"failed (status {result.status})")
            raise RosterSolveError(
                f"the roster solver {why} while finding the {stage} ({len(columns)} "
                f"candidate shifts, time_limit = {time_limit:g} s; HiGHS: {result.message}). "
                "Raise time_limit, or coarsen starts_every or the break step")
        counts = np.round(result.x)
        constraints.append(LinearConstraint(objective, lb=-np.inf,
                                            ub=float(objective @ counts) + 0.5))
    return counts
