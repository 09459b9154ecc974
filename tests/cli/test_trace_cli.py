"""``simcall trace``: exact stories on tiny scripted days, the timeline's invariants, and
the command line (same seed, same story; --from; mistakes exit 2)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from typer.testing import CliRunner

import simcall
from helpers import SCENARIOS, scenario_from
from simcall import Arrival
from simcall.cli import app
from simcall.errors import SimcallError
from simcall.report.terminal_trace import timeline_lines
from simcall.results.stories import duration, parse_from, story_lines
from simcall.results.timeline import (
    Step,
    TimelineRow,
    timeline,
    trace_report,
    waiting_spells,
)

runner = CliRunner()
HELPDESK = str(SCENARIOS / "helpdesk.toml")
TALK_100 = {"dist": "deterministic", "value": 100}
STAMP = re.compile(r"^(\d\d:\d\d:\d\d)  call (\d+) ")


def told(scenario: simcall.Scenario, arrivals: list[Arrival], **options):
    rows: list = []
    result = simcall.simulate(scenario, seed=1, arrivals=arrivals, trace=rows)
    report = trace_report(scenario, result, rows, **options)
    lines = [line for story in report.stories for line in story_lines(scenario, story)]
    return lines, report, result, rows


def test_story_of_a_transfer_a_wait_a_busy_signal_and_a_hang_up() -> None:
    scenario = scenario_from(
        open="10:00", lines=2,
        departments=[{"name": "support", "talk": TALK_100, "transfer": {"billing": 0.4},
                      "wrap_up": {"dist": "deterministic", "value": 30}},
                     {"name": "billing", "talk": {"dist": "deterministic", "value": 50}}],
        agents=[{"name": "front", "skills": ["support"], "staff": 1},
                {"name": "back", "skills": ["billing"], "staff": 1}],
    )
    lines, _, result, rows = told(scenario, [
        Arrival(0, "customers", transfer_draw=0.1),  # transferred to billing
        Arrival(5, "customers", transfer_draw=0.9),  # waits for front #1's wrap-up
        Arrival(10, "customers"),  # both lines held: busy signal
        Arrival(160, "customers", patience=20),  # front #1 busy until 230: hangs up
    ])
    assert lines == [
        "10:00:00  call 0 (customers) joins support; answered at once by front #1; talks 1m40s;",
        "          transferred to billing; answered at once by back #1; talks 50s; ends 10:02:30",
        "10:00:05  call 1 (customers) joins support; answered by front #1 at 10:02:10 after 2m05s"
        " (ring 21);",
        "          talks 1m40s; ends 10:03:50",
        "10:00:10  call 2 (customers) gets a busy signal calling support (all lines busy)",
        "10:02:40  call 3 (customers) joins support; hangs up after 20s waiting, at 10:03:00",
    ]
    # the whole run in one bucket: front #1 busy 0-130 and 130-260 (talk + wrap-up),
    # back #1 100-150; call 1 waits 5-130, call 3 160-180
    (row,) = timeline(scenario, result, rows, 0.0, 3600.0, 3600.0)
    assert (row.start, row.end, row.arrived, row.hung_up) == (0, 3600, 4, 1)
    assert row.busy_mean * 3600 == pytest.approx(260 + 50)
    assert row.waiting_mean * 3600 == pytest.approx(125 + 20)
    assert (row.waiting_max, row.busy_max, row.staffed_max) == (1, 2, 2)


def test_story_of_ringing_pickup_and_voicemail() -> None:
    scenario = scenario_from(
        open="10:00", voicemail_after="3 rings",
        agents=[{"name": "team", "skills": ["support"], "staff": 1,
                 "pickup": {"dist": "deterministic", "value": 8}}],
    )
    lines, _, _, _ = told(scenario, [
        Arrival(0, "customers", patience=5),  # hangs up while the phone rings
        Arrival(6, "customers", patience=math.inf),
        Arrival(10, "customers", patience=math.inf),  # 18 s unanswered: voicemail
        Arrival(110, "customers", patience=math.inf),
        Arrival(210, "customers", patience=math.inf),  # voicemail while ringing
    ])
    assert lines == [
        "10:00:00  call 0 (customers) joins support; rings team #1 at once;",
        "          hangs up after 5s waiting (while ringing), at 10:00:05",
        "10:00:06  call 1 (customers) joins support; rings team #1 at once;",
        "          answered at 10:00:14 after 8s (ring 2); talks 1m40s; ends 10:01:54",
        "10:00:10  call 2 (customers) joins support; goes to voicemail after 18s, at 10:00:28",
        "10:01:50  call 3 (customers) joins support; rings team #1 at 10:01:54 after 4s;",
        "          answered at 10:02:02 after 12s (ring 3); talks 1m40s; ends 10:03:42",
        "10:03:30  call 4 (customers) joins support; rings team #1 at 10:03:42 after 12s;",
        "          goes to voicemail after 18s (while ringing), at 10:03:48",
    ]


def test_story_of_a_warm_transfer_and_the_transfer_limit() -> None:
    scenario = scenario_from(
        open="10:00",
        callers=[{"name": "customers", "arrivals_per_hour": 1, "enters": "sales"}],
        departments=[{"name": "sales", "talk": {"dist": "deterministic", "value": 60},
                      "transfer": {"orders": 1.0}, "warm_transfer": True},
                     {"name": "orders", "talk": {"dist": "deterministic", "value": 30},
                      "transfer": {"sales": 1.0}, "max_transfers": 1}],
        agents=[{"name": "reps", "skills": ["sales"], "staff": 1},
                {"name": "desk", "skills": ["orders"], "staff": 1,
                 "pickup": {"dist": "deterministic", "value": 4}}],
    )
    lines, _, result, _ = told(scenario, [Arrival(0, "customers")])
    assert lines == [
        "10:00:00  call 0 (customers) joins sales; answered at once by reps #1; talks 1m00s;",
        "          transferred to orders; rings desk #1 at once; answered at 10:01:04 after 4s "
        "(ring 1);",
        "          reps #1 hands over; talks 30s; hits the transfer limit of orders; "
        "ends 10:01:34",
    ]
    # reps #1 stays busy on the line until desk #1 picks up
    assert result.records.busy.end.tolist() == [64, 94]


def test_story_of_the_voice_menu() -> None:
    scenario = scenario_from(
        open="09:00",
        callers=[{"name": "c", "arrivals_per_hour": 60, "enters": "support",
                  "ivr": {"time": {"dist": "deterministic", "value": 30}, "hang_up": 0.1,
                          "self_serve": 0.2, "misroute": 0.3}}],
        departments=[{"name": "support", "talk": TALK_100},
                     {"name": "billing", "talk": {"dist": "deterministic", "value": 40}}],
        agents=[{"name": "team", "skills": ["support"], "staff": 1},
                {"name": "desk", "skills": ["billing"], "staff": 1}],
    )
    lines, _, _, _ = told(scenario, [Arrival(0, "c", ivr_draw=d)
                                     for d in (0.05, 0.25, 0.45, 0.95)])
    assert lines == [
        "09:00:00  call 0 (c) enters the voice menu for support;",
        "          hangs up in the voice menu after 15s, at 09:00:15",
        "09:00:00  call 1 (c) enters the voice menu for support;",
        "          self-serves in the voice menu after 30s, at 09:00:30",
        "09:00:00  call 2 (c) enters the voice menu for support;",
        "          misrouted by the menu to billing at 09:00:30; answered at once by desk #1; "
        "talks 40s;",
        "          transferred to support; answered by team #1 at 09:02:10 after 1m00s "
        "(ring 11);",
        "          talks 1m40s; ends 09:03:50",
        "09:00:00  call 3 (c) enters the voice menu for support; joins support at 09:00:30;",
        "          answered at once by team #1; talks 1m40s; ends 09:02:10",
    ]


def test_call_left_in_the_system_and_warm_up_calls_are_marked() -> None:
    scenario = scenario_from(interval="100s", intervals=2, warmup="15s",
                             agents=[{"name": "team", "skills": ["support"], "staff": [1, 0]}])
    lines, report, result, _ = told(scenario, [Arrival(10, "customers"),
                                               Arrival(20, "customers")])
    assert lines == [
        "00:00:10  call 0 (customers, warm-up) joins support; answered at once by team #1; "
        "talks 1m40s;",
        "          ends 00:01:50",
        "00:00:20  call 1 (customers) joins support;",
        "          still waiting when the run ended at 00:03:20 (in system)",
    ]
    assert result.records.end_time == 200
    assert report.timeline[-1].waiting_mean == 1.0  # 150-200: still waiting, nobody on duty


def test_ring_no_answer_and_unknown_events() -> None:
    scenario = scenario_from(open="09:00")
    rows = [(0.0, "greeting", 0, "support", ""), (30.0, "queue", 0, "support", ""),
            (30.0, "ring", 0, "support", "team #1"), (34.0, "rona", 0, "support", "team #1"),
            (40.0, "ring", 0, "support", "team #2"), (43.0, "answer", 0, "support", "team #2"),
            (100.0, "end", 0, "support", "team #2")]
    result = simcall.simulate(scenario, seed=1, arrivals=[Arrival(0, "customers")])
    (story,) = trace_report(scenario, result, rows).stories
    assert story.phrases == (
        "greeting support at 09:00:00",  # no verb: told generically
        "joins support at 09:00:30", "rings team #1 at once",
        "team #1 does not pick up (RONA), at 09:00:34",
        "rings team #2 at 09:00:40 after 10s",  # back in the queue, keeping its place
        "answered at 09:00:43 after 13s (ring 3)", "talks 57s", "ends 09:01:40")
    # waiting: 30-30 (straight to an agent: dropped), then 34-40 after the ring-no-answer
    spells = waiting_spells(rows, 100.0)
    assert Step.of(*spells).area(np.array([100.0]))[0] == 6.0


def test_durations_are_truncated_to_the_second() -> None:
    assert [duration(s) for s in (0, 0.4, 54.9, 99.99999999, 252, 3725)] == [
        "0s", "<1s", "54s", "1m40s", "4m12s", "1h02m05s"]


def test_from_is_a_clock_time_within_the_day() -> None:
    helpdesk = simcall.load(HELPDESK)  # 08:00-16:00
    assert parse_from(helpdesk, "10:00") == 7200
    assert parse_from(helpdesk, " 08:00:30 ") == 30
    for text, message in [("25:00", "not a valid clock time"), ("abc", "not a clock time"),
                          ("07:59", "before opening (08:00)"),
                          ("16:00", "after the last interval"), ("10:00+x", "day offset")]:
        with pytest.raises(SimcallError, match=re.escape(message)):
            parse_from(helpdesk, text)
    night = scenario_from(open="22:00", interval="1h", intervals=4)  # 22:00-02:00
    assert parse_from(night, "01:30") == 3.5 * 3600
    assert parse_from(night, "23:00+0d") == 3600
    with pytest.raises(SimcallError, match="after the last interval"):
        parse_from(night, "02:00")


def _whole_run_timeline(scenario: simcall.Scenario) -> tuple[simcall.RunResult, list,
                                                             list[TimelineRow], np.ndarray]:
    """Seed 3 with its trace rows, the whole run's timeline in 15-minute buckets and the
    buckets' lengths."""
    rows: list = []
    result = simcall.simulate(scenario, seed=3, trace=rows)
    assert result.records is not None
    day = timeline(scenario, result, rows, 0.0, result.records.end_time, 900.0)
    return result, rows, day, np.array([r.end - r.start for r in day])


def test_timeline_is_exact_and_never_busier_than_staffed() -> None:
    scenario = simcall.load(HELPDESK, ["agents.support team.staff=[10, 8, 6, 9, 10, 10, 7, 10, "
                                       "10, 10, 10, 10, 10, 10, 10, 10]",
                                       "departments.support.wrap_up = "
                                       '{ dist = "deterministic", value = 30 }'])
    result, rows, day, length = _whole_run_timeline(scenario)
    records = result.records
    assert day[0].start == 0 and day[-1].end == records.end_time
    # areas: the queue holds each visit for its wait (no pickup delay here)
    assert np.dot([r.waiting_mean for r in day], length) == pytest.approx(
        records.visits.wait.sum())
    assert np.dot([r.busy_mean for r in day], length) == pytest.approx(
        (records.busy.end - records.busy.start).sum())
    assert sum(r.arrived for r in day) == records.calls.arrival.size
    assert sum(r.hung_up for r in day) == result.kpis["abandoned"]
    for r in day:
        assert 0 <= r.waiting_mean <= r.waiting_max
        assert 0 <= r.busy_mean <= r.staffed_mean + 1e-9 and r.busy_max <= r.staffed_max
    # at every instant, not only per bucket
    busy = Step.of(records.busy.start, records.busy.end)
    staffed = Step.of(records.staffed.start, records.staffed.end)
    waiting = Step.of(*waiting_spells(rows, records.end_time))
    times = np.concatenate([busy.times, staffed.times, waiting.times])
    assert (busy.at(times) <= staffed.at(times)).all()
    assert (waiting.at(times) >= 0).all() and waiting.levels.min() >= 0


def test_timeline_shows_not_ready_agents_apart_from_busy_and_idle() -> None:
    """Not-ready time (after each call, and after a ring-no-answer) is its own series: its
    area is the records' not-ready periods, and busy + not ready never exceed on duty."""
    scenario = simcall.load(HELPDESK, [
        'agents.support team.not_ready = { dist = "deterministic", value = 40 }',
        "agents.support team.rona = { probability = 0.1, after = \"3 rings\", "
        'not_ready = "2min" }'])
    result, rows, day, length = _whole_run_timeline(scenario)
    records = result.records
    spells = records.not_ready.end - records.not_ready.start
    assert spells.size and (spells == 120.0).any() and (spells == 40.0).any()  # both kinds
    assert np.dot([r.not_ready_mean for r in day], length) == pytest.approx(spells.sum())
    for r in day:
        assert r.busy_mean + r.not_ready_mean <= r.staffed_mean + 1e-9
        assert r.not_ready_max <= r.staffed_max
    lines = timeline_lines(trace_report(scenario, result, rows))
    assert "not ready" in lines[1] and lines[-2].startswith("not ready: on duty")
    # the bar of each bucket: busy, not ready, idle agents, then calls waiting
    assert any("\u2593" in line for line in lines[2:-4])


def run_cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["trace", *args])
    return result.exit_code, result.output


def test_same_seed_same_story_other_seed_other_story() -> None:
    code, first = run_cli(HELPDESK, "--seed", "7", "--calls", "5")
    assert code == 0, first
    assert run_cli(HELPDESK, "--seed", "7", "--calls", "5") == (0, first)
    assert run_cli(HELPDESK, "--seed", "8", "--calls", "5")[1] != first
    assert run_cli(HELPDESK, "--seed", "7", "--calls", "5", "--replication", "1")[1] != first
    assert "helpdesk, seed 7, replication 0: the first 5 calls of the day" in first
    stamps = [STAMP.match(line) for line in first.splitlines()]
    assert [int(m[2]) for m in stamps if m] == [0, 1, 2, 3, 4]
    assert "per 15 min (the whole run" in first and "\n15:45 " in first
    assert max(len(line) for line in first.splitlines()) <= 100


def test_from_shows_calls_arriving_at_or_after_it() -> None:
    code, output = run_cli(HELPDESK, "--from", "10:00", "--calls", "8",
                           "--set", "agents.support team.staff=8")
    assert code == 0, output
    stamps = [m[1] for m in map(STAMP.match, output.splitlines()) if m]
    assert len(stamps) == 8 and stamps == sorted(stamps) and stamps[0] >= "10:00:00"
    timeline_rows = [line for line in output.splitlines() if re.match(r"^\d\d:\d\d +\d", line)]
    assert timeline_rows[0].startswith("10:00") and "per 1 min" in output
    assert max(len(line) for line in output.splitlines()) <= 100


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "25:00"], "--from 25:00: '25:00' is not a valid clock time"),
    (["--from", "abc"], "--from abc: 'abc' is not a clock time"),
    (["--from", "07:30"], "--from 07:30: before opening (08:00)"),
    (["--from", "16:30"], "--from 16:30: after the last interval"),
    (["--calls", "0"], "--calls 0: must be at least 1"),
    (["--seed", "-1"], "--seed -1: must be at least 0"),
    (["--replication", "-1"], "--replication -1: must be at least 0"),
    (["--set", "intervalls=3"], "did you mean 'intervals'?"),
])
def test_mistakes_exit_2_with_a_clear_message(args: list[str], message: str) -> None:
    code, output = run_cli(HELPDESK, *args)
    assert code == 2, output
    assert message in output and "Traceback" not in output


def test_missing_file_exits_2() -> None:
    code, output = run_cli("no/such/scenario.toml")
    assert code == 2 and "no such file" in output
