"""A simulated run written as a call log in the canonical columns (the ``simcall`` preset).

Unlike ``simcall run --records`` (which keeps answer times only), this log has the time
each call left its first queue, answered or hanging up, so patience can be fitted back
from it: the tests fit a known scenario's log and find its figures again.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from simcall.model.records import Outcome
from simcall.results.summary import RunResult

COLUMNS = ("date", "arrival", "caller_type", "department", "queued", "left_queue",
           "answered", "ended", "outcome", "agent")
FIRST_DATE = dt.date(2000, 1, 3)  # a Monday


def _cell(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.3f}"


def write_log(path: str | Path, runs: Sequence[RunResult],
              first_date: dt.date = FIRST_DATE) -> int:
    """Write the first-queue story of every call of ``runs`` (made with records) as a call
    log; each run's days follow the previous run's. Returns the rows written.

    Times are seconds after the midnight of the call's date (the ``date`` column), so a
    talk that ends after midnight has an end over 86,400.
    """
    written = 0
    with open(path, "w", newline="", encoding="utf-8") as stream:
        out = csv.writer(stream)
        out.writerow(COLUMNS)
        day_offset = 0
        for run in runs:
            if run.records is None:
                raise ValueError("write_log needs results made with keep_records=True")
            scenario, records = run.scenario, run.records
            calls, visits = records.calls, records.visits
            n = calls.arrival.size
            entered, wait = np.full(n, np.nan), np.full(n, np.nan)
            talk, agent = np.full(n, np.nan), np.zeros(n, dtype=np.int64)
            _, first = np.unique(visits.call, return_index=True)
            rows = visits.call[first]
            entered[rows] = visits.entered[first]
            wait[rows] = visits.wait[first]
            talk[rows] = visits.talk[first]
            agent[rows] = visits.agent[first]
            outcome = calls.outcome
            answered = np.where(outcome == Outcome.ANSWERED, entered + wait, np.nan)
            left = np.where(outcome == Outcome.ABANDONED, entered + wait, np.nan)
            ended = answered + talk
            clock = scenario.open_s + calls.arrival
            day = np.floor(clock / 86_400.0)
            base = day * 86_400.0 - scenario.open_s  # the date's midnight in run time
            callers = [c.name for c in scenario.callers]
            departments = [d.name for d in scenario.departments]
            for i in range(n):
                b = base[i]
                out.writerow((
                    (first_date + dt.timedelta(days=int(day[i]) + day_offset)).isoformat(),
                    _cell(calls.arrival[i] - b), callers[calls.caller[i]],
                    departments[calls.department[i]], _cell(entered[i] - b),
                    _cell(left[i] - b), _cell(answered[i] - b), _cell(ended[i] - b),
                    Outcome(int(outcome[i])).name.lower(),
                    records.agent_names[agent[i] - 1] if agent[i] > 0 else ""))
            written += n
            day_offset += int(day.max()) + 1 if n else scenario.days
    return written
