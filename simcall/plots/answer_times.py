"""How long callers wait: the share still not answered after t seconds, and the ring
each call was answered on."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simcall.model.records import Outcome, Records
from simcall.plots import style
from simcall.plots.day import band, records_of
from simcall.plots.facts import Result, facts
from simcall.results.summary import Summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes


MOST_RINGS = 20  # bars before "later": more would be unreadable


def not_answered_within(records: Records, times: np.ndarray, warmup: float = 0.0) -> np.ndarray:
    """Share of calls still not answered ``t`` seconds after joining their first queue.

    The calls are those SPEC's service level counts: answered or abandoned at
    their first queue, arrived after the warm-up. A call is "still waiting
    after t" unless it was answered with an answer time ``<= t``; a caller who
    hung up counts as never answered. So the curve at ``t`` is
    ``1 - service level with threshold t`` (up to calls answered exactly at
    ``t``), starts at the share that waited (``t = 0``), and only goes down.
    ``nan`` everywhere when there are no such calls.
    """
    calls = records.calls
    counted = calls.arrival >= warmup
    answered = counted & (calls.outcome == Outcome.ANSWERED)
    total = int(np.count_nonzero(answered | (counted & (calls.outcome == Outcome.ABANDONED))))
    if total == 0:
        return np.full(times.shape, np.nan)
    answer_times = np.sort(calls.answer_time[answered])
    return 1.0 - np.searchsorted(answer_times, times, side="right") / total


def waiting(summary: Summary, *, ax: Axes | None = None) -> Axes:
    """The share of calls still not answered after t seconds, threshold in seconds and rings.

    Definition (see :func:`not_answered_within`): of the calls answered or
    abandoned at their first queue, the share not answered within ``t`` s of
    joining it, abandoned calls never answered. The value at ``t = 0`` is the
    share that waited; at the service-level threshold it is ``1 -`` the
    service level. The mean over replications is drawn with its 95% band. The
    threshold is a dashed vertical line labelled in seconds and in rings, and
    a top axis counts rings. Needs records (``keep_records=True``).
    """
    all_records = records_of(summary)
    scenario = summary.scenario
    threshold, ring = scenario.service_level_threshold, scenario.ring
    longest = max((float(np.nanmax(r.calls.answer_time)) for r in all_records
                   if np.isfinite(r.calls.answer_time).any()), default=threshold)
    end = max(3.0 * threshold, min(longest, 10.0 * threshold), 2.0 * ring)
    times = np.union1d(np.linspace(0.0, end, 601), [threshold])
    rows = np.array([not_answered_within(r, times, scenario.warmup) for r in all_records])
    ax = style.new_axes(ax)
    spread = band(rows) if np.isfinite(rows).all() else None
    suffix = " (mean, 95% band)" if spread is not None else ""
    mean = np.nanmean(rows, axis=0)
    ax.plot(times, mean, color=style.SIMULATED, drawstyle="steps-post",
            label="calls not yet answered" + suffix)
    if spread is not None:
        ax.fill_between(times, spread[1], np.minimum(spread[2], 1.0), color=style.SIMULATED,
                        alpha=style.BAND_ALPHA, linewidth=0, step="post")
    at = float(mean[np.searchsorted(times, threshold)])
    ax.axvline(threshold, color=style.TARGET, linestyle=style.TARGET_STYLE, linewidth=1.2,
               label=f"threshold {threshold:g} s = {threshold / ring:g} rings "
                     f"({at:.0%} not answered within it)")
    goal = facts(summary).goal("service_level")
    if goal is not None:
        colour = style.MET if 1.0 - at >= goal.bound else style.NOT_MET
        ax.plot([threshold], [1.0 - goal.bound], marker="D", color=colour, linestyle="none",
                label=f"most allowed by the target ({1.0 - goal.bound:.0%})")
    rings = ax.secondary_xaxis("top", functions=(lambda s: np.divide(s, ring),
                                                  lambda r: np.multiply(r, ring)))
    rings.set_xlabel(f"Rings ({ring:g} s each)")
    from matplotlib.ticker import MaxNLocator

    rings.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0.0, end)
    highest = float(np.nanmax(spread[2] if spread is not None else mean)) \
        if np.isfinite(mean).any() else 1.0
    ax.set_ylim(0.0, min(1.02, highest * 1.15 + 0.05))
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.set_xlabel("Seconds since joining the first queue (s)")
    ax.set_ylabel("Calls not yet answered (%)")
    return style.finish(ax, f"Waiting time — {scenario.name} "
                            f"({summary.replications} replications)")


def rings(summary: Result, *, ax: Axes | None = None) -> Axes:
    """Share of answered calls by the ring they were answered on, with 95% intervals.

    Ring r covers answer times in ``[(r-1) x ring, r x ring)``. Bars of rings
    wholly within the service-level threshold are green, wholly after it red,
    a ring the threshold cuts grey; the threshold is a dashed line. Rings
    after the one where 99% of answered calls (at most 20 bars) are counted are added up in
    one "later" bar (no interval). From a JSON document without its scenario,
    the threshold is unknown and the bars are grey.
    """
    known = facts(summary)
    shares = list(summary.ring_shares)
    ax = style.new_axes(ax)
    if not shares:
        ax.text(0.5, 0.5, "no answered calls", ha="center", va="center",
                transform=ax.transAxes)
        return style.finish(ax, f"Ring answered on — {known.name}")
    cumulative = np.cumsum(style.means(shares))
    last = min(int(np.searchsorted(cumulative, 0.99)) + 1, MOST_RINGS)
    if known.threshold is not None and known.ring is not None:
        last = max(last, int(np.ceil(known.threshold / known.ring)) + 1)
    last = min(last, len(shares))
    shown = shares[:last]
    x = np.arange(1, last + 1, dtype=float)
    heights = style.means(shown)
    bands = style.limits(shown)
    errors = None if bands is None else np.vstack((heights - np.nan_to_num(bands[0]),
                                                   np.nan_to_num(bands[1]) - heights))
    colours = [_ring_colour(r, known.threshold, known.ring) for r in range(1, last + 1)]
    ax.bar(x, heights, color=colours, yerr=errors, capsize=2, ecolor="#444444",
           label="answered on this ring (mean, 95% interval)" if bands is not None
           else "answered on this ring")
    labels = [str(r) for r in range(1, last + 1)]
    rest = float(1.0 - cumulative[last - 1]) if last < len(shares) else 0.0
    if last < len(shares):
        ax.bar([last + 1.0], [max(rest, 0.0)], color=style.NEUTRAL, hatch="//",
               label=f"later rings ({last + 1}–{len(shares)})")
        labels.append("later")
    ax.set_xticks(np.arange(1, len(labels) + 1), labels)
    if known.threshold is not None and known.ring is not None:
        ax.axvline(0.5 + known.threshold / known.ring, color=style.TARGET,
                   linestyle=style.TARGET_STYLE, linewidth=1.2,
                   label=f"threshold {known.threshold:g} s = "
                         f"{known.threshold / known.ring:g} rings")
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.set_ylim(bottom=0.0)
    ring_text = f"{known.ring:g} s each" if known.ring is not None else "ring length unknown"
    ax.set_xlabel(f"Ring the call was answered on ({ring_text})")
    ax.set_ylabel("Answered calls (%)")
    return style.finish(ax, f"Ring answered on — {known.name} "
                            f"({known.replications} replications)")


def _ring_colour(r: int, threshold: float | None, ring: float | None) -> str:
    if threshold is None or ring is None:
        return style.NEUTRAL
    if r * ring <= threshold:
        return style.MET
    if (r - 1) * ring >= threshold:
        return style.NOT_MET
    return style.NEUTRAL
