"""Call-by-call stories, from one replication's trace rows, and the clock they are told in.

``simcall trace`` runs one replication with ``trace=rows`` and turns the rows
``(time, event, call, department, agent)`` into a **story** per call: one sentence,
in clock time, of what happened to it (queue, ringing, answer and the ring it was
answered on, talk, transfers, hang-ups, voicemail, busy signals), for the first N
calls from a clock time. :mod:`simcall.results.timeline` counts the same rows per
time bucket; :mod:`simcall.report.terminal_trace` prints both.

The clock helpers (:func:`clock`, :func:`duration`, :func:`clock_offset`) live here
because a story is told in them; the trace printout and ``simcall animate`` use
them too.

Everything here is pure: the functions take (scenario, result, rows) and return
strings and plain objects.

Known events have a verb in :data:`VERBS`; any other event (the engine may add
some) is told generically as ``"<event> <department> <agent> at <clock>"``, so a
new event needs no change here. Times are truncated to the second for display;
ring numbers use the exact answer time, as the metrics do.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from simcall.errors import SimcallError
from simcall.results.summary import RunResult
from simcall.scenario.durations import parse_clock
from simcall.scenario.schema import Scenario

Row = tuple[float, str, int, str, str]
"""A trace row: (seconds since opening, event, call id, department, agent)."""

DAY_S = 24 * 3600.0
STORY_WIDTH = 100
INDENT = 10  # story lines: "HH:MM:SS  " then the sentence; continuation lines align under it
_EPS = 1e-6  # float noise: 7.68 + 100 - 7.68 must show as 1m40s

VERBS: dict[str, str] = {
    "ivr": "enters the voice menu for {department}",
    "hang up in ivr": "hangs up in the voice menu after {wait}, at {clock}",
    "self-served": "self-serves in the voice menu after {wait}, at {clock}",
    "misrouted": "misrouted by the menu to {department} at {clock}",
    "queue": "joins {department}",
    "queue_later": "joins {department} at {clock}",
    "ring": "rings {agent} at {clock} after {wait}",
    "ring_at_once": "rings {agent} at once",
    "answer": "answered by {agent} at {clock} after {wait} (ring {ring})",
    "answer_at_once": "answered at once by {agent}",
    "answer_after_ring": "answered at {clock} after {wait} (ring {ring})",
    "talk": "talks {talk}",
    "transfer": "transferred to {department}",
    "transfer limit": "hits the transfer limit of {department}",
    "hand over": "{agent} hands over",
    "rona": "{agent} does not pick up (RONA), at {clock}",
    "end": "ends {clock}",
    "abandon": "hangs up after {wait} waiting, at {clock}",
    "abandon_ringing": "hangs up after {wait} waiting (while ringing), at {clock}",
    "voicemail": "goes to voicemail after {wait}, at {clock}",
    "voicemail_ringing": "goes to voicemail after {wait} (while ringing), at {clock}",
    "blocked": "gets a busy signal calling {department} (all lines busy)",
    "in_system": "still waiting when the run ended at {clock} (in system)",
}
"""Phrases for the events the engine emits (and the variants the story picks)."""

GENERIC = "{event} {department} {agent} at {clock}"
"""Phrase for an event without a verb (extra spaces from empty fields are removed)."""

QUEUED_AFTER = frozenset({"queue", "rona", "callback accepted"})
"""Events after which the call waits in a queue until its next event (after a
ring-no-answer the call goes back to its queue, keeping its place, with no new
``queue`` row; after a callback is accepted the caller hangs up but the call keeps
its place until an agent calls back, so it still counts as waiting in the queue)."""


# -- formatting -----------------------------------------------------------------------


def clock(scenario: Scenario, t: float) -> str:
    """Seconds since opening as a clock time ``HH:MM:SS`` (``+1d`` for the next day)."""
    total = math.floor(scenario.open_s + t + _EPS)
    days, seconds = divmod(total, int(DAY_S))
    label = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return label if days == 0 else f"{label}+{days}d"


def duration(seconds: float) -> str:
    """A duration, truncated to the second: ``"54s"``, ``"4m12s"``, ``"1h02m05s"`` (``"<1s"``)."""
    total = max(0, math.floor(seconds + _EPS))
    if total == 0 and seconds > _EPS:
        return "<1s"
    if total < 60:
        return f"{total}s"
    minutes, s = divmod(total, 60)
    if minutes < 60:
        return f"{minutes}m{s:02d}s"
    hours, m = divmod(minutes, 60)
    return f"{hours}h{m:02d}m{s:02d}s"


def ring_number(answer_time: float, ring: float) -> int:
    """The ring a call is answered on: ``floor(answer time / ring) + 1`` (as the metrics)."""
    return math.floor(answer_time / ring) + 1


def clock_offset(scenario: Scenario, text: str, option: str) -> float:
    """A clock time (``"10:00"``, ``"10:00:30"``, ``"01:00+1d"``) as seconds since opening,
    unchecked against the day (callers add the range they allow).

    A time earlier than ``open`` on a day that runs past midnight is read as the next day.
    """
    raw = text.strip()
    days = 0
    if "+" in raw:
        raw, _, suffix = raw.partition("+")
        if not (suffix.endswith("d") and suffix[:-1].isdigit()):
            raise SimcallError(f"{option} {text}: '+{suffix}' is not a day offset: use e.g. "
                               "\"01:00+1d\" for 01:00 the next day")
        days = int(suffix[:-1])
    try:
        at = parse_clock(raw)
    except ValueError as exc:
        raise SimcallError(f"{option} {text}: {exc}") from None
    t = at + days * DAY_S - scenario.open_s
    if t < 0 and days == 0 and scenario.open_s + scenario.horizon > DAY_S:
        t += DAY_S  # the day runs past midnight: 01:00 is after opening
    return t


def parse_from(scenario: Scenario, text: str) -> float:
    """A ``--from`` clock time (``"10:00"``, ``"10:00:30"``, ``"01:00+1d"``) as seconds since
    opening, within the scenario's day.

    A time earlier than ``open`` on a day that runs past midnight is read as the next day.

    Raises
    ------
    SimcallError
        For a malformed time, or one before opening or after the last interval.
    """
    t = clock_offset(scenario, text, "--from")
    first, last = clock(scenario, 0)[:5], clock(scenario, scenario.horizon)
    last = last[:5] + last[8:]
    if t < 0:
        raise SimcallError(f"--from {text}: before opening ({first}); the day runs from "
                           f"{first} to {last}")
    if t >= scenario.horizon:
        raise SimcallError(f"--from {text}: after the last interval (no call arrives after "
                           f"{last}); the day runs from {first} to {last}")
    return t


# -- stories --------------------------------------------------------------------------


@dataclass(frozen=True)
class CallStory:
    """What happened to one call."""

    call: int  # the engine's call id (the row in the call records)
    arrival: float  # seconds since opening
    caller: str  # caller type ("" if unknown)
    phrases: tuple[str, ...]  # in order; joined with "; " they make the sentence
    warmup: bool  # arrived before the warm-up ended (counted nowhere)

    def sentence(self) -> str:
        """``call 57 (customers) joins support; ...``."""
        who = self.caller + (", warm-up" if self.warmup else "")
        head = f"call {self.call}" + (f" ({who})" if who else "")
        return f"{head} {'; '.join(self.phrases)}"


def group_by_call(rows: Iterable[Row]) -> dict[int, list[Row]]:
    """Each call's rows, in the order the engine wrote them (time order)."""
    calls: dict[int, list[Row]] = {}
    for row in rows:
        calls.setdefault(row[2], []).append(row)
    return calls


def call_story(scenario: Scenario, result: RunResult, call: int,
               rows: Sequence[Row]) -> CallStory:
    """The story of one call from its own rows."""
    records = result.records
    arrival, caller, end_time = rows[0][0], "", rows[-1][0]
    if records is not None:
        end_time = records.end_time
        if 0 <= call < records.calls.arrival.size:
            arrival = float(records.calls.arrival[call])
            caller = scenario.callers[int(records.calls.caller[call])].name
    return CallStory(call=call, arrival=arrival, caller=caller,
                     phrases=tuple(_phrases(scenario, rows, end_time)),
                     warmup=arrival < scenario.warmup)


def _phrases(scenario: Scenario, rows: Sequence[Row], end_time: float) -> list[str]:
    """The phrases of one call's story, in order.

    State rather than row pairs decides the wording: a ring and an answer at the same
    moment (no pickup delay) are told once, with the answer; "talks" comes before
    whatever ends the talk; a warm transfer's hand-over is told after the answer (or
    hang-up) it happens with; "while ringing" holds from a ring until answer or hang-up.
    """
    phrases: list[str] = []
    deferred: list[str] = []  # hand-overs, told after the event they happen with
    entered = rows[0][0]  # when the call joined its current queue
    talking_since: float | None = None
    rang_at: float | None = None  # the phone is ringing since
    last_event = ""
    for index, (t, event, _, department, agent) in enumerate(rows):
        wait = t - entered
        fields = {"event": event, "department": department, "agent": agent,
                  "clock": clock(scenario, t), "wait": duration(wait), "talk": "",
                  "ring": ""}
        if talking_since is not None and event != "hand over":
            phrases.append(VERBS["talk"].format(talk=duration(t - talking_since)))
            talking_since = None
        key: str | None = event
        if event == "queue":
            if last_event in ("transfer", "misrouted") and rows[index - 1][0] == t \
                    and rows[index - 1][3] == department:
                key = None  # "transferred to X" already says it
            elif t > rows[0][0]:
                key = "queue_later"  # after the voice menu: when matters
            entered, rang_at = t, None
        elif event == "ring":
            rang_at = t
            if _answered_at_once(rows, index):
                key = None  # no pickup delay: told with the answer
            elif wait <= 0:
                key = "ring_at_once"
        elif event == "answer":
            fields["ring"] = str(ring_number(wait, scenario.ring))
            if rang_at is not None and rang_at < t:
                key = "answer_after_ring"
            elif wait <= 0:
                key = "answer_at_once"
            talking_since, rang_at = t, None
        elif event in ("abandon", "voicemail") and rang_at is not None:
            key = f"{event}_ringing"
        elif event == "rona":
            rang_at = None  # back in the queue; the answer time still runs from joining it
        template = VERBS.get(key) if key is not None else None
        text = (template.format(**fields) if template is not None
                else " ".join(GENERIC.format(**fields).split()) if key is not None else "")
        if event == "hand over":
            deferred.append(text)
            continue
        if text:
            phrases.append(text)
            phrases.extend(deferred)
            deferred.clear()
        last_event = event
    phrases.extend(deferred)
    if last_event in QUEUED_AFTER:
        phrases.append(VERBS["in_system"].format(clock=clock(scenario, end_time)))
    return phrases


def _answered_at_once(rows: Sequence[Row], index: int) -> bool:
    """Whether the ring at ``rows[index]`` is answered at the same moment (rows of that
    moment in between, such as a hand-over, are skipped)."""
    t = rows[index][0]
    for later in rows[index + 1:]:
        if later[0] != t:
            return False
        if later[1] == "answer":
            return True
    return False


def stories(scenario: Scenario, result: RunResult, rows: Iterable[Row], start: float = 0.0,
            calls: int = 20) -> list[CallStory]:
    """The first ``calls`` calls arriving at or after ``start`` (seconds since opening)."""
    by_call = group_by_call(rows)
    records = result.records
    arrivals = records.calls.arrival if records is not None else np.zeros(0)

    def arrival(call: int) -> float:
        return float(arrivals[call]) if 0 <= call < arrivals.size else by_call[call][0][0]

    order = sorted((arrival(call), call) for call in by_call)
    chosen = [call for at, call in order if at >= start][:calls]
    return [call_story(scenario, result, call, by_call[call]) for call in chosen]


def story_lines(scenario: Scenario, story: CallStory, width: int = STORY_WIDTH) -> list[str]:
    """A story as lines of at most ``width`` characters: the arrival clock, then the
    sentence, wrapped under itself between phrases (within a phrase only when it is
    longer than a line)."""
    width = max(width, INDENT + 40)
    stamp = clock(scenario, story.arrival)
    lines: list[str] = []
    line = f"{stamp:<{INDENT - 2}}  {story.sentence().split('; ')[0]}"
    for phrase in story.phrases[1:]:
        if len(line) + 2 + len(phrase) <= width - 1:  # "; " and a trailing ";"
            line = f"{line}; {phrase}"
            continue
        lines.append(line + ";")
        line = " " * INDENT + phrase
    lines.append(line)
    wrapped: list[str] = []
    for text in lines:
        wrapped.extend(textwrap.wrap(text, width=width, subsequent_indent=" " * INDENT,
                                     break_long_words=False, break_on_hyphens=False,
                                     drop_whitespace=True) if len(text) > width else [text])
    return wrapped
