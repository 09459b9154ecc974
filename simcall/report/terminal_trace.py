"""Printing ``simcall trace``: call stories and the timeline, as lines that read well as
plain text (piped, or in a test) and get a little colour on a terminal."""

from __future__ import annotations

import math

from rich.console import Console
from rich.text import Text

from simcall.report.ping_pong import trace_chain_lines
from simcall.results.stories import STORY_WIDTH, clock, story_lines
from simcall.results.timeline import TimelineRow, TraceReport
from simcall.scenario.durations import format_clock

BAR_WIDTH = 40  # characters for the widest bar in the window
BUSY, NOT_READY, IDLE, WAITING = "█", "▓", "░", "▒"
_STYLES = (
    (r"hangs up[^;]*", "red"),
    (r"gets a busy signal[^;]*", "red"),
    (r"goes to voicemail[^;]*", "yellow"),
    (r"transferred to [^;]*", "magenta"),
    (r"still waiting[^;]*", "red"),
    (r"hits the transfer limit[^;]*", "magenta"),
    (r"does not pick up[^;]*", "yellow"),
    (r"hangs up in the voice menu[^;]*", "red"),
)


def _clock(report: TraceReport, t: float) -> str:
    return format_clock(report.scenario.open_s + t)


def header(report: TraceReport) -> list[str]:
    """What is shown (scenario, seed, replication, which calls) and how to read it."""
    scenario = report.scenario
    shown = len(report.stories)
    which = f"from {_start(report)}" if report.from_given else "of the day"
    calls = (f"the first {shown} call{'s' if shown != 1 else ''} {which}" if shown
             else f"no call arrives {which.replace('from', 'at or after')}")
    return [f"{scenario.name}, seed {report.seed}, replication {report.replication}: {calls} "
            f"({report.offered:,} in the run)",
            "waits count from joining a queue; ring N: the ring a call is answered on "
            f"({scenario.ring:g} s per ring)"]


def _start(report: TraceReport) -> str:
    label = clock(report.scenario, report.start)
    return label if label[5:8] != ":00" else label[:5] + label[8:]


def timeline_lines(report: TraceReport) -> list[str]:
    """The timeline as a title, a header, one line per bucket and a legend."""
    rows = report.timeline
    start, end = report.window
    minutes = report.bucket / 60
    span = f"{_clock(report, start)}-{_clock(report, end)}"
    scope = "the whole run" if not report.from_given else "the window of the calls above"
    # a "not ready" column only for a centre whose agents can be not ready
    pauses = any(g.rona is not None or g.not_ready is not None for g in report.scenario.agents)
    lines = [f"timeline {span}, per {minutes:g} min ({scope}; every call counts)",
             f"{'time':<7}{'calls':>6}{'hung up':>9}{'waiting':>9}{'most':>6}{'busy':>7}"
             + (f"{'not ready':>10}" if pauses else "")
             + f"{'on duty':>9}  {BUSY} busy "
             + (f"{NOT_READY} not ready " if pauses else "")
             + f"{IDLE} idle {WAITING} waiting"]
    tallest = max((r.staffed_max + r.waiting_max for r in rows), default=1)
    per_char = max(1, math.ceil(tallest / BAR_WIDTH))
    for r in rows:
        lines.append(f"{_clock(report, r.start):<7}{r.arrived:>6}{r.hung_up:>9}"
                     f"{r.waiting_mean:>9.1f}{r.waiting_max:>6}{r.busy_mean:>7.1f}"
                     + (f"{r.not_ready_mean:>10.1f}" if pauses else "")
                     + f"{r.staffed_mean:>9.1f}  {_bar(r, per_char)}".rstrip())
    each = (f"one character = {per_char} agent{'s' if per_char != 1 else ''} or call"
            f"{'s' if per_char != 1 else ''}")
    if pauses:
        lines += ["calls: arrived in the bucket; waiting, busy, not ready, on duty: averages "
                  "over the bucket",
                  "most: most calls waiting at once; busy includes ringing and wrap-up",
                  "not ready: on duty, taking no call (after a call, or after letting one "
                  "ring out)",
                  f"bar: {each}"]
    else:
        lines += ["calls: arrived in the bucket; waiting, busy, on duty: averages over the "
                  "bucket; most: most",
                  f"calls waiting at once; busy includes ringing and wrap-up; bar: {each}"]
    return lines


def _bar(row: TimelineRow, per_char: int) -> str:
    """Busy, not-ready, idle agents (on duty: the three add up), then calls waiting."""
    busy = round(row.busy_mean / per_char)
    paused = round((row.busy_mean + row.not_ready_mean) / per_char) - busy
    staffed = max(busy + paused, round(row.staffed_mean / per_char))
    waiting = round(row.waiting_mean / per_char)
    return BUSY * busy + NOT_READY * paused + IDLE * (staffed - busy - paused) + WAITING * waiting


def print_trace(report: TraceReport, console: Console) -> None:
    """Stories, then the timeline. Lines are at most 100 columns (less on a narrower
    terminal) and printed without re-wrapping."""
    width = min(STORY_WIDTH, console.width) if console.is_terminal else STORY_WIDTH
    first, second = header(report)
    console.print(Text(first, style="bold"), soft_wrap=True)
    console.print(Text(second), soft_wrap=True)
    if report.stories:
        console.print()
    for story in report.stories:
        for number, line in enumerate(story_lines(report.scenario, story, width)):
            text = Text(line)
            if number == 0:
                text.stylize("bold", 0, len(line) - len(line.lstrip()) + 8)
            for pattern, style in _STYLES:
                text.highlight_regex(pattern, style)
            console.print(text, soft_wrap=True)
    console.print()
    lines = timeline_lines(report)
    console.print(Text(lines[0], style="bold"), soft_wrap=True)
    for line in lines[1:]:
        console.print(Text(line), soft_wrap=True)
    if any(sum(d.transfer.values()) > 0 for d in report.scenario.departments):
        console.print()
        chains = trace_chain_lines(report.scenario, report.revisit_chains,
                                   int(report.answered), width)
        console.print(Text(chains[0], style="bold"), soft_wrap=True)
        for line in chains[1:]:
            text = Text(line)
            text.highlight_regex(r"hangs up[^;]*", "red")
            text.highlight_regex(r"back in [^;]*", "magenta")
            text.highlight_regex(r"^call \d+", "bold")
            console.print(text, soft_wrap=True)
