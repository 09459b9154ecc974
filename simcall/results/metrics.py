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
* ``mean_transfers`` = transfers / answered calls
* ``transfer_share_within`` = share of answered calls transferred at most N times
* ``revisit_rate`` = share of answered calls that re-entered a department they had left
  (ping-pong, :mod:`simcall.results.revisits`); per department, the share of its answered
  entries that were such re-entries
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from simcall.model.records import CallTable, Outcome, Records
from simcall.results.agent_time import agent_seconds, in_windows
from simcall.results.money import MONEY_KPIS, Losses, Prices, wage_costs, with_wages
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


_QUEUED = (Outcome.ANSWERED, Outcome.ABANDONED, Outcome.VOICEMAIL, Outcome.IN_SYSTEM,
           Outcome.CALLED_BACK)
_QUEUED_LOOKUP = np.isin(np.arange(len(Outcome)), _QUEUED)  # by outcome: joined a queue


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else math.nan


def outcome_kpis(outcome: np.ndarray, waited: np.ndarray, wait: np.ndarray,
                 transfers: np.ndarray, limited: np.ndarray, window: Window) -> Kpis:
    """KPIs of a set of calls (or queue visits) from their outcome columns.

    ``transfers`` is each row's transfer count (for visits: 1 if transferred on);
    ``limited`` marks rows whose transfer the transfer limit stopped or diverted.
    """
    counts = np.bincount(outcome, minlength=len(Outcome)) if outcome.size else np.zeros(
        len(Outcome), dtype=int)
    answered_mask = outcome == Outcome.ANSWERED
    answered = int(counts[Outcome.ANSWERED])
    abandoned = int(counts[Outcome.ABANDONED])
    queued = _QUEUED_LOOKUP[outcome]  # np.isin, by table: it sorts, per interval
    answer_times = wait[answered_mask]
    answered_transfers = transfers[answered_mask]
    within = int(np.count_nonzero(answer_times < window.threshold))
    return {
        "service_level": _ratio(within, answered + abandoned),
        "asa_s": float(answer_times.mean()) if answered else math.nan,
        "p_wait": _ratio(int(np.count_nonzero(waited[queued])), int(np.count_nonzero(queued))),
        "abandon_rate": _ratio(abandoned, answered + abandoned),
        "block_rate": _ratio(int(counts[Outcome.BLOCKED]), outcome.size),
        "occupancy": math.nan,
        "mean_transfers": _ratio(float(transfers.sum()), answered),
        "transfer_share_within": _ratio(
            int(np.count_nonzero(answered_transfers <= window.transfers_at_most)), answered),
        "offered": float(outcome.size),
        "answered": float(answered),
        "abandoned": float(abandoned),
        "blocked": float(counts[Outcome.BLOCKED]),
        "voicemail": float(counts[Outcome.VOICEMAIL]),
        "self_served": float(counts[Outcome.SELF_SERVED]),
        "ivr_hang_ups": float(counts[Outcome.IVR_HANG_UP]),
        "called_back": float(counts[Outcome.CALLED_BACK]),
        "callback_wait_s": float(wait[outcome == Outcome.CALLED_BACK].mean())
        if counts[Outcome.CALLED_BACK] else math.nan,
        "in_system": float(counts[Outcome.IN_SYSTEM]),
        "transfer_limited": float(np.count_nonzero(limited)),
    }


def occupancy(records: Records, begin: np.ndarray, finish: np.ndarray,
              groups: np.ndarray | None = None) -> np.ndarray:
    """Busy agent time / staffed agent time in each window ``[begin, finish)``.

    With a 2-D ``begin`` (days x intervals), the windows of each column are added up
    first: an interval's occupancy over all days.
    """
    busy_in = in_windows(records.busy, begin, finish, groups)
    staffed_in = in_windows(records.staffed, begin, finish, groups)
    if busy_in.ndim == 2:
        busy_in, staffed_in = busy_in.sum(axis=0), staffed_in.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(staffed_in > 0, busy_in / np.where(staffed_in > 0, staffed_in, 1), np.nan)


def not_ready_share(records: Records, begin: float, finish: float, group: int) -> float:
    """Not-ready agent time (after a ring-no-answer or a call) / staffed agent time of one
    group in ``[begin, finish)``; ``nan`` when nobody of the group was on duty."""
    window = (np.array([begin]), np.array([finish]), np.array([group]))
    staffed = float(in_windows(records.staffed, *window)[0])
    return float(in_windows(records.not_ready, *window)[0]) / staffed if staffed > 0 else math.nan


@dataclass(frozen=True)
class CallerOutcomes:
    """Per distinct caller (a first call and its redials): was it resolved, and when.

    Resolved means answered, self-served or called back. A caller is lost when none of its
    attempts was resolved, went to voicemail or is still in the system.
    """

    first: np.ndarray  # bool per call: a first attempt
    resolved_first: np.ndarray  # bool per call: a first attempt that was resolved
    resolved_ever: np.ndarray  # bool per call: its caller was resolved on some attempt
    reached_ever: np.ndarray  # bool per call: its caller got through somehow (not lost)

    def kpis(self, rows: np.ndarray) -> Kpis:
        """Caller KPIs of the callers whose first attempt is in ``rows`` (a boolean mask
        over the calls or an array of call indices)."""
        first = self.first[rows]
        callers = int(np.count_nonzero(first))
        return {
            "callers": float(callers),
            "redials": float(first.size - callers),
            "first_attempt_resolution": _ratio(
                int(np.count_nonzero(self.resolved_first[rows])), callers),
            "eventual_resolution": _ratio(
                int(np.count_nonzero(first & self.resolved_ever[rows])), callers),
            "lost_callers": float(np.count_nonzero(first & ~self.reached_ever[rows])),
        }


def caller_outcomes(calls: CallTable) -> CallerOutcomes:
    """Group attempts by caller (``first_call``)."""
    outcome = calls.outcome
    resolved = np.isin(outcome, (Outcome.ANSWERED, Outcome.SELF_SERVED, Outcome.CALLED_BACK))
    reached = resolved | np.isin(outcome, (Outcome.VOICEMAIL, Outcome.IN_SYSTEM))
    by_caller_resolved = np.zeros(outcome.size, dtype=bool)
    by_caller_reached = np.zeros(outcome.size, dtype=bool)
    np.logical_or.at(by_caller_resolved, calls.first_call, resolved)
    np.logical_or.at(by_caller_reached, calls.first_call, reached)
    first = calls.attempt == 1
    return CallerOutcomes(first, first & resolved, by_caller_resolved[calls.first_call],
                          by_caller_reached[calls.first_call])


@dataclass(frozen=True)
class Chain:
    """A call bounced between departments: its transfers and the queues it went through."""

    call: int
    transfers: int
    path: tuple[str, ...]


WORST_CHAINS = 5


def worst_chains(records: Records, counted: np.ndarray, departments: list[str],
                 count: int = WORST_CHAINS) -> tuple[Chain, ...]:
    """The ``count`` calls with the most transfers (at least 2: ping-pong), worst first."""
    transfers = np.where(counted, records.calls.transfers, 0)
    candidates = np.flatnonzero(transfers >= 2)
    if candidates.size == 0:
        return ()
    order = candidates[np.lexsort((candidates, -transfers[candidates]))][:count]
    visits = records.visits
    chains = []
    for call in order.tolist():
        rows = np.flatnonzero(visits.call == call)
        path = tuple(departments[d] for d in visits.department[rows].tolist())
        chains.append(Chain(call, int(transfers[call]), path))
    return tuple(chains)


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


def run_metrics(records: Records, window: Window, departments: list[str], callers: list[str],
                groups: list[str], group_skills: list[tuple[int, ...]],
                prices: Prices | None = None) -> RunMetrics:
    """Summarise one replication's records (``prices``: the money keys; none: all free)."""
    check_conservation(records)
    calls = records.calls
    prices = prices or Prices.free(len(callers), len(groups))
    losses = Losses.of(records, prices, window.threshold, window.transfers_at_most)
    counted = calls.arrival >= window.warmup
    horizon = window.end  # of the last day: overall figures cover every day

    rona_per_call = np.bincount(records.rona.call, minlength=calls.arrival.size)
    callers_seen = caller_outcomes(calls)
    visits = records.visits
    called_back = visits.call[visits.outcome == Outcome.CALLED_BACK]
    voicemail_callbacks = np.bincount(
        called_back[calls.outcome[called_back] == Outcome.VOICEMAIL], minlength=calls.arrival.size)
    revisits = find_revisits(visits, calls.arrival.size, len(departments))
    answered_first = calls.outcome == Outcome.ANSWERED
    sent_back = answered_first & (revisits.per_call > 0)

    def call_kpis(rows: np.ndarray) -> Kpis:
        # rows: a boolean mask or ascending call indices (the same calls in the same order)
        kpis = outcome_kpis(calls.outcome[rows], calls.waited[rows], calls.wait[rows],
                            calls.transfers[rows], calls.limited[rows], window)
        kpis["rona"] = float(rona_per_call[rows].sum())
        kpis["voicemail_callbacks"] = float(voicemail_callbacks[rows].sum())
        kpis.update(callers_seen.kpis(rows))
        kpis.update(losses.kpis(rows))
        kpis["revisit_rate"] = _ratio(int(np.count_nonzero(sent_back[rows])),
                                      int(np.count_nonzero(answered_first[rows])))
        return kpis

    overall = call_kpis(counted)
    overall["occupancy"] = float(occupancy(records, np.array([window.warmup]),
                                           np.array([horizon]))[0])

    day_of = np.floor(calls.arrival / window.period).astype(int)
    interval_of = np.floor((calls.arrival - day_of * window.period) / window.interval).astype(int)
    begin, finish = window.interval_windows()
    interval_occupancy = occupancy(records, begin, finish)
    wages = wage_costs(records, prices, begin, finish)  # (groups, days, intervals)
    with_wages(overall, float(wages.sum()))
    intervals = []
    for k, rows in enumerate(groups_of(np.where(counted, interval_of, -1), window.intervals)):
        kpis = call_kpis(rows)
        kpis["occupancy"] = float(interval_occupancy[k])
        with_wages(kpis, float(wages[:, :, k].sum()))
        intervals.append(kpis)

    visit_counted = counted[visits.call] if visits.call.size else np.zeros(0, dtype=bool)
    blocked_first = counted & (calls.outcome == Outcome.BLOCKED)
    by_department: dict[str, Kpis] = {}
    for d, name in enumerate(departments):
        mask = visit_counted & (visits.department == d)
        blocked = blocked_first & (calls.department == d)
        outcome = np.concatenate((visits.outcome[mask], calls.outcome[blocked]))
        waited = np.concatenate((visits.waited[mask], np.zeros(int(blocked.sum()), dtype=bool)))
        wait = np.concatenate((visits.wait[mask], np.full(int(blocked.sum()), np.nan)))
        none = np.zeros(int(blocked.sum()), dtype=int)
        onward = np.concatenate((visits.transferred[mask].astype(int), none))
        limited = np.concatenate((visits.limited[mask], none.astype(bool)))
        kpis = outcome_kpis(outcome, waited, wait, onward, limited, window)
        kpis["transfer_share_within"] = math.nan  # a per-caller notion, not a queue's
        answered_here = mask & (visits.outcome == Outcome.ANSWERED)
        kpis["revisit_rate"] = _ratio(int(np.count_nonzero(answered_here & revisits.re_entry)),
                                      int(np.count_nonzero(answered_here)))
        kpis["rona"] = float(np.count_nonzero(
            (records.rona.department == d) & counted[records.rona.call]))
        dedicated = [g for g, skills in enumerate(group_skills) if d in skills]
        if dedicated and all(group_skills[g] == (d,) for g in dedicated):
            kpis["occupancy"] = float(occupancy(records, np.array([window.warmup]),
                                                np.array([horizon]), np.array(dedicated))[0])
        by_department[name] = kpis

    by_caller = {name: call_kpis(counted & (calls.caller == c)) for c, name in enumerate(callers)}
    rona_counted = counted[records.rona.call]
    by_group = {
        name: {"occupancy": float(occupancy(records, np.array([window.warmup]),
                                            np.array([horizon]), np.array([g]))[0]),
               "rona": float(np.count_nonzero(rona_counted & (records.rona.group == g))),
               "not_ready_share": not_ready_share(records, window.warmup, horizon, g),
               "wage_cost": float(wages[g].sum())}
        for g, name in enumerate(groups)
    }
    # scheduled (the plan: staff or shifts) vs staffed (on duty: breaks and absences not)
    # agents, time-average head counts per interval (all groups: the whole interval, warm-up
    # or not, averaged over the days) and per agent group (from warm-up to the end, like
    # occupancy; over several days, the nights count too)
    starts = (np.arange(window.days)[:, None] * window.period
              + np.arange(window.intervals)[None, :] * window.interval)
    measured = np.array([window.warmup, horizon])
    by_day = day_breakdown(records, window, call_kpis, counted, day_of)
    for day, kpis in enumerate(by_day):
        with_wages(kpis, float(wages[:, day, :].sum()))
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
    answered = counted & (calls.outcome == Outcome.ANSWERED)
    rings = np.floor(calls.answer_time[answered] / window.ring).astype(int) + 1
    transfers = calls.transfers[answered]
    return RunMetrics(
        overall=overall,
        intervals=tuple(intervals),
        departments=by_department,
        callers=by_caller,
        agent_groups=by_group,
        ring_shares=_shares(rings, start=1),
        transfer_shares=_shares(transfers, start=0),
        worst_chains=worst_chains(records, counted, departments),
        days=tuple(by_day),
        revisit_chains=revisit_chains(visits, revisits, counted, departments, calls.caller,
                                      callers),
    )


def day_breakdown(records: Records, window: Window, call_kpis: Callable[[np.ndarray], Kpis],
                  counted: np.ndarray, day_of: np.ndarray) -> list[Kpis]:
    """KPIs of each day: the calls that arrived that day; occupancy over its intervals."""
    days = []
    for day, rows in enumerate(groups_of(np.where(counted, day_of, -1), window.days)):
        kpis = call_kpis(rows)
        opening = day * window.period
        kpis["occupancy"] = float(occupancy(
            records, np.array([max(opening, window.warmup)]),
            np.array([max(opening + window.day_length, window.warmup)]))[0])
        days.append(kpis)
    return days


def groups_of(keys: np.ndarray, count: int) -> list[np.ndarray]:
    """For each ``k`` in ``range(count)``, the ascending indices where ``keys == k``.

    One stable sort instead of a mask over all rows per group, so a breakdown into many
    intervals stays linear in the calls (the keys are nearly sorted: calls arrive in order,
    redials after them). Keys outside ``[0, count)`` belong to no group.
    """
    inside = (keys >= 0) & (keys < count)
    order = np.flatnonzero(inside)
    order = order[np.argsort(keys[order], kind="stable")]
    bounds = np.concatenate(([0], np.cumsum(np.bincount(keys[order], minlength=count))))
    return [order[bounds[k]:bounds[k + 1]] for k in range(count)]


def _shares(values: np.ndarray, start: int) -> tuple[float, ...]:
    if values.size == 0:
        return ()
    counts = np.bincount(values)[start:]
    return tuple(float(c) for c in counts / values.size)


def check_conservation(records: Records) -> None:
    """Every call is accounted for, checked against the engine's own tallies.

    offered = answered + abandoned + blocked + voicemail + self-served + still in
    the system; the outcome columns must agree with the counts of arrivals,
    busy signals, departures and calls left waiting that the engine kept.
    """
    calls, counters = records.calls, records.counters
    counts: Mapping[int, int] = dict(zip(*np.unique(calls.outcome, return_counts=True),
                                         strict=True))
    problems = []
    if calls.outcome.size != counters.arrived:
        problems.append(f"{calls.outcome.size} call rows for {counters.arrived} arrivals")
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
    finished_visits = records.visits.call.size
    if finished_visits + counters.waiting_at_end != counters.visits:
        problems.append(f"{finished_visits} finished + {counters.waiting_at_end} waiting visits "
                        f"!= {counters.visits} started")
    if in_system != counters.waiting_at_end:
        problems.append(f"{in_system} calls neither blocked nor gone, "
                        f"but {counters.waiting_at_end} waiting")
    if problems:
        raise ConservationError("conservation broken: " + "; ".join(problems))
