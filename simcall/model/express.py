"""The express lane: the call flow of a centre whose calls only queue, talk and leave.

Most of what a planner simulates, and every Erlang yardstick, is a centre without a
voice menu, trunk lines, rings, ring-no-answer, redials, callbacks, voicemail, transfers
or not-ready time: a call joins its department's queue, an agent answers at once when
one is free, talks, does wrap-up, and the caller leaves; or the caller hangs up when
patience runs out. For such a centre (:func:`express_fits`), :class:`ExpressFlow` stands in
for :class:`~simcall.model.calls.CallFlow` and gives the same records, with less work per
call:

* **no object per call**: a waiting call is a tuple in its department's heap, a call in
  talk a tuple on the clock's heap (:meth:`~simcall.model.clock.Clock.run` hands those to
  :meth:`ExpressFlow.on_event`), not a ``Call`` and a SimPy ``Timeout``;
* **lazy abandonment**: no patience timer. A caller whose deadline has passed is found
  when an agent reaches her in the queue, and recorded as having hung up at her deadline,
  which is when the timer would have fired. Nobody behind her could have been answered
  in between (an agent who was free would have taken her), so nothing else changes.

Why the results are the same, ties included: the general flow gives a waiting call's
patience timer the event id ``next(env._eid)`` when the call joins the queue; the express
flow takes that id at the same moment and keeps it with the call, so every other event
gets the id it had, and "has the caller hung up?" is decided by comparing the timer's key
``(deadline, NORMAL, id)`` with the key of the event being handled, as SimPy's heap would
have. Timers of callers who were answered still count for the end of the run (SimPy ran
them, doing nothing, and the clock stood at the last of them). What differs is only the
order of the rows of ``visits`` (a hang-up is written when it is found, not at the
deadline); :mod:`simcall.model.records` derives the call table by call number, and the
tests compare the two flows' records sorted by call, bit for bit.
"""

from __future__ import annotations

import math
from heapq import heappop, heappush
from typing import Any

from simpy.events import NORMAL

from simcall.model.agents import AgentPool
from simcall.model.clock import Clock
from simcall.model.demand import Demand
from simcall.model.parties import Agent
from simcall.model.records import Counters, Outcome, Recorder
from simcall.scenario.schema import Scenario

ANSWERED, ABANDONED = int(Outcome.ANSWERED), int(Outcome.ABANDONED)
NAN = math.nan
BLOCK = 4096  # arrivals converted to Python floats at a time

Waiting = tuple[int, float, int, int, float, float, int, float, float]
"""A call in a queue: (priority, queue key, sequence, number, entered, deadline, timer id,
talk, wrap-up); the first three order the department's heap as ``DepartmentQueue`` does."""


def express_fits(scenario: Scenario) -> bool:
    """Whether the express lane gives this scenario's results (see the module): nothing
    but queues, talk, wrap-up, patience, priorities, skills and the duty roster."""
    return (
        scenario.lines is None
        and scenario.voicemail_after is None
        and scenario.voicemail_callback is None
        and all(c.ivr is None and c.redial is None and c.callback is None
                for c in scenario.callers)
        and all(not d.transfer for d in scenario.departments)
        and all(g.pickup is None and g.rona is None and g.not_ready is None
                for g in scenario.agents)
    )


class ExpressFlow:
    """Moves the calls of an express-lane centre (see the module) and writes the records."""

    def __init__(self, scenario: Scenario, env: Clock, demand: Demand, pool: AgentPool,
                 recorder: Recorder) -> None:
        self.env = env
        self.pool = pool
        self.demand = demand
        self.heaps: list[list[Waiting]] = [[] for _ in scenario.departments]
        self.priorities = [c.priority for c in scenario.callers]
        self.credits = [c.priority_credit or 0.0 for c in scenario.callers]
        self.arrived = self.left = 0
        self.sequence = 0  # ties in a queue go by order of joining
        self.last_deadline = -math.inf  # the latest patience timer the general flow set
        # the clock's heap, where the express events go beside SimPy's (its type says Event)
        self._events: list[Any] = env._queue
        self._visits = recorder.visits
        self._visit_rows = recorder.visits.rows  # appended to directly, packed when long
        self._pack_at = recorder.visits.chunk_size
        self._busy = recorder.busy
        self._pack_busy_at = recorder.busy.chunk_size
        self._calls = len(demand)
        self._position = 0  # the next arrival's row in the demand
        self._block: list[tuple[float, int, int, float, float, float]] = []
        self._block_start = 0  # the demand row of the block's first arrival
        self._in_block = 0  # the next arrival's place in the block

    # -- arrivals ---------------------------------------------------------------------

    def start(self) -> None:
        """Hand the clock its express handler and the first arrival."""
        self.env.express = self.on_event
        self._load_block(0)
        if self._block:
            self.env.expect_arrival(self, self._block[0][0])

    def _load_block(self, begin: int) -> None:
        """Convert the block of arrivals from row ``begin`` to Python values (plain floats
        are cheaper to use than numpy scalars; a block at a time keeps memory flat)."""
        d = self.demand
        end = min(begin + BLOCK, len(d))
        self._block = list(zip(d.arrival[begin:end].tolist(), d.caller[begin:end].tolist(),
                               d.department[begin:end].tolist(),
                               d.patience[begin:end].tolist(), d.talk[begin:end].tolist(),
                               d.wrap_up[begin:end].tolist(), strict=True))
        self._block_start = begin
        self._in_block = 0

    def next_arrival(self) -> float | None:
        """The pending call arrives now; returns the delay to the next one (``None``: none).

        The call's times start from the clock's ``now``, not from its drawn arrival time:
        the clock reaches an arrival by adding the delay to the last one, as the general
        flow's ``Timeout`` did, and the two can differ in the last bit."""
        at, caller, department, patience, talk, wrap_up = self._block[self._in_block]
        number = self._position
        self._position = number + 1
        self._in_block += 1
        self.arrived += 1
        env = self.env
        now = env._now
        agent = self.pool.idle_agent_for(department)
        if agent is not None:  # answered at once: the general flow's connect and _answer
            agent.busy_since = now
            talk *= agent.talk_factor
            heappush(self._events, (now + talk, NORMAL, next(env._eid),
                                    (agent, number, department, now, False, 0.0, talk,
                                     wrap_up)))
        else:
            deadline = now + patience
            timer = -1
            if patience < math.inf:  # the general flow's patience timer takes an id now
                timer = next(env._eid)
                if deadline > self.last_deadline:
                    self.last_deadline = deadline
            self.sequence += 1
            heappush(self.heaps[department],
                     (self.priorities[caller], now - self.credits[caller], self.sequence,
                      number, now, deadline, timer, talk, wrap_up))
        if self._position >= self._calls:
            return None
        if self._in_block >= len(self._block):
            self._load_block(self._position)
        return self._block[self._in_block][0] - at

    # -- events -------------------------------------------------------------------------

    def on_event(self, entry: tuple[float, int, int, tuple[Any, ...]]) -> None:
        """An express event from the clock's heap: the end of a talk, or of a wrap-up."""
        payload = entry[3]
        now = entry[0]
        if len(payload) == 1:  # wrap-up ends
            self._free(payload[0], now, entry)
            return
        agent, number, department, entered, waited, wait, talk, wrap_up = payload
        rows = self._visit_rows
        rows.append((number, department, entered, ANSWERED, waited, wait, agent.group,
                     agent.number, talk, wrap_up, False, False))
        if len(rows) >= self._pack_at:
            self._visits.pack()
            self._visit_rows = self._visits.rows
        self.left += 1
        if wrap_up > 0.0:
            heappush(self._events, (now + wrap_up, NORMAL, next(self.env._eid), (agent,)))
            return
        busy = self._busy  # _free, written out
        busy.rows.append((agent.group, agent.busy_since, now))
        if len(busy.rows) >= self._pack_busy_at:
            busy.pack()
        if agent.leaving:
            self.pool.go_home(agent, now)
            return
        self._take_next(agent, now, entry)

    def _free(self, agent: Agent, now: float, key: tuple[Any, ...]) -> None:
        """The agent is done: leave, take the next call still waiting, or go idle."""
        self._busy.append((agent.group, agent.busy_since, now))
        if agent.leaving:
            self.pool.go_home(agent, now)
            return
        self._take_next(agent, now, key)

    def agent_arrives(self, agent: Agent) -> None:
        """An agent coming on duty takes a waiting call or goes idle (the roster calls it)."""
        if agent.leaving:
            self.pool.go_home(agent, self.env._now)
            return
        self._take_next(agent, self.env._now, self.env.current)

    def _take_next(self, agent: Agent, now: float, key: tuple[Any, ...]) -> None:
        """Answer the first call still waiting in the agent's skills, in rank order; callers
        found past their deadline hung up then (see the module)."""
        heaps = self.heaps
        for department in agent.skills:
            heap = heaps[department]
            while heap:
                waiting = heappop(heap)
                deadline = waiting[5]
                if deadline < now or (deadline == now and (NORMAL, waiting[6]) < key[1:3]):
                    # _gone, written out: this runs once per call
                    self._hung_up(waiting, department)
                    continue
                _, _, _, number, entered, _, _, talk, wrap_up = waiting
                agent.busy_since = now
                talk *= agent.talk_factor
                env = self.env
                heappush(self._events, (now + talk, NORMAL, next(env._eid),
                                      (agent, number, department, entered, True,
                                       now - entered, talk, wrap_up)))
                return
        self.pool.make_idle(agent)

    def _hung_up(self, waiting: Waiting, department: int) -> None:
        number, entered, deadline = waiting[3], waiting[4], waiting[5]
        rows = self._visit_rows
        rows.append((number, department, entered, ABANDONED, True, deadline - entered, -1, -1,
                     NAN, NAN, False, False))
        if len(rows) >= self._pack_at:
            self._visits.pack()
            self._visit_rows = self._visits.rows
        self.left += 1

    # -- the queues as the roster and the records see them ------------------------------

    def _settle(self, now: float, key: tuple[Any, ...]) -> None:
        """Write every caller whose timer would have fired before ``key`` as hung up, in the
        order the timers would have fired."""
        for department, heap in enumerate(self.heaps):
            gone = [w for w in heap if _gone(w, now, key)]
            if gone:
                for waiting in sorted(gone, key=lambda w: (w[5], w[6])):
                    self._hung_up(waiting, department)
                heap[:] = [w for w in heap if not _gone(w, now, key)]
                heap.sort()  # a sorted list is a heap

    def calls_waiting(self) -> int:
        """Calls in the queues now (callers past their deadline written off first)."""
        self._settle(self.env._now, self.env.current)
        return sum(len(heap) for heap in self.heaps)

    def drained(self) -> None:
        """The event list ran dry: callers still waiting hang up at their deadlines, and the
        clock ends at the last timer the general flow would have run."""
        end = max(self.env._now, self.last_deadline)
        self._settle(end, (end, NORMAL + 1, 0))
        self.env._now = end

    def counters(self) -> Counters:
        """The engine's own tallies, for the conservation check."""
        waiting = sum(len(heap) for heap in self.heaps)
        return Counters(self.arrived, 0, self.left, waiting, self.arrived)

    def __getstate__(self) -> dict[str, Any]:
        """The state without the block of converted arrivals (rebuilt where it starts)."""
        return {key: value for key, value in self.__dict__.items() if key != "_block"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.env.express = self.on_event
        in_block = self._in_block
        self._load_block(self._block_start)
        self._in_block = in_block


def _gone(waiting: Waiting, now: float, key: tuple[Any, ...]) -> bool:
    """Whether the caller's patience timer ``(deadline, NORMAL, id)`` would have fired before
    the event with ``key`` (its time ``now``): SimPy's order, ties by priority and id."""
    deadline = waiting[5]
    return deadline < now or (deadline == now and (NORMAL, waiting[6]) < key[1:3])
