"""The express lane: the call flow of a centre whose calls only queue, talk and leave.

Most of what a planner simulates, and every Erlang yardstick, is a centre without a
voice menu, trunk lines, rings, ring-no-answer, callbacks, voicemail or warm transfers: a
call joins its department's queue, an agent answers at once when one is free, talks, does
wrap-up (and may then be not ready for a while), and the caller leaves or is transferred
cold to another queue; or the caller hangs up when patience runs out, and may call again
later (a redial). For such a centre (:func:`express_fits`), :class:`ExpressFlow` stands in
for :class:`~simcall.model.calls.CallFlow` and gives the same records, with less work:

* **its own event loop** (:meth:`ExpressFlow.run_events`, run by the clock instead of its
  own): arrivals, ends of talk and of wrap-up handled in one function on local variables;
  SimPy's events (the duty roster's) still go to their callbacks;
* **no object per call**: a waiting call is a tuple in its department's heap, a call in
  talk a tuple on the clock's heap, not a ``Call`` and a SimPy ``Timeout``;
* **lazy abandonment**: no patience timer. A caller whose deadline has passed is found
  when an agent reaches her in the queue: she hung up at her deadline, when the timer
  would have fired; nobody behind her could have been answered in between. Not with
  redials, whose time and draws are made at the hang-up: then (``timed``) the timers run
  as events ``(deadline, NORMAL, id, call number)``;
* **records written once, at the end**: per call, only what the demand cannot tell (when
  it joined a queue, when it was answered, by whom) is noted in typed arrays;
  :mod:`simcall.model.notes` derives the records from those, bit for bit the general
  flow's. A transferred call's later visits are :mod:`simcall.model.later_visits`'.

Why the results are the same, ties included: the general flow gives a waiting call's
patience timer the event id ``next(env._eid)`` when the call joins the queue; the express
flow takes that id at the same moment and keeps it with the call, so every other event
gets the id it had, and "has the caller hung up?" is decided by comparing the timer's key
``(deadline, NORMAL, id)`` with the key of the event being handled, as SimPy's heap would
have. Timers of callers who were answered still count for the end of the run (SimPy ran
them, doing nothing, and the clock stood at the last of them). What differs is only the
order of the rows of ``visits`` and ``busy``: here they come in call order, in the general
flow as visits and busy spells end. Every KPI is a sum over rows, so only the order of its
additions can differ (the last bit); the tests compare the two flows' records sorted, bit
for bit.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Sequence
from heapq import heappop, heappush
from typing import Any

import numpy as np
from simpy.events import NORMAL

from simcall.model.agents import AgentPool
from simcall.model.clock import Clock
from simcall.model.demand import Demand
from simcall.model.draws import LaterVisitDraws, RedialDraws
from simcall.model.lane_redials import LaneRedials
from simcall.model.later_visits import LaterVisits
from simcall.model.notes import CallNotes, LaneRecords, attributes_of
from simcall.model.parties import Agent
from simcall.model.records import Counters, Recorder
from simcall.model.transfers import Transfers
from simcall.scenario.schema import Scenario

INF = math.inf
NAN = math.nan
BLOCK = 512  # arrivals converted to Python values at a time: a block's tuples stay below
# the garbage collector's first threshold (700 new container objects), so converting one
# sets off no collection (4,096 set off 143 in a 200 h Erlang-A run: 4% of its instructions)

Waiting = tuple[int, float, int, int, float, int, float, float]
"""A call in a queue: (priority, queue key, sequence, number, deadline, timer id, talk,
wrap-up); the first three order the department's heap as ``DepartmentQueue`` does (the
sequence is the order of joining: with redials, call numbers are not)."""


def express_fits(scenario: Scenario) -> bool:
    """Whether the express lane gives this scenario's results (see the module): nothing
    but queues, talk, wrap-up, not-ready time after calls, patience, redials, priorities,
    skills and the duty roster."""
    return (
        scenario.lines is None
        and scenario.voicemail_after is None
        and scenario.voicemail_callback is None
        and all(c.ivr is None and c.callback is None for c in scenario.callers)
        and all(not d.transfer or not d.warm_transfer for d in scenario.departments)
        and all(g.pickup is None and g.rona is None for g in scenario.agents)
    )


class ExpressFlow:
    """Moves the calls of an express-lane centre (see the module) and notes what they did."""

    def __init__(self, scenario: Scenario, env: Clock, demand: Demand, pool: AgentPool,
                 recorder: Recorder, after_call: Sequence[Callable[[], float] | None] = (),
                 redials: Sequence[RedialDraws | None] = (), transfers: Transfers | None = None,
                 later_draws: LaterVisitDraws | None = None) -> None:
        self.env = env
        self.sequence = 0  # calls that joined a queue: their order of joining
        self.later = (LaterVisits(transfers, later_draws, demand)  # cold transfers
                      if transfers is not None and later_draws is not None else None)
        # per group, the not-ready time after each call (None: ready at once), the agents
        # not ready now (since when) and the not-ready spells recorded
        self.after_call = list(after_call) or [None] * len(scenario.agents)
        self.paused: dict[Agent, float] = {}
        self.not_ready = recorder.not_ready
        self.pool = pool
        self.demand = demand
        self.heaps: list[list[Waiting]] = [[] for _ in scenario.departments]
        self.priorities = [c.priority for c in scenario.callers]
        self.credits = [c.priority_credit or 0.0 for c in scenario.callers]
        self.talk_factors = np.array([g.talk_factor for g in scenario.agents], dtype=float)
        self.left = 0  # calls that ended (answered and done talking, or hung up)
        self.last_deadline = -INF  # the latest patience timer the general flow set
        calls = len(demand)
        # per call, by number: what the demand cannot tell (NaN / -1: did not happen)
        self.entered = array("d", [NAN]) * calls  # joined the queue, finding no agent free
        self.answered = array("d", [NAN]) * calls  # an agent answered
        self.agent = array("i", [-1]) * calls  # the agent's number
        # redials: made at the hang-up, so with them the patience timers run (``timed``)
        self.redials = LaneRedials(scenario, env, recorder, redials, demand, self._join,
                                   (self.entered, self.answered, self.agent),
                                   self.later.redial if self.later is not None else None)
        self.timed = self.redials.on
        self.timer_of: dict[int, int] = {}  # with timers: the id of each call's current one
        self._calls = calls
        self._position = 0  # the next arrival's row in the demand
        self._next_at = INF  # when it arrives (INF: none left)
        self._next_id = -1  # the event id its Timeout would have had
        # the arrivals as Python values: gap to the next, caller, department, patience, talk,
        self._block: list[tuple[float, int, int, float, float, float]] = []  # wrap-up
        self._block_start = 0  # the demand row of the block's first arrival
        self._in_block = 0  # the next arrival's place in the block

    # -- arrivals ---------------------------------------------------------------------

    def start(self) -> None:
        """Take over the clock's loop and expect the first arrival, as a ``Timeout`` made
        now would (its id is taken now)."""
        self.env.lane = self
        self._load_block(0)
        if self._block:
            self._next_at = self.env.now + float(self.demand.arrival[0])
            self._next_id = next(self.env._eid)

    def _load_block(self, begin: int) -> None:
        """Convert the block of arrivals from row ``begin`` to Python values (plain floats
        are cheaper to use than numpy scalars; a block at a time keeps memory flat)."""
        d = self.demand
        end = min(begin + BLOCK, len(d))
        # each call's gap to the next arrival (the last call's is unused), as the general
        # flow computes it: the next one's drawn time less this one's
        gaps = np.diff(d.arrival[begin:end + 1]).tolist()
        if len(gaps) < end - begin:
            gaps.append(INF)
        self._block = list(zip(gaps, d.caller[begin:end].tolist(),
                               d.department[begin:end].tolist(),
                               d.patience[begin:end].tolist(), d.talk[begin:end].tolist(),
                               d.wrap_up[begin:end].tolist(), strict=True))
        self._block_start = begin
        self._in_block = 0

    # -- the loop -----------------------------------------------------------------------

    def run_events(self) -> None:
        """Handle every event in order until none is left (or a SimPy callback stops the
        run: the state is kept for the next call).

        What happens is what the general flow's events do, in the same order: the next
        arrival is handled when its key ``(time, NORMAL, id)`` comes before the heap's
        head (the clock's rule); an express entry on the heap is an end of talk
        ``(agent, wrap-up)`` or of wrap-up ``(agent, -1.0)``; anything else is SimPy's.
        The handlers are written out in the loop (no call per event): this runs twice or
        three times per call."""
        env = self.env
        queue: list[Any] = env._queue
        ids = env._eid
        pool = self.pool
        idle_agent_for = pool.idle_agent_for
        primary, secondary = pool.primary, pool.secondary
        make_idle = pool.make_idle
        heaps = self.heaps
        priorities, credits = self.priorities, self.credits
        entered, answered, agent_of = self.entered, self.answered, self.agent
        block, in_block = self._block, self._in_block
        position, calls = self._position, self._calls
        next_at, next_id = self._next_at, self._next_id
        last_deadline, left, sequence = self.last_deadline, self.left, self.sequence
        timed, later, timer_of = self.timed, self.later, self.timer_of
        compact_at = pool.compact_at
        after_call, paused = self.after_call, self.paused
        pauses = any(draw is not None for draw in after_call)
        not_ready = self.not_ready
        now = env._now
        try:
            while True:
                if queue:
                    head = queue[0]
                    if next_at > head[0] or (next_at == head[0] and head[1:3] < (NORMAL, next_id)):
                        # the heap's head comes first
                        entry = heappop(queue)
                        event = entry[3]
                        now = entry[0]
                        if event.__class__ is not tuple:  # a patience timer, or SimPy's
                            env._now = now
                            env.current = entry
                            self._position, self._in_block, self.left = position, in_block, left
                            self.last_deadline, self.sequence = last_deadline, sequence
                            if event.__class__ is int:  # a caller's patience runs out
                                self._patience_runs_out(event, entry[2], now)
                            else:  # the roster's, or a redial arriving
                                env.fire(event)
                            # an agent coming on duty may have met hung-up callers, a redial
                            # joined a queue, the head count changed
                            left, sequence = self.left, self.sequence
                            last_deadline = self.last_deadline
                            compact_at = pool.compact_at
                            continue
                        agent, wrap_up = event
                        if wrap_up >= 0.0:  # talk ends (-1.0: wrap-up ends, -2.0: not ready)
                            going = None if later is None else later.talk_ends(agent, now,
                                                                               wrap_up)
                            if going is None:
                                left += 1
                            else:  # transferred: on to the next queue before wrap-up
                                env._now = now
                                self.sequence, self.last_deadline = sequence, last_deadline
                                self._goes_on(going, now)
                                sequence, last_deadline = self.sequence, self.last_deadline
                            if wrap_up > 0.0:
                                heappush(queue, (now + wrap_up, NORMAL, next(ids), (agent, -1.0)))
                                continue
                        if pauses:  # Readiness.after_call and _on_ready, written out
                            if wrap_up == -2.0:  # back from not ready
                                not_ready.append((agent.group, paused.pop(agent), now))
                            else:  # the call's work is done: not ready for a while?
                                draw = after_call[agent.group]
                                if draw is not None:
                                    seconds = draw()  # drawn even if leaving (see readiness)
                                    if not agent.leaving and seconds > 0.0:
                                        paused[agent] = now
                                        heappush(queue, (now + seconds, NORMAL, next(ids),
                                                         (agent, -2.0)))
                                        continue
                        if agent.leaving:
                            pool.go_home(agent, now)
                            continue
                        # the agent takes the first call still waiting in its skills, by rank
                        for department in agent.skills:
                            heap = heaps[department]
                            while heap:
                                waiting = heappop(heap)
                                deadline = waiting[4]
                                if deadline < now or (
                                        deadline == now and (NORMAL, waiting[5]) < entry[1:3]):
                                    if later is not None:
                                        later.hung_up(waiting[3], deadline)
                                    if not timed:  # (with timers, hers counted her)
                                        left += 1  # she hung up at her deadline
                                    continue
                                number = waiting[3]
                                talk = waiting[6] * agent.talk_factor
                                if later is None or not later.answer(number, agent, now, talk):
                                    answered[number] = now
                                    agent_of[number] = agent.number
                                heappush(queue, (now + talk, NORMAL, next(ids),
                                                 (agent, waiting[7])))
                                break
                            else:
                                continue
                            break
                        else:  # the pool's make_idle, written out for an agent with one skill
                            skills = agent.skills
                            idle = primary[skills[0]]
                            if len(skills) == 1 and len(idle) < compact_at:
                                agent.idle = True
                                agent.token = token = agent.token + 1
                                idle.append((token, agent))
                            else:
                                make_idle(agent)
                        continue
                elif next_at == INF:
                    break
                # the next call arrives
                now = next_at
                following = next(ids)  # the next arrival's id, before this one's events
                gap, caller, department, patience, talk, wrap_up = block[in_block]
                number = position
                position += 1
                in_block += 1
                agent = None  # the pool's idle_agent_for, written out
                idle = primary[department]
                while idle:
                    token, candidate = idle.popleft()
                    if candidate.idle and candidate.token == token:
                        candidate.idle = False
                        agent = candidate
                        break
                else:
                    if secondary[department]:
                        agent = idle_agent_for(department)
                if agent is not None:  # answered at once
                    answered[number] = now
                    agent_of[number] = agent.number
                    if later is not None:
                        later.on_call[agent] = number
                    heappush(queue, (now + talk * agent.talk_factor, NORMAL, next(ids),
                                     (agent, wrap_up)))
                else:
                    entered[number] = now
                    sequence += 1
                    if patience < INF:  # the general flow's timer takes an id now
                        deadline = now + patience
                        timer = next(ids)
                        heappush(heaps[department],
                                 (priorities[caller], now - credits[caller], sequence, number,
                                  deadline, timer, talk, wrap_up))
                        if timed:  # with redials the timer runs: a hang-up is an event
                            heappush(queue, (deadline, NORMAL, timer, number))
                            timer_of[number] = timer
                        elif deadline > last_deadline:
                            last_deadline = deadline
                    else:
                        heappush(heaps[department],
                                 (priorities[caller], now - credits[caller], sequence, number,
                                  INF, -1, talk, wrap_up))
                # the clock adds the delay to now, as the Timeout did
                next_at = now + gap
                next_id = following
                if in_block == len(block):
                    if position == calls:
                        next_at = INF
                    else:
                        self._load_block(position)
                        block, in_block = self._block, 0
        finally:
            env._now = now
            self._position, self._in_block, self.left = position, in_block, left
            self.sequence = sequence
            self._next_at, self._next_id = next_at, next_id
            self.last_deadline = last_deadline

    def _goes_on(self, going: tuple[int, int, int, float, float, float, float],
                 now: float) -> None:
        """A transferred call goes on to its next queue (``LaterVisits.talk_ends``)."""
        assert self.later is not None
        number, department, caller, patience, talk, wrap, draw = going
        self.later.join(number, department, now, draw)
        self._join(number, caller, department, patience, talk, wrap,
                   boost=self.later.transfers.boosts[department])

    def _join(self, number: int, caller: int, department: int, patience: float, talk: float,
              wrap_up: float, boost: int) -> None:
        """The call joins ``department``'s queue now, or an idle agent answers it (the
        loop's arrival, for a redial or a call transferred: ``boost`` raises its priority)."""
        now = self.env.now
        queue: list[Any] = self.env._queue
        agent = self.pool.idle_agent_for(department)
        if agent is not None:
            talk *= agent.talk_factor
            self._answer(number, agent, now, talk, waited=False)
            heappush(queue, (now + talk, NORMAL, next(self.env._eid), (agent, wrap_up)))
            return
        if self.later is None or number not in self.later.visit:
            self.entered[number] = now  # its first visit: noted in the arrays
        self.sequence += 1
        key = (self.priorities[caller] - boost, now - self.credits[caller], self.sequence,
               number)
        if patience < INF:
            deadline = now + patience
            timer = next(self.env._eid)
            heappush(self.heaps[department], (*key, deadline, timer, talk, wrap_up))
            if self.timed:
                heappush(queue, (deadline, NORMAL, timer, number))
                self.timer_of[number] = timer
            elif deadline > self.last_deadline:
                self.last_deadline = deadline
        else:
            heappush(self.heaps[department], (*key, INF, -1, talk, wrap_up))

    def _answer(self, number: int, agent: Agent, now: float, talk: float,
                waited: bool = True) -> None:
        """Note an answer outside the loop (a first visit's in the arrays)."""
        if self.later is None or not self.later.answer(number, agent, now, talk, waited):
            self.answered[number] = now
            self.agent[number] = agent.number

    def _patience_runs_out(self, number: int, timer: int, now: float) -> None:
        """A caller's patience timer (with redials; the general flow's ``_on_deadline``): she
        hangs up unless answered, and may call again; her queue entry goes when met. A
        timer of an earlier visit of a transferred call does nothing."""
        if self.timer_of.get(number) != timer:
            return
        del self.timer_of[number]
        visit = self.later.visit.get(number) if self.later is not None else None
        answered = visit[4] if visit is not None else self.answered[number]
        if answered == answered:  # not NaN: answered
            return
        self.left += 1
        if self.later is not None:
            self.later.hung_up(number, now)
        self.redials.hung_up(number)

    def agent_arrives(self, agent: Agent) -> None:
        """An agent coming on duty takes a waiting call or goes idle (the roster calls it)."""
        now = self.env.now
        if agent.leaving:
            self.pool.go_home(agent, now)
            return
        key = self.env.current
        for department in agent.skills:
            heap = self.heaps[department]
            while heap:
                waiting = heappop(heap)
                if _gone(waiting, now, key):
                    if self.later is not None:
                        self.later.hung_up(waiting[3], waiting[4])
                    if not self.timed:  # (with timers, hers counted her)
                        self.left += 1
                    continue
                talk = waiting[6] * agent.talk_factor
                self._answer(waiting[3], agent, now, talk)
                queue: list[Any] = self.env._queue
                heappush(queue, (now + talk, NORMAL, next(self.env._eid), (agent, waiting[7])))
                return
        self.pool.make_idle(agent)

    # -- the queues as the roster and the records see them ------------------------------

    def _settle(self, now: float, key: tuple[Any, ...]) -> None:
        """Take every caller whose timer would have fired before ``key`` out of the queues:
        they hung up."""
        for heap in self.heaps:
            staying = [w for w in heap if not _gone(w, now, key)]
            if len(staying) < len(heap):
                if self.later is not None:  # a later visit's hang-up gets its row
                    for w in heap:
                        if _gone(w, now, key):
                            self.later.hung_up(w[3], w[4])
                if not self.timed:  # (with timers, each hang-up was counted as it came)
                    self.left += len(heap) - len(staying)
                staying.sort()  # a sorted list is a heap
                heap[:] = staying

    def calls_waiting(self) -> int:
        """Calls in the queues now (callers past their deadline written off first)."""
        self._settle(self.env.now, self.env.current)
        return sum(len(heap) for heap in self.heaps)

    def drained(self) -> None:
        """The event list ran dry: callers still waiting hang up at their deadlines, and the
        clock ends at the last timer the general flow would have run."""
        end = max(self.env.now, self.last_deadline)
        self._settle(end, (end, NORMAL + 1, 0))
        self.env._now = end

    def counters(self) -> Counters:
        """The engine's own tallies, for the conservation check."""
        waiting = sum(len(heap) for heap in self.heaps)
        arrived = self._position + self.redials.arrived
        visits = arrived + (self.later.started if self.later is not None else 0)
        return Counters(arrived, 0, self.left, waiting, visits,
                        redials_after_close=self.redials.redials.after_close)

    # -- the records ----------------------------------------------------------------------

    def kept(self, recorder: Recorder, agent_groups: np.ndarray, end_time: float,
             agent_names: tuple[str, ...]) -> LaneRecords:
        """A drained run's records, as its notes (:mod:`simcall.model.notes`; no busy
        signals, menu or rings here); ``agent_groups``: each agent's group by number - 1."""
        calls, later, demand = len(self.entered), self.later, self.demand  # calls: redials too
        return LaneRecords(
            notes=CallNotes(np.frombuffer(self.entered, dtype=np.float64),
                            np.frombuffer(self.answered, dtype=np.float64),
                            np.frombuffer(self.agent, dtype=np.int32),
                            [w[3] for heap in self.heaps for w in heap
                             if later is None or w[3] not in later.visit]),  # first visit
            drawn=attributes_of(demand, self.redials.redialled, calls),
            call_columns=recorder.call_columns(demand.caller, demand.arrival,
                                               demand.department),
            agent_groups=agent_groups, talk_factors=self.talk_factors,
            later=None if later is None else later.kept(),
            **recorder.agent_time(), end_time=end_time, counters=self.counters(),
            agent_names=agent_names)

    def __getstate__(self) -> dict[str, Any]:
        """The state without the block of converted arrivals (rebuilt where it starts)."""
        return {key: value for key, value in self.__dict__.items() if key != "_block"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.env.lane = self
        in_block = self._in_block
        self._load_block(self._block_start)
        self._in_block = in_block


def _gone(waiting: Waiting, now: float, key: tuple[Any, ...]) -> bool:
    """Whether the caller's patience timer ``(deadline, NORMAL, id)`` would have fired before
    the event with ``key`` (its time ``now``): SimPy's order, ties by priority and id."""
    deadline = waiting[4]
    return deadline < now or (deadline == now and (NORMAL, waiting[5]) < key[1:3])
