"""The scenario: one call centre, frozen and validated once.

A scenario is read from TOML (see :mod:`simcall.scenario.loader`) into these pydantic
models. Field-level checks (types, units, ranges, unknown keys) are pydantic's
job; the cross-checks that need the whole picture -- unknown or unserved
departments, transfer rows over 1, transfer loops a call can never leave,
list lengths that do not match ``intervals`` -- run in
:meth:`Scenario._cross_check`, which reports every problem at once with its
key path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from simcall.errors import Problem, ScenarioError
from simcall.scenario.distributions import Distribution
from simcall.scenario.durations import format_clock, parse_clock
from simcall.scenario.limits import (
    MAX_BOUNCE,
    MAX_HORIZON_S,
    MAX_INTERVALS,
    MAX_PRIORITY,
    MAX_REPEATS,
    MAX_RING_S,
    MAX_STAFF,
    MAX_TALK_FACTOR,
    MAX_VALUE,
    MAX_VISITS,
    MIN_RING_S,
    per_interval,
)
from simcall.scenario.references import reference_problems
from simcall.scenario.shifts import Shift, shift_problems
from simcall.scenario.units import NonNegative, Number, Seconds, WholeNumber

DEFAULT_RING_S = 6.0
DAY_S = 86_400.0
DEFAULT_SL_THRESHOLD_S = 20.0


PerIntervalRate = Annotated[tuple[float, ...], per_interval(integer=False)]
PerIntervalCount = Annotated[tuple[int, ...], per_interval(integer=True)]
Fraction = Annotated[Number, Field(ge=0.0, le=1.0)]


def _department_mix(value: object) -> object:
    """``enters = "support"`` is shorthand for ``enters = { support = 1.0 }``."""
    if isinstance(value, str):
        return {value: 1.0}
    if isinstance(value, dict):
        return value
    raise ValueError(
        f"expected a department name or a mix like {{ sales = 0.6, support = 0.4 }}, got {value!r}"
    )


DepartmentMix = Annotated[dict[str, Fraction], BeforeValidator(_department_mix)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServiceLevelTarget(_Section):
    """``answered within`` a threshold, as a share of answered + abandoned."""

    within: Seconds
    fraction: Fraction


class TransferTarget(_Section):
    """Share of answered callers transferred at most ``at_most`` times."""

    at_most: WholeNumber = Field(ge=0, le=MAX_REPEATS)
    fraction: Fraction


class Targets(_Section):
    """What the staffing plan is judged against, overall and per interval."""

    service_level: ServiceLevelTarget | None = None
    max_asa: Seconds | None = None
    max_abandon_rate: Fraction | None = None
    max_block_rate: Fraction | None = None
    max_mean_transfers: NonNegative | None = Field(default=None, le=MAX_REPEATS)
    transfers: TransferTarget | None = None
    max_occupancy: Fraction | None = None
    max_revisit_rate: Fraction | None = None  # answered calls sent back to a department


class Ivr(_Section):
    """The voice menu before the queue: its length, and where callers go from it."""

    time: Distribution
    hang_up: Fraction = 0.0  # share who hang up in the menu (at a uniform point of it)
    self_serve: Fraction = 0.0  # share whose business the menu completes
    misroute: Fraction = 0.0  # share sent to a wrong department, which transfers them on

    @model_validator(mode="after")
    def _shares(self) -> Ivr:
        total = self.hang_up + self.self_serve + self.misroute
        if total > 1.0 + 1e-9:
            raise ValueError(f"hang_up + self_serve + misroute add up to {total:g}; "
                             "they must add up to at most 1 (the rest queue as chosen)")
        return self


class Redial(_Section):
    """Callers who hung up or got a busy signal call again, with a probability, later."""

    probability: Annotated[Number, Field(ge=0.0, le=MAX_BOUNCE)]  # below 1: redials must end
    delay: Distribution
    max_attempts: WholeNumber | None = Field(default=None, ge=1, le=MAX_REPEATS)  # first included


class CallbackOffer(_Section):
    """Virtual hold: a caller facing a long wait may hang up and be called back instead."""

    offer_after: Seconds  # offer a callback when the expected wait is longer than this
    accept: Fraction  # share of callers offered it who accept


class VoicemailCallback(_Section):
    """Agents call back callers who left a voicemail (outbound work)."""

    share: Fraction = 1.0  # share of voicemails that are called back
    delay: Distribution  # from the voicemail until the callback joins the queue


class Defection(_Section):
    """The chance that a caller takes the business elsewhere after each bad experience.

    One rule for a caller's attempts (a first call and its redials, docs/money.md): every
    bad experience on any attempt is an independent chance to defect, so the caller stays
    with probability ``prod(1 - p)`` over them. A caller who abandons, redials and is
    served well had one bad experience.
    """

    abandoned: Fraction = 0.0  # hung up waiting (or while ringing)
    blocked: Fraction = 0.0  # heard a busy signal
    voicemail: Fraction = 0.0  # sent to voicemail
    answered_late: Fraction = 0.0  # answered at or after the service-level threshold
    per_transfer_over: Fraction = 0.0  # each transfer beyond the transfers.at_most target


class CallerType(_Section):
    """A stream of callers with its own arrival profile, patience and priority."""

    name: str = Field(min_length=1)
    arrivals_per_hour: PerIntervalRate
    enters: DepartmentMix
    patience: Distribution | None = None
    priority: WholeNumber = Field(default=0, ge=-MAX_PRIORITY, le=MAX_PRIORITY)
    value: NonNegative = Field(default=0.0, le=MAX_VALUE)  # what a defecting caller costs
    defection: Defection | None = None  # chances of defecting after bad experiences
    ivr: Ivr | None = None
    redial: Redial | None = None
    callback: CallbackOffer | None = None
    talk: Distribution | None = None  # replaces the departments' talk time for these calls
    priority_credit: Seconds | None = Field(default=None, ge=0.0, le=MAX_HORIZON_S)


class Department(_Section):
    """A queue with its own skill: talk and wrap-up times and where calls go next."""

    name: str = Field(min_length=1)
    talk: Distribution
    wrap_up: Distribution | None = None
    transfer: dict[str, Fraction] = Field(default_factory=dict)
    max_transfers: WholeNumber | None = Field(default=None, ge=0, le=MAX_REPEATS)
    resolution_desk: str | None = None
    transfer_priority_boost: WholeNumber = Field(default=0, ge=0, le=MAX_PRIORITY)
    warm_transfer: bool = False


class Rona(_Section):
    """Ring-no-answer: how often a ringing agent does not pick up, and what it costs."""

    # below 1: agents who never pick up would ring a patient caller's call forever
    probability: Annotated[Number, Field(ge=0.0, le=MAX_BOUNCE)]
    after: Seconds = Field(gt=0)  # how long it rings before the call goes back to the queue
    not_ready: Seconds = 0.0  # the agent is then not ready for this long


class AgentGroup(_Section):
    """Agents with the same ordered skills (first is primary) and staffing.

    Staffing is a head count per interval (``staff``) or ``shifts`` (exactly
    one of the two); ``shrinkage`` is the share of scheduled time lost to
    unplanned absence (see :mod:`simcall.scenario.shifts`).
    """

    name: str = Field(min_length=1)
    skills: tuple[str, ...] = Field(min_length=1)
    staff: PerIntervalCount | None = None
    shifts: tuple[Shift, ...] | None = Field(default=None, min_length=1)
    shrinkage: Annotated[Number, Field(ge=0.0, lt=1.0)] = 0.0
    pickup: Distribution | None = None
    talk_factor: Number = Field(default=1.0, ge=1 / MAX_TALK_FACTOR, le=MAX_TALK_FACTOR)
    rona: Rona | None = None
    not_ready: Distribution | None = None  # after each call (after wrap-up): not taking calls
    cost_per_hour: NonNegative = Field(default=0.0, le=MAX_VALUE)  # per scheduled agent-hour

    @model_validator(mode="after")
    def _staff_or_shifts(self) -> AgentGroup:
        if self.staff is not None and self.shifts is not None:
            raise ValueError("give either 'staff' (agents per interval) or 'shifts', not both")
        if self.staff is None and self.shifts is None:
            raise ValueError("needs 'staff' (agents per interval) or 'shifts'")
        return self



def open_at(t: float, period: float, day: float, end: float) -> bool:
    """Whether ``t`` falls within a day's intervals: ``period`` from one opening to the
    next, ``day`` the intervals' length, ``end`` the last day's close (what
    :meth:`Scenario.is_open` asks, for callers that hold the three numbers)."""
    return t % period < day and t < end

class Scenario(_Section):
    """One call centre over one day (or any horizon of ``intervals`` x ``interval``)."""

    name: str = Field(min_length=1)
    interval: Seconds = Field(gt=0, le=MAX_HORIZON_S)
    intervals: WholeNumber = Field(ge=1, le=MAX_INTERVALS)
    open: str = "00:00"
    ring: Seconds = Field(default=DEFAULT_RING_S, ge=MIN_RING_S, le=MAX_RING_S)
    lines: WholeNumber | None = Field(default=None, ge=1, le=MAX_STAFF * 10)
    warmup: Seconds = 0.0
    seed: WholeNumber = Field(default=1, ge=0, le=2**63 - 1)  # TOML's largest integer
    voicemail_after: Seconds | None = Field(default=None, gt=0)
    voicemail_callback: VoicemailCallback | None = None
    days: WholeNumber = Field(default=1, ge=1, le=366)
    day_volume_cv: NonNegative = Field(default=0.0, le=2.0)  # variation of each day's volume
    targets: Targets = Field(default_factory=Targets)
    callers: tuple[CallerType, ...] = Field(min_length=1)
    departments: tuple[Department, ...] = Field(min_length=1)
    agents: tuple[AgentGroup, ...] = Field(min_length=1)

    @field_validator("ring", mode="before")
    @classmethod
    def _ring_not_in_rings(cls, value: object) -> object:
        if isinstance(value, str) and "ring" in value.lower():
            raise ValueError(f"the ring cycle cannot be given in rings, got {value!r}: "
                             'use seconds, e.g. "6s"')
        return value

    @field_validator("open", mode="before")
    @classmethod
    def _clock(cls, value: object) -> object:
        if not isinstance(value, str):
            raise ValueError(f'expected a clock time "HH:MM", e.g. "08:00", got {value!r}')
        parse_clock(value)
        return value

    # -- derived views used by the engine and the metrics -------------------------

    @property
    def horizon(self) -> float:
        """Seconds from opening until the day's last interval ends (one day's length)."""
        return self.interval * self.intervals

    @property
    def day_period(self) -> float:
        """Seconds from one day's opening to the next: 24 h, or the day if it is longer."""
        return max(DAY_S, self.horizon)

    @property
    def run_horizon(self) -> float:
        """Seconds from the first opening until the last day's last interval ends."""
        return (self.days - 1) * self.day_period + self.horizon

    def is_open(self, t: float) -> bool:
        """Whether ``t`` falls within a day's intervals (not in the closed hours)."""
        return open_at(t, self.day_period, self.horizon, self.run_horizon)

    @property
    def open_s(self) -> float:
        """Clock time of t = 0 in seconds after midnight (labels only)."""
        return parse_clock(self.open)

    def interval_label(self, index: int) -> str:
        """Clock label of the start of interval ``index``, e.g. ``"08:30"``."""
        return format_clock(self.open_s + index * self.interval)

    def per_interval(self, values: Sequence[float]) -> np.ndarray:
        """Expand a one-value-or-one-per-interval tuple to an array of ``intervals``."""
        array = np.asarray(values, dtype=float)
        return np.full(self.intervals, array[0]) if array.size == 1 else array

    def department_index(self, name: str) -> int:
        """Position of a department in ``departments``."""
        for index, department in enumerate(self.departments):
            if department.name == name:
                return index
        raise KeyError(name)

    @property
    def service_level_threshold(self) -> float:
        """The SL threshold in seconds: the target's ``within``, else 20 s."""
        target = self.targets.service_level
        return target.within if target is not None else DEFAULT_SL_THRESHOLD_S

    # -- cross-checks ---------------------------------------------------------------

    @model_validator(mode="after")
    def _cross_check(self) -> Scenario:
        horizon = self.interval * self.intervals
        if horizon > MAX_HORIZON_S:  # before anything formats a clock at the end of the day
            raise ScenarioError([Problem("intervals", (
                f"the horizon interval x intervals = {self.interval:g} s x {self.intervals} "
                f"= {horizon / 3600:,.0f} h is longer than the {MAX_HORIZON_S / 3600:,.0f} h "
                "allowed: fewer intervals, or shorter ones"))])
        problems = cross_check(self)
        if problems:
            raise ScenarioError(problems)
        return self


def cross_check(scenario: Scenario) -> list[Problem]:
    """Every problem that needs more than one field to see, with its key path."""
    problems: list[Problem] = []
    names = [d.name for d in scenario.departments]
    known = set(names)

    for section in ("callers", "departments", "agents"):
        seen: dict[str, int] = {}
        for index, item in enumerate(getattr(scenario, section)):
            if item.name in seen:
                problems.append(Problem(
                    f"{section}[{index}].name",
                    f"duplicate name '{item.name}' (also {section}[{seen[item.name]}])",
                ))
            seen.setdefault(item.name, index)

    problems += reference_problems(scenario.model_dump())
    for index, caller in enumerate(scenario.callers):
        total = sum(caller.enters.values())
        if abs(total - 1.0) > 1e-9:
            problems.append(Problem(
                f"callers[{index}].enters",
                f"the shares add up to {total:g}; they must add up to 1",
            ))

    for index, department in enumerate(scenario.departments):
        total = sum(department.transfer.values())
        if total > 1.0 + 1e-9:
            problems.append(Problem(
                f"departments[{index}].transfer",
                f"transfer probabilities add up to {total:g}; they must add up to at most 1 "
                "(the rest of the calls end after talk)",
            ))

    served: set[str] = set()
    for index, group in enumerate(scenario.agents):
        for position, skill in enumerate(group.skills):
            if skill in known and skill in group.skills[:position]:
                problems.append(Problem(
                    f"agents[{index}].skills[{position}]", f"skill '{skill}' is listed twice"
                ))
        served.update(group.skills)
    for index, department in enumerate(scenario.departments):
        if department.name not in served:
            problems.append(Problem(
                f"departments[{index}]",
                f"no agent group has the skill '{department.name}': its calls would never be "
                "answered (add it to an agent group's skills)",
            ))

    if scenario.voicemail_callback is not None and scenario.voicemail_after is None:
        problems.append(Problem("voicemail_callback",
                                "callbacks of voicemails need voicemail_after (no voicemail "
                                "is left without it)"))
    for index, caller in enumerate(scenario.callers):
        if caller.ivr is not None and caller.ivr.misroute > 0 and len(scenario.departments) < 2:
            problems.append(Problem(
                f"callers[{index}].ivr.misroute",
                "there is only one department: the menu cannot send anyone to a wrong one",
            ))
    for index, department in enumerate(scenario.departments):
        if department.resolution_desk is not None and department.max_transfers is None:
            problems.append(Problem(
                f"departments[{index}].resolution_desk",
                "a resolution desk takes calls over the transfer limit: set max_transfers too",
            ))
    traps = _transfer_traps(scenario)
    problems += traps or _transfer_visits(scenario)
    problems += _interval_lengths(scenario)
    problems += shift_problems([group.shifts for group in scenario.agents], scenario.open,
                               scenario.horizon)

    if scenario.warmup >= scenario.horizon:
        problems.append(Problem(
            "warmup",
            f"warm-up ({scenario.warmup:g} s) must end before the last interval ends "
            f"({scenario.horizon:g} s)",
        ))
    return problems


def _transfer_traps(scenario: Scenario) -> list[Problem]:
    """Departments from which every transfer path comes back: calls could never leave."""
    names = [d.name for d in scenario.departments]
    index = {name: i for i, name in enumerate(names)}
    # A cap on transfers ends a loop: the call then goes to the resolution desk (which must
    # be able to leave in turn) or ends.
    can_leave = [sum(d.transfer.values()) < 1.0 - 1e-12
                 or (d.max_transfers is not None and d.resolution_desk is None)
                 for d in scenario.departments]
    changed = True
    while changed:
        changed = False
        for i, department in enumerate(scenario.departments):
            if can_leave[i]:
                continue
            onward = dict(department.transfer)
            if department.max_transfers is not None and department.resolution_desk is not None:
                onward[department.resolution_desk] = 1.0
            if any(p > 0 and t in index and can_leave[index[t]]
                   for t, p in onward.items()):
                can_leave[i] = changed = True
    return [
        Problem(
            f"departments[{i}].transfer",
            f"calls in '{names[i]}' can never leave: every transfer path from it comes back "
            "without a way out (make some row add up to less than 1)",
        )
        for i in range(len(names)) if not can_leave[i]
    ]


def _transfer_visits(scenario: Scenario) -> list[Problem]:
    """Departments whose calls would visit more than :data:`MAX_VISITS` queues on average.

    The expected visits are the row sums of ``(I - P)^-1`` for the transfer matrix ``P``, in
    which a department with ``max_transfers`` counts as a way out (its cap ends any loop).
    """
    names = [d.name for d in scenario.departments]
    index = {name: i for i, name in enumerate(names)}
    moves = np.zeros((len(names), len(names)))
    for i, department in enumerate(scenario.departments):
        if department.max_transfers is None:
            for target, p in department.transfer.items():
                if target in index:  # an unknown name is reported by reference_problems
                    moves[i, index[target]] += p
    visits = np.linalg.solve(np.eye(len(names)) - moves, np.ones(len(names)))
    return [
        Problem(f"departments[{i}].transfer",
                f"calls in '{names[i]}' would visit about {visits[i]:,.0f} queues on average "
                f"before they end (transfer rows that come back nearly always); at most "
                f"{MAX_VISITS:,.0f} allowed: lower the rows, or set max_transfers")
        for i in range(len(names)) if not visits[i] <= MAX_VISITS
    ]


def _interval_lengths(scenario: Scenario) -> list[Problem]:
    """Per-interval lists must have exactly one value per interval."""
    problems: list[Problem] = []
    n = scenario.intervals
    fields: list[tuple[str, Sequence[float]]] = [
        (f"callers[{i}].arrivals_per_hour", c.arrivals_per_hour)
        for i, c in enumerate(scenario.callers)
    ]
    fields += [(f"agents[{i}].staff", g.staff) for i, g in enumerate(scenario.agents)
         if g.staff is not None]
    for path, values in fields:
        if len(values) not in (1, n):
            problems.append(Problem(
                path, f"has {len(values)} values, but intervals = {n} (give one number or {n})"
            ))
    return problems
