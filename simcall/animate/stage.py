"""Drawing ``simcall animate``'s frames: a stage of lanes and agent rows, for a classroom.

The figure is 16:9 and made to be read from the back of a room: a big clock and the
service level so far at the top; one lane per department (hung up | waiting, the next
served on the right | ringing | talking); one row of boxes per agent group (talking,
ringing, wrap-up, not ready, idle, off duty); a legend explaining every colour and mark.

:class:`Stage` draws what never changes once (lanes, names, legend) and, per frame,
replaces only the artists that move. Artists that tests look at carry a ``gid``
(``"waiting:support"``, ``"agents:support team"``, ``"clock"``, ...).

Only this module and :mod:`simcall.animate.reel` import matplotlib, and only when an
animation is made: ``import simcall`` stays light. The figure is a bare
:class:`~matplotlib.figure.Figure`, never pyplot's: it draws off screen whatever the
backend, and a notebook's figures are left alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from matplotlib.animation import PillowWriter
from matplotlib.artist import Artist
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch, Rectangle
from PIL import Image

from simcall.animate.state import CallMark, Frame, GroupView, Reel
from simcall.results.stories import clock, duration
from simcall.scenario.schema import Scenario

SIZE_IN = (12.8, 7.2)
CALLER_COLOURS = ("#1f77b4", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
                  "#7f7f7f", "#9467bd")
"""Caller types (blue, orange, brown, pink, cyan, olive, ...): none of them is an agent
state's colour."""
AGENT_COLOURS = {"talking": "#2ca02c", "ringing": "#ffbf00", "wrap-up": "#6baed6",
                 "not ready": "#9467bd", "idle": "#e6e6e6", "off duty": "#ffffff"}
AGENT_ORDER = ("talking", "ringing", "wrap-up", "not ready", "idle", "off duty")
GONE_MARKS = {"abandoned": ("X", "#d62728", "hung up"),
              "menu hang-up": ("X", "#d62728", "hung up"),
              "voicemail": ("v", "#8c564b", "voicemail"),
              "blocked": ("x", "#555555", "busy signal")}
TRANSFER_COLOUR = "#7b2cbf"
GOOD, BAD, NEUTRAL = "#2ca02c", "#d62728", "#333333"
PROGRESS_COLOUR = "#4c72b0"

# lane columns (x from 0 to 100)
LABEL_END = 17.0
TRANSFERS = (17.5, 23.0)
HUNG_UP = (23.5, 29.5)
QUEUE = (30.5, 64.0)  # the head of the queue is on the right
RINGING = (66.0, 72.0)
TALKING = (74.0, 100.0)
SEATS_START = 18.0  # agent boxes, in the rows below the lanes
DOT_X = 1.6  # room per caller dot in the lane (x units)
BOX_GAP = 0.15


class GifWriter(PillowWriter):
    """matplotlib's Pillow writer, with two changes for GIFs: each frame is reduced to a
    palette as it is grabbed (a frame then holds a third of the memory, and the file is
    what the viewer sees), and the format is named, so the file may be a temporary name
    without ``.gif`` (see :func:`simcall.files.write_atomically`)."""

    _frames: list[Image.Image]  # made by PillowWriter.setup; private there, so not in its stubs

    def grab_frame(self, **savefig_kwargs: Any) -> None:
        super().grab_frame(**savefig_kwargs)
        self._frames[-1] = self._frames[-1].convert("RGB").quantize(
            palette=_palette(), dither=Image.Dither.NONE)

    def finish(self) -> None:
        self._frames[0].save(self.outfile, format="GIF", save_all=True,
                             append_images=self._frames[1:], duration=int(1000 / self.fps),
                             loop=0, optimize=True)


def save_pictures(pictures: Iterable[Image.Image], path: Path, fps: int,
                  progress: Callable[[int], None] | None = None) -> None:
    """Write palette pictures as a looping GIF (``progress``: pictures made so far).

    Every picture has the one palette of :func:`_palette`, so Pillow stores only the part
    of a frame that changed from the one before."""
    kept: list[Image.Image] = []
    for picture in pictures:
        kept.append(picture)
        if progress is not None:
            progress(len(kept))
    if not kept:
        raise ValueError("a GIF needs at least one frame")
    kept[0].save(path, format="GIF", save_all=True, append_images=kept[1:],
                 duration=int(1000 / fps), loop=0, optimize=True)


class Stage:
    """The figure of one reel: the fixed scenery, and :meth:`show` for each frame."""

    def __init__(self, reel: Reel) -> None:
        self.reel = reel
        scenario = reel.scenario
        self.figure = Figure(figsize=SIZE_IN, dpi=80)
        self.departments = [d.name for d in scenario.departments]
        self.groups = [g.name for g in scenario.agents]
        priorities = {c.priority for c in scenario.callers}
        self.show_priority = len(priorities) > 1 or any(
            d.transfer_priority_boost for d in scenario.departments)
        self.moving: list[Artist] = []
        self.artists: dict[str, Artist] = {}
        rows_d, rows_g = len(self.departments), len(self.groups)
        body_top, body_bottom = 0.80, 0.115
        share = rows_d / (rows_d + rows_g) if rows_d + rows_g else 0.5
        split = body_bottom + (body_top - body_bottom) * min(max(share, 0.3), 0.7)
        self.header = self.figure.add_axes((0.0, 0.84, 1.0, 0.16))
        self.progress = self.figure.add_axes((0.02, 0.815, 0.96, 0.012))
        self.lanes = self.figure.add_axes((0.01, split + 0.01, 0.98, body_top - split - 0.02))
        self.seats = self.figure.add_axes((0.01, body_bottom, 0.98, split - body_bottom - 0.02))
        self.legend_axes = self.figure.add_axes((0.0, 0.0, 1.0, 0.105))
        for axes in (self.header, self.lanes, self.seats, self.legend_axes, self.progress):
            axes.set_axis_off()
        self._scenery()

    # -- what does not move -----------------------------------------------------------

    def _scenery(self) -> None:
        reel, scenario = self.reel, self.reel.scenario
        header = self.header
        header.set_xlim(0, 1)
        header.set_ylim(0, 1)
        self.clock = header.text(0.015, 0.42, "", fontsize=46, fontweight="bold",
                                 va="center", ha="left", gid="clock", family="monospace")
        window = (f"{_hhmm(scenario, reel.start)}-{_hhmm(scenario, reel.end)}"
                  + (f", the {_span(reel.end - reel.start)} callers waited most"
                     if reel.busiest else ""))
        header.text(0.5, 0.80, scenario.name, fontsize=20, fontweight="bold", ha="center",
                    va="center", gid="title")
        header.text(0.5, 0.52, f"seed {reel.seed}, replication {reel.replication} · {window}",
                    fontsize=12, ha="center", va="center", color=NEUTRAL)
        header.text(0.5, 0.27, f"{reel.speed:g}× real time: 1 s of video = "
                    f"{_duration(reel.speed)} of the day", fontsize=12, ha="center",
                    va="center", color=NEUTRAL)
        self.tally = header.text(0.5, 0.04, "", fontsize=12, ha="center", va="center",
                                 gid="tally")
        target = scenario.targets.service_level
        threshold = scenario.service_level_threshold
        self.goal = target.fraction if target is not None else None
        header.text(0.985, 0.86, "service level so far", fontsize=13, ha="right",
                    va="center", color=NEUTRAL)
        self.level = header.text(0.985, 0.48, "", fontsize=34, fontweight="bold",
                                 ha="right", va="center", gid="service level")
        goal = (f"target {self.goal:.0%} " if self.goal is not None else "")
        header.text(0.985, 0.10, f"{goal}answered within {threshold:g} s", fontsize=12,
                    ha="right", va="center", color=NEUTRAL)

        progress = self.progress
        progress.set_xlim(reel.start, max(reel.end, reel.start + 1e-9))
        progress.set_ylim(0, 1)
        progress.add_patch(Rectangle((reel.start, 0), reel.end - reel.start, 1,
                                     facecolor="#eeeeee", edgecolor="#bbbbbb", lw=0.5))

        lanes = self.lanes
        n = max(len(self.departments), 1)
        row_px = min(self.lanes.bbox.height / (max(n, 2) + 0.25),
                     self.seats.bbox.height / (max(len(self.groups), 2) + 0.25))
        points = 72 / self.figure.dpi  # a row's name and note must not touch
        self.name_pt = min(max(row_px * 0.40 * points, 9.0), 16.0)
        self.note_pt = min(max(row_px * 0.30 * points, 8.0), 12.0)
        lanes.set_xlim(0, 100)
        lanes.set_ylim(max(n, 2) - 0.5, -0.75)  # one lane alone would be a tall band
        for x, text in ((sum(TRANSFERS) / 2, "transfers"), (sum(HUNG_UP) / 2, "hung up"),
                        (sum(QUEUE) / 2, "waiting  (next served on the right →)"),
                        (sum(RINGING) / 2, "ringing"), (sum(TALKING) / 2, "talking")):
            lanes.text(x, -0.62, text, fontsize=12, ha="center", va="center", color=NEUTRAL)
        for i, name in enumerate(self.departments):
            lanes.add_patch(Rectangle((HUNG_UP[0] - 0.3, i - 0.38), 100 - HUNG_UP[0] + 0.3,
                                      0.76, facecolor="#f6f6f6", edgecolor="none", zorder=0))
            lanes.text(0.5, i - 0.18, name, fontsize=self.name_pt, fontweight="bold",
                       va="center", ha="left", gid=f"department:{name}")
            lanes.plot([RINGING[0] - 1] * 2, [i - 0.38, i + 0.38], color="#999999", lw=1.5)
        self.dot_size = min(190.0, (self.lanes.bbox.height / max(n, 2) * 0.42) ** 2)
        self.dot_size = min(self.dot_size, (self.lanes.bbox.width / 100 * DOT_X * 0.9) ** 2)

        seats = self.seats
        g = max(len(self.groups), 1)
        seats.set_xlim(0, 100)
        seats.set_ylim(max(g, 2) - 0.5, -0.75)
        seats.text(SEATS_START, -0.62, "agents: one box each, sorted by what they do",
                   fontsize=12, ha="left", va="center", color=NEUTRAL)
        for i, name in enumerate(self.groups):
            seats.text(0.5, i - 0.18, name, fontsize=self.name_pt, fontweight="bold",
                       va="center", ha="left", gid=f"group:{name}")
        self._legend()

    def _legend(self) -> None:
        scenario = self.reel.scenario
        handles: list[Artist] = []
        for c, caller in enumerate(scenario.callers):
            label = caller.name + (f" (priority {caller.priority})" if self.show_priority
                                   else "")
            handles.append(Line2D([], [], marker="o", ls="", markersize=11,
                                  markerfacecolor=_caller_colour(c), markeredgecolor="white",
                                  label=label))
        if any(d.transfer for d in scenario.departments) or any(
                c.ivr is not None and c.ivr.misroute > 0 for c in scenario.callers):
            handles.append(Line2D([], [], marker="o", ls="", markersize=11,
                                  markerfacecolor="#cccccc", markeredgecolor="black",
                                  markeredgewidth=2, label="came by transfer"))
            handles.append(Line2D([], [], color=TRANSFER_COLOUR, lw=2.5, label="transfer"))
        if any(c.callback is not None for c in scenario.callers):
            handles.append(Line2D([], [], marker="o", ls="", markersize=11,
                                  markerfacecolor="white", markeredgecolor="#555555",
                                  markeredgewidth=2, label="waits for a callback"))
        seen: set[str] = set()
        for how, (marker, colour, label) in GONE_MARKS.items():
            if label in seen or not _possible(scenario, how):
                continue
            seen.add(label)
            handles.append(Line2D([], [], marker=marker, ls="", markersize=11, color=colour,
                                  label=label))
        for state in AGENT_ORDER:
            if state == "not ready" and not any(g.rona or g.not_ready for g in scenario.agents):
                continue
            handles.append(Patch(facecolor=AGENT_COLOURS[state], edgecolor="#666666",
                                 ls="--" if state == "off duty" else "-",
                                 label=f"agent {state}"))
        rows = 2 if len(handles) <= 10 else 3  # as many rows as fit, no wider than the figure
        self.legend = self.legend_axes.legend(
            handles=handles, loc="center", ncol=math.ceil(len(handles) / rows),
            fontsize=12 if rows == 2 else 11, frameon=False, handletextpad=0.4,
            columnspacing=1.2, labelspacing=0.3)

    # -- what moves -----------------------------------------------------------------

    def show(self, frame: Frame) -> list[Artist]:
        """Draw ``frame`` (replacing the previous one's moving parts); returns them."""
        for artist in self.moving:
            artist.remove()
        self.moving = []
        self.artists = {}
        self.clock.set_text(frame.clock)
        level = frame.service_level
        self.level.set_text("—" if math.isnan(level) else f"{level:.0%}")
        self.level.set_color(NEUTRAL if math.isnan(level) or self.goal is None
                             else GOOD if level >= self.goal else BAD)
        hung_up = frame.calls["abandoned"] + frame.calls["menu hang-up"]
        self.tally.set_text(
            f"arrived {frame.arrived:,} · answered {frame.calls['answered']:,} · "
            f"hung up {hung_up:,} · transferred {frame.transfers:,}"
            + (f" · busy signal {frame.calls['blocked']:,}" if frame.calls["blocked"] else "")
            + (f" · voicemail {frame.calls['voicemail']:,}" if frame.calls["voicemail"]
               else ""))
        self._keep(self.progress.add_patch(Rectangle(
            (self.reel.start, 0), frame.t - self.reel.start, 1, facecolor=PROGRESS_COLOUR,
            edgecolor="none")), "progress")
        for i, view in enumerate(frame.departments):
            self._lane(i, view.name, view.waiting, view.ringing, view.talking, view.in_menu)
        for i, group in enumerate(frame.groups):
            self._agents(i, group)
        self._fades(frame)
        self._moves(frame)
        return self.moving

    def _keep(self, artist: Artist, gid: str | None = None) -> Artist:
        self.moving.append(artist)
        if gid is not None:
            artist.set_gid(gid)
            self.artists[gid] = artist
        return artist

    def _lane(self, i: int, name: str, waiting: tuple[CallMark, ...],
              ringing: tuple[CallMark, ...], talking: tuple[CallMark, ...],
              in_menu: int) -> None:
        lanes = self.lanes
        note = f"{len(waiting)} waiting" + (f" · {in_menu} in menu" if in_menu else "")
        self._keep(lanes.text(0.5, i + 0.22, note, fontsize=self.note_pt, va="center",
                              ha="left", color=NEUTRAL), f"note:{name}")
        for zone, marks, head_right in (("waiting", waiting, True), ("ringing", ringing, False),
                                        ("talking", talking, False)):
            low, high = {"waiting": QUEUE, "ringing": RINGING, "talking": TALKING}[zone]
            room = max(int((high - low) // DOT_X), 1)
            shown = marks if len(marks) <= room else marks[:room - 1]
            xs = [(high - DOT_X / 2 - k * DOT_X) if head_right else (low + DOT_X / 2 + k * DOT_X)
                  for k in range(len(shown))]
            scatter = lanes.scatter(
                xs, [i] * len(shown), s=self.dot_size, zorder=3,
                c=[("white" if m.callback else _caller_colour(m.caller)) for m in shown],
                edgecolors=[("black" if m.transferred else
                             "#555555" if m.callback else
                             AGENT_COLOURS["ringing"] if zone == "ringing" else "white")
                            for m in shown],
                linewidths=[2.2 if (m.transferred or m.callback or zone == "ringing") else 0.8
                            for m in shown])
            self._keep(scatter, f"{zone}:{name}")
            if zone == "waiting" and self.show_priority:
                for x, m in zip(xs, shown, strict=True):
                    self._keep(lanes.text(x, i, str(m.priority), fontsize=8, ha="center",
                                          va="center", color="white", zorder=4))
            if len(shown) < len(marks):
                x = (high - DOT_X * (room - 0.5)) if head_right else (low + DOT_X * (room - 0.5))
                self._keep(lanes.text(x, i, f"+{len(marks) - len(shown)}", fontsize=11,
                                      ha="center", va="center", fontweight="bold", zorder=4),
                           f"more:{zone}:{name}")

    def _agents(self, i: int, group: GroupView) -> None:
        counts = {"talking": group.talking, "ringing": group.ringing,
                  "wrap-up": group.wrap_up, "not ready": group.not_ready,
                  "idle": max(group.idle, 0), "off duty": max(group.off_duty, 0)}
        width = min(2.4, (100 - SEATS_START) / max(group.seats, 1))
        boxes: list[Rectangle] = []
        colours: list[str] = []
        styles: list[str] = []
        x = SEATS_START
        for state in AGENT_ORDER:
            for _ in range(counts[state]):
                boxes.append(Rectangle((x + BOX_GAP, i - 0.3), width - 2 * BOX_GAP, 0.6))
                colours.append(AGENT_COLOURS[state])
                styles.append("--" if state == "off duty" else "-")
                x += width
        collection = PatchCollection(boxes, facecolors=colours, edgecolors="#666666",
                                     linewidths=0.8, linestyles=styles, zorder=3)
        self._keep(self.seats.add_collection(collection), f"agents:{group.name}")
        note = f"{group.on_duty} on duty" + (f" · {counts['idle']} idle" if group.on_duty
                                             else "")
        self._keep(self.seats.text(0.5, i + 0.22, note, fontsize=self.note_pt, va="center",
                                   ha="left", color=NEUTRAL), f"duty:{group.name}")

    def _fades(self, frame: Frame) -> None:
        fade = max(self.reel.step, 1e-9)
        span = max(1.5 * self.reel.speed, fade)
        for k, gone in enumerate(frame.fades):
            marker, colour, _ = GONE_MARKS[gone.how]
            alpha = max(0.15, 1 - gone.age / span)
            x = HUNG_UP[0] + 0.8 + (gone.call * 7 % 5) * (HUNG_UP[1] - HUNG_UP[0] - 1.6) / 4
            y = gone.department + ((gone.call * 3 % 3) - 1) * 0.22
            self._keep(self.lanes.scatter([x], [y], marker=marker, s=self.dot_size * 0.9,
                                          c=colour, alpha=alpha, zorder=3, linewidths=1.5),
                       f"gone:{k}")

    def _moves(self, frame: Frame) -> None:
        span = max(1.5 * self.reel.speed, self.reel.step)
        for k, move in enumerate(frame.moves):
            alpha = max(0.15, 1 - move.age / span)
            x = TRANSFERS[1] - 0.8
            if move.source == move.target:  # to another agent of the same team: a loop
                start, end, bend = (x, move.source - 0.25), (x, move.source + 0.25), 1.2
            else:  # bulging left, into the transfers column
                start, end = (x, move.source), (x, move.target)
                bend = 0.3 if move.target > move.source else -0.3
            arrow = FancyArrowPatch(start, end, connectionstyle=f"arc3,rad={bend}",
                                    arrowstyle="-|>", mutation_scale=18, lw=2.2,
                                    color=TRANSFER_COLOUR, alpha=alpha, zorder=5)
            self._keep(self.lanes.add_patch(arrow), f"transfer:{k}")

    def pictures(self, frames: Iterable[Frame], dpi: float = 80.0) -> Iterator[Image.Image]:
        """Each frame drawn and reduced to the GIF palette, as fast as matplotlib allows.

        Why not ``FuncAnimation.save``: it draws the whole figure for every frame, and the
        scenery (legend, titles, lane names: most of the text) cost nine tenths of the time.
        Here the scenery is drawn once and kept as a background; each frame restores it and
        draws only what moves, in the order a full draw would (axes in turn, by ``zorder``),
        so the picture is the same as :meth:`frame_image`'s (tested).
        """
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        figure = self.figure
        figure.set_dpi(dpi)
        canvas: Any = FigureCanvasAgg(figure)  # the Agg backend has no type hints
        for artist in self.moving:  # the scenery alone: nothing of an earlier frame
            artist.remove()
        self.moving = []
        live = (self.clock, self.level, self.tally)
        for text in live:
            text.set_text("")
        canvas.draw()
        background = canvas.copy_from_bbox(figure.bbox)
        renderer = canvas.get_renderer()
        order = {id(a): k for k, a in enumerate((self.header, self.progress, self.lanes,
                                                 self.seats))}
        palette = _palette()
        for frame in frames:
            drawn = [*live, *self.show(frame)]
            canvas.restore_region(background)
            for artist in sorted(drawn, key=lambda a: (order[id(a.axes)], a.get_zorder())):
                artist.draw(renderer)
            picture = Image.frombuffer("RGBA", canvas.get_width_height(),
                                       canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
            yield picture.convert("RGB").quantize(palette=palette, dither=Image.Dither.NONE)

    def frame_image(self, frame: Frame, path: str) -> None:
        """Save one frame as a PNG (for docs and for checking how it reads)."""
        self.show(frame)
        self.figure.savefig(path, dpi=80)


@cache
def _palette() -> Image.Image:
    """One palette for every frame: the stage's colours, their blends with white (the
    edges of dots and letters) and a grey ramp. The same palette in every frame lets
    Pillow store only the part of a frame that changed, which keeps an hour's GIF to a
    few megabytes."""
    from matplotlib.colors import to_rgb

    bases = {*CALLER_COLOURS, *AGENT_COLOURS.values(), TRANSFER_COLOUR, GOOD, BAD, NEUTRAL,
             PROGRESS_COLOUR, *(colour for _, colour, _ in GONE_MARKS.values())}
    colours: list[tuple[float, float, float]] = []
    for base in sorted(bases):
        r, g, b = to_rgb(base)
        colours += [(1 + (r - 1) * share, 1 + (g - 1) * share, 1 + (b - 1) * share)
                    for share in (1.0, 0.75, 0.5, 0.25)]  # blended with white
        colours.append((r * 0.6, g * 0.6, b * 0.6))
    colours += [(g / 31, g / 31, g / 31) for g in range(32)]
    flat = [round(c * 255) for colour in colours[:256] for c in colour]
    palette = Image.new("P", (1, 1))
    palette.putpalette(flat + [0] * (768 - len(flat)))
    return palette


def _caller_colour(index: int) -> str:
    return CALLER_COLOURS[index % len(CALLER_COLOURS)]


def _possible(scenario: Scenario, how: str) -> bool:
    """Whether the scenario can produce this kind of unserved call (for the legend)."""
    if how == "abandoned":
        return any(c.patience is not None for c in scenario.callers)
    if how == "menu hang-up":
        return any(c.ivr is not None and c.ivr.hang_up > 0 for c in scenario.callers)
    if how == "voicemail":
        return scenario.voicemail_after is not None
    return scenario.lines is not None


def _hhmm(scenario: Scenario, t: float) -> str:
    label = clock(scenario, t)
    return label[:5] + label[8:]


def _duration(seconds: float) -> str:
    return duration(seconds) if seconds >= 1 else f"{seconds:.2g} s"


def _span(seconds: float) -> str:
    """``hour``, ``2 hours``, ``10 minutes``: the length of the chosen window in words."""
    if seconds % 3600 == 0:
        hours = int(seconds // 3600)
        return "hour" if hours == 1 else f"{hours} hours"
    return f"{seconds / 60:g} minutes"
