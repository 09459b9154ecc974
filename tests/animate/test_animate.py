"""``simcall animate``: frame states checked against hand-told scripted days, the drawn
stage checked for its content, and the GIF and the command line (mistakes exit 2)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import typer
from PIL import Image
from typer.testing import CliRunner

import simcall
from helpers import SCENARIOS, scenario_from
from simcall import Arrival
from simcall.animate.reel import busiest_start, clock_time, frames
from simcall.animate.stage import AGENT_COLOURS, Stage
from simcall.animate.state import GONE, frame_states
from simcall.cli.animate import animate_command
from simcall.errors import SimcallError
from simcall.model.records import Outcome

matplotlib.use("Agg")  # the stage is a bare Figure; this keeps anything else off screen

HELPDESK = str(SCENARIOS / "helpdesk.toml")
TALK_100 = {"dist": "deterministic", "value": 100}
runner = CliRunner()


def one_agent_day() -> simcall.Scenario:
    """One agent, talk 100 s and wrap-up 20 s; callers give up after 150 s in the queue."""
    return scenario_from(
        open="08:00",
        targets={"service_level": {"within": "20s", "fraction": 0.8}},
        callers=[{"name": "customers", "arrivals_per_hour": 1, "enters": "support",
                  "patience": {"dist": "deterministic", "value": 150}}],
        departments=[{"name": "support", "talk": TALK_100,
                      "wrap_up": {"dist": "deterministic", "value": 20}}],
    )


def replay(scenario: simcall.Scenario, arrivals: list[Arrival], times: list[float],
           fade: float = 0.0):
    rows: list = []
    result = simcall.simulate(scenario, seed=1, arrivals=arrivals, trace=rows)
    return frame_states(scenario, result.records, rows, times, fade), result, rows


# -- frame states against a day told by hand ------------------------------------------------


def test_frames_follow_a_day_told_by_hand() -> None:
    # call 0 is answered at once (talk 0-100, wrap-up 100-120); calls 1, 2, 3 queue at
    # 10, 20, 30; the agent takes call 1 at 120 (talk to 220, wrap-up to 240); calls 2 and
    # 3 hang up at 170 and 180 (150 s of patience)
    arrivals = [Arrival(0, "customers"), Arrival(10, "customers"), Arrival(20, "customers"),
                Arrival(30, "customers")]
    times = [5, 50, 110, 125, 175, 200, 230, 250]
    states, _, _ = replay(one_agent_day(), arrivals, times)
    table = {f.t: ([m.call for m in f.departments[0].waiting],
                   [m.call for m in f.departments[0].talking],
                   f.calls["answered"], f.calls["abandoned"],
                   (f.groups[0].talking, f.groups[0].wrap_up, f.groups[0].idle))
             for f in states}
    assert table == {
        5: ([], [0], 0, 0, (1, 0, 0)),
        50: ([1, 2, 3], [0], 0, 0, (1, 0, 0)),
        110: ([1, 2, 3], [], 1, 0, (0, 1, 0)),
        125: ([2, 3], [1], 1, 0, (1, 0, 0)),
        175: ([3], [1], 1, 1, (1, 0, 0)),
        200: ([], [1], 1, 2, (1, 0, 0)),
        230: ([], [], 2, 2, (0, 1, 0)),
        250: ([], [], 2, 2, (0, 0, 1)),
    }
    assert [f.arrived for f in states] == [1, 4, 4, 4, 4, 4, 4, 4]
    # answered within 20 s: call 0 (at 0) only; call 1 after 110 s; calls 2, 3 hung up
    assert [(f.answered_within, f.answered, f.abandoned) for f in states] == [
        (1, 1, 0), (1, 1, 0), (1, 1, 0), (1, 2, 0), (1, 2, 1), (1, 2, 2), (1, 2, 2),
        (1, 2, 2)]
    assert states[-1].service_level == pytest.approx(0.25)
    assert [f.clock for f in states[:2]] == ["08:00:05", "08:00:50"]


def test_hang_ups_fade_and_priority_orders_the_queue() -> None:
    scenario = scenario_from(
        callers=[{"name": "regular", "arrivals_per_hour": 1, "enters": "support",
                  "priority": 1, "patience": {"dist": "deterministic", "value": 60}},
                 {"name": "vip", "arrivals_per_hour": 1, "enters": "support", "priority": 0}])
    arrivals = [Arrival(0, "regular", patience=math.inf), Arrival(10, "regular"),
                Arrival(20, "vip")]
    states, _, _ = replay(scenario, arrivals, [30, 75, 95], fade=30)
    queue = states[0].departments[0].waiting
    assert [(m.call, m.priority) for m in queue] == [(2, 0), (1, 1)]  # the vip goes first
    assert states[1].fades[0].call == 1 and states[1].fades[0].how == "abandoned"
    assert states[1].fades[0].age == pytest.approx(5.0)  # hung up at 10 + 60
    assert states[2].fades[0].age == pytest.approx(25.0)  # still fading (30 s)


def test_a_hang_up_stays_on_screen_for_the_fade_only() -> None:
    scenario = one_agent_day()
    # the agent talks to call 0 until 100; call 1 joins at 10 and hangs up at 60
    arrivals = [Arrival(0, "customers", patience=math.inf),
                Arrival(10, "customers", patience=50)]
    states, _, _ = replay(scenario, arrivals, [59, 60, 89, 91], fade=30)
    assert [len(f.fades) for f in states] == [0, 1, 1, 0]


def test_transfers_move_calls_and_count() -> None:
    scenario = scenario_from(
        departments=[{"name": "sales", "talk": TALK_100, "transfer": {"support": 1.0}},
                     {"name": "support", "talk": TALK_100}],
        callers=[{"name": "customers", "arrivals_per_hour": 1, "enters": "sales"}],
        agents=[{"name": "sellers", "skills": ["sales"], "staff": 1},
                {"name": "helpers", "skills": ["support"], "staff": 1}])
    # call 0: sales 0-100, then support 100-200; call 1 joins support at 50 and talks
    # 50-150, so call 0 waits in support from 100 to 150 and talks there until 250
    arrivals = [Arrival(0, "customers"), Arrival(50, "customers", department="support")]
    states, _, _ = replay(scenario, arrivals, [99, 100, 120, 160, 260], fade=30)
    support = [f.departments[1] for f in states]
    assert [[m.call for m in d.waiting] for d in support] == [[], [0], [0], [], []]
    assert support[1].waiting[0].transferred
    assert [len(f.moves) for f in states] == [0, 1, 1, 0, 0]
    assert (states[1].moves[0].source, states[1].moves[0].target) == (0, 1)
    assert [f.transfers for f in states] == [0, 1, 1, 1, 1]
    assert [[m.call for m in d.talking] for d in support] == [[1], [1], [1], [0], []]


# -- invariants on a real day -------------------------------------------------------------


@pytest.fixture(scope="module")
def five_departments() -> tuple:
    scenario = simcall.load(SCENARIOS / "five_departments.toml")
    rows: list = []
    result = simcall.simulate(scenario, seed=3, trace=rows)
    times = np.linspace(0, scenario.run_horizon, 120)
    return scenario, result, rows, frame_states(scenario, result.records, rows, times, 60)


def test_every_call_is_accounted_for_at_every_frame(five_departments: tuple) -> None:
    _, result, _, states = five_departments
    arrival = np.sort(result.records.calls.arrival)
    for frame in states:
        assert sum(frame.calls.values()) == frame.arrived
        assert frame.arrived == np.searchsorted(arrival, frame.t, side="right")
        views = frame.departments
        assert sum(len(d.waiting) for d in views) == frame.calls["waiting"]
        assert sum(len(d.ringing) for d in views) == frame.calls["ringing"]
        assert sum(len(d.talking) for d in views) == frame.calls["talking"]
        assert sum(d.in_menu for d in views) == frame.calls["menu"]
        assert sum(frame.calls[s] for s in GONE) <= frame.arrived
        for group in frame.groups:
            assert group.idle >= 0 and group.off_duty >= 0
        # an agent talking holds a call (or a warm transfer): never fewer agents than calls
        assert sum(g.talking for g in frame.groups) >= frame.calls["talking"]
        for view in views:  # served in order: priority, then time of joining the queue
            keys = [(m.priority, m.joined) for m in view.waiting]
            assert keys == sorted(keys)


def test_agents_busy_match_the_records_busy_periods(five_departments: tuple) -> None:
    _, result, _, states = five_departments
    busy = result.records.busy
    for frame in states[1:-1]:
        for g, group in enumerate(frame.groups):
            inside = (busy.group == g) & (busy.start <= frame.t) & (frame.t < busy.end)
            # the records' busy periods are ringing + talk + wrap-up (not "not ready")
            assert group.ringing + group.talking + group.wrap_up == int(inside.sum())


def test_agents_not_ready_after_calls_are_not_shown_idle() -> None:
    """``bank``'s agents are not ready for a while after each call: each frame counts them
    as the records' not-ready periods covering its time, apart from busy and idle."""
    scenario = simcall.load(SCENARIOS / "bank.toml")
    rows: list = []
    result = simcall.simulate(scenario, seed=2, trace=rows)
    paused = result.records.not_ready
    assert paused.start.size > 100
    times = np.linspace(8 * 3600.0, 12 * 3600.0, 97)
    states = frame_states(scenario, result.records, rows, times)
    shown = 0
    for frame in states:
        for g, group in enumerate(frame.groups):
            inside = (paused.group == g) & (paused.start <= frame.t) & (frame.t < paused.end)
            assert group.not_ready == int(inside.sum())
            assert group.idle >= 0
            shown += group.not_ready
    assert shown > 0


def test_service_level_so_far_matches_the_records(five_departments: tuple) -> None:
    scenario, result, _, states = five_departments
    records = result.records
    ids, first = np.unique(records.visits.call, return_index=True)
    decided = records.visits.entered[first] + records.visits.wait[first]
    outcome = records.visits.outcome[first]
    counted = records.calls.arrival[ids] >= scenario.warmup
    for frame in (states[40], states[-1]):
        done = counted & (decided <= frame.t)
        answered = done & (outcome == Outcome.ANSWERED)
        abandoned = done & (outcome == Outcome.ABANDONED)
        within = answered & (records.visits.wait[first] < scenario.service_level_threshold)
        assert (frame.answered_within, frame.answered, frame.abandoned) == (
            within.sum(), answered.sum(), abandoned.sum())
    if records.end_time <= states[-1].t:
        assert states[-1].service_level == pytest.approx(result.kpis["service_level"])


def test_after_the_drain_the_service_level_is_the_runs() -> None:
    scenario = one_agent_day()
    arrivals = [Arrival(t, "customers") for t in (0, 10, 20, 30, 400, 405)]
    rows: list = []
    result = simcall.simulate(scenario, seed=1, arrivals=arrivals, trace=rows)
    (last,) = frame_states(scenario, result.records, rows, [result.records.end_time])
    assert last.service_level == pytest.approx(result.kpis["service_level"])
    assert last.calls["waiting"] + last.calls["talking"] == 0


# -- the window -----------------------------------------------------------------------------


def test_busiest_hour_is_where_callers_waited_most() -> None:
    scenario = scenario_from(intervals=4, agents=[{"name": "team", "skills": ["support"],
                                                   "staff": 1}])
    # a burst at 02:10 (t = 7800): four calls queue behind one agent
    arrivals = [Arrival(7800 + k, "customers", patience=math.inf) for k in range(4)]
    rows: list = []
    result = simcall.simulate(scenario, seed=1, arrivals=arrivals, trace=rows)
    start = busiest_start(scenario, rows, result.records.end_time, 3600)
    assert start <= 7800 and start + 3600 >= 7800 + 400
    assert start % 300 == 0
    # every hour holding the burst ties: the middle one, with the burst well inside
    assert 7800 - start >= 1200 and start + 3600 - 8200 >= 1200
    reel = frames(scenario, arrivals=arrivals, speed=120)
    assert reel.busiest and reel.start == start and reel.end == start + 3600
    assert len(reel.frames) == 301 and reel.step == 12


def test_window_options_and_mistakes() -> None:
    scenario = simcall.load(HELPDESK)  # 08:00-16:00
    assert clock_time(scenario, "10:30") == 9000
    assert clock_time(scenario, "16:00", "--to") == scenario.run_horizon
    reel = frames(scenario, start="15:30", fps=5, speed=60)
    assert (reel.start, reel.end) == (27000, 28800) and len(reel.frames) == 151
    reel = frames(scenario, end="09:00", minutes=10, speed=60)
    assert (reel.start, reel.end) == (3000, 3600)
    for options, message in (
            ({"start": "07:00"}, "--from 07:00: outside the day; the day runs from 08:00 to "
                                 "16:00"),
            ({"start": "10:00", "end": "09:00"}, "--to 09:00:00: must be after --from"),
            ({"start": "ten"}, "--from ten: 'ten' is not a clock time"),
            ({"start": "10:00", "speed": 1}, "at most 1,200"),
            ({"speed": 0.0}, "--speed 0: must be more than 0"),
            ({"fps": 0}, "--fps 0: must be from 1 to 50")):
        with pytest.raises(SimcallError, match=message.replace("(", r"\(")):
            frames(scenario, **options)


# -- the drawing ----------------------------------------------------------------------------


def test_the_stage_shows_what_the_frame_says() -> None:
    scenario = scenario_from(
        open="08:00",
        callers=[{"name": "customers", "arrivals_per_hour": 1, "enters": "support"}],
        agents=[{"name": "team", "skills": ["support"], "staff": 2}])
    arrivals = [Arrival(t, "customers") for t in (0, 5, 10, 15, 20)]
    reel = frames(scenario, arrivals=arrivals, start=0, end=120, speed=60, fps=1)
    stage = Stage(reel)
    frame = reel.frames[1]  # 60 s: two talking, three waiting
    stage.show(frame)
    assert len(stage.artists["waiting:support"].get_offsets()) == 3 == len(
        frame.departments[0].waiting)
    assert len(stage.artists["talking:support"].get_offsets()) == 2
    boxes = stage.artists["agents:team"]
    assert len(boxes.get_paths()) == frame.groups[0].seats == 2
    talking = matplotlib.colors.to_rgba(AGENT_COLOURS["talking"])
    assert [tuple(c) for c in boxes.get_facecolors()] == [talking, talking]
    assert stage.clock.get_text() == frame.clock == "08:01:00"
    texts = {t.get_text() for t in stage.figure.findobj(matplotlib.text.Text)}
    assert {"tiny", "support", "team", "service level so far", "3 waiting",
            "2 on duty · 0 idle"} <= texts
    legend = {t.get_text() for t in stage.legend.get_texts()}
    assert {"customers", "agent talking", "agent idle", "agent off duty"} <= legend
    assert stage.level.get_text() == "100%"  # two answered at once
    # the next frame replaces the moving parts rather than piling them up
    before = len(stage.lanes.collections)
    stage.show(reel.frames[2])
    assert len(stage.lanes.collections) == before


def test_transfers_and_hang_ups_are_drawn_then_fade() -> None:
    scenario = scenario_from(
        departments=[{"name": "sales", "talk": TALK_100, "transfer": {"support": 1.0}},
                     {"name": "support", "talk": TALK_100}],
        callers=[{"name": "customers", "arrivals_per_hour": 1, "enters": "sales",
                  "patience": {"dist": "deterministic", "value": 30}}],
        agents=[{"name": "sellers", "skills": ["sales"], "staff": 1},
                {"name": "helpers", "skills": ["support"], "staff": 1}])
    arrivals = [Arrival(0, "customers", patience=math.inf), Arrival(10, "customers")]
    reel = frames(scenario, arrivals=arrivals, start=0, end=200, speed=20, fps=1)
    stage = Stage(reel)
    at = {f.t: f for f in reel.frames}
    stage.show(at[40])  # call 1 hung up at 40
    assert "gone:0" in stage.artists and "transfer:0" not in stage.artists
    stage.show(at[100])  # call 0 transferred at 100
    assert "transfer:0" in stage.artists
    stage.show(at[200])
    assert "transfer:0" not in stage.artists and "gone:0" not in stage.artists


# -- the GIF and the command line -----------------------------------------------------------


def cli() -> typer.Typer:
    """The command on an app of its own (the lead registers it in simcall.cli)."""
    app = typer.Typer()
    app.command("animate")(animate_command)

    @app.command("other")
    def other() -> None:  # a second command keeps "animate" a subcommand
        """Nothing."""

    return app


def test_the_gif_is_written_with_its_frames(tmp_path: Path) -> None:
    out = tmp_path / "day.gif"
    result = runner.invoke(cli(), ["animate", HELPDESK, "--out", str(out), "--from", "08:15",
                                   "--minutes", "2", "--speed", "60", "--fps", "5"])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "11 frames" in " ".join(result.output.split())
    with Image.open(out) as gif:
        assert gif.format == "GIF" and gif.size == (1024, 576)
        assert gif.n_frames == 11  # 2 min at 12 s a frame, both ends included
        assert gif.info["duration"] == 200
    assert not [p for p in tmp_path.iterdir() if p.name != "day.gif"]  # no temporary left


@pytest.mark.parametrize(("options", "message"), [
    (["--out", "day.mp4"], "--out day.mp4: use a .gif file name"),
    (["--out", "day.gif", "--from", "25:00"], "--from 25:00: '25:00' is not a valid clock"),
    (["--out", "day.gif", "--from", "18:00"], "--from 18:00: outside the day; the day runs "
                                              "from 08:00 to 16:00"),
    (["--out", "day.gif", "--from", "10:00", "--to", "09:00"], "must be after --from"),
    (["--out", "day.gif", "--fps", "0"], "--fps 0: must be from 1 to 50"),
    (["--out", "day.gif", "--from", "09:00", "--to", "10:00", "--minutes", "5"],
     "not all three"),
    (["--out", "nowhere/day.gif"], "folder 'nowhere' does not exist"),
])
def test_mistakes_exit_2_with_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              options: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli(), ["animate", HELPDESK, *options])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not list(tmp_path.iterdir())
