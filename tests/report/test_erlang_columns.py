"""The report's interval table: Erlang columns beside the simulated ones, and the note.

The table is rendered on its own (``html._intervaltable_html``) from tiny summaries, so no
figure is drawn: the whole page was looked at in headless Chromium (docs/report.md), and
``test_report.py`` renders the full page of the help desk.
"""

from __future__ import annotations

import copy
from typing import Any

import simcall
from helpers import ERLANG_CENTRE as CENTRE
from helpers import ERLANG_RATES as RATES
from helpers import ERLANG_STAFF as STAFF
from helpers import Page
from simcall import erlang
from simcall.report.html import _intervaltable_html
from simcall.report.terminal import format_kpi


def _table(data: dict[str, Any]) -> tuple[Page, str, simcall.Summary]:
    summary = simcall.replicate(simcall.from_dict(data), 2, seed=3)
    text = _intervaltable_html(summary)
    return Page(text), text, summary


def test_one_department_puts_each_erlang_figure_beside_its_simulated_column() -> None:
    page, text, summary = _table(copy.deepcopy(CENTRE))
    head = [cell for _, cell in page.rows[0]]
    assert head[:8] == ["interval", "calls offered", "agents on duty", "service level",
                        "Erlang", "ASA (s)", "Erlang", "abandon rate"]
    assert head[8:11] == ["Erlang", "occupancy", "Erlang"]
    for k, (row, rate, agents) in enumerate(zip(page.rows[1:], RATES, STAFF, strict=True)):
        exact = erlang.erlang_a_metrics(agents, rate, 120.0, 90.0, within=15.0)
        cells = dict(zip(range(len(row)), row, strict=True))
        assert cells[4][1] == format_kpi("service_level", float(exact.service_level))
        sl = summary.intervals[k]["service_level"]
        assert sl.ci95 is not None
        beyond = not sl.ci95.low <= float(exact.service_level) <= sl.ci95.high
        assert cells[4][0] == ("num erlang apart" if beyond else "num erlang")
        assert cells[6][1] == format_kpi("asa_s", float(exact.asa))
        assert cells[8][1] == format_kpi("abandon_rate", float(exact.p_abandon))
        assert cells[10][1] == format_kpi("occupancy", float(exact.occupancy))
    assert "<strong>support</strong>: Erlang A, exact in every interval." in text
    assert "in bold: outside the simulated 95% interval" in text


def test_several_departments_name_theirs_and_the_note_says_why_or_why_not() -> None:
    data = copy.deepcopy(CENTRE)
    data["callers"][0]["enters"] = {"support": 0.6, "billing": 0.4}
    data["departments"].append({"name": "billing", "talk": {"dist": "lognormal", "mean": 60,
                                                            "cv": 0.5}})
    data["departments"].append({"name": "sales", "talk": {"dist": "exponential", "mean": 60}})
    data["agents"][0]["skills"] = ["support", "sales"]
    data["agents"].append({"name": "billers", "skills": ["billing"], "staff": 2})
    page, text, _ = _table(data)
    head = [cell for _, cell in page.rows[0]]
    assert "Erlang SL (billing)" in head and "Erlang occupancy (billing)" in head
    assert not [h for h in head if "(support)" in h or "(sales)" in h]
    billing = head.index("Erlang SL (billing)")
    assert all(row[billing][1].startswith("≈") for row in page.rows[1:])
    assert ("<strong>billing</strong>: Erlang A, approximate: talk time not exponential "
            "(lognormal).") in text
    assert ("<strong>support</strong>: no Erlang figures: agents shared between departments "
            "(also serving sales)") in text
