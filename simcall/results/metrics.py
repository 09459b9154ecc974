"""KPIs from call records, with SPEC.md's definitions (part of the contract).

Pure functions of numpy columns: nothing here knows about SimPy. Warm-up is
a query window -- calls that arrive before it count nowhere and occupancy is
measured from it -- never a reset of counters.

* ``service_level`` = answered within the threshold / (answered + abandoned)
* ``asa_s`` = mean answer time of answered calls (pickup delay included)
* ``p_wait`` = share of calls reaching a queue that found no free agent
* ``abandon_rate`` = abandoned / (answered + abandoned)
* ``block_rate`` = blocked / offered
* ``occupancy`` = busy (ringing + talk + wrap-up) agent time / staffed agent time
* ``not_ready_share`` (per agent group) = not-ready agent time / staffed agent time
* ``mean_transfers`` = transfers of the answered calls / answered calls (one population:
  a called-back call's transfers count in neither)
* ``transfer_share_within`` = share of answered calls transferred at most N times
* ``revisit_rate`` = share of answered calls that re-entered a department they had left
  (ping-pong, :mod:`simcall.results.revisits`); per department, the share of its answered
  entries that were such re-entries
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from simcall.model.records import (
    BLOCK_CALLS,
    CallBlock,
    Counters,
    Outcome,
    Records,
    RunRecords,
)
from simcall.results.agent_time import AgentSeconds, agent_seconds, in_windows, windows_of, within
from simcall.results.call_facts import (
    SUMS,
    CallCodes,
    CallFacts,
    Reach,
    caller_outcomes,
    group_sums,
    kpis_of_sums,
)
from simcall.results.money import (
    MONEY_KPIS,
    Losses,
    Prices,
    stay_chances,
    wage_costs,
    with_wages,
)
from simcall.results.revisits import RevisitChain, find_revisits, revisit_chains

COUNT_KPIS = ("offered", "answered", "abandoned", "blocked", "voicemail", "self_served",
              "ivr_hang_ups", "called_back", "in_system", "transfer_limited", "rona", "callers",
              "redials", "lost_callers", "voicemail_callbacks")
RATE_KPIS = ("service_level", "asa_s", "p_wait", "abandon_rate", "block_rate", "occupancy",
             "mean_transfers", "transfer_share_within", "first_attempt_resolution",
             "eventual_resolution", "callback_wait_s", "revisit_rate")
KPI_NAMES = RATE_KPIS + COUNT_KPIS + MONEY_KPIS
SHARE_KPIS = frozenset({"service_level", "p_wait", "abandon_rate", "block_rate", "occupancy",
                        "transfer_share_within", "first_attempt_resolution",
                        "eventual_resolution", "not_ready_share", "revisit_rate"})
Kpis = dict[str, float]


def kpi_bounds(name: str) -> tuple[float, float]:
    """The range a KPI can take: shares in [0, 1], times and counts at least 0."""
    return (0.0, 1.0) if name in SHARE_KPIS else (0.0, math.inf)


class ConservationError(AssertionError):
    """The records do not account for every call: a bug in the engine, never user error."""


@dataclass(frozen=True)
class Window:
    """What the metrics need to know about the scenario, in seconds."""

    threshold: float  # service-level threshold
    transfers_at_most: int  # N of transfer_share_within
    warmup: float
    interval: float
    intervals: int
    ring: float
    days: int = 1
    period: float = 86_400.0  # from one day's opening to the next

    @property
    def day_length(self) -> float:
        """One day's intervals, in seconds."""
        return self.interval * self.intervals

    @property
    def end(self) -> float:
        """When the last day's last interval ends."""
        return (self.days - 1) * self.period + self.day_length

    def interval_windows(self) -> tuple[np.ndarray, np.ndarray]:
        """``[begin, finish)`` of every interval of every day, shape (days, intervals),
        clipped to start at the warm-up."""
        starts = (np.arange(self.days)[:, None] * self.period
                  + np.arange(self.intervals)[None, :] * self.interval)
        return (np.maximum(starts, self.warmup),
                np.maximum(starts + self.interval, self.warmup))


def occupancy(busy: np.ndarray, staffed: np.ndarray) -> np.ndarray:
    """Busy agent time / staffed agent time in each window (``in_windows`` of each).

    With 2-D windows (days x intervals), the windows of each column are added up first: an
    interval's occupancy over all days.
    """
    if busy.ndim == 2:
        busy, staffed = busy.sum(axis=0), staffed.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(staffed > 0, busy / np.where(staffed > 0, staffed, 1), np.nan)


def not_ready_share(records: RunRecords, begin: float, finish: float, group: int) -> float:
    """Not-ready agent time (after a ring-no-answer or a call) / staffed agent time of one
    group in ``[begin, finish)``; ``nan`` when nobody of the group was on duty."""
    window = (np.array([begin]), np.array([finish]), np.array([group]))
    staffed = float(in_windows(records.staffed, *window)[0])
    return float(in_windows(records.not_ready, *window)[0]) / staffed if staffed > 0 else math.nan


@dataclass(frozen=True)
class Chain:
    """A call bounced between departments: its transfers and the queues it went through."""

    call: int
    transfers: int
    path: tuple[str, ...]


WORST_CHAINS = 5
# a department's KPIs: those of its queue visits and busy signals, in this order
DEPARTMENT_KPIS = ("service_level", "asa_s", "p_wait", "abandon_rate", "block_rate",
                   "occupancy", "mean_transfers", "transfer_share_within", "offered", "answered",
                   "abandoned", "blocked", "voicemail", "self_served", "ivr_hang_ups",
                   "called_back", "callback_wait_s", "in_system", "transfer_limited",
                   "revisit_rate", "rona")


@dataclass(frozen=True)
class RunMetrics:
    """Every KPI of one replication, overall and broken down."""

    overall: Kpis
    intervals: tuple[Kpis, ...]
    departments: dict[str, Kpis]
    callers: dict[str, Kpis]
    agent_groups: dict[str, Kpis]
    ring_shares: tuple[float, ...]  # share of answered calls answered on ring 1, 2, ...
    transfer_shares: tuple[float, ...]  # share of answered calls with 0, 1, 2, ... transfers
    worst_chains: tuple[Chain, ...]  # the calls transferred most, with their paths
    days: tuple[Kpis, ...] = ()  # one per day of a multi-day run
    revisit_chains: tuple[RevisitChain, ...] = ()  # every call sent back, worst first


def run_metrics(records: RunRecords, window: Window, departments: list[str],
                callers: list[str], groups: list[str], group_skills: list[tuple[int, ...]],
                prices: Prices | None = None, *, block: int = BLOCK_CALLS) -> RunMetrics:
    """Summarise one replication's records (``prices``: the money keys; none: all free).

    The calls and busy spells are summed ``block`` calls at a time
    (:meth:`~simcall.model.records.Records.blocks`): what the metrics hold besides the
    records does not grow with the run, and records kept as the express lane's notes are
    derived a block at a time, never all at once. Raises :class:`ConservationError` if
    the records do not account for every call.
    """
    prices = prices or Prices.free(len(callers), len(groups))
    # a run of one block (most runs) is derived once, however many passes read it
    alone = list(records.blocks(block)) if records.counters.arrived <= block else None

    def blocks() -> Iterable[CallBlock]:
        return records.blocks(block) if alone is None else alone

    reach, stays = _caller_pass(records, blocks, prices, window)
    sums = CallSums.empty(window, len(departments), len(callers), group_skills)
    for part in blocks():
        sums.add(part, window, reach, Losses.of(part.calls, part.first, stays, prices),
                 departments, callers)
    check_counts(sums.outcomes, sums.finished_visits, records.counters)
    horizon = window.end  # of the last day: overall figures cover every day
    measured = np.array([window.warmup, horizon])

    staffed_in: dict[int, np.ndarray] = {}  # by busy query: queries may be one and the same

    def occupied(query: object, begin: np.ndarray, finish: np.ndarray) -> np.ndarray:
        busy = sums.busy[query]
        if id(busy) not in staffed_in:
            staffed_in[id(busy)] = in_windows(records.staffed, begin, finish, busy.groups)
        return occupancy(within(busy.seconds(), begin.shape), staffed_in[id(busy)])

    overall = kpis_of_sums(sums.overall)[0]
    overall["occupancy"] = float(occupied("overall", measured[:1], measured[1:])[0])
    wages = wage_costs(records.scheduled, prices, *window.interval_windows())
    with_wages(overall, float(wages.sum()))  # wages: (groups, days, intervals)
    intervals = kpis_of_sums(sums.intervals)
    busy = occupied("intervals", *window.interval_windows()).tolist()
    for kpis, share, paid in zip(intervals, busy, wages.sum(axis=(0, 1)).tolist(),
                                 strict=True):
        kpis["occupancy"] = share
        with_wages(kpis, paid)
    by_department = {}
    for d, (name, kpis) in enumerate(zip(departments, kpis_of_sums(sums.departments),
                                         strict=True)):
        kpis = {kpi: kpis[kpi] for kpi in DEPARTMENT_KPIS[:-1]}
        kpis["transfer_share_within"] = math.nan  # a per-caller notion, not a queue's
        kpis["rona"] = float(sums.rona_departments[d])
        if ("department", d) in sums.busy:  # its agents take its calls only
            kpis["occupancy"] = float(occupied(("department", d), measured[:1],
                                               measured[1:])[0])
        by_department[name] = kpis
    by_caller = dict(zip(callers, kpis_of_sums(sums.callers), strict=True))
    by_group = {
        name: {"occupancy": float(occupied(("group", g), measured[:1], measured[1:])[0]),
               "rona": float(sums.rona_groups[g]),
               "not_ready_share": not_ready_share(records, window.warmup, horizon, g),
               "wage_cost": float(wages[g].sum())}
        for g, name in enumerate(groups)
    }
    by_day = kpis_of_sums(sums.days)
    busy = occupied("days", *_day_windows(window)).tolist()
    for day, (kpis, share) in enumerate(zip(by_day, busy, strict=True)):
        kpis["occupancy"] = share
        with_wages(kpis, float(wages[:, day, :].sum()))
    # scheduled (the plan: staff or shifts) vs staffed (on duty: breaks and absences not)
    # agents, time-average head counts per interval (all groups: the whole interval, warm-up
    # or not, averaged over the days) and per agent group (from warm-up to the end, like
    # occupancy; over several days, the nights count too)
    starts = (np.arange(window.days)[:, None] * window.period
              + np.arange(window.intervals)[None, :] * window.interval)
    for kpi, periods in (("scheduled_agents", records.scheduled),
                         ("staffed_agents", records.staffed)):
        seconds = in_windows(periods, starts, starts + window.interval)
        heads = seconds.sum(axis=0) / (window.interval * window.days)
        for kpis, value in zip(intervals, heads.tolist(), strict=True):
            kpis[kpi] = value
        for kpis, value in zip(by_day, (seconds.sum(axis=1) / window.day_length).tolist(),
                               strict=True):
            kpis[kpi] = value
        for g, kpis in enumerate(by_group.values()):
            kpis[kpi] = float(np.diff(agent_seconds(periods, measured, np.array([g])))[0]
                              / (horizon - window.warmup))
    return RunMetrics(
        overall=overall,
        intervals=tuple(intervals),
        departments=by_department,
        callers=by_caller,
        agent_groups=by_group,
        ring_shares=_shares(sums.rings, start=1),
        transfer_shares=_shares(sums.transfers, start=0),
        worst_chains=sums.worst_chains(departments),
        days=tuple(by_day),
        revisit_chains=tuple(sorted(sums.revisit_chains, key=RevisitChain.worst_first)),
    )


def _caller_pass(records: RunRecords, blocks: Callable[[], Iterable[CallBlock]],
                 prices: Prices, window: Window) -> tuple[Reach | None, np.ndarray | None]:
    """What needs every attempt of a caller before any call's KPIs: whether the caller was
    resolved (reached) on some attempt, and the chance the caller stays after them all.
    A redial is numbered after every drawn call, so a caller's attempts can lie in
    different blocks: one pass over the blocks first, only when there are redials or
    someone can defect."""
    redials, defects = records.has_redials(), bool(prices.defection.any())
    if not (redials or defects):
        return None, None
    marks = Reach.none(records.counters.arrived) if redials else None
    stays = np.ones(records.counters.arrived) if defects else None
    for part in blocks():
        if marks is not None:
            marks.mark(part.calls)
        if stays is not None:
            stay_chances(part.calls, part.visits, prices, window.threshold,
                         window.transfers_at_most, stays)
    return marks, stays


def _dedicated(group_skills: list[tuple[int, ...]], department: int) -> list[int]:
    """The agent groups that take ``department``'s calls, if they take no other's ([]
    otherwise): then the department's occupancy is theirs."""
    dedicated = [g for g, skills in enumerate(group_skills) if department in skills]
    return dedicated if all(group_skills[g] == (department,) for g in dedicated) else []


def _day_windows(window: Window) -> tuple[np.ndarray, np.ndarray]:
    """``[begin, finish)`` of every day, clipped to start at the warm-up."""
    openings = np.arange(window.days) * window.period
    return (np.maximum(openings, window.warmup),
            np.maximum(openings + window.day_length, window.warmup))


@dataclass
class CallSums:
    """What a run's KPIs are made of, added up block by block of calls."""

    overall: np.ndarray  # group_sums of the counted calls: shape (1, len(SUMS))
    intervals: np.ndarray  # per interval of the day, over every day
    days: np.ndarray  # per day
    callers: np.ndarray  # per caller type
    departments: np.ndarray  # per department: its queue visits and busy signals
    rings: np.ndarray  # answered calls per ring they were answered on (0 is never)
    transfers: np.ndarray  # answered calls per transfer count
    worst: list[tuple[int, int, tuple[int, ...]]]  # (-transfers, call, departments gone)
    revisit_chains: list[RevisitChain]
    rona_groups: np.ndarray  # counted ring-no-answers per agent group
    rona_departments: np.ndarray  # and per department
    busy: dict[object, AgentSeconds]  # busy agent-seconds: "overall", "intervals", "days",
    # ("group", g) and ("department", d) for a department with agents of its own (the
    # same query under several names where they cover the same groups)
    outcomes: np.ndarray  # every call (counted or not) per outcome: the conservation check
    finished_visits: int = 0  # and the visits that ended

    @classmethod
    def empty(cls, window: Window, departments: int, callers: int,
              group_skills: list[tuple[int, ...]]) -> CallSums:
        """Nothing added yet."""
        width, groups = len(SUMS), len(group_skills)
        measured = windows_of(np.array([window.warmup]), np.array([window.end]))
        overall = AgentSeconds(measured)

        def of(chosen: list[int]) -> AgentSeconds:
            """Some groups' busy seconds over the measured window: the overall query itself
            when they are every group (the same spells, so the same sums)."""
            return (overall if sorted(chosen) == list(range(groups))
                    else AgentSeconds(measured, np.array(chosen)))

        busy: dict[object, AgentSeconds] = {
            "overall": overall,
            "intervals": AgentSeconds(windows_of(*window.interval_windows())),
            "days": AgentSeconds(windows_of(*_day_windows(window))),
            **{("group", g): of([g]) for g in range(groups)},
            **{("department", d): of(_dedicated(group_skills, d))
               for d in range(departments) if _dedicated(group_skills, d)},
        }
        return cls(np.zeros((1, width)), np.zeros((window.intervals, width)),
                   np.zeros((window.days, width)), np.zeros((callers, width)),
                   np.zeros((departments, width)), np.zeros(0, dtype=np.int64),
                   np.zeros(0, dtype=np.int64), [], [], np.zeros(groups, dtype=np.int64),
                   np.zeros(departments, dtype=np.int64), busy,
                   np.zeros(len(Outcome), dtype=np.int64))

    def add(self, part: CallBlock, window: Window, reach: Reach | None, losses: Losses,
            departments: list[str], callers: list[str]) -> None:
        """Add a block's calls (calls that arrived before the warm-up count nowhere) and
        its busy spells."""
        calls, visits = part.calls, part.visits
        self.outcomes += np.bincount(calls.outcome, minlength=len(Outcome))
        self.finished_visits += int(visits.call.size)
        for seconds in {id(query): query for query in self.busy.values()}.values():
            seconds.add(part.busy)  # each query once, however many names it has
        counted = calls.arrival >= window.warmup
        revisits = find_revisits(visits, part.size, len(departments))
        facts = CallFacts.of(calls, visits, part.rona.call, caller_outcomes(calls, reach),
                             losses, revisits.per_call, window.threshold,
                             window.transfers_at_most)
        day_of = np.floor(calls.arrival / window.period).astype(np.int32)
        interval_of = np.floor((calls.arrival - day_of * window.period) / window.interval
                               ).astype(np.int32)
        codes = CallCodes.of(facts)  # shared by the four groupings
        group_sums(codes, np.where(counted, 0, -1), 1, self.overall)
        group_sums(codes, np.where(counted, interval_of, -1), window.intervals, self.intervals)
        group_sums(codes, np.where(counted, day_of, -1), window.days, self.days)
        group_sums(codes, np.where(counted, calls.caller, -1), len(callers), self.callers)
        _add_department_sums(part, counted, revisits.re_entry, window, self.departments)
        answered = counted & (calls.outcome == Outcome.ANSWERED)
        rings = np.floor(calls.answer_time[answered] / window.ring).astype(np.int64) + 1
        self.rings = _added(self.rings, np.bincount(rings))
        self.transfers = _added(self.transfers, np.bincount(calls.transfers[answered]))
        rona_counted = counted[part.rona.call]
        self.rona_groups += np.bincount(part.rona.group[rona_counted],
                                        minlength=self.rona_groups.size)
        self.rona_departments += np.bincount(part.rona.department[rona_counted],
                                             minlength=self.rona_departments.size)
        self.worst = sorted(self.worst + _worst_of(part, counted))[:WORST_CHAINS]
        self.revisit_chains += revisit_chains(visits, revisits, counted, departments,
                                              calls.caller, callers, part.first)

    def worst_chains(self, departments: list[str]) -> tuple[Chain, ...]:
        """The calls with the most transfers (at least 2: ping-pong), worst first."""
        return tuple(Chain(call, -minus, tuple(departments[d] for d in path))
                     for minus, call, path in self.worst)


def _worst_of(part: CallBlock, counted: np.ndarray) -> list[tuple[int, int, tuple[int, ...]]]:
    """A block's counted calls with the most transfers, at least 2 (:data:`WORST_CHAINS`
    of them): (-transfers, the run's call number, the departments of its visits in turn)."""
    transfers = np.where(counted, part.calls.transfers, 0)
    candidates = np.flatnonzero(transfers >= 2)
    order = candidates[np.lexsort((candidates, -transfers[candidates]))][:WORST_CHAINS]
    visits = part.visits
    return [(-int(transfers[call]), part.first + call,
             tuple(visits.department[visits.call == call].tolist()))
            for call in order.tolist()]


def _add_department_sums(part: CallBlock, counted: np.ndarray, re_entry: np.ndarray,
                         window: Window, sums: np.ndarray) -> None:
    """Add a block to ``sums``, the group_sums per department: every entry of a counted
    call into its queue, and the counted calls that dialled it and got a busy signal
    (never in a queue)."""
    calls, visits = part.calls, part.visits
    blocked = counted & (calls.outcome == Outcome.BLOCKED)
    key = np.concatenate((np.where(counted[visits.call], visits.department, -1),
                          np.where(blocked, calls.department, -1)))
    n = calls.outcome.size
    facts = CallFacts.of_rows(
        outcome=np.concatenate((visits.outcome, calls.outcome)),
        waited=np.concatenate((visits.waited, np.zeros(n, dtype=bool))),
        wait=np.concatenate((visits.wait, np.full(n, np.nan))),
        transfers=np.concatenate((visits.transferred, np.zeros(n, dtype=bool))).astype(np.int32),
        limited=np.concatenate((visits.limited, np.zeros(n, dtype=bool))),
        sent_back=np.concatenate((re_entry & (visits.outcome == Outcome.ANSWERED),
                                  np.zeros(n, dtype=bool))),
        threshold=window.threshold, transfers_at_most=window.transfers_at_most)
    group_sums(facts, key, sums.shape[0], sums)


def _added(total: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Two count arrays added, the shorter one padded with zeros."""
    if counts.size > total.size:
        total, counts = counts, total
    total = total.copy()
    total[:counts.size] += counts
    return total


def _shares(counts: np.ndarray, start: int) -> tuple[float, ...]:
    """Each value's share (``counts`` by value) from value ``start`` on; () when none."""
    size = int(counts.sum())
    if size == 0:
        return ()
    return tuple(float(c) for c in counts[start:] / size)


def check_conservation(records: Records) -> None:
    """Every call is accounted for, checked against the engine's own tallies.

    offered = answered + abandoned + blocked + voicemail + self-served + still in
    the system; the outcome columns must agree with the counts of arrivals,
    busy signals, departures and calls left waiting that the engine kept.
    """
    check_counts(np.bincount(records.calls.outcome, minlength=len(Outcome)),
                 int(records.visits.call.size), records.counters)


def check_counts(outcomes: np.ndarray, finished_visits: int, counters: Counters) -> None:
    """:func:`check_conservation` of calls per outcome and the visits that ended (summed
    block by block by :func:`run_metrics`)."""
    counts = dict(enumerate(outcomes.tolist()))
    offered = int(outcomes.sum())
    problems = []
    if offered != counters.arrived:
        problems.append(f"{offered} call rows for {counters.arrived} arrivals")
    in_menu = counts.get(Outcome.SELF_SERVED, 0) + counts.get(Outcome.IVR_HANG_UP, 0)
    if in_menu != counters.ivr_ended:
        problems.append(f"{in_menu} calls ended in the menu, {counters.ivr_ended} recorded")
    if counts.get(Outcome.BLOCKED, 0) != counters.blocked:
        problems.append(f"{counts.get(Outcome.BLOCKED, 0)} blocked rows, "
                        f"{counters.blocked} busy signals")
    in_system = counters.arrived - counters.blocked - counters.ivr_ended - counters.left
    if counts.get(Outcome.IN_SYSTEM, 0) > in_system:
        problems.append(f"{counts.get(Outcome.IN_SYSTEM, 0)} calls never left their first queue "
                        f"but {in_system} are in the system")
    if finished_visits + counters.waiting_at_end != counters.visits:
        problems.append(f"{finished_visits} finished + {counters.waiting_at_end} waiting visits "
                        f"!= {counters.visits} started")
    if in_system != counters.waiting_at_end:
        problems.append(f"{in_system} calls neither blocked nor gone, "
                        f"but {counters.waiting_at_end} waiting")
    if problems:
        raise ConservationError("conservation broken: " + "; ".join(problems))
