"""The two parties of every conversation: the call (with its caller) and the agent.

They live in one module because each refers to the other (a call knows the agent
ringing or talking to it, an agent in a warm transfer holds a call) and both are
plain state, changed only by the call flow (:mod:`simcall.model.calls`) and the
agent pool (:mod:`simcall.model.agents`). Both are slotted: a long run holds
hundreds of thousands of calls, and slots keep each small and its attributes fast.
"""

from __future__ import annotations

from collections.abc import Callable

from simpy.events import Event

from simcall.model.draws import RonaDraw


class Call:
    """A call in the system, with the attributes of its current queue visit.

    Times are seconds after opening; departments and caller types are indices into
    the scenario's lists. The attributes of a visit (talk, wrap-up, the transfer
    draw) are replaced each time the call joins another queue.
    """

    __slots__ = (
        "agent",
        "answer_wait",
        "attempt",
        "caller",
        "deadline",
        "department",
        "entered",
        "entry",
        "first_call",
        "held_by",
        "held_wrap_up",
        "holds_line",
        "id",
        "intended",
        "limited",
        "outbound",
        "patience",
        "priority",
        "queue_priority",
        "saved",
        "talk",
        "timer",
        "to_voicemail",
        "transfer_draw",
        "transfers",
        "waited",
        "waiting",
        "wrap_up",
    )

    agent: Agent | None  # the agent ringing or talking to it
    answer_wait: float  # seconds from joining this queue to pickup
    attempt: int  # 1 for a first call, 2 for its first redial, ...
    caller: int  # caller type
    deadline: float  # when the caller hangs up (or goes to voicemail) if still unanswered
    department: int  # the department of the current visit
    entered: float  # when it joined the current queue
    entry: int  # the department the caller dialled
    first_call: int  # the caller's first attempt: redials keep it
    held_by: Agent | None  # the first agent, during a warm transfer
    held_wrap_up: float  # that agent's wrap-up, done once the next agent answers
    holds_line: bool  # holds a trunk line (a caller on virtual hold has hung up)
    id: int  # the call's number (redials get new numbers)
    intended: int  # a misrouted call's right department, until it gets there (-1: none)
    limited: bool  # the transfer limit stopped or diverted this visit's transfer
    outbound: bool  # an agent will call the caller back (not the other way round)
    patience: float  # seconds at the current queue, kept while in the voice menu
    priority: int  # the caller type's priority
    queue_priority: int  # the priority it queues with (boosted after a transfer)
    saved: tuple[float, float, float] | None  # a misrouted call's own talk, wrap-up, draw
    talk: float  # talk seconds of the current visit
    timer: Event | None  # the patience timer of the current wait
    to_voicemail: bool  # the deadline sends it to voicemail rather than hanging up
    transfer_draw: float  # the uniform that decides the transfer after this talk
    transfers: int  # transfers so far
    waited: bool  # waited in the current queue (did not find an agent free)
    waiting: bool  # in a queue now
    wrap_up: float  # wrap-up seconds after the current talk

    def __init__(self, number: int, caller: int, priority: int, first_call: int, attempt: int,
                 entry: int, talk: float, wrap_up: float, transfer_draw: float) -> None:
        self.id = number
        self.caller = caller
        self.priority = priority
        self.queue_priority = priority
        self.first_call = first_call
        self.attempt = attempt
        self.entry = entry
        self.talk = talk
        self.wrap_up = wrap_up
        self.transfer_draw = transfer_draw
        self.holds_line = True
        self.outbound = False
        self.transfers = 0
        self.waiting = False
        self.agent = None
        self.timer = None
        self.held_by = None
        self.held_wrap_up = 0.0
        self.limited = False
        self.intended = -1
        self.saved = None


class Agent:
    """One agent: which group, which skills, and what they are doing."""

    __slots__ = (
        "busy_since", "group", "idle", "leaving", "name", "number", "on_duty_since", "pickup",
        "present", "rona", "skills", "talk_factor", "token",
    )

    busy_since: float  # start of the current busy spell (ringing, talk, wrap-up)
    group: int  # agent group
    idle: bool  # waiting for a call
    leaving: bool  # told to go off duty once the call in hand is done
    name: str  # "support team #3"
    number: int  # 1, 2, ... across all groups, in order of first coming on duty
    on_duty_since: float  # start of the current stretch on duty
    pickup: Callable[[], float]  # draws the ring time before the agent answers
    present: bool  # on duty (agents of shift groups come and go)
    rona: RonaDraw | None  # the group's ring-no-answer, if it has one
    skills: tuple[int, ...]  # departments, the primary first
    talk_factor: float  # proficiency: multiplies talk times
    token: int  # the idle spell's token, for lazy removal from the idle lists

    def __init__(self, number: int, group: int, name: str, skills: tuple[int, ...],
                 talk_factor: float, pickup: Callable[[], float], now: float,
                 rona: RonaDraw | None = None) -> None:
        self.number = number
        self.group = group
        self.name = name
        self.skills = skills
        self.talk_factor = talk_factor
        self.pickup = pickup
        self.rona = rona
        self.idle = False
        self.token = 0
        self.leaving = False
        self.present = True
        self.busy_since = now
        self.on_duty_since = now
