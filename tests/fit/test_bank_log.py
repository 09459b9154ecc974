"""The real Anonymous Bank log (Brown et al. 2005), read from the shared data folder and
never copied into the repository: skipped when it is absent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import simcall
from helpers import ROOT
from simcall.fit import FitResult, read_log

FOLDER = next((p for p in (ROOT.parent / "shared" / "data" / "anonymous-bank",
                           Path("/work/shared/data/anonymous-bank")) if p.exists()), None)
LOG = FOLDER / "anonymous_bank_1999-08_calls.csv.gz" if FOLDER else None
pytestmark = pytest.mark.skipif(LOG is None or not LOG.exists(),
                                reason="the Anonymous Bank log is not in ../shared/data/")


@pytest.fixture(scope="module")
def summary() -> dict[str, object]:
    assert FOLDER is not None
    data: dict[str, object] = json.loads((FOLDER / "summary.json").read_text())
    return data


@pytest.fixture(scope="module")
def fitted() -> FitResult:
    return simcall.fit(LOG, preset="anonymous-bank")  # type: ignore[arg-type]


def test_the_bank_log_is_read_with_every_row_accounted_for(summary: dict[str, object]) -> None:
    log = read_log(LOG, "anonymous-bank", open="00:00", close="24:00")  # type: ignore[arg-type]
    selection = log.selection
    assert selection.rows == summary["source_rows"] == 42_078
    assert selection.left_out == {"PHANTOM": summary["phantom"]}
    assert (selection.kept + selection.contradicting_rows + selection.outside_days
            + selection.outside_hours + sum(selection.left_out.values())) == selection.rows
    assert len(log.dates) == summary["weekdays_sun_thu"] == 23
    assert {d.weekday() for d in log.dates if d is not None} <= {6, 0, 1, 2, 3}
    # the README's counts (Sun-Thu, all hours), less the rows that contradict themselves
    weekday = summary["weekday_all_types"]
    assert isinstance(weekday, dict)
    assert abs(len(log) - weekday["calls"]) <= selection.contradicting_rows
    served = int((log.outcome == 0).sum())
    assert abs(served - weekday["served"]) <= selection.contradicting_rows
    assert selection.contradictions["abandoned_but_answered"] > 0
    assert selection.after_midnight > 0


@pytest.mark.slow
def test_the_bank_fit_gives_the_known_figures(fitted: FitResult) -> None:
    estimates = fitted.estimates
    arrivals = estimates.arrivals
    total = arrivals.rate_per_hour.sum(axis=0)
    assert 120 < total.max() < 170 and arrivals.labels[int(total.argmax())] in ("10:00", "09:00")
    assert arrivals.trend is not None and arrivals.trend.significant  # volume falls in August
    assert 0.1 < arrivals.day_volume_cv < 0.4
    ps = estimates.talk.for_key("PS")
    assert ps is not None and 140 < ps.mean < 200
    patience = estimates.patience.for_key("PS")
    # README: 0.74 for PS with every priority; the regular PS callers alone are less patient
    assert patience is not None and 0.6 < float(patience.sf(120.0)[0]) < 0.8
    staffing = estimates.staffing
    assert 5 < staffing.agents.max() < 10  # "8 agent positions"
    assert estimates.priorities.credit_s.count(90.0) == 6
    assert "priority_credit" in fitted.scenario["callers"][1]
    assert estimates.not_ready.mean > 0
    fitted.validate(extended=False)
