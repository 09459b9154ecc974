"""The agent pool: who is on duty, who is idle, and which agent takes which call.

Routing (SPEC): a new call goes to the longest-idle agent whose *primary*
skill is the call's department, else to the longest-idle agent who has the
skill at all; an agent who becomes free takes the next call from its
highest-ranked skill that has one waiting.

Idle agents sit in two FIFO lists per department (primary, secondary). An
agent with several skills is in several lists; rather than search and
remove, each idle spell gets a token and entries with an old token are
skipped when met (lazy deletion), which keeps every operation O(1).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence

from simcall.model.draws import RonaDraw
from simcall.model.parties import Agent, Call
from simcall.model.queues import DepartmentQueue
from simcall.model.records import Recorder
from simcall.scenario.schema import Scenario


class AgentPool:
    """Every agent on duty, the idle lists, and staffing changes."""

    def __init__(self, scenario: Scenario, queues: Sequence[DepartmentQueue],
                 pickups: Sequence[Callable[[], float]], recorder: Recorder,
                 ronas: Sequence[RonaDraw | None] = ()) -> None:
        departments = len(scenario.departments)
        # idle agents by department, (token, agent), longest idle first: by primary skill,
        # and by the other skills (the express lane reads them directly)
        self.primary: list[deque[tuple[int, Agent]]] = [deque() for _ in range(departments)]
        self.secondary: list[deque[tuple[int, Agent]]] = [deque() for _ in range(departments)]
        self._queues = queues
        self._groups = scenario.agents
        self._skills = [tuple(scenario.department_index(s) for s in g.skills)
                        for g in scenario.agents]
        self._pickups = pickups
        self._ronas = list(ronas) or [None] * len(scenario.agents)
        self._busy = recorder.busy
        self._pack_busy_at = recorder.busy.chunk_size
        self._staffed = recorder.staffed
        self._scheduled = recorder.scheduled
        # per group, agents on duty in the order they came: a dict (not a list) so that one
        # of 100,000 agents goes off duty in O(1); the values are unused
        self.on_duty: list[dict[Agent, None]] = [{} for _ in scenario.agents]
        self._created = 0
        self.names: list[str] = []  # by agent number - 1
        self.groups: list[int] = []  # by agent number - 1
        self._named = [0 for _ in scenario.agents]
        self.compact_at = 64

    # -- routing ----------------------------------------------------------------

    def idle_agent_for(self, department: int) -> Agent | None:
        """Take the longest-idle agent for a new call (primary skill first)."""
        waiting = self.primary[department]
        while waiting:
            token, agent = waiting.popleft()
            if agent.idle and agent.token == token:
                agent.idle = False
                return agent
        waiting = self.secondary[department]
        while waiting:
            token, agent = waiting.popleft()
            if agent.idle and agent.token == token:
                agent.idle = False
                return agent
        return None

    def any_busy(self) -> bool:
        """Whether an agent on duty is not idle (busy, or not ready after a ring-out)."""
        return any(not agent.idle for agents in self.on_duty for agent in agents)

    def agents_with_skill(self, department: int) -> int:
        """Agents on duty (not leaving) who have the skill: for expected-wait estimates."""
        return sum(sum(1 for a in agents if not a.leaving)
                   for group, agents in enumerate(self.on_duty)
                   if department in self._skills[group])

    def next_call_for(self, agent: Agent) -> Call | None:
        """The next waiting call from the agent's highest-ranked skill that has one."""
        for department in agent.skills:
            queue = self._queues[department]
            if queue.waiting:
                call = queue.pop()
                if call is not None:
                    return call
        return None

    def release(self, agent: Agent, now: float) -> Call | None:
        """An agent has finished (ringing, talk, wrap-up): leave, take a call or go idle.

        :meth:`available` and :meth:`next_call_for` written out: this runs once per call."""
        busy = self._busy
        busy.rows.append((agent.group, agent.busy_since, now))
        if len(busy.rows) >= self._pack_busy_at:
            busy.pack()
        if agent.leaving:
            self.go_home(agent, now)
            return None
        queues = self._queues
        for department in agent.skills:
            queue = queues[department]
            if queue.waiting:
                call = queue.pop()
                if call is not None:
                    agent.busy_since = now
                    return call
        self.make_idle(agent)
        return None

    def not_ready(self, agent: Agent, now: float) -> None:
        """The agent let a call ring out: the ringing was busy time; now not ready."""
        self._busy.append((agent.group, agent.busy_since, now))

    def available(self, agent: Agent, now: float) -> Call | None:
        """Offer a free agent the queues; returns the call it takes, if any."""
        if agent.leaving:
            self.go_home(agent, now)
            return None
        call = self.next_call_for(agent)
        if call is None:
            self.make_idle(agent)
        else:
            agent.busy_since = now
        return call

    def make_idle(self, agent: Agent) -> None:
        """Put the agent at the back of its skills' idle lists; a list that grows past
        ``_compact_at`` loses its stale entries (that changes no routing: they are skipped
        when met anyway)."""
        agent.idle = True
        agent.token += 1
        entry = (agent.token, agent)
        skills = agent.skills
        primary = self.primary
        waiting = primary[skills[0]]
        waiting.append(entry)
        if len(waiting) > self.compact_at:
            primary[skills[0]] = self._compacted(waiting)
        if len(skills) > 1:
            secondary = self.secondary
            for department in skills[1:]:
                waiting = secondary[department]
                waiting.append(entry)
                if len(waiting) > self.compact_at:
                    secondary[department] = self._compacted(waiting)

    @staticmethod
    def _compacted(waiting: deque[tuple[int, Agent]]) -> deque[tuple[int, Agent]]:
        return deque((t, a) for t, a in waiting if a.idle and a.token == t)

    # -- staffing -------------------------------------------------------------------

    def set_staff(self, group: int, target: int, now: float) -> list[Agent]:
        """Bring a group to ``target`` agents; returns the agents who just came on duty.

        Idle agents leave at once; busy ones finish the call in hand (and its
        wrap-up) first. Agents told to leave who have not left yet are kept
        before anyone new is brought in.
        """
        agents = self.on_duty[group]
        staying = [a for a in agents if not a.leaving]
        change = target - len(staying)
        arrived: list[Agent] = []
        if change > 0:
            for agent in agents:
                if change and agent.leaving:
                    agent.leaving = False
                    change -= 1
            for _ in range(change):
                agent = self._new_agent(group, now)
                agents[agent] = None
                arrived.append(agent)
            self.compact_at = 4 * sum(len(a) for a in self.on_duty) + 64
        elif change < 0:
            for agent in sorted(staying, key=lambda a: not a.idle):
                if change == 0:
                    break
                change += 1
                if agent.idle:
                    agent.idle = False
                    self.go_home(agent, now)
                else:
                    agent.leaving = True
        return arrived

    def _new_agent(self, group: int, now: float) -> Agent:
        spec = self._groups[group]
        self._created += 1
        self._named[group] += 1
        agent = Agent(self._created, group, f"{spec.name} #{self._named[group]}",
                      self._skills[group], spec.talk_factor, self._pickups[group], now,
                      self._ronas[group])
        self.names.append(agent.name)
        self.groups.append(group)
        return agent

    def come_on_duty(self, group: int, agent: Agent | None, now: float) -> tuple[Agent, bool]:
        """One agent of a shift group starts a stretch on duty (its shift, or back from a
        break or an absence); ``None`` brings in a new agent.

        Returns the agent and whether it has just arrived (then it must be offered the
        queues: ``CallFlow.agent_arrives``). An agent still finishing the call it had when
        its last stretch ended just stays: it takes calls again once free.
        """
        if agent is None:
            agent = self._new_agent(group, now)
            agent.present = False
        if agent.present:
            agent.leaving = False
            return agent, False
        agent.present = True
        agent.leaving = False
        agent.on_duty_since = now
        self.on_duty[group][agent] = None
        self.compact_at = 4 * sum(len(a) for a in self.on_duty) + 64
        return agent, True

    def go_off_duty(self, agent: Agent, now: float) -> None:
        """One agent's stretch on duty ends (break, absence, end of shift): an idle agent
        goes at once; a busy one finishes the call in hand, wrap-up included, then goes."""
        if not agent.present:
            return
        if agent.idle:
            agent.idle = False
            self.go_home(agent, now)
        else:
            agent.leaving = True

    def schedule(self, group: int, periods: Sequence[tuple[float, float]]) -> None:
        """Record the group's plan: scheduled agent periods (for ``scheduled_agents``)."""
        for start, end in periods:
            self._scheduled.append((group, start, end))

    def go_home(self, agent: Agent, now: float) -> None:
        """The agent leaves duty now (idle, or done with the call in hand): the stretch on
        duty is recorded as staffed time."""
        del self.on_duty[agent.group][agent]
        agent.present = False
        self._record_staffed(agent, now)

    def _record_staffed(self, agent: Agent, now: float) -> None:
        self._staffed.append((agent.group, agent.on_duty_since, now))

    def close(self, now: float) -> None:
        """End of the run: everyone still on duty goes home now."""
        for agents in self.on_duty:
            for agent in agents:
                self._record_staffed(agent, now)
