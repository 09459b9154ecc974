"""``simcall animate``: one simulated day (or a window of it) as a GIF, for trainers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from simcall.cli.common import (
    MaxCalls,
    Overrides,
    ScenarioPath,
    Seed,
    check_output,
    fail,
    in_range,
    interrupted,
    out,
    progress,
)
from simcall.errors import SimcallError


def animate_command(
    context: typer.Context,
    scenario: ScenarioPath,
    out_path: Annotated[Path, typer.Option(
        "--out", metavar="FILE.gif", show_default=False,
        help="The GIF to write (1024 x 576, for a projector).")],
    start: Annotated[str | None, typer.Option(
        "--from", metavar="HH:MM",
        help='Start of the window, as a clock time like "10:00" (default: the hour callers '
             "waited most).")] = None,
    end: Annotated[str | None, typer.Option(
        "--to", metavar="HH:MM", help="End of the window (default: an hour after --from).")]
    = None,
    minutes: Annotated[float | None, typer.Option(
        "--minutes", help="Length of the window in minutes, with --from or --to (default 60).")]
    = None,
    seed: Seed = None,
    replication: Annotated[int, typer.Option(
        "--replication", help="Replication index (0 is the first of simcall run's).")] = 0,
    max_calls: MaxCalls = None,
    overrides: Overrides = None,
    fps: Annotated[int, typer.Option("--fps", help="Frames per second of video.")] = 10,
    speed: Annotated[float | None, typer.Option(
        "--speed", help="Simulated seconds per second of video, e.g. 120 (default: the "
                        "window plays in 30 s).")] = None,
) -> None:
    """Animate the queues and agents through the day: callers waiting, ringing, talking,
    hanging up and transferred, with a clock and the service level so far."""
    from simcall.experiments.workload import check_workload
    from simcall.scenario.loader import load

    del context  # taken like every command's; nothing of the command line goes in a GIF
    import matplotlib

    matplotlib.use("Agg")  # a file, never a window (and no display needed)
    from simcall.animate.reel import MAX_FRAMES, frames, reel_animation, save_gif

    try:
        if out_path.suffix.lower() != ".gif":
            raise SimcallError(f"--out {out_path}: use a .gif file name (the animation is "
                               "written as a GIF)")
        check_output("--out", out_path)
        in_range("--seed", seed, 0)
        in_range("--replication", replication, 0)
        in_range("--fps", fps, 1, 50)
        loaded = load(scenario, overrides or (), named="--set")
        check_workload([loaded], 1, max_calls)
        reel = frames(loaded, seed=seed, replication=replication, start=start, end=end,
                      minutes=minutes, fps=fps, speed=speed)
        with progress(len(reel.frames), "frames") as advance:  # drawing is the long part
            save_gif(reel_animation(reel), out_path, fps, progress=advance)
    except SimcallError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        raise interrupted() from None
    seconds = len(reel.frames) / reel.fps
    out.print(f"wrote {out_path}: {len(reel.frames)} frames ({seconds:g} s of video, "
              f"{reel.speed:g}x real time; at most {MAX_FRAMES:,} frames)", highlight=False,
              soft_wrap=True)
