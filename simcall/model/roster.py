"""The duty roster: the staffing plan turned into time, and carried out during the run.

An agent group is staffed either by a head count per interval (``staff``) or by
``shifts`` (:mod:`simcall.scenario.shifts`); either way ``shrinkage`` takes a share
of the scheduled agent time away at random (unplanned absence). Before the run,
pure functions turn the plan into time:

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

During the run, :class:`Roster` carries the plan out through the pool; agents
meet calls only through :meth:`CallFlow.agent_arrives`:

* a group with ``staff`` has a head count per interval, set at each interval
  start (:meth:`AgentPool.set_staff`: idle agents leave first, busy ones
  finish the call in hand); with ``shrinkage``, the head count of an interval
  is the number of scheduled agents not absent in it;
* a group with ``shifts`` has one slot per agent of each shift, with its own
  on-duty periods (shift less breaks and absences); one process walks through
  every slot's comings and goings in time order.

After the last interval, the agents still on duty stay until the centre has
drained: a ``staff`` group keeps its last head count, and a shift agent whose
last stretch on duty reaches the end of the last interval stays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Protocol

import numpy as np
from simpy import Environment
from simpy.events import URGENT, Event, Timeout

from simcall.model.agents import AgentPool
from simcall.model.parties import Agent
from simcall.model.streams import Owner, Streams
from simcall.scenario.schema import AgentGroup, Scenario
from simcall.scenario.shifts import Period


class Desk(Protocol):
    """What the roster needs of the call flow (the general one or the express lane)."""

    def agent_arrives(self, agent: Agent) -> None:
        """An agent coming on duty takes a waiting call or goes idle."""

    def calls_waiting(self) -> int:
        """Calls in the queues now."""


class Roster:
    """Carries every group's plan out during the run: head counts at interval starts,
    shift slots in time, and the close of each day before the last.

    Why callbacks and not SimPy processes: a replication's state is copied at interval
    boundaries (the staffing search forks it) and shipped to worker processes, and a
    generator can be neither copied nor pickled. The steps below are the ones the
    processes took, in the same order and with the same events, so that results do
    not change: the roster starts at an urgent event at time 0, as a process does.
    """

    def __init__(self, env: Environment, scenario: Scenario, pool: AgentPool, flow: Desk,
                 streams: Streams) -> None:
        self.env, self.scenario, self.pool, self.flow = env, scenario, pool, flow
        self.streams = streams
        self.head_counts: list[tuple[int, list[list[int]]]] = []  # per group: a plan per day
        self.changes: list[tuple[float, int, int, int]] = []  # (time, 0 off / 1 on, group, slot)
        self.slot_agents: dict[tuple[int, int], Agent] = {}
        self.day = self.k = 0  # the head-count plan's next step
        self.change = 0  # the shift slots' next change
        self.waiting_for = -1  # the change whose time is awaited, -1 when none
        _urgent(env, self._begin)

    def _begin(self, _: Event) -> None:
        """What the staffing process did first: record the plan, draw breaks and absences,
        start the shift slots, then the first head counts."""
        scenario, pool = self.scenario, self.pool
        slots: list[tuple[int, list[list[Period]]]] = []
        period = scenario.day_period
        for group, spec in enumerate(scenario.agents):
            one_day = scheduled_periods(spec, scenario)
            pool.schedule(group, [(d * period + a, d * period + b)
                                  for d in range(scenario.days) for a, b in one_day])
            if spec.shifts is not None:
                rng = self.streams.take("breaks", Owner.AGENT_GROUP, group)
                days = [slot_periods(spec, scenario, rng) for _ in range(scenario.days)]
                slots.append((group, [
                    [(d * period + a, d * period + b) for d, day in enumerate(days)
                     for a, b in day[slot]]
                    for slot in range(len(days[0]))
                ]))
                continue
            plan = scenario.per_interval(spec.staff or (0,)).astype(int).tolist()
            plans = [plan] * scenario.days
            if spec.shrinkage > 0.0:
                rng = self.streams.take("breaks", Owner.AGENT_GROUP, group)
                absences = rng.spawn(2)[1]
                plans = [present_counts(plan, spec.shrinkage, absences)
                         for _ in range(scenario.days)]
            self.head_counts.append((group, plans))
        if slots:
            self.changes = _changes(slots, scenario.run_horizon)
            _urgent(self.env, self._shifts_begin)
        if self.head_counts:
            self._heads()

    # -- head counts ------------------------------------------------------------------

    def _heads(self) -> None:
        """Apply head counts up to now; wait for the next interval start or the close."""
        scenario, env = self.scenario, self.env
        while self.day < scenario.days:
            opening = self.day * scenario.day_period
            while self.k < scenario.intervals:
                start = opening + self.k * scenario.interval
                if start > env.now:
                    Timeout(env, start - env.now).callbacks.append(self._heads_resume)
                    return
                self._apply_heads()
            if self.day + 1 < scenario.days and scenario.day_period > scenario.horizon:
                self._close(opening + scenario.horizon, opening + scenario.day_period,
                            self._heads_after_close)
                return
            self.day, self.k = self.day + 1, 0

    def _heads_resume(self, _: Event) -> None:
        self._apply_heads()
        self._heads()

    def _apply_heads(self) -> None:
        """Interval ``k`` of day ``day`` starts: groups whose head count changes change."""
        k = self.k
        for group, plans in self.head_counts:
            counts = plans[self.day]
            if k == 0 or counts[k] != counts[k - 1]:
                for agent in self.pool.set_staff(group, counts[k], self.env.now):
                    self.flow.agent_arrives(agent)
        self.k += 1

    def _heads_after_close(self) -> None:
        for group, _ in self.head_counts:
            self.pool.set_staff(group, 0, self.env.now)
        self.day, self.k = self.day + 1, 0
        self._heads()

    # -- shift slots ------------------------------------------------------------------

    def _shifts_begin(self, _: Event) -> None:
        self._shifts()

    def _shifts(self) -> None:
        """Every shift agent's stretches on duty, in time order (at one time: goings first).

        A stretch that reaches the last day's close has no end: the agent stays until
        the centre has drained. One that reaches an earlier day's close ends once the
        queues are empty (the centre closes for the night).
        """
        scenario, env = self.scenario, self.env
        closes = {d * scenario.day_period + scenario.horizon for d in range(scenario.days - 1)}
        while self.change < len(self.changes):
            time, on, _, _ = self.changes[self.change]
            if self.waiting_for != self.change:  # first visit: wait for its time, then close
                self.waiting_for = self.change
                if time > env.now:
                    Timeout(env, time - env.now).callbacks.append(self._shifts_resume)
                    return
                if not on and time in closes and scenario.day_period > scenario.horizon:
                    self._close(time, time - scenario.horizon + scenario.day_period,
                                self._shifts)
                    return
            self._apply_change()

    def _shifts_resume(self, event: Event) -> None:
        time, on, _, _ = self.changes[self.change]
        scenario = self.scenario
        closes = {d * scenario.day_period + scenario.horizon for d in range(scenario.days - 1)}
        if not on and time in closes and scenario.day_period > scenario.horizon:
            self._close(time, time - scenario.horizon + scenario.day_period, self._shifts)
            return
        self._apply_change()
        self._shifts()

    def _apply_change(self) -> None:
        _, on, group, slot = self.changes[self.change]
        self.change += 1
        if on:
            agent, arrived = self.pool.come_on_duty(group, self.slot_agents.get((group, slot)),
                                                    self.env.now)
            self.slot_agents[(group, slot)] = agent
            if arrived:
                self.flow.agent_arrives(agent)
        else:
            self.pool.go_off_duty(self.slot_agents[(group, slot)], self.env.now)

    # -- closing time -----------------------------------------------------------------

    def _close(self, closing: float, opening: float, then: Callable[[], None]) -> None:
        """Closing time of a day before the last: no new calls; the agents on duty stay until
        the calls in the queues are answered or gone (checked every 30 s), then go home.

        Waiting also stops once no agent is busy (an idle agent with the skill would already
        have taken a waiting call, so nobody on duty can answer those), and at the latest
        when the next day opens: calls nobody can answer wait for the next day's agents.
        """
        if closing > self.env.now:
            Timeout(self.env, closing - self.env.now).callbacks.append(
                partial(self._close_poll, opening, then))
            return
        self._close_poll(opening, then, None)

    def _close_poll(self, opening: float, then: Callable[[], None], _: Event | None) -> None:
        env = self.env
        if self.flow.calls_waiting() and self.pool.any_busy() and env.now + 30.0 < opening:
            Timeout(env, 30.0).callbacks.append(partial(self._close_poll, opening, then))
            return
        then()


def _urgent(env: Environment, callback: Callable[[Event], None]) -> None:
    """Call ``callback`` at the current time before any ordinary event, as SimPy starts a
    process (the same event, so the order of everything else stays as it was)."""
    event = Event(env)
    event._ok = True
    event._value = None
    event.callbacks.append(callback)
    env.schedule(event, URGENT)


def _changes(slots: Sequence[tuple[int, list[list[Period]]]],
             horizon: float) -> list[tuple[float, int, int, int]]:
    """Every shift agent's comings (1) and goings (0), sorted: at one time, goings first.

    A stretch that reaches the end of the run has no going: the agent stays until the
    centre has drained.
    """
    changes: list[tuple[float, int, int, int]] = []
    for group, periods in slots:
        for slot, stretches in enumerate(periods):
            for start, end in stretches:
                changes.append((start, 1, group, slot))
                if end < horizon:
                    changes.append((end, 0, group, slot))
    changes.sort()
    return changes


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
        windows = [(*item.window(open_s), item.length) for item in drawn]  # once per shift
        for agent in range(shift.agents):
            own = list(fixed)
            for (low, high, length), u in zip(windows, draws[agent].tolist(), strict=True):
                begin = low + u * (high - low - length)
                own.append((begin, begin + length))
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
