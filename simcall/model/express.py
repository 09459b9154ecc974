"""The express lane: the call flow of a centre whose calls only queue, talk and leave.

Most of what a planner simulates, and every Erlang yardstick, is a centre without a
voice menu, trunk lines, rings, ring-no-answer, redials, callbacks, voicemail, transfers
or not-ready time: a call joins its department's queue, an agent answers at once when
one is free, talks, does wrap-up, and the caller leaves; or the caller hangs up when
patience runs out. For such a centre (:func:`express_fits`), :class:`ExpressFlow` stands in
for :class:`~simcall.model.calls.CallFlow` and gives the same records, with less work per
call:

* **its own event loop** (:meth:`ExpressFlow.run_events`, which the clock runs instead of
  its own): arrivals, ends of talk and of wrap-up are handled in one function, on local
  variables; SimPy's events (the duty roster's) still go to their callbacks;
* **no object per call**: a waiting call is a tuple in its department's heap, a call in
  talk a tuple on the clock's heap, not a ``Call`` and a SimPy ``Timeout``;
* **lazy abandonment**: no patience timer. A caller whose deadline has passed is found
  when an agent reaches her in the queue: she hung up at her deadline, which is when the
  timer would have fired. Nobody behind her could have been answered in between (an agent
  who was free would have taken her), so nothing else changes;
* **records written once, at the end**: during the run the lane notes, per call, only
  what the drawn demand cannot tell -- when it joined the queue (if it found no agent
  free), when it was answered and by whom -- in typed arrays indexed by call number.
  :meth:`ExpressFlow.tables` derives the queue visits and the agents' busy spells from
  those and the demand with numpy, with the same floating-point operations the general
  flow does one call at a time (talk x the agent's factor, answer + talk + wrap-up), so
  the values are bit for bit the same.

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
from simcall.model.parties import Agent
from simcall.model.records import PERIOD_DTYPE, ChunkedTable, Counters, Outcome
from simcall.scenario.schema import Scenario

INF = math.inf
NAN = math.nan
BLOCK = 4096  # arrivals converted to Python floats at a time

Waiting = tuple[int, float, int, float, int, float, float]
"""A call in a queue: (priority, queue key, number, deadline, timer id, talk, wrap-up); the
first three order the department's heap as ``DepartmentQueue`` does (the call number is
the order of joining: a call joins a queue once, when it arrives)."""


def express_fits(scenario: Scenario) -> bool:
    """Whether the express lane gives this scenario's results (see the module): nothing
    but queues, talk, wrap-up, not-ready time after calls, patience, priorities, skills and
    the duty roster."""
    return (
        scenario.lines is None
        and scenario.voicemail_after is None
        and scenario.voicemail_callback is None
        and all(c.ivr is None and c.redial is None and c.callback is None
                for c in scenario.callers)
        and all(not d.transfer for d in scenario.departments)
        and all(g.pickup is None and g.rona is None for g in scenario.agents)
    )


class ExpressFlow:
    """Moves the calls of an express-lane centre (see the module) and notes what they did."""

    def __init__(self, scenario: Scenario, env: Clock, demand: Demand, pool: AgentPool,
                 after_call: Sequence[Callable[[], float] | None] = (),
                 not_ready: ChunkedTable | None = None) -> None:
        self.env = env
        # per agent group, the not-ready time after each call (``not_ready``; None: ready at
        # once), the agents not ready now (since when) and the not-ready spells recorded
        self.after_call = list(after_call) or [None] * len(scenario.agents)
        self.paused: dict[Agent, float] = {}
        self.not_ready = not_ready if not_ready is not None else ChunkedTable(PERIOD_DTYPE)
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
        self._calls = calls
        self._position = 0  # the next arrival's row in the demand
        self._next_at = INF  # when it arrives (INF: none left)
        self._next_id = -1  # the event id its Timeout would have had
        self._block: list[tuple[float, int, int, float, float, float]] = []  # gap to the
        # next arrival, caller type, department, patience, talk, wrap-up
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
        last_deadline, left = self.last_deadline, self.left
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
                        if event.__class__ is not tuple:  # SimPy's (the roster's)
                            env._now = now
                            env.current = entry
                            self._position, self._in_block, self.left = position, in_block, left
                            self.last_deadline = last_deadline
                            callbacks = event.callbacks
                            event.callbacks = None
                            for callback in callbacks:
                                callback(event)
                            if not event._ok and not hasattr(event, "_defused"):
                                failure = event._value
                                raise type(failure)(*failure.args) from failure
                            left = self.left  # an agent coming on duty may meet hung-up callers
                            compact_at = pool.compact_at  # the head count may have changed
                            continue
                        agent, wrap_up = event
                        if wrap_up >= 0.0:  # talk ends (-1.0: wrap-up ends, -2.0: not ready)
                            left += 1
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
                                deadline = waiting[3]
                                if deadline < now or (
                                        deadline == now and (NORMAL, waiting[4]) < entry[1:3]):
                                    left += 1  # she hung up at her deadline
                                    continue
                                number = waiting[2]
                                answered[number] = now
                                agent_of[number] = agent.number
                                heappush(queue, (now + waiting[5] * agent.talk_factor, NORMAL,
                                                 next(ids), (agent, waiting[6])))
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
                    heappush(queue, (now + talk * agent.talk_factor, NORMAL, next(ids),
                                     (agent, wrap_up)))
                else:
                    entered[number] = now
                    deadline = now + patience
                    timer = -1
                    if patience < INF:  # the general flow's timer takes an id now
                        timer = next(ids)
                        if deadline > last_deadline:
                            last_deadline = deadline
                    heappush(heaps[department],
                             (priorities[caller], now - credits[caller], number, deadline,
                              timer, talk, wrap_up))
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
            self._next_at, self._next_id = next_at, next_id
            self.last_deadline = last_deadline

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
                    self.left += 1
                    continue
                number = waiting[2]
                self.answered[number] = now
                self.agent[number] = agent.number
                queue: list[Any] = self.env._queue
                heappush(queue, (now + waiting[5] * agent.talk_factor, NORMAL,
                                 next(self.env._eid), (agent, waiting[6])))
                return
        self.pool.make_idle(agent)

    # -- the queues as the roster and the records see them ------------------------------

    def _settle(self, now: float, key: tuple[Any, ...]) -> None:
        """Take every caller whose timer would have fired before ``key`` out of the queues:
        they hung up."""
        for heap in self.heaps:
            staying = [w for w in heap if not _gone(w, now, key)]
            if len(staying) < len(heap):
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
        return Counters(self._position, 0, self.left, waiting, self._position)

    # -- the records ----------------------------------------------------------------------

    def tables(self, agent_groups: np.ndarray) -> tuple[dict[str, np.ndarray],
                                                        dict[str, np.ndarray]]:
        """The queue visits and busy spells of a drained run, as the general flow writes
        them (see the module), from what was noted and the demand; ``agent_groups`` gives
        each agent's group by number - 1."""
        d = self.demand
        arrived = self._position
        entered_queue = np.frombuffer(self.entered, dtype=np.float64)[:arrived]
        answered_at = np.frombuffer(self.answered, dtype=np.float64)[:arrived]
        agent = np.frombuffer(self.agent, dtype=np.int32)[:arrived]
        queued = ~np.isnan(entered_queue)
        answered = agent >= 0
        still_waiting = np.zeros(arrived, dtype=bool)
        still_waiting[[w[2] for heap in self.heaps for w in heap]] = True
        call = np.flatnonzero(answered | (queued & ~still_waiting))
        answered, queued = answered[call], queued[call]
        entered = np.where(queued, entered_queue[call], answered_at[call])
        start = answered_at[call]
        # the last entry of each lookup stands for "no agent" (agent -1, group -1)
        group = np.append(agent_groups, -1).astype(np.int32)[
            np.where(answered, agent[call] - 1, -1)]
        talk = np.where(answered, d.talk[call] * np.append(self.talk_factors, NAN)[group], NAN)
        wrap_up = np.where(answered, d.wrap_up[call], NAN)
        # answered: from joining to the answer (0.0 if answered at once); hung up: until
        # the deadline, joining + patience, as the general flow computes it
        wait = np.where(answered, start - entered, (entered + d.patience[call]) - entered)
        none = np.zeros(call.size, dtype=bool)
        visits: dict[str, np.ndarray] = {
            "call": call.astype(np.int64),
            "department": d.department[call].astype(np.int32),
            "entered": entered,
            "outcome": np.where(answered, int(Outcome.ANSWERED),
                                int(Outcome.ABANDONED)).astype(np.int8),
            "waited": queued,
            "wait": wait,
            "group": group,
            "agent": np.where(answered, agent[call], -1).astype(np.int32),
            "talk": talk,
            "wrap_up": wrap_up,
            "transferred": none,
            "limited": none,
        }
        talk_end = start[answered] + talk[answered]
        done = wrap_up[answered]
        busy: dict[str, np.ndarray] = {
            "group": group[answered],
            "start": start[answered],
            "end": np.where(done > 0.0, talk_end + done, talk_end),
        }
        return visits, busy

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
    deadline = waiting[3]
    return deadline < now or (deadline == now and (NORMAL, waiting[4]) < key[1:3])
