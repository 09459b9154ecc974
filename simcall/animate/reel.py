"""``simcall animate``: one simulated day (or a window of it) as an animation, for trainers.

One replication is simulated with its trace; :mod:`simcall.animate.state` replays the
trace into frame states (who waits, rings, talks; agents per group; hang-ups and
transfers; the service level so far) and :mod:`simcall.animate.stage` draws them with
matplotlib. Saving writes a GIF with Pillow (no external program).

The choices, written down in ``docs/animate.md``:

* **Window.** A day is long and a GIF of it would be huge, so by default the animation
  shows one hour: the hour (starting on a 5-minute mark) in which callers waited most
  (the largest time-integral of calls waiting), or the whole day if it is shorter.
  ``start`` and ``end`` choose another window; with only one of them, the window is an
  hour from ``start`` (or up to ``end``).
* **Speed.** ``speed`` is simulated seconds per second of video: by default the window
  plays in :data:`VIDEO_S` seconds (an hour at 120x). A frame is ``speed / fps``
  simulated seconds apart; at most :data:`MAX_FRAMES` frames.
* **Fade.** A hang-up or a transfer stays on screen for :data:`FADE_VIDEO_S` seconds of
  video, fading.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from simcall.animate.state import Reel, frame_states
from simcall.errors import SimcallError
from simcall.model import Arrival
from simcall.results.stories import Row, clock, clock_offset
from simcall.results.timeline import Step, waiting_spells
from simcall.scenario.schema import Scenario

if TYPE_CHECKING:
    from matplotlib.animation import FuncAnimation

WINDOW_S = 3600.0
"""Default window: one hour."""
VIDEO_S = 30.0
"""Default length of the video: the window plays in this many seconds."""
FPS = 10
MAX_FRAMES = 1200
"""More frames make a GIF of tens of megabytes that no slide deck wants."""
FADE_VIDEO_S = 1.5
WINDOW_ALIGN_S = 300.0  # the busiest window starts on a 5-minute mark of the clock


# -- the window -----------------------------------------------------------------------


def clock_time(scenario: Scenario, text: str, option: str = "--from") -> float:
    """A clock time (``"10:00"``, ``"10:00:30"``, ``"01:00+1d"``) as seconds since opening.

    Like :func:`simcall.results.stories.parse_from`, but over the whole run (every day) and with the
    end of the last interval allowed (a window may end at closing).

    Raises
    ------
    SimcallError
        For a malformed time, or one outside the run; the message names ``option``.
    """
    t = clock_offset(scenario, text, option)
    if not 0 <= t <= scenario.run_horizon:
        raise SimcallError(f"{option} {text}: outside the day; {_day_text(scenario)}")
    return t


def _day_text(scenario: Scenario) -> str:
    last = clock(scenario, scenario.run_horizon)
    return f"the day runs from {clock(scenario, 0)[:5]} to {last[:5] + last[8:]}"


def busiest_start(scenario: Scenario, rows: Sequence[Row], end_time: float,
                  length: float) -> float:
    """The start (on a 5-minute mark of the clock) of the window of ``length`` seconds in
    which callers waited most: the largest integral of calls waiting. Of windows that tie
    (all those holding one short burst), the middle one, so the burst is well inside; a
    day where nobody waits starts at opening."""
    last = scenario.run_horizon - length
    if last <= 0:
        return 0.0
    waiting = Step.of(*waiting_spells(rows, end_time))
    first = math.ceil(scenario.open_s / WINDOW_ALIGN_S) * WINDOW_ALIGN_S - scenario.open_s
    starts = np.r_[0.0, np.arange(first, last + 1e-9, WINDOW_ALIGN_S)]
    starts = np.unique(starts[starts <= last])
    area = waiting.area(starts + length) - waiting.area(starts)
    if area.max() <= 0:
        return 0.0
    tied = np.flatnonzero(area >= area.max() * (1 - 1e-9))
    return float(starts[tied[len(tied) // 2]])


def _window(scenario: Scenario, start: float | str | None, end: float | str | None,
            minutes: float | None) -> tuple[float | None, float | None, float]:
    """``start`` and ``end`` in seconds since opening (``None``: to be chosen) and the
    window's length."""
    if end is not None and minutes is not None and start is not None:
        raise SimcallError("--minutes: give --from with --to or with --minutes, not all three")
    begin = clock_time(scenario, start, "--from") if isinstance(start, str) else start
    finish = clock_time(scenario, end, "--to") if isinstance(end, str) else end
    if minutes is not None and minutes <= 0:
        raise SimcallError(f"--minutes {minutes:g}: must be more than 0")
    length = minutes * 60.0 if minutes is not None else WINDOW_S
    if begin is not None and finish is not None:
        length = finish - begin
    for option, value in (("--from", begin), ("--to", finish)):
        if value is not None and not 0 <= value <= scenario.run_horizon:
            raise SimcallError(f"{option}: {value:g} s is outside the day; "
                               f"{_day_text(scenario)}")
    if begin is not None and finish is not None and finish <= begin:
        raise SimcallError(f"--to {clock(scenario, finish)}: must be after --from "
                           f"{clock(scenario, begin)}")
    if begin is not None and begin >= scenario.run_horizon:
        raise SimcallError(f"--from {clock(scenario, begin)}: at closing, nothing to show; "
                           f"{_day_text(scenario)}")
    return begin, finish, min(length, scenario.run_horizon)


# -- frames -----------------------------------------------------------------------


def frames(scenario: Scenario, *, seed: int | None = None, replication: int = 0,
           start: float | str | None = None, end: float | str | None = None,
           minutes: float | None = None, fps: int = FPS, speed: float | None = None,
           arrivals: Sequence[Arrival] | None = None) -> Reel:
    """Simulate one replication and compute the state of the centre at every frame.

    Parameters
    ----------
    scenario
        A validated scenario.
    seed, replication
        Which simulated day (the same as ``simcall run``'s replication ``replication``).
    start, end
        The window, in seconds since opening or as clock times (``"10:00"``). Default: the
        busiest hour (see the module docstring).
    minutes
        The window's length when ``start`` or ``end`` is not given (default 60).
    fps
        Frames per second of video.
    speed
        Simulated seconds per second of video (default: the window in 30 s of video).
    arrivals
        Scripted calls instead of Poisson arrivals (teaching, tests).

    Raises
    ------
    SimcallError
        For a window outside the day, a bad speed or too many frames.
    """
    from simcall.experiments.runner import simulate

    if fps < 1 or fps > 50:
        raise SimcallError(f"--fps {fps}: must be from 1 to 50")
    if speed is not None and not (speed > 0 and math.isfinite(speed)):
        raise SimcallError(f"--speed {speed:g}: must be more than 0 (simulated seconds per "
                           "second of video)")
    begin, finish, length = _window(scenario, start, end, minutes)
    rows: list[Row] = []
    result = simulate(scenario, seed, replication, arrivals=arrivals, trace=rows)
    records = result.records
    assert records is not None  # simulate keeps the records by default
    busiest = begin is None and finish is None
    if busiest:
        begin = busiest_start(scenario, rows, records.end_time, length)
    if begin is None:
        assert finish is not None  # with neither given, the busiest window was chosen above
        begin = max(0.0, finish - length)
    if finish is None:
        finish = min(begin + length, scenario.run_horizon)
    window = finish - begin
    speed = window / VIDEO_S if speed is None else speed
    step = speed / fps
    count = math.floor(window / step + 1e-9) + 1
    if count > MAX_FRAMES:
        raise SimcallError(
            f"--speed {speed:g}: {count:,} frames for {window / 60:g} minutes at {fps} frames "
            f"per second; at most {MAX_FRAMES:,}: raise --speed to at least "
            f"{math.ceil(window * fps / (MAX_FRAMES - 1)):g} or shorten the window")
    times = begin + step * np.arange(count)
    fade = max(FADE_VIDEO_S * speed, step)
    return Reel(scenario=scenario, seed=result.seed, replication=replication, start=begin,
                end=finish, busiest=busiest, fps=fps, speed=speed,
                frames=frame_states(scenario, records, rows, times, fade))


# -- the animation --------------------------------------------------------------------


def animate(scenario: Scenario, *, seed: int | None = None, replication: int = 0,
            start: float | str | None = None, end: float | str | None = None,
            minutes: float | None = None, fps: int = FPS, speed: float | None = None,
            out: Path | str | None = None, dpi: float = 80.0,
            arrivals: Sequence[Arrival] | None = None) -> FuncAnimation:
    """The animation of one replication's window (see :func:`frames` for the options);
    with ``out`` (a ``.gif``), also written there, atomically.

    The figure is 12.8 x 7.2 inches (16:9, for a projector): at ``dpi=80`` a 1024 x 576
    GIF. Never calls ``show()``.
    """
    reel = frames(scenario, seed=seed, replication=replication, start=start, end=end,
                  minutes=minutes, fps=fps, speed=speed, arrivals=arrivals)
    animation = reel_animation(reel)
    if out is not None:
        save_gif(animation, Path(out), fps, dpi)
    return animation


def reel_animation(reel: Reel) -> FuncAnimation:
    """A matplotlib animation of ``reel``: one drawn frame per frame state."""
    from matplotlib.animation import FuncAnimation

    from simcall.animate.stage import Stage

    stage = Stage(reel)
    animation = FuncAnimation(stage.figure, lambda k: stage.show(reel.frames[k]),
                              frames=len(reel.frames), interval=1000 / reel.fps, blit=False,
                              repeat=False)
    animation.stage = stage  # type: ignore[attr-defined]  # keeps the figure's drawer alive
    return animation


def save_gif(animation: FuncAnimation, path: Path, fps: int, dpi: float = 80.0,
             progress: Callable[[int], None] | None = None) -> None:
    """Write ``animation`` as a GIF, atomically (complete or absent).

    An animation of :func:`reel_animation` is drawn by its stage, scenery once and the
    moving parts per frame (:meth:`~simcall.animate.stage.Stage.pictures`), several times
    faster than matplotlib's writer; ``progress`` is then called with the number of frames
    drawn so far. Any other animation is saved by matplotlib.
    """
    from simcall.animate.stage import GifWriter, Stage, save_pictures
    from simcall.files import write_atomically

    if path.suffix.lower() != ".gif":
        raise SimcallError(f"--out {path}: use a .gif file name")
    stage = getattr(animation, "stage", None)
    if isinstance(stage, Stage):
        write_atomically(path, lambda temporary: save_pictures(
            stage.pictures(stage.reel.frames, dpi), temporary, fps, progress))
        return
    write_atomically(path, lambda temporary: animation.save(
        str(temporary), writer=GifWriter(fps=fps), dpi=dpi))
