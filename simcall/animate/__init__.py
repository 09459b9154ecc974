"""The animate wing: one simulated day (or a window of it) as a GIF, for trainers.

==========  ========================================================================
module      holds
==========  ========================================================================
``reel``    what to show (the window, the frames) and the GIF written from them
``state``   who is where at each frame: queues, ringing, talking, agents
``stage``   drawing a frame with matplotlib (loaded only when a GIF is made)
==========  ========================================================================

Imports: experiments, results, model, scenario; matplotlib on first use.
"""

from __future__ import annotations

from simcall.animate.reel import animate, busiest_start, save_gif

__all__ = ["animate", "busiest_start", "save_gif"]
