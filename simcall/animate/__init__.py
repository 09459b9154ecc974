"""The animate wing: one simulated day (or a window of it) as a GIF, for trainers.

==========  ========================================================================
module      holds
==========  ========================================================================
``reel``    what to show (the window, the speed, the frames) and the GIF written
            from them: :func:`frames`, :func:`animate`, :func:`save_gif`,
            :func:`busiest_start` (the default window), :func:`reel_animation`,
            :data:`MAX_FRAMES`
``state``   who is where at each frame: queues, ringing, talking, agents
            (:class:`Frame`), and :class:`Reel`, the frames of one window
``stage``   drawing a frame with matplotlib (loaded only when a GIF is made)
==========  ========================================================================

Imports go one way inside the wing: ``reel`` -> ``stage`` -> ``state``. Outside it:
experiments, results, model, scenario, :mod:`simcall.errors` and :mod:`simcall.files`;
matplotlib on first use.
"""

from __future__ import annotations

from simcall.animate.reel import (
    MAX_FRAMES,
    animate,
    busiest_start,
    frames,
    reel_animation,
    save_gif,
)
from simcall.animate.state import Frame, Reel

__all__ = [
    "MAX_FRAMES", "Frame", "Reel", "animate", "busiest_start", "frames", "reel_animation",
    "save_gif",
]
