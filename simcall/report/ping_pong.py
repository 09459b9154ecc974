"""Ping-pong chains in words: every call sent back to a department it had left, hop by hop.

Why in full: a count says how often callers are bounced back, the chains say where and
why (which department sends calls on that the next one sends back, how long each queue
took). The trace lists the chains of its one replication after the timeline; the HTML
report lists those of every replication in a collapsible, scrolling box (no scripts).
Both use the same sentences (:func:`hop_text`).
"""

from __future__ import annotations

import html
import math
import textwrap

from simcall.results.revisits import Hop, RevisitChain
from simcall.results.stories import clock, duration
from simcall.results.summary import Summary
from simcall.scenario.schema import Scenario


def hop_text(hop: Hop) -> str:
    """What happened in one queue: ``"answered after 12s; talks 3m40s; transferred"``."""
    waited = duration(hop.wait) if math.isfinite(hop.wait) else ""
    ends = {
        "answered": f"answered after {waited}",
        "called_back": f"called back after {waited}",
        "abandoned": f"hangs up after {waited}",
        "voicemail": f"goes to voicemail after {waited}",
        "in_system": "still waiting when the run ends",
    }.get(hop.outcome, hop.outcome.replace("_", " "))
    parts = [ends]
    if math.isfinite(hop.talk):
        parts.append(f"talks {duration(hop.talk)}")
    if hop.transferred:
        parts.append("transferred")
    return "; ".join(parts)


def chain_title(chain: RevisitChain, replication: int | None = None) -> str:
    """``call 12 (dealers), sent back 2 times: A > B > A > B > C``."""
    where = "" if replication is None else f", replication {replication}"
    times = f"{chain.revisits} time{'s' if chain.revisits != 1 else ''}"
    return f"call {chain.call} ({chain.caller}{where}), sent back {times}: " + " > ".join(
        chain.path)


def chain_lines(scenario: Scenario, chain: RevisitChain, width: int = 100) -> list[str]:
    """The title, then one line per queue: the clock time it joined, the department
    ("back in" for a re-entry), and how the visit went; wrapped at ``width``."""
    lines = textwrap.wrap(chain_title(chain), width=width, subsequent_indent=" " * 4,
                          break_long_words=False, break_on_hyphens=False)
    for hop in chain.hops:
        joins = f"back in {hop.department}" if hop.re_entry else f"joins {hop.department}"
        lines.extend(textwrap.wrap(f"  {clock(scenario, hop.entered)}  {joins}; {hop_text(hop)}",
                                   width=width, initial_indent="", subsequent_indent=" " * 12,
                                   break_long_words=False, break_on_hyphens=False))
    return lines


def trace_chain_lines(scenario: Scenario, chains: tuple[RevisitChain, ...],
                      answered: int, width: int = 100) -> list[str]:
    """The trace's ping-pong section: a heading, how to read it, then every chain of the
    replication (``answered``: the run's answered calls, the KPI's denominator)."""
    if not chains:
        return ["no call was sent back to a department it had left (ping-pong)"]
    sent_back = sum(chain.hops[0].outcome == "answered" for chain in chains)
    share = f"{100 * sent_back / answered:.1f}%" if answered else "-"
    lines = [f"calls sent back to a department they had left (ping-pong): {len(chains):,} "
             f"({share} of {answered:,} answered calls)",
             "worst first (most times sent back, then the longest chain); each line: when the "
             "call joined a queue", ""]
    for chain in chains:
        lines.extend(chain_lines(scenario, chain, width))
    return lines


def ping_pong_html(summary: Summary) -> str:
    """Every chain of every replication, worst first, in a ``<details>`` box that scrolls."""
    chains = summary.revisit_chains()
    rate = summary.kpis["revisit_rate"].mean
    if not chains:
        return ("<p>No answered call was sent back to a department it had left "
                f"(over {summary.replications} replication"
                f"{'s' if summary.replications != 1 else ''}).</p>")
    share = f"{100 * rate:.1f}%" if math.isfinite(rate) else "-"
    scenario = summary.scenario
    items = []
    back = ' class="back"'
    for run, chain in chains:
        hops = "".join(
            f"<tr{back if hop.re_entry else ''}>"
            f"<td>{clock(scenario, hop.entered)}</td>"
            f"<td>{'back in ' if hop.re_entry else ''}{html.escape(hop.department)}</td>"
            f"<td>{html.escape(hop_text(hop))}</td></tr>"
            for hop in chain.hops)
        items.append(f"<li><p>{html.escape(chain_title(chain, run.replication))}</p>"
                     f"<table class=\"hops\">{hops}</table></li>")
    per_day = len(chains) / summary.replications
    return (f"<p>{share} of answered calls were sent back to a department they had left "
            f"(ping-pong): {len(chains):,} calls over {summary.replications} replication"
            f"{'s' if summary.replications != 1 else ''} ({per_day:,.1f} a run). Every one "
            "is listed below, worst first (most times sent back, then the longest chain); "
            "times are when the call joined each queue. In the interval and department tables, "
            "&ldquo;sent back&rdquo; is the same share by the interval the call arrived in, and "
            "for a department the share of the calls it answered that had been there "
            "before.</p>"
            f"<details class=\"chains\"><summary>All {len(chains):,} chains, hop by hop"
            f"</summary><ol>{''.join(items)}</ol></details>")
