"""What ``simcall animate`` costs, stage by stage, and the two ways of drawing the GIF.

The day: ``--scenario`` (default ``scenarios/helpdesk.toml``), replication 0 of its seed,
a window of ``--minutes`` from ``--from`` at the default speed (the window in 30 s of
video: 301 frames whatever the window's length, so the cost is per frame). Timed with
``time.process_time`` (on a shared machine, other people's work does not count):

* ``frames``: simulate the day with its trace and replay it into frame states;
* ``matplotlib``: draw every frame in full with matplotlib's writer (``FuncAnimation.save``,
  as ``simcall animate`` did before issue 16);
* ``blit``: the scenery drawn once, only the moving parts per frame
  (:meth:`simcall.animate.stage.Stage.pictures`, what ``simcall animate`` does now).

The two GIFs are compared frame by frame: they must show the same pictures.

Usage: ``python benchmarks/animate.py [--minutes 10] [--from 10:00] [--frames N]``
(``--frames`` draws only the first N frames, for a quick look).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image, ImageSequence

import simcall
from simcall.animate.reel import frames, reel_animation, save_gif
from simcall.animate.stage import GifWriter

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "helpdesk.toml"))
    parser.add_argument("--from", dest="start", default="10:00")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--frames", type=int, default=None)
    options = parser.parse_args()
    matplotlib.use("Agg")
    scenario = simcall.load(options.scenario)

    clock = time.process_time()
    reel = frames(scenario, start=options.start, minutes=options.minutes)
    made = time.process_time() - clock
    if options.frames is not None:
        from dataclasses import replace

        reel = replace(reel, frames=reel.frames[:options.frames])
    n = len(reel.frames)
    print(f"{scenario.name}: {options.minutes:g} min from {options.start}, {n} frames")
    print(f"  frames (simulate + replay): {made:7.2f} s")
    with tempfile.TemporaryDirectory() as folder:
        old, new = Path(folder) / "old.gif", Path(folder) / "new.gif"
        clock = time.process_time()
        reel_animation(reel).save(str(old), writer=GifWriter(fps=reel.fps), dpi=80)
        slow = time.process_time() - clock
        print(f"  matplotlib (full draws):    {slow:7.2f} s  {1000 * slow / n:6.1f} ms a frame")
        clock = time.process_time()
        save_gif(reel_animation(reel), new, reel.fps)
        fast = time.process_time() - clock
        print(f"  blit (scenery once):        {fast:7.2f} s  {1000 * fast / n:6.1f} ms a frame"
              f"  ({slow / fast:.1f}x faster)")
        with Image.open(old) as a, Image.open(new) as b:
            pairs = zip(ImageSequence.Iterator(a), ImageSequence.Iterator(b), strict=True)
            differ = sum(not np.array_equal(np.asarray(x.convert("RGB")),
                                            np.asarray(y.convert("RGB"))) for x, y in pairs)
        print(f"  frames that differ between the two GIFs: {differ} of {n}")


if __name__ == "__main__":
    main()
