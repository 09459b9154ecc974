"""The fast GIF path (scenery drawn once, moving parts per frame) draws what a full draw
of the figure draws, frame by frame."""

from __future__ import annotations

import io
import math
from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image

from helpers import scenario_from
from simcall import Arrival
from simcall.animate.reel import frames, reel_animation, save_gif
from simcall.animate.stage import Stage, _palette

matplotlib.use("Agg")

TALK_100 = {"dist": "deterministic", "value": 100}


def _busy_reel(speed: float):  # type: ignore[no-untyped-def]
    """Two departments with a transfer, a hang-up, priorities: every kind of moving part."""
    scenario = scenario_from(
        departments=[{"name": "sales", "talk": TALK_100, "transfer": {"support": 1.0}},
                     {"name": "support", "talk": TALK_100}],
        callers=[{"name": "customers", "arrivals_per_hour": 1, "enters": "sales",
                  "patience": {"dist": "deterministic", "value": 30}},
                 {"name": "vips", "arrivals_per_hour": 1, "enters": "sales", "priority": 0}],
        agents=[{"name": "sellers", "skills": ["sales"], "staff": 1},
                {"name": "helpers", "skills": ["support"], "staff": 1}])
    arrivals = [Arrival(0, "customers", patience=math.inf), Arrival(10, "customers"),
                Arrival(15, "vips"), Arrival(20, "customers", patience=math.inf)]
    return frames(scenario, arrivals=arrivals, start=0, end=200, speed=speed, fps=1)


def _full_draw(stage: Stage, index: int) -> np.ndarray:
    """Frame ``index`` drawn the slow way: the whole figure, as matplotlib's writer does."""
    stage.show(stage.reel.frames[index])
    buffer = io.BytesIO()
    stage.figure.savefig(buffer, format="rgba", dpi=80)
    picture = Image.frombuffer("RGBA", (1024, 576), buffer.getvalue(), "raw", "RGBA", 0, 1)
    return np.asarray(picture.convert("RGB").quantize(
        palette=_palette(), dither=Image.Dither.NONE).convert("RGB"))


def test_the_fast_gif_shows_the_full_drawings_and_reports_each_frame(tmp_path: Path) -> None:
    reel = _busy_reel(100)  # 0 s; 100 s: a hang-up (at 40) and a transfer (at 100); 200 s
    seen: list[int] = []
    save_gif(reel_animation(reel), tmp_path / "day.gif", reel.fps, progress=seen.append)
    assert seen == [1, 2, 3] and len(reel.frames) == 3
    with Image.open(tmp_path / "day.gif") as gif:
        assert gif.n_frames == 3 and gif.size == (1024, 576)
        fast = []
        for k in range(3):
            gif.seek(k)
            fast.append(np.asarray(gif.convert("RGB")))
    full = Stage(reel)
    for k in range(3):
        slow = _full_draw(full, k)
        assert np.array_equal(fast[k], slow), f"frame {k}: {np.mean(fast[k] != slow):.4%}"
    assert not np.array_equal(fast[0], fast[1])  # the moving parts moved
