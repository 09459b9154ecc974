"""Per-call records for ``--records``: one row per call, as CSV or Parquet.

Columns: replication, call, caller, arrival_s, arrival (clock), departments
(visited, in order, joined by ``>``), outcome (at the first queue, as in the
KPIs), answer_time_s and ring (at the first queue), transfers, talk_s and
wrap_up_s (summed over the call's visits), agent (who answered the first
queue).

In CSV, text that a spreadsheet would run as a formula (a name beginning with
``=``, ``+``, ``-`` or ``@``) gets an apostrophe in front
(:mod:`simcall.results.csv_cells`); Parquet keeps every value as it is.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from simcall.errors import SimcallError
from simcall.files import output_problem, write_atomically
from simcall.model.records import Outcome
from simcall.results.csv_cells import spreadsheet_safe
from simcall.results.summary import RunResult
from simcall.scenario.durations import format_clock

COLUMNS = ("replication", "call", "caller", "arrival_s", "arrival", "departments", "outcome",
           "answer_time_s", "ring", "transfers", "talk_s", "wrap_up_s", "agent")


def call_rows(run: RunResult) -> dict[str, list[Any]]:
    """The call table of one replication as columns of plain values."""
    if run.records is None:
        raise ValueError("this result was made without records (keep_records=False)")
    scenario, records = run.scenario, run.records
    calls, visits = records.calls, records.visits
    n = calls.arrival.size
    departments = [d.name for d in scenario.departments]
    callers = [c.name for c in scenario.callers]
    visited: list[list[str]] = [[] for _ in range(n)]
    first_agent = [""] * n
    talk, wrap_up = np.zeros(n), np.zeros(n)
    np.add.at(talk, visits.call, np.nan_to_num(visits.talk))
    np.add.at(wrap_up, visits.call, np.nan_to_num(visits.wrap_up))
    for call, department, agent in zip(visits.call.tolist(), visits.department.tolist(),
                                       visits.agent.tolist(), strict=True):
        if not visited[call] and agent > 0:
            first_agent[call] = records.agent_names[agent - 1]
        visited[call].append(departments[department])
    for call, department in enumerate(calls.department.tolist()):
        if not visited[call]:  # blocked, or still waiting at its first queue
            visited[call].append(departments[department])
    answer = calls.answer_time
    ring = np.where(np.isnan(answer), 0, np.floor(np.nan_to_num(answer) / scenario.ring) + 1)
    return {
        "replication": [run.replication] * n,
        "call": list(range(n)),
        "caller": [callers[c] for c in calls.caller.tolist()],
        "arrival_s": calls.arrival.tolist(),
        "arrival": [format_clock(scenario.open_s + t) for t in calls.arrival.tolist()],
        "departments": [">".join(v) for v in visited],
        "outcome": [Outcome(o).name.lower() for o in calls.outcome.tolist()],
        "answer_time_s": [None if math.isnan(a) else a for a in answer.tolist()],
        "ring": [int(r) or None for r in ring.tolist()],
        "transfers": calls.transfers.tolist(),
        "talk_s": talk.tolist(),
        "wrap_up_s": wrap_up.tolist(),
        "agent": first_agent,
    }


def write_records(path: Path, runs: Sequence[RunResult]) -> int:
    """Write every call of every run to CSV, or Parquet when ``path`` ends in .parquet.

    The file appears only when complete (written beside it, then renamed).
    Returns the number of rows written.
    """
    tables = [call_rows(run) for run in runs]
    columns = {name: [v for table in tables for v in table[name]] for name in COLUMNS}
    rows = len(columns["call"])
    problem = output_problem(path)
    if problem is not None:
        raise SimcallError(f"--records {path}: {problem}")

    def write(temporary: Path) -> None:
        if path.suffix == ".parquet":
            _write_parquet(temporary, columns)
            return
        with open(temporary, "w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(COLUMNS)
            writer.writerows([spreadsheet_safe(cell) for cell in row]
                             for row in zip(*(columns[name] for name in COLUMNS), strict=True))

    write_atomically(path, write)
    return rows


def _write_parquet(path: Path, columns: dict[str, list[Any]]) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise SimcallError("--records *.parquet needs pyarrow: pip install pyarrow "
                           "(or give a .csv file)") from None
    pq.write_table(pa.table(columns), path)
