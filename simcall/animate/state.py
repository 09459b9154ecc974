"""Who is where at each frame of ``simcall animate``: the state of queues and agents.

The trace rows ``(time, event, call, department, agent)`` of one replication are replayed
once, in time order; at each frame time a snapshot is taken. A frame says, per department,
which calls wait in its queue (in the order they will be served), which ring an agent and
which talk; per agent group, how many agents are on duty and how many of them ring, talk,
do wrap-up or are not ready (after a ring-no-answer or a call); the hang-ups and transfers
of the last moments (drawn fading); and the running service level.

Why replay rather than query the records: the trace is the only place that says who waits
*at a given moment*, in which order, and which agent is busy with what; the records supply
what the trace does not tell (wrap-up times, caller types, agents on duty and not ready,
each call's first-queue outcome for the service level). Nothing here imports matplotlib:
the frames are plain data, so tests check them without drawing.

Events at exactly a frame's time are applied before the snapshot (a call answered at
10:00:00 is talking at 10:00:00).

A :class:`Reel` is the frames of one window with how they were chosen: made by
:mod:`simcall.animate.reel`, drawn by :mod:`simcall.animate.stage`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise

import numpy as np

from simcall.model.records import Outcome, Records
from simcall.results.stories import Row, clock
from simcall.results.timeline import Step
from simcall.scenario.schema import Scenario

CALL_STATES = ("menu", "waiting", "ringing", "talking", "answered", "abandoned", "voicemail",
               "blocked", "self-served", "menu hang-up")
"""Where a call is: in the voice menu, in a queue, at an agent, or gone (and how)."""

GONE = CALL_STATES[4:]
"""The states of a call that has left the centre."""

AGENT_STATES = ("ringing", "talking", "wrap-up")
"""What a busy agent does; an agent on duty who does none of these is idle."""

_GONE_BY_EVENT = {"end": "answered", "abandon": "abandoned", "voicemail": "voicemail",
                  "blocked": "blocked", "self-served": "self-served",
                  "hang up in ivr": "menu hang-up"}
_FADING = frozenset({"abandoned", "voicemail", "blocked", "menu hang-up"})


@dataclass(frozen=True)
class CallMark:
    """One call, as a dot in a department's lane."""

    call: int  # the engine's call id (row in the call records)
    caller: int  # caller-type index: the dot's colour
    priority: int  # queue priority (lower is served first; transfers may be boosted)
    joined: float  # when it joined this queue (order within a priority)
    transferred: bool  # came to this queue by a transfer
    callback: bool = False  # took a callback: off the line, but keeps its place


@dataclass(frozen=True)
class DepartmentView:
    """One department's queue and the calls at its agents, at one frame."""

    name: str
    waiting: tuple[CallMark, ...]  # in the order they will be served: head first
    ringing: tuple[CallMark, ...]
    talking: tuple[CallMark, ...]
    in_menu: int  # calls in the voice menu that will reach this department


@dataclass(frozen=True)
class GroupView:
    """One agent group at one frame. ``seats`` is the most agents on duty in the
    window, so that a group's row keeps its length while agents come and go."""

    name: str
    seats: int
    on_duty: int
    ringing: int
    talking: int  # on the line, a warm transfer's hold included
    wrap_up: int
    not_ready: int

    @property
    def busy(self) -> int:
        """Agents on duty who cannot take a call now."""
        return self.ringing + self.talking + self.wrap_up + self.not_ready

    @property
    def idle(self) -> int:
        """Agents on duty waiting for a call."""
        return self.on_duty - self.busy

    @property
    def off_duty(self) -> int:
        """Seats empty now (break, shift not started or over)."""
        return self.seats - self.on_duty


@dataclass(frozen=True)
class Fade:
    """A call that just left unserved (hung up, voicemail, busy signal), drawn fading."""

    call: int
    department: int
    how: str  # one of the gone states in ``_FADING``
    age: float  # seconds since it happened


@dataclass(frozen=True)
class Move:
    """A transfer that just happened, drawn as a fading arrow between two lanes."""

    call: int
    source: int  # department index
    target: int
    age: float


@dataclass(frozen=True)
class Frame:
    """Everything one frame shows."""

    t: float  # seconds since opening
    clock: str  # ``HH:MM:SS`` (``+1d`` on later days)
    departments: tuple[DepartmentView, ...]
    groups: tuple[GroupView, ...]
    fades: tuple[Fade, ...]
    moves: tuple[Move, ...]
    calls: dict[str, int]  # calls in each of CALL_STATES now (arrived so far, in all)
    arrived: int  # calls that have arrived so far (redials included)
    transfers: int  # transfers so far
    answered_within: int  # service level so far: see ServiceLevelSoFar
    answered: int
    abandoned: int

    @property
    def service_level(self) -> float:
        """Answered within the threshold / (answered + abandoned), calls decided so far
        (``nan`` before the first)."""
        decided = self.answered + self.abandoned
        return self.answered_within / decided if decided else math.nan


# -- the running service level --------------------------------------------------------


@dataclass(frozen=True)
class ServiceLevelSoFar:
    """The service level as the day goes, by SPEC's definition: each call counts once, by
    its first queue, if it arrived after the warm-up; it enters the count when it is
    decided there (picked up, or hung up). At the end of the run this is the run's
    ``service_level``."""

    decided: np.ndarray  # sorted times
    within: np.ndarray  # cumulative counts, aligned with ``decided``
    answered: np.ndarray
    abandoned: np.ndarray

    @classmethod
    def of(cls, scenario: Scenario, records: Records) -> ServiceLevelSoFar:
        calls, visits = records.calls, records.visits
        ids, first = np.unique(visits.call, return_index=True)
        outcome = visits.outcome[first]
        decided = visits.entered[first] + visits.wait[first]
        counted = calls.arrival[ids] >= scenario.warmup
        answered = counted & (outcome == Outcome.ANSWERED)
        abandoned = counted & (outcome == Outcome.ABANDONED)
        within = answered & (visits.wait[first] < scenario.service_level_threshold)
        keep = answered | abandoned
        order = np.argsort(decided[keep], kind="stable")
        return cls(decided[keep][order], np.cumsum(within[keep][order]),
                   np.cumsum(answered[keep][order]), np.cumsum(abandoned[keep][order]))

    def at(self, t: float) -> tuple[int, int, int]:
        """(answered within, answered, abandoned) for calls decided at or before ``t``."""
        k = int(np.searchsorted(self.decided, t, side="right"))
        if k == 0:
            return 0, 0, 0
        return int(self.within[k - 1]), int(self.answered[k - 1]), int(self.abandoned[k - 1])


# -- the replay -----------------------------------------------------------------------


@dataclass
class _Call:
    caller: int
    state: str = "menu"
    department: int = -1
    joined: float = 0.0  # joined the current queue (the key of its visit in the records)
    transfers: int = 0
    callback: bool = False
    agent: str = ""


@dataclass
class _Agent:
    state: str  # one of AGENT_STATES
    until: float = math.inf  # wrap-up ends by itself
    held_wrap_up: float = 0.0  # a warm transfer's wrap-up, done after the hand-over


@dataclass
class _Replay:
    """The centre as the trace rows tell it, moved forward row by row."""

    scenario: Scenario
    records: Records
    fade: float
    calls: dict[int, _Call] = field(default_factory=dict)
    live: dict[int, _Call] = field(default_factory=dict)  # calls not gone
    agents: dict[str, _Agent] = field(default_factory=dict)  # busy agents only
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CALL_STATES, 0))
    fades: list[tuple[float, int, int, str]] = field(default_factory=list)
    moves: list[tuple[float, int, int, int]] = field(default_factory=list)
    transfers: int = 0

    def __post_init__(self) -> None:
        scenario, visits = self.scenario, self.records.visits
        self.department = {d.name: i for i, d in enumerate(scenario.departments)}
        self.group = {g.name: i for i, g in enumerate(scenario.agents)}
        self.wrap_up = {(int(c), float(e)): (0.0 if math.isnan(w) else float(w))
                        for c, e, w in zip(visits.call, visits.entered, visits.wrap_up,
                                           strict=True)}
        self.warm = [d.warm_transfer for d in scenario.departments]
        self.boost = [d.transfer_priority_boost for d in scenario.departments]
        # not ready (after a ring-no-answer, or after a call with the group's not_ready):
        # counted from the records' periods, exact; the trace rows do not tell it
        paused = self.records.not_ready
        self.not_ready = [Step.of(paused.start[paused.group == g], paused.end[paused.group == g])
                          for g in range(len(scenario.agents))]
        self.caller_of = self.records.calls.caller

    def group_of(self, agent: str) -> int:
        """An agent's group, from its name ``"<group> #<n>"``."""
        return self.group[agent.rsplit(" #", 1)[0]]

    def _set(self, call: _Call, state: str) -> None:
        self.counts[call.state] -= 1
        self.counts[state] += 1
        call.state = state

    def _wrap_up(self, agent: str, t: float, seconds: float) -> None:
        if seconds > 0:
            self.agents[agent] = _Agent("wrap-up", t + seconds)
        else:
            self.agents.pop(agent, None)

    def apply(self, row: Row) -> None:
        t, event, number, department_name, agent = row
        department = self.department.get(department_name, -1)
        call = self.calls.get(number)
        if call is None:  # a call's first row is its arrival (or its redial)
            caller = int(self.caller_of[number]) if number < self.caller_of.size else 0
            call = self.calls[number] = _Call(caller)
            self.counts["menu"] += 1
        if event in ("ivr", "misrouted"):
            self._set(call, "menu")
            call.department = department
        elif event == "queue":
            self._set(call, "waiting")
            call.department, call.joined, call.callback = department, t, False
        elif event == "callback accepted":
            call.callback = True
        elif event == "ring":
            self._set(call, "ringing")
            call.agent = agent
            self.agents[agent] = _Agent("ringing")
        elif event == "rona":
            self._set(call, "waiting")  # back to its place in the queue
            self.agents.pop(agent, None)  # not ready now (the records' periods count it)
        elif event == "answer":
            self._set(call, "talking")
            call.agent = agent
            self.agents[agent] = _Agent("talking")
        elif event == "transfer":
            self.transfers += 1
            call.transfers += 1
            self.moves.append((t, number, call.department, department))
            wrap_up = self.wrap_up.get((number, call.joined), 0.0)
            if self.warm[call.department]:  # on the line until the next agent answers
                self.agents[agent] = _Agent("talking", held_wrap_up=wrap_up)
            else:
                self._wrap_up(agent, t, wrap_up)
        elif event == "hand over":
            held = self.agents.get(agent)
            self._wrap_up(agent, t, held.held_wrap_up if held is not None else 0.0)
        elif event == "end":
            self._set(call, "answered")
            self._wrap_up(agent, t, self.wrap_up.get((number, call.joined), 0.0))
        elif event in _GONE_BY_EVENT:
            if call.state == "ringing":  # hung up while it rang: the agent is free
                self.agents.pop(call.agent, None)
            how = _GONE_BY_EVENT[event]
            self._set(call, how)
            call.department = department
            if how in _FADING:
                self.fades.append((t, number, department, how))
        # other events ("redial", "callback queued", "transfer limit", ones added later)
        # change no one's place: the rows that follow them do
        if call.state in GONE:
            self.live.pop(number, None)
        else:
            self.live[number] = call

    def snapshot(self, t: float, on_duty: Sequence[int], seats: Sequence[int]) -> Frame:
        scenario = self.scenario
        for name in [a for a, s in self.agents.items() if s.until <= t]:
            del self.agents[name]  # wrap-up is over: idle, not ready or off duty
        lanes: list[dict[str, list[CallMark]]] = [
            {"waiting": [], "ringing": [], "talking": []} for _ in scenario.departments]
        in_menu = [0] * len(scenario.departments)
        for number, call in self.live.items():
            if call.state == "menu":
                in_menu[call.department] += 1
            elif call.state in ("waiting", "ringing", "talking"):
                boosted = call.transfers > 0
                priority = scenario.callers[call.caller].priority - (
                    self.boost[call.department] if boosted else 0)
                lanes[call.department][call.state].append(CallMark(
                    number, call.caller, priority, call.joined, boosted, call.callback))
        departments = tuple(
            DepartmentView(d.name,
                           tuple(sorted(lane["waiting"],
                                        key=lambda m: (m.priority, m.joined, m.call))),
                           tuple(sorted(lane["ringing"], key=lambda m: m.call)),
                           tuple(sorted(lane["talking"], key=lambda m: m.call)),
                           in_menu[i])
            for i, (d, lane) in enumerate(zip(scenario.departments, lanes, strict=True)))
        busy = [dict.fromkeys(AGENT_STATES, 0) for _ in scenario.agents]
        for name, agent in self.agents.items():
            busy[self.group_of(name)][agent.state] += 1
        groups = tuple(
            GroupView(g.name, seats[i], on_duty[i], b["ringing"], b["talking"], b["wrap-up"],
                      int(self.not_ready[i].at(np.array([t]))[0]))
            for i, (g, b) in enumerate(zip(scenario.agents, busy, strict=True)))
        self.fades = [f for f in self.fades if t - f[0] < self.fade]
        self.moves = [m for m in self.moves if t - m[0] < self.fade]
        return Frame(
            t=t, clock=clock(scenario, t), departments=departments, groups=groups,
            fades=tuple(Fade(c, d, how, t - at) for at, c, d, how in self.fades),
            moves=tuple(Move(c, a, b, t - at) for at, c, a, b in self.moves),
            calls=dict(self.counts), arrived=len(self.calls), transfers=self.transfers,
            answered_within=0, answered=0, abandoned=0)


def frame_states(scenario: Scenario, records: Records, rows: Sequence[Row],
                 times: Sequence[float] | np.ndarray, fade: float = 0.0) -> tuple[Frame, ...]:
    """The state of the centre at each of ``times`` (ascending, seconds since opening).

    Parameters
    ----------
    scenario, records, rows
        One replication: its scenario, its records and its trace rows.
    times
        Frame times.
    fade
        How long (seconds) a hang-up or a transfer stays on screen after it happened.
    """
    times = [float(t) for t in times]
    if any(b < a for a, b in pairwise(times)):
        raise ValueError("frame times must be ascending")
    staffed = records.staffed
    duty = [Step.of(staffed.start[staffed.group == g], staffed.end[staffed.group == g])
            for g in range(len(scenario.agents))]
    on_duty = np.array([step.at(np.asarray(times)) for step in duty]).reshape(
        len(scenario.agents), len(times))
    seats = [int(max(row.max(initial=0), step.maxima(np.array([times[0], times[-1] + 1e-9]))[0]))
             if times else 0 for row, step in zip(on_duty, duty, strict=True)]
    level = ServiceLevelSoFar.of(scenario, records)
    replay = _Replay(scenario, records, fade)
    frames: list[Frame] = []
    k = 0
    for j, t in enumerate(times):
        while k < len(rows) and rows[k][0] <= t:
            replay.apply(rows[k])
            k += 1
        frame = replay.snapshot(t, [int(x) for x in on_duty[:, j]], seats)
        within, answered, abandoned = level.at(t)
        frames.append(_with_level(frame, within, answered, abandoned))
    return tuple(frames)


def _with_level(frame: Frame, within: int, answered: int, abandoned: int) -> Frame:
    return replace(frame, answered_within=within, answered=answered, abandoned=abandoned)


# -- the reel ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reel:
    """The frames of one animation and how they were chosen.

    Kept here, beside :class:`Frame`, rather than in :mod:`simcall.animate.reel` which
    makes it: :mod:`simcall.animate.stage` draws a reel, and the reel module imports the
    stage (when a GIF is made), so imports go one way: reel -> stage -> state."""

    scenario: Scenario
    seed: int
    replication: int
    start: float  # window, seconds since opening
    end: float
    busiest: bool  # the window was chosen as the busiest hour
    fps: int
    speed: float  # simulated seconds per second of video
    frames: tuple[Frame, ...]

    @property
    def step(self) -> float:
        """Simulated seconds between two frames."""
        return self.speed / self.fps
