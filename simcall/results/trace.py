"""Call-by-call stories and a timeline, from one replication's trace rows.

``simcall trace`` runs one replication with ``trace=rows`` and turns the rows
``(time, event, call, department, agent)`` into

* a **story** per call: one sentence, in clock time, of what happened to it
  (queue, ringing, answer and the ring it was answered on, talk, transfers,
  hang-ups, voicemail, busy signals), for the first N calls from a clock time;
* a **timeline**: per time bucket, calls arrived, hang-ups, calls waiting
  (time-average and most at once), agents busy and agents on duty.

Everything here is pure: the functions take (scenario, result, rows) and return
strings and rows; :mod:`simcall.report.terminal_trace` prints them.

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
TIMELINE_ROWS = 40  # at most this many buckets for a window (the drain after closing adds one)
BUCKETS_S = (60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
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


# -- timeline -------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineRow:
    """One time bucket ``[start, end)`` (seconds since opening)."""

    start: float
    end: float
    arrived: int  # calls that arrived in the bucket (busy signals included)
    hung_up: int  # calls that hung up in the bucket (while waiting or ringing)
    waiting_mean: float  # calls waiting in a queue, time-average over the bucket
    waiting_max: int  # most calls waiting at once
    busy_mean: float  # agents busy (ringing, talk, wrap-up), time-average
    busy_max: int
    staffed_mean: float  # agents on duty, time-average
    staffed_max: int


@dataclass(frozen=True)
class Step:
    """A count that changes at ``times``: ``levels[k]`` holds on ``[times[k], times[k+1])``
    and the count is 0 before ``times[0]``."""

    times: np.ndarray
    levels: np.ndarray

    @classmethod
    def of(cls, starts: np.ndarray, ends: np.ndarray) -> Step:
        """The number of intervals ``[start, end)`` that contain each time."""
        starts, ends = np.asarray(starts, float), np.asarray(ends, float)
        keep = ends > starts
        times = np.concatenate([starts[keep], ends[keep]])
        delta = np.concatenate([np.ones(keep.sum()), -np.ones(keep.sum())])
        order = np.argsort(times, kind="stable")
        times, levels = times[order], np.cumsum(delta[order])
        last = np.r_[times[1:] != times[:-1], True] if times.size else np.zeros(0, bool)
        return cls(times[last], np.rint(levels[last]).astype(np.int64))

    def _at(self, x: np.ndarray) -> np.ndarray:
        """Index of the last change at or before each x (-1: before the first)."""
        return np.searchsorted(self.times, x, side="right") - 1

    def at(self, x: np.ndarray) -> np.ndarray:
        """The count at each time x."""
        j = self._at(np.asarray(x, float))
        return np.where(j >= 0, self.levels[np.maximum(j, 0)] if self.levels.size else 0, 0)

    def area(self, x: np.ndarray) -> np.ndarray:
        """The integral of the count from -inf to each x."""
        if self.times.size == 0:
            return np.zeros(len(x))
        cumulative = np.r_[0.0, np.cumsum(self.levels[:-1] * np.diff(self.times))]
        j = self._at(x)
        inside = j >= 0
        jj = np.where(inside, j, 0)
        return np.where(inside, cumulative[jj] + self.levels[jj] * (x - self.times[jj]), 0.0)

    def means(self, edges: np.ndarray) -> np.ndarray:
        """Time-average of the count over each ``[edges[i], edges[i+1])``."""
        return np.diff(self.area(edges)) / np.diff(edges)

    def maxima(self, edges: np.ndarray) -> np.ndarray:
        """Largest count within each ``[edges[i], edges[i+1])``."""
        out = np.zeros(len(edges) - 1, dtype=np.int64)
        for i in range(len(edges) - 1):
            j = self._at(np.array([edges[i]]))[0]
            first = self.levels[j] if j >= 0 else 0
            inside = self.levels[j + 1:np.searchsorted(self.times, edges[i + 1], side="left")]
            out[i] = max(int(first), int(inside.max()) if inside.size else 0)
        return out


def waiting_spells(rows: Iterable[Row], end_time: float) -> tuple[np.ndarray, np.ndarray]:
    """``[start, end)`` of every spell a call spent waiting in a queue.

    A spell runs from a ``queue`` (or ``rona``: see :data:`QUEUED_AFTER`) row to the call's
    next row, whatever it is (ring, abandon, voicemail, or an event added later); a call
    that went straight to an idle agent has a zero-length spell (dropped by
    :meth:`Step.of`). A call still queued when the run ended waits until ``end_time``.
    """
    open_spells: dict[int, float] = {}
    starts: list[float] = []
    ends: list[float] = []
    for t, event, call, _, _ in rows:
        began = open_spells.pop(call, None)
        if began is not None:
            starts.append(began)
            ends.append(t)
        if event in QUEUED_AFTER:
            open_spells[call] = t
    for began in open_spells.values():
        starts.append(began)
        ends.append(end_time)
    return np.asarray(starts, float), np.asarray(ends, float)


def choose_bucket(span: float) -> float:
    """The shortest round bucket (1, 2, 5, 10, 15, 30 min, 1 h, ...) giving at most
    :data:`TIMELINE_ROWS` rows over ``span`` seconds."""
    for bucket in BUCKETS_S:
        if span / bucket <= TIMELINE_ROWS:
            return float(bucket)
    return float(BUCKETS_S[-1])


def bucket_edges(scenario: Scenario, start: float, end: float, bucket: float) -> np.ndarray:
    """Edges of buckets aligned on the clock (10:00, 10:15, ...) covering ``[start, end)``;
    the first and last buckets are clipped to the window."""
    opening = scenario.open_s
    first = math.floor((opening + start) / bucket + 1e-9) * bucket - opening
    edges = np.arange(first, end, bucket)
    edges = np.r_[edges, end] if edges.size == 0 or edges[-1] < end else edges
    edges[0] = max(edges[0], start)
    return edges if edges.size >= 2 else np.array([start, max(end, start + bucket)])


def timeline(scenario: Scenario, result: RunResult, rows: Sequence[Row], start: float,
             end: float, bucket: float) -> list[TimelineRow]:
    """Per bucket of ``[start, end)``: arrivals, hang-ups, calls waiting, agents busy and
    on duty, from every call of the run (not only the ones whose story is shown).

    Busy and on-duty agents come from the records' busy and staffed periods (exact:
    ringing, talk and wrap-up); calls waiting from the trace rows (:func:`waiting_spells`).
    """
    records = result.records
    if records is None:
        raise ValueError("the timeline needs the call records (simulate with keep_records)")
    edges = bucket_edges(scenario, start, end, bucket)
    waiting = Step.of(*waiting_spells(rows, records.end_time))
    busy = Step.of(records.busy.start, records.busy.end)
    staffed = Step.of(records.staffed.start, records.staffed.end)
    arrived = np.diff(np.searchsorted(np.sort(records.calls.arrival), edges, side="left"))
    hang_ups = np.sort(np.array([t for t, event, *_ in rows if event == "abandon"], float))
    hung_up = np.diff(np.searchsorted(hang_ups, edges, side="left"))
    columns = zip(edges[:-1], edges[1:], arrived, hung_up, waiting.means(edges),
                  waiting.maxima(edges), busy.means(edges), busy.maxima(edges),
                  staffed.means(edges), staffed.maxima(edges), strict=True)
    return [TimelineRow(float(a), float(b), int(n), int(h), float(wm), int(wx), float(bm),
                        int(bx), float(sm), int(sx))
            for a, b, n, h, wm, wx, bm, bx, sm, sx in columns]


# -- the whole report -----------------------------------------------------------------


@dataclass(frozen=True)
class TraceReport:
    """What ``simcall trace`` shows for one replication."""

    scenario: Scenario
    seed: int
    replication: int
    start: float  # --from, in seconds since opening
    from_given: bool
    offered: int  # calls in the whole run
    stories: tuple[CallStory, ...]
    window: tuple[float, float]  # the timeline's [start, end)
    bucket: float
    timeline: tuple[TimelineRow, ...]


def trace_report(scenario: Scenario, result: RunResult, rows: Sequence[Row],
                 start: float | None = None, calls: int = 20) -> TraceReport:
    """Stories of the first ``calls`` calls from ``start`` and the timeline around them.

    With ``start`` given, the timeline covers the shown calls, from ``start`` until the
    last of them is over; without it, the whole day (and the drain after closing).
    """
    if calls < 1:
        raise ValueError(f"calls must be >= 1, got {calls}")
    records = result.records
    if records is None:
        raise ValueError("the trace needs the call records (simulate with keep_records)")
    begin = 0.0 if start is None else start
    chosen = stories(scenario, result, rows, begin, calls)
    if start is None:
        window = (0.0, max(records.end_time, scenario.horizon))
        bucket = choose_bucket(scenario.horizon)
    else:
        by_call = {story.call for story in chosen}
        last = max((t for t, _, call, *_ in rows if call in by_call), default=begin)
        if any(story.phrases[-1].startswith("still waiting") for story in chosen):
            last = records.end_time
        window = (begin, max(last, begin + 60.0))
        bucket = choose_bucket(window[1] - window[0])
    return TraceReport(
        scenario=scenario, seed=result.seed, replication=result.replication, start=begin,
        from_given=start is not None, offered=int(records.calls.arrival.size),
        stories=tuple(chosen), window=window, bucket=bucket,
        timeline=tuple(timeline(scenario, result, rows, *window, bucket)),
    )
