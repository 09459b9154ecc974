"""Not ready: agents on duty who take no calls for a while.

Two things make an agent not ready: a call it let ring out (ring-no-answer: the group's
``rona.not_ready``, a fixed time) and, with ``not_ready`` on the agent group, every call it
handled (a drawn time after wrap-up: notes, a breath, a sip of water). Either way the agent
stays on duty, is neither idle nor busy, and comes back through
:meth:`CallFlow.agent_arrives <simcall.model.calls.CallFlow.agent_arrives>` (takes a waiting
call, goes idle, or goes off duty if it was told to leave meanwhile). Not-ready time is
recorded as periods per agent group, apart from busy time: occupancy does not count it.

An agent told to leave (end of shift, a break, a lower head count) by the time its wrap-up
ends goes at once, without the after-call pause; its draw is made all the same, so that the
group's later draws stay aligned across scenarios (common random numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from simpy import Environment
from simpy.events import Event, Timeout

from simcall.model.agents import AgentPool
from simcall.model.parties import Agent
from simcall.model.records import ChunkedTable, Recorder


class Readiness:
    """Pauses agents (not ready) and hands them back to the call flow when they are ready."""

    __slots__ = ("_after_call", "_back", "_env", "_periods", "_pool")

    _after_call: Sequence[Callable[[], float] | None]  # per group: not-ready draws after a call
    _back: Callable[[Agent], None]  # an agent ready again: offered the queues
    _env: Environment
    _periods: ChunkedTable  # (group, start, end) of each not-ready spell
    _pool: AgentPool

    def __init__(self, env: Environment, pool: AgentPool, recorder: Recorder,
                 after_call: Sequence[Callable[[], float] | None],
                 back: Callable[[Agent], None]) -> None:
        self._env = env
        self._pool = pool
        self._after_call = after_call
        self._back = back
        self._periods = recorder.not_ready

    def pause(self, agent: Agent, seconds: float) -> bool:
        """The agent's busy spell ends now and it is not ready for ``seconds``; returns
        ``False`` (and records the busy spell only) when there is no pause: the caller then
        offers the agent the queues itself."""
        now = self._env.now
        self._pool.not_ready(agent, now)
        if seconds <= 0.0:
            return False
        Timeout(self._env, seconds, (agent, now)).callbacks.append(self._on_ready)
        return True

    def after_call(self, agent: Agent) -> bool:
        """A handled call's wrap-up is over: pause the agent if its group has ``not_ready``
        (and it is not leaving). Returns whether it was paused."""
        draw = self._after_call[agent.group] if self._after_call else None
        if draw is None:
            return False
        seconds = draw()
        return not agent.leaving and seconds > 0.0 and self.pause(agent, seconds)

    def _on_ready(self, event: Event) -> None:
        agent, since = event._value
        self._periods.append((agent.group, since, self._env.now))
        self._back(agent)
