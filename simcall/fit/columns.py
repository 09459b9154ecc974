"""The canonical columns of a call log, the presets that map real logs onto them, and the
error a bad log raises.

A call log has one row per call. simcall reads the columns it knows by their canonical
names (:data:`CANONICAL`); a log that names them differently gives a mapping
``column={canonical: theirs}`` or a preset (:data:`PRESETS`) that holds one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from simcall.errors import SimcallError

CANONICAL: dict[str, str] = {
    "arrival": "when the call arrived (required)",
    "date": "the call's date, when the timestamps are clock times only",
    "caller_type": "the caller type (absent: one type, 'callers')",
    "department": "the department (queue) the call reached (absent: one, 'agents')",
    "priority": "the call's priority class (used with priority_credit)",
    "queued": "when the call joined the agent queue (empty: it never queued)",
    "left_queue": "when it left the queue, answered or hanging up",
    "answered": "when an agent picked up (empty: never answered)",
    "ended": "when the talk ended",
    "outcome": "answered / abandoned / other / left_out (absent: inferred)",
    "agent": "who answered (an agent's id)",
}
"""Every column simcall reads, with what it means. Only ``arrival`` is required, and one of
``queued`` or ``answered``; the others make more estimates possible."""

TIMESTAMPS = ("arrival", "queued", "left_queue", "answered", "ended")

ANSWERED, ABANDONED, OTHER, LEFT_OUT = "answered", "abandoned", "other", "left_out"
OUTCOMES = (ANSWERED, ABANDONED, OTHER, LEFT_OUT)
"""What a row's outcome means: answered by an agent; abandoned (hung up before pickup);
other (ended without an agent: menu hang-up, busy signal, voicemail: no agent demand);
left_out (not a call at all, e.g. the bank's PHANTOM rows: left out, and counted)."""


class CallLogError(SimcallError):
    """A call log that cannot be read or fitted: the message names the row and column."""


@dataclass(frozen=True)
class Preset:
    """How one kind of log maps onto the canonical columns.

    ``column`` maps canonical names to the log's; ``outcomes`` maps the log's outcome
    values to :data:`OUTCOMES`; ``missing`` lists, per canonical column, the values that
    mean "none" (besides an empty cell); ``formats`` gives timestamp formats
    (``"clock"``, ``"iso"``, ``"seconds"`` or a ``strptime`` pattern); ``priority_credit``
    maps a priority class to its queue credit; the rest are default selections.
    """

    name: str
    column: Mapping[str, str]
    outcomes: Mapping[str, str] = field(default_factory=dict)
    missing: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    formats: Mapping[str, str] = field(default_factory=dict)
    priority_credit: Mapping[str, str] = field(default_factory=dict)
    days: str | None = None
    open: str | None = None
    close: str | None = None
    interval: str = "30min"
    description: str = ""


_BANK_NEVER = ("0:00:00",)

PRESETS: dict[str, Preset] = {
    "anonymous-bank": Preset(
        name="anonymous-bank",
        column={"date": "date", "arrival": "vru_entry", "queued": "q_start",
                "left_queue": "q_exit", "answered": "ser_start", "ended": "ser_exit",
                "outcome": "outcome", "agent": "server", "caller_type": "type",
                "priority": "priority"},
        outcomes={"AGENT": ANSWERED, "HANG": ABANDONED, "PHANTOM": LEFT_OUT},
        missing={"queued": _BANK_NEVER, "left_queue": _BANK_NEVER, "answered": _BANK_NEVER,
                 "ended": _BANK_NEVER, "agent": ("NO_SERVER",)},
        formats={name: "clock" for name in TIMESTAMPS},
        priority_credit={"2": "90s"},
        days="sun-thu", open="07:00", close="24:00", interval="1h",
        description="Anonymous Bank, Israel, 1999 (Technion SEE-Lab; Brown et al. 2005): "
                    "date + clock columns, q_start 0:00:00 = never queued, PHANTOM left out, "
                    "priority 2 gets 90 s of queue credit",
    ),
    "simcall": Preset(
        name="simcall",
        column={name: name for name in CANONICAL if name != "priority"},
        outcomes={"answered": ANSWERED, "abandoned": ABANDONED, "blocked": OTHER,
                  "voicemail": OTHER, "self_served": OTHER, "ivr_hang_up": OTHER,
                  "called_back": OTHER, "in_system": LEFT_OUT},
        formats={"arrival": "seconds", "queued": "seconds", "left_queue": "seconds",
                 "answered": "seconds", "ended": "seconds"},
        description="a log written by simcall.fit.write_log from a simulated run "
                    "(seconds after each date's midnight)",
    ),
}
"""The built-in presets, by name."""
