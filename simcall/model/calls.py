"""The life of a call, as a chain of SimPy events.

A call arrives, takes a trunk line (or hears a busy signal), joins its department's
queue, rings an agent, talks, and is then either transferred (cold) into another queue
or leaves; the agent does wrap-up and takes the next call. A caller whose patience runs
out before pickup -- also while the phone rings -- hangs up; with ``voicemail_after`` set,
a call still unanswered by then goes to voicemail instead, unless it is a voicemail being
called back: that is the centre's own work, it waits for an agent however long.

Why callbacks rather than a generator process per call: a SimPy process costs an extra event
and a generator resume at every step, about twice the work of the call's own events, and the
engine must simulate hundreds of thousands of calls per run. Each step below is one
``Timeout`` whose value is the call and whose callback is the next step, and nothing is
scheduled that cannot matter: no patience timer for a call that finds a free agent, no event
per ring (the ring answered on follows from the answer time), and no event per arrival (the
clock merges the pre-drawn arrivals with its heap: :mod:`simcall.model.clock`).
Features that are off cost one test: whether agents answer at once and whether a
talk ends the call is decided once per replication (see ``__init__``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from simpy.events import Event

from simcall.model.agents import AgentPool
from simcall.model.clock import Clock
from simcall.model.demand import ArrivalRow, Demand
from simcall.model.draws import LaterVisitDraws, RedialDraws
from simcall.model.parties import Agent, Call
from simcall.model.queues import DepartmentQueue
from simcall.model.readiness import Readiness
from simcall.model.records import Counters, Outcome, Recorder
from simcall.model.redials import Redials
from simcall.model.transfers import Transfers
from simcall.scenario.schema import Scenario

ANSWERED, ABANDONED, VOICEMAIL, CALLED_BACK = (
    Outcome.ANSWERED, Outcome.ABANDONED, Outcome.VOICEMAIL, Outcome.CALLED_BACK)
Trace = list[tuple[float, str, int, str, str]]
"""Event log rows: (time, event, call id, department, agent)."""


class CallFlow:
    """Moves calls through queues and agents; writes the records."""

    def __init__(
        self,
        scenario: Scenario,
        env: Clock,
        demand: Demand,
        queues: Sequence[DepartmentQueue],
        pool: AgentPool,
        recorder: Recorder,
        later_visit: LaterVisitDraws,
        trace: Trace | None = None,
        redials: Sequence[RedialDraws | None] = (),
        callback_draw: Callable[[], float] | None = None,
        callback_delay: Callable[[], float] | None = None,
        not_ready: Sequence[Callable[[], float] | None] = (),
    ) -> None:
        self.env = env
        self.scenario = scenario
        self.redials = Redials(scenario, env, recorder, redials, len(demand), self._on_redial)
        self.offers = [(c.callback.offer_after, c.callback.accept) if c.callback else None
                       for c in scenario.callers]
        self.any_offers = any(offer is not None for offer in self.offers)
        self.mean_talk = [d.talk.mean_value for d in scenario.departments]
        self.voicemail_callback = scenario.voicemail_callback
        self.callback_draw = callback_draw or partial(float, 1.0)  # constants that copy
        self.callback_delay = callback_delay or partial(float, 0.0)
        self.queues = queues
        self.pool = pool
        self.trace = trace
        self.later_visit = later_visit
        self.lines = scenario.lines if scenario.lines is not None else math.inf
        self.lines_busy = 0
        self.arrived = self.blocked = self.left = self.visits_started = 0
        self.voicemail_after = (scenario.voicemail_after if scenario.voicemail_after is not None
                                else math.inf)
        self.department_names = [d.name for d in scenario.departments]
        self.priorities = [c.priority for c in scenario.callers]
        self.credits = [c.priority_credit or 0.0 for c in scenario.callers]  # head starts
        self.readiness = Readiness(env, pool, recorder, not_ready, self.agent_arrives)
        self.transfers = Transfers(scenario)
        self.boosts = self.transfers.boosts
        self.warm = self.transfers.warm
        # the voice menu per caller type: cumulative shares (hang up, self-serve, misroute)
        self.menus = [
            (c.ivr.hang_up, c.ivr.hang_up + c.ivr.self_serve,
             c.ivr.hang_up + c.ivr.self_serve + c.ivr.misroute) if c.ivr is not None else None
            for c in scenario.callers
        ]
        self.ivr_ended = 0
        self._ivr_outcomes = recorder.ivr_outcomes
        self._rona = recorder.rona
        self._demand = demand
        self._rows = demand.rows()
        self._pending: ArrivalRow | None = None  # the next call to arrive
        self._visits = recorder.visits
        self._visit_rows = recorder.visits.rows
        self._pack_at = recorder.visits.chunk_size
        self._blocked = recorder.blocked
        self._attempt_of = self.redials.attempt_of
        # Fast paths, chosen once. Agents answer at once (no pickup delay, no RONA, no trace):
        self._instant = trace is None and all(
            g.pickup is None and g.rona is None for g in scenario.agents)
        # A talk ends the call (no transfer row, no menu that misroutes, no trace):
        self._final_talks = (trace is None and all(menu is None for menu in self.menus)
                             and not any(targets for targets, _ in self.transfers.rows))
        self._pauses = any(draw is not None for draw in not_ready)

    # -- arrival ------------------------------------------------------------------

    def start(self) -> None:
        """Tell the clock when the first call arrives; each arrival tells it the next."""
        self._pending = next(self._rows, None)
        if self._pending is not None:
            self.env.expect_arrival(self, self._pending.at)

    def next_arrival(self) -> float | None:
        """The pending call arrives now (the clock calls this); returns the delay to the
        next one (``None``: none), the delay its ``Timeout`` had, so the same float time."""
        row = self._pending
        assert row is not None
        following = self._pending = next(self._rows, None)
        self.arrive(row)
        return following.at - row.at if following is not None else None

    def arrive(self, row: ArrivalRow) -> None:
        """A call reaches the centre: busy signal, or a line, the menu and a queue."""
        (number, _, caller, department, patience, talk, wrap_up, transfer_draw, ivr_time,
         ivr_draw) = row
        self.arrived += 1
        attempt_of = self._attempt_of  # Redials.whose, written out
        first_call, attempt = attempt_of.pop(number, (number, 1)) if attempt_of else (number, 1)
        if self.lines_busy >= self.lines:
            self.blocked += 1
            self._blocked.append(number)
            if self.trace is not None:
                self._log("blocked", number, department)
            self.redials.maybe(caller, department, first_call, attempt)
            return
        self.lines_busy += 1
        call = Call(number, caller, self.priorities[caller], first_call, attempt, department,
                    talk, wrap_up, transfer_draw)
        menu = self.menus[caller]
        if menu is None:
            self.enter_queue(call, department, patience)
            return
        call.department = department
        call.patience = patience
        if self.trace is not None:
            self._log("ivr", number, department)
        hang_up, self_serve, misroute = menu
        if ivr_draw < hang_up:  # at a uniform point of the menu: the draw scaled to [0, 1)
            self.env.after(ivr_time * ivr_draw / hang_up, call, self._on_ivr_hang_up)
            return
        if ivr_draw < self_serve:
            self.env.after(ivr_time, call, self._on_self_served)
            return
        if ivr_draw < misroute:
            others = [d for d in range(len(self.department_names)) if d != department]
            share = (ivr_draw - self_serve) / (misroute - self_serve)
            call.intended = department
            call.department = others[min(int(share * len(others)), len(others) - 1)]
        self.env.after(ivr_time, call, self._on_menu_done)

    def _on_menu_done(self, event: Event) -> None:
        call: Call = event._value
        if call.intended >= 0:  # the wrong department talks to it first
            call.saved = (call.talk, call.wrap_up, call.transfer_draw)
            if self.trace is not None:
                self._log("misrouted", call.id, call.department)
            self._draw_visit(call, call.department)  # it keeps the patience it came with
        self.enter_queue(call, call.department, call.patience)

    def _on_ivr_hang_up(self, event: Event) -> None:
        self._end_in_menu(event._value, Outcome.IVR_HANG_UP, "hang up in ivr")

    def _on_self_served(self, event: Event) -> None:
        self._end_in_menu(event._value, Outcome.SELF_SERVED, "self-served")

    def _end_in_menu(self, call: Call, outcome: Outcome, what: str) -> None:
        if self.trace is not None:
            self._log(what, call.id, call.department)
        self.ivr_ended += 1
        self._ivr_outcomes.append((call.id, int(outcome)))
        self.lines_busy -= 1
        if outcome == Outcome.IVR_HANG_UP:
            self.redials.maybe(call.caller, call.entry, call.first_call, call.attempt)

    # -- redials ----------------------------------------------------------------------

    def _on_redial(self, row: ArrivalRow) -> None:
        if self.trace is not None:
            self._log("redial", row.number, row.department)
        self.arrive(row)

    # -- queue ----------------------------------------------------------------------

    def enter_queue(self, call: Call, department: int, patience: float,
                    callback: bool = False) -> None:
        """Join a department's queue, or go straight to an idle agent; a ``callback`` (a
        voicemail called back) neither abandons nor goes to voicemail: see the module."""
        now = self.env._now
        self.visits_started += 1
        call.department = department
        call.entered = now
        voicemail_after = math.inf if callback else self.voicemail_after
        limit = patience if patience < voicemail_after else voicemail_after
        call.to_voicemail = not callback and voicemail_after <= patience
        call.deadline = now + limit
        if self.trace is not None:
            self._log("queue", call.id, department)
        agent = self.pool.idle_agent_for(department)
        if agent is not None:
            call.waited = False
            agent.busy_since = now
            self.connect(call, agent)
            return
        call.waited = True
        priority = call.priority - self.boosts[department] if call.transfers else call.priority
        call.queue_priority = priority
        self.queues[department].push(call, priority, now - self.credits[call.caller])
        if self.any_offers and self._takes_a_callback(call, department):
            return
        if limit < math.inf:
            call.timer = self.env.after(limit, call, self._on_deadline)

    def _takes_a_callback(self, call: Call, department: int) -> bool:
        """Virtual hold: a caller facing a long wait at its first queue may accept a callback.

        It hangs up (freeing its line) but keeps its place; when its turn comes an agent
        calls it back. The expected wait is (calls waiting) x mean talk / agents with the
        skill on duty: the estimate a simple ACD announces.
        """
        offer = self.offers[call.caller]
        if offer is None or call.transfers or call.outbound:
            return False
        agents = self.pool.agents_with_skill(department)
        expected = self.queues[department].waiting * self.mean_talk[department] / max(agents, 1)
        if expected <= offer[0] or self.callback_draw() >= offer[1]:
            return False
        call.outbound = True
        call.deadline = math.inf
        self._release_line(call)
        if self.trace is not None:
            self._log("callback accepted", call.id, department)
        return True

    def _on_deadline(self, event: Event) -> None:
        call: Call = event._value
        if call.waiting and call.timer is event:
            self.queues[call.department].hang_up(call)
            self._hang_up(call)

    def _hang_up(self, call: Call) -> None:
        self._hand_over(call)
        outcome = VOICEMAIL if call.to_voicemail else ABANDONED
        if self.trace is not None:
            self._log("voicemail" if call.to_voicemail else "abandon", call.id, call.department)
        self._end_visit(call, outcome, self.env._now - call.entered, None, math.nan, math.nan,
                        False)
        if outcome == VOICEMAIL and self._calls_back_voicemail():
            self._release_line(call)
            self.env.after(self.callback_delay(), call, self._on_voicemail_callback)
            return
        self._leave(call)
        if outcome == ABANDONED:
            self.redials.maybe(call.caller, call.entry, call.first_call, call.attempt)

    def _calls_back_voicemail(self) -> bool:
        spec = self.voicemail_callback
        return spec is not None and self.callback_draw() < spec.share

    def _on_voicemail_callback(self, event: Event) -> None:
        """Outbound work: the voicemail is called back through the department's queue."""
        call: Call = event._value
        call.outbound = True
        call.talk, call.wrap_up, call.transfer_draw = self.later_visit.attributes(
            call.department, call.caller)
        if self.trace is not None:
            self._log("callback queued", call.id, call.department)
        self.enter_queue(call, call.department, math.inf, callback=True)

    def _draw_visit(self, call: Call, department: int) -> float:
        """Draw the call's talk, wrap-up and transfer draw for a visit to ``department``;
        return its patience there."""
        call.talk, call.wrap_up, call.transfer_draw = self.later_visit.attributes(
            department, call.caller)
        return self.later_visit.patience(call.caller)

    # -- agent ----------------------------------------------------------------------

    def connect(self, call: Call, agent: Agent) -> None:
        """An agent is assigned: the phone rings for the pickup delay, then talk.

        With ring-no-answer, the agent may let it ring out instead; the pickup delay is
        drawn either way, so the agents' draws stay aligned across scenarios.
        """
        call.agent = agent
        if self._instant and call.held_by is None:  # _answer, written out
            call.answer_wait = self.env._now - call.entered
            talk = call.talk = call.talk * agent.talk_factor
            self.env.after(talk, call, self._on_talk_end)
            return
        ring_for = agent.pickup()
        rona = agent.rona
        rings_out = rona is not None and rona.draw() < rona.probability
        if rings_out:
            ring_for = rona.after  # type: ignore[union-attr]
        if self.trace is not None:
            self._log("ring", call.id, call.department, agent.name)
        if ring_for <= 0.0:
            self._answer(call)
            return
        remaining = call.deadline - self.env._now
        if remaining < ring_for:  # the caller hangs up while it rings
            self.env.after(remaining, call, self._on_hang_up_ringing)
        elif rings_out:
            self.env.after(ring_for, call, self._on_ring_no_answer)
        else:
            self.env.after(ring_for, call, self._on_pickup)

    def _on_ring_no_answer(self, event: Event) -> None:
        """The agent did not pick up: it is not ready for a while; the call goes back to
        the head of its queue (it keeps its place: its time of joining the queue)."""
        call: Call = event._value
        agent: Agent = call.agent  # type: ignore[assignment]
        now = self.env._now
        self._rona.append((agent.group, call.id, call.department, now))
        if self.trace is not None:
            self._log("rona", call.id, call.department, agent.name)
        paused = self.readiness.pause(agent, agent.rona.not_ready)  # type: ignore[union-attr]
        call.agent = None
        other = self.pool.idle_agent_for(call.department)
        if other is not None:
            other.busy_since = now
            self.connect(call, other)
        else:
            self.queues[call.department].push(call, call.queue_priority,
                                              call.entered - self.credits[call.caller])
            if call.deadline < math.inf:
                call.timer = self.env.after(call.deadline - now, call, self._on_deadline)
        if not paused:
            self.agent_arrives(agent)

    def _on_pickup(self, event: Event) -> None:
        self._answer(event._value)

    def _on_hang_up_ringing(self, event: Event) -> None:
        call: Call = event._value
        self._hang_up(call)
        self._free(call.agent)  # type: ignore[arg-type]

    def _answer(self, call: Call) -> None:
        if call.held_by is not None:
            self._hand_over(call)
        agent = call.agent
        call.answer_wait = self.env._now - call.entered
        if self.trace is not None:
            self._log("answer", call.id, call.department, agent.name)  # type: ignore[union-attr]
        talk = call.talk * agent.talk_factor  # type: ignore[union-attr]
        call.talk = talk
        self.env.after(talk, call, self._on_talk_end)

    def _on_talk_end(self, event: Event) -> None:
        call: Call = event._value
        agent: Agent = call.agent  # type: ignore[assignment]
        wrap_up = call.wrap_up
        if self._final_talks:  # _end_visit, _leave and _after_call written out
            rows = self._visit_rows
            rows.append((call.id, call.department, call.entered, CALLED_BACK if call.outbound
                         else ANSWERED, call.waited, call.answer_wait, agent.group,
                         agent.number, call.talk, wrap_up, False, False))
            if len(rows) >= self._pack_at:
                self._visits.pack()
                self._visit_rows = self._visits.rows
            self.left += 1
            if call.holds_line:
                call.holds_line = False
                self.lines_busy -= 1
            if wrap_up > 0.0:
                self.env.after(wrap_up, agent, self._on_wrap_up_end)
            elif not self._pauses or not self.readiness.after_call(agent):
                following = self.pool.release(agent, self.env._now)
                if following is not None:
                    self.connect(following, agent)
            return
        department = call.department
        onward = self.transfers.next_department(call, department)
        if call.limited and self.trace is not None:
            self._log("transfer limit", call.id, department)
        self._end_visit(call, CALLED_BACK if call.outbound else ANSWERED, call.answer_wait,
                        agent, call.talk, wrap_up, onward >= 0)
        warm = onward >= 0 and self.warm[department]
        if onward >= 0:
            call.transfers += 1
            call.outbound = False  # a called-back caller is on the line now, as any caller
            if self.trace is not None:
                self._log("transfer", call.id, onward, agent.name)
            if warm:  # the first agent stays on the line until the next one answers
                call.held_by, call.held_wrap_up = agent, wrap_up
            patience = self._draw_visit(call, onward)
            if call.saved is not None and onward == call.intended:
                # a misrouted call reaches its own department with its own talk time
                call.talk, call.wrap_up, call.transfer_draw = call.saved
                call.saved, call.intended = None, -1
            self.enter_queue(call, onward, patience)
        else:
            if self.trace is not None:
                self._log("end", call.id, department, agent.name)
            self._leave(call)
        if not warm:
            self._after_call(agent, wrap_up)

    def _after_call(self, agent: Agent, wrap_up: float) -> None:
        """The agent does wrap-up, then is not ready (``not_ready``) or free."""
        if wrap_up > 0.0:
            self.env.after(wrap_up, agent, self._on_wrap_up_end)
        elif not self.readiness.after_call(agent):
            self._free(agent)

    def _hand_over(self, call: Call) -> None:
        """End a warm transfer: the agent holding the call goes to wrap-up."""
        held = call.held_by
        if held is not None:
            call.held_by = None
            if self.trace is not None:
                self._log("hand over", call.id, call.department, held.name)
            self._after_call(held, call.held_wrap_up)

    def _on_wrap_up_end(self, event: Event) -> None:
        if not self.readiness.after_call(event._value):
            self._free(event._value)

    def _free(self, agent: Agent) -> None:
        call = self.pool.release(agent, self.env._now)
        if call is not None:
            self.connect(call, agent)

    def agent_arrives(self, agent: Agent) -> None:
        """An agent coming on duty (or back from not ready) takes a waiting call or goes idle."""
        call = self.pool.available(agent, self.env._now)
        if call is not None:
            self.connect(call, agent)

    # -- records --------------------------------------------------------------------

    def _end_visit(self, call: Call, outcome: int, wait: float, agent: Agent | None,
                   talk: float, wrap_up: float, transferred: bool) -> None:
        rows = self._visit_rows
        group, number, limited = ((-1, -1, False) if agent is None
                                  else (agent.group, agent.number, call.limited))
        rows.append((call.id, call.department, call.entered, outcome, call.waited, wait,
                     group, number, talk, wrap_up, transferred, limited))
        if len(rows) >= self._pack_at:
            self._visits.pack()
            self._visit_rows = self._visits.rows

    def _leave(self, call: Call) -> None:
        self.left += 1
        self._release_line(call)

    def _release_line(self, call: Call) -> None:
        if call.holds_line:
            call.holds_line = False
            self.lines_busy -= 1

    def _log(self, what: str, number: int, department: int, agent: str = "") -> None:
        assert self.trace is not None
        self.trace.append((self.env._now, what, number, self.department_names[department], agent))

    def __getstate__(self) -> dict[str, Any]:
        """The state without the arrival generator (it cannot be copied), but with its place:
        after the pending arrival; at 0 before the first, at the end after the last."""
        state = {key: value for key, value in self.__dict__.items() if key != "_rows"}
        pending = self._pending
        state["_rows"] = (pending.number + 1 if pending is not None
                          else len(self._demand) if self.arrived else 0)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._rows = self._demand.rows(state["_rows"])

    def calls_waiting(self) -> int:
        """Calls in the queues now."""
        return sum(queue.waiting for queue in self.queues)

    def counters(self) -> Counters:
        """The engine's own tallies, for the conservation check."""
        return Counters(self.arrived, self.blocked, self.left, self.calls_waiting(),
                        self.visits_started, self.ivr_ended, self.redials.after_close)
