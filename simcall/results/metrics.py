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
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from simcall.model.records import Outcome, Records
from simcall.results.agent_time import agent_seconds, in_windows
from simcall.results.call_facts import QUEUED_LOOKUP, CallFacts, grouped_kpis, ratio
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
    queued = QUEUED_LOOKUP[outcome]  # by table: np.isin would sort
    answer_times = wait[answered_mask]
    answered_transfers = transfers[answered_mask]
    within = int(np.count_nonzero(answer_times < window.threshold))
    return {
        "service_level": ratio(within, answered + abandoned),
        "asa_s": float(answer_times.mean()) if answered else math.nan,
        "p_wait": ratio(int(np.count_nonzero(waited[queued])), int(np.count_nonzero(queued))),
        "abandon_rate": ratio(abandoned, answered + abandoned),
        "block_rate": ratio(int(counts[Outcome.BLOCKED]), outcome.size),
        "occupancy": math.nan,
        "mean_transfers": ratio(float(answered_transfers.sum()), answered),
        "transfer_share_within": ratio(
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


def call_kpis(facts: CallFacts, rows: np.ndarray, window: Window) -> Kpis:
    """The call KPIs of one set of calls (overall, a caller type): ``rows`` is a boolean
    mask or ascending call indices. :func:`grouped_kpis` gives the same for many sets."""
    calls = facts.calls
    kpis = outcome_kpis(calls.outcome[rows], calls.waited[rows], calls.wait[rows],
                        calls.transfers[rows], calls.limited[rows], window)
    kpis["rona"] = float(facts.rona[rows].sum())
    kpis["voicemail_callbacks"] = float(facts.voicemail_callbacks[rows].sum())
    kpis.update(facts.callers.kpis(rows))
    kpis.update(facts.losses.kpis(rows))
    kpis["revisit_rate"] = ratio(int(np.count_nonzero(facts.sent_back[rows])),
                                 int(np.count_nonzero(facts.answered[rows])))
    return kpis


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

    visits = records.visits
    revisits = find_revisits(visits, calls.arrival.size, len(departments))
    facts = CallFacts.of(records, losses, revisits.per_call, window.threshold,
                         window.transfers_at_most)
    overall = call_kpis(facts, counted, window)
    overall["occupancy"] = float(occupancy(records, np.array([window.warmup]),
                                           np.array([horizon]))[0])

    day_of = np.floor(calls.arrival / window.period).astype(np.int32)
    interval_of = np.floor((calls.arrival - day_of * window.period) / window.interval
                           ).astype(np.int32)
    wages = wage_costs(records, prices, *window.interval_windows())  # (groups, days, intervals)
    with_wages(overall, float(wages.sum()))
    intervals = interval_breakdown(records, window, facts, np.where(counted, interval_of, -1),
                                   wages)

    visit_counted = counted[visits.call] if visits.call.size else np.zeros(0, dtype=bool)
    blocked_first = counted & (calls.outcome == Outcome.BLOCKED)
    by_department = {name: department_kpis(records, window, d, counted, visit_counted,
                                           blocked_first, revisits.re_entry, group_skills)
                     for d, name in enumerate(departments)}

    # every caller type in one pass of bincounts, as the intervals (a centre may have many)
    by_caller = dict(zip(callers, grouped_kpis(facts, np.where(counted, calls.caller, -1),
                                                len(callers)), strict=True))
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
    by_day = day_breakdown(records, window, facts, np.where(counted, day_of, -1))
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


def department_kpis(records: Records, window: Window, d: int, counted: np.ndarray,
                    visit_counted: np.ndarray, blocked_first: np.ndarray,
                    re_entry: np.ndarray, group_skills: list[tuple[int, ...]]) -> Kpis:
    """KPIs of department ``d``: every entry of a counted call into its queue, and the
    counted calls that dialled it and got a busy signal. (A function of its own so that
    its per-entry columns go as soon as they are summed: a long run's memory.)"""
    calls, visits = records.calls, records.visits
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
    kpis["revisit_rate"] = ratio(int(np.count_nonzero(answered_here & re_entry)),
                                 int(np.count_nonzero(answered_here)))
    kpis["rona"] = float(np.count_nonzero(
        (records.rona.department == d) & counted[records.rona.call]))
    dedicated = [g for g, skills in enumerate(group_skills) if d in skills]
    if dedicated and all(group_skills[g] == (d,) for g in dedicated):
        kpis["occupancy"] = float(occupancy(records, np.array([window.warmup]),
                                            np.array([window.end]), np.array(dedicated))[0])
    return kpis


def interval_breakdown(records: Records, window: Window, facts: CallFacts,
                       interval_of: np.ndarray, wages: np.ndarray) -> list[Kpis]:
    """KPIs of each interval of the day, over every day: the calls that arrived in it
    (``interval_of``: -1 for calls not counted), all intervals in one pass over the calls;
    occupancy and wages (``wage_costs``' groups x days x intervals) of its windows."""
    intervals = grouped_kpis(facts, interval_of, window.intervals)
    busy = occupancy(records, *window.interval_windows()).tolist()
    for kpis, occupied, paid in zip(intervals, busy, wages.sum(axis=(0, 1)).tolist(),
                                    strict=True):
        kpis["occupancy"] = occupied
        with_wages(kpis, paid)
    return intervals


def day_breakdown(records: Records, window: Window, facts: CallFacts,
                  day_of: np.ndarray) -> list[Kpis]:
    """KPIs of each day: the calls that arrived that day (``day_of``: -1 for calls not
    counted), all days in one pass over the calls; occupancy over its intervals."""
    days = grouped_kpis(facts, day_of, window.days)
    openings = np.arange(window.days) * window.period
    busy = occupancy(records, np.maximum(openings, window.warmup),
                     np.maximum(openings + window.day_length, window.warmup)).tolist()
    for kpis, occupied in zip(days, busy, strict=True):
        kpis["occupancy"] = occupied
    return days


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
