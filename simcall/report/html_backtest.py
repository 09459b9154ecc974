"""The back-test section of the HTML report: the fitted scenario beside its call log.

Why a module of its own: it is the report's one section about evidence from outside the
simulation (a real call log), read from the JSON of ``simcall fit LOG --check --json``
rather than simulated here, and it has its own figure, verdict and table.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import Any

from simcall.report.build import Report
from simcall.report.html_parts import figures_html

_FIGURES = ("arrivals", "abandon_rate", "asa_s", "service_level")


def backtest_section(report: Report) -> str:
    """What was compared, whether it is this report's scenario, the verdict in words, the
    four-panel figure and the table interval by interval."""
    from simcall.plots.backtesting import backtest, interval_hours

    document = report.backtest
    assert document is not None
    lead = (f"<p>The fitted scenario was simulated for {document['simulated_days']} days "
            f"(seed {document['seed']}) and set beside the {document['log_days']} days of the "
            "call log it was fitted to, interval by interval, with the same definitions on "
            "both sides. A figure matches in an interval when the simulated mean lies inside "
            "the log's day-to-day mean &plusmn; 2 standard errors; a scenario that were "
            "exactly right would still miss about one interval in twenty by chance.</p>")
    verdict = "".join(f"<li>{html.escape(str(line))}</li>"
                      for line in document.get("verdict") or _verdict(document))
    width = interval_hours(document)
    figure = figures_html([(
        "The scenario beside the call log",
        "Dark grey: the log's mean over its days, with its mean ± 2 SE (grey band) and the "
        "10th to 90th percentile of single days (light band). Blue: the simulated mean. A "
        "hollow red ring marks an interval where the simulation lies outside ± 2 SE.",
        lambda ax: backtest(document, ax=ax))], height=6.4)
    return (lead + _which(report) + f'<ul class="verdict">{verdict}</ul>' + figure
            + _table(document, width))


def _which(report: Report) -> str:
    """Whether the back-tested scenario is the one reported on (by their hashes)."""
    from simcall.results.provenance import scenario_hash

    tested = report.backtested
    if tested is None:
        return ('<p class="note">The fit\'s file does not say which scenario was back-tested: '
                "the back-test speaks for this report's scenario only if it is the fitted "
                "one.</p>")
    if scenario_hash(tested) == scenario_hash(report.scenario):
        return ('<p class="note">The back-tested scenario is the one this report simulates '
                "(the same scenario hash).</p>")
    return (f'<p class="note"><span class="below">Another scenario</span>: the back-test is of '
            f"the fitted scenario &ldquo;{html.escape(tested.name)}&rdquo;, not of the one "
            "this report simulates. It says how well the fitted scenario matches the log; "
            "changes made since are not back-tested.</p>")


def _verdict(document: Mapping[str, Any]) -> list[str]:
    """Counts in words, for a back-test whose JSON holds no verdict lines."""
    lines = []
    for figure in _FIGURES:
        rows = [row for row in document["rows"] if row["figure"] == figure]
        inside = sum(bool(row["inside"]) for row in rows)
        lines.append(f"{_NAMES[figure]}: inside the log's mean ± 2 SE in {inside} of "
                     f"{len(rows)} intervals")
    return lines


_NAMES = {"arrivals": "calls", "abandon_rate": "abandonment", "asa_s": "ASA",
          "service_level": "service level"}


def _number(figure: str, value: float | None, scale: float = 1.0) -> str:
    if value is None or not math.isfinite(value):
        return "&ndash;"
    if figure in ("abandon_rate", "service_level"):
        return f"{100 * value:.1f}"
    if figure == "asa_s":
        return f"{value:.0f}"
    return f"{value * scale:.0f}"  # calls per hour: whole calls, the SE is far wider


def _table(document: Mapping[str, Any], width: float | None) -> str:
    """One row per interval; per figure the log's mean ± 2 SE, the simulated mean and
    whether it lies inside."""
    per_hour = 1.0 / width if width is not None else 1.0
    heads = {"arrivals": "calls per hour" if width is not None else "calls per interval",
             "abandon_rate": "abandonment (%)", "asa_s": "ASA (s)",
             "service_level": "service level (%)"}
    threshold = document.get("service_level_threshold_s")
    if threshold is not None:
        heads["service_level"] = f"service level, {threshold:g} s (%)"
    by: dict[tuple[str, int], Mapping[str, Any]] = {
        (row["figure"], int(row["interval"])): row for row in document["rows"]}
    intervals = sorted({k for _, k in by})
    rows = []
    for k in intervals:
        clock = next(by[f, k]["clock"] for f in _FIGURES if (f, k) in by)
        cells = []
        for figure in _FIGURES:
            row = by.get((figure, k))
            if row is None:
                cells.append('<td class="num">&ndash;</td>' * 3)
                continue
            scale = per_hour if figure == "arrivals" else 1.0
            se = row["log_se"]
            spread = (f" &plusmn; {_number(figure, 2 * se, scale)}"
                      if se is not None and math.isfinite(se) else "")
            inside = bool(row["inside"])
            cells.append(f'<td class="num">{_number(figure, row["log_mean"], scale)}{spread}'
                         f'</td><td class="num">{_number(figure, row["simulated"], scale)}</td>'
                         f'<td class="{"met" if inside else "missed"}">'
                         f'{"yes" if inside else "no"}</td>')
        rows.append(f'<tr><th scope="row">{html.escape(str(clock))}</th>{"".join(cells)}</tr>')
    totals = ""
    for figure in _FIGURES:
        judged = [bool(by[figure, k]["inside"]) for k in intervals if (figure, k) in by]
        totals += f'<td colspan="3" class="num">{sum(judged)} of {len(judged)} inside</td>'
    rows.append(f'<tr class="total"><th scope="row">intervals</th>{totals}</tr>')
    groups = "".join(f'<th scope="colgroup" colspan="3" class="group">{html.escape(heads[f])}'
                     "</th>" for f in _FIGURES)
    sub = ('<th scope="col">log&nbsp;&plusmn;&nbsp;2&nbsp;SE</th><th scope="col">simulated</th>'
           '<th scope="col">inside</th>')
    head = (f'<tr><th scope="col" rowspan="2">interval</th>{groups}</tr>'
            f"<tr>{sub * len(_FIGURES)}</tr>")
    note = ('<p class="note">Log: the mean over the log\'s days and twice its standard '
            "error; simulated: the mean over the simulated days; inside: the simulated mean "
            "lies within the log's mean &plusmn; 2 SE. Calls count in the interval in which "
            "they reached the agent queue.</p>")
    return (f'<div class="table-wrap"><table class="backtest"><thead>{head}</thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>' + note)
