"""The marginal section of the HTML report: where the next hour of staff pays most.

Why a module of its own: like the back-test, it shows an analysis made elsewhere (the JSON
of ``simcall marginal --json``), read rather than simulated here, with its own figure,
findings and tables. The words and cells are the terminal's
(:mod:`simcall.report.terminal_marginal`), so the two never say different things.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from simcall.plots.marginals import priced
from simcall.report.build import Report
from simcall.report.html_parts import figures_html
from simcall.report.terminal_marginal import (
    PAYS,
    STEP_WORDS,
    base_line,
    cells,
    changes_of,
    columns,
    findings,
    notes,
    points,
)


def marginal_section(report: Report) -> str:
    """What was simulated, whether it is this report's scenario, the findings in words, the
    figure, and per group a table of one agent more and one of one agent fewer."""
    from simcall.plots.marginals import marginal_net

    document = report.marginal
    assert document is not None
    groups = list(document["groups"])
    lead = (f"<p>{html.escape(base_line(document))} Each change puts one agent more (or "
            "fewer) into one interval of one agent group and nowhere else; it is measured as "
            "variant minus base, replication by replication, so the noise both share cancels "
            "and the 95% intervals are paired ones.</p>")
    said = "".join(f"<li>{html.escape(line)}</li>" for line in findings(document))
    figure = figures_html([(
        "Where the next hour of staff pays most",
        "Per interval, the change in the day's cost (wages + lost value) of one agent more "
        "(blue) and one agent fewer (orange) in that interval alone, with its paired 95% "
        "interval; below zero the change pays. A faint bar's interval holds zero: the "
        "simulation cannot tell its sign.",
        lambda ax: marginal_net(document, ax=ax))], height=1.4 + 3.0 * len(groups))
    tables = "".join(_table(document, group, step) for group in groups for step in STEP_WORDS)
    remarks = "".join(f'<p class="note">{html.escape(line)}</p>' for line in notes(document))
    return (lead + _which(report, document) + f'<ul class="verdict">{said}</ul>' + figure
            + tables + remarks)


def _which(report: Report, document: Mapping[str, Any]) -> str:
    """Whether the analysis is of the scenario reported on (by their hashes)."""
    from simcall.results.provenance import scenario_hash

    wanted = (document.get("provenance") or {}).get("scenario_sha256")
    if wanted is None:
        return ('<p class="note">The file does not say which scenario was analysed: it speaks '
                "for this report's scenario only if it is the same one.</p>")
    made = (document.get("provenance") or {}).get("command")
    by = (f" Made with <code>{html.escape(str(made))}</code>." if made else "")
    if wanted == scenario_hash(report.scenario):
        return ('<p class="note">The analysis is of the scenario this report simulates (the '
                f"same scenario hash).{by}</p>")
    return (f'<p class="note"><span class="below">Another scenario</span>: the analysis is of '
            f"&ldquo;{html.escape(str(document['scenario']))}&rdquo; as it was when analysed, "
            "not of the scenario this report simulates (their hashes differ); changes made "
            f"since are not in it.{by}</p>")


def _table(document: Mapping[str, Any], group: str, step: int) -> str:
    changes = changes_of(document, group, step)
    if not changes:
        return ""
    base = (document.get("base") or {}).get("intervals") or []
    heads = columns(document)
    head = ('<tr><th scope="col" rowspan="2">start</th>'
            '<th scope="colgroup" colspan="2" class="group">base, in the interval</th>'
            f'<th scope="colgroup" colspan="{len(heads) - 1}" class="group">change, variant '
            "minus base</th></tr>"
            '<tr><th scope="col">SL (%)</th><th scope="col">abandon (%)</th>'
            + "".join(f'<th scope="col">{html.escape(_one_line(h) or "verdict")}</th>'
                      for h in heads[1:]) + "</tr>")
    rows = []
    for change in changes:
        row = cells(document, change)
        k = int(change["index"])
        kpis = base[k]["kpis"] if k < len(base) else {}
        levels = [points(kpis.get(kpi), sign=False) for kpi in ("service_level",
                                                                 "abandon_rate")]
        verdict_at = len(row) - 1 if priced(document) else -1  # the last column, if any
        tail = "".join(
            f'<td class="{("met" if text == PAYS else "") if i == verdict_at else "num"}">'
            f"{html.escape(text)}</td>" for i, text in enumerate(row) if i > 0)
        rows.append(f'<tr><th scope="row">{html.escape(row[0])}</th>'
                    + "".join(f'<td class="num">{v}</td>' for v in levels) + tail + "</tr>")
    return (f"<h3>{html.escape(STEP_WORDS[step])} <small>in &lsquo;{html.escape(group)}"
            "&rsquo;, one interval at a time</small></h3>"
            f'<div class="table-wrap"><table class="marginal"><thead>{head}</thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def _one_line(head: str) -> str:
    """A terminal head (``"break-\\neven/h"``) on one line (``"break-even/h"``)."""
    return head.replace("-\n", "-").replace("\n", " ")
