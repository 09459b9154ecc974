"""Call records (``simcall.model.records``): what every metric is computed from.

Checked here, on hand-written rows (no engine):

* :class:`ChunkedTable` packs its pending rows into a numpy chunk when it reaches its chunk
  size, and ``array()`` returns every row, in order, across chunks (and an empty table of the
  right dtype when nothing was written);
* :meth:`Recorder.freeze` derives the per-call table from the queue visits as SPEC
  "Metrics" requires (each call counts once, by its first queue): outcome, ``waited`` and
  ``wait`` of the call's first visit, ``answer_time`` only when that visit was answered,
  transfers summed over all visits, blocked and voice-menu outcomes set from their own
  lists, calls without any visit still ``IN_SYSTEM``, redial attempts appended after the
  drawn calls with their ``first_call`` and ``attempt``;
* the period and ring-no-answer tables come out as columns of the documented dtypes, also
  when empty.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from simcall.model.records import (
    PERIOD_DTYPE,
    VISIT_DTYPE,
    ChunkedTable,
    Counters,
    Outcome,
    Recorder,
    Records,
)

A, B, C = Outcome.ANSWERED, Outcome.ABANDONED, Outcome.VOICEMAIL
NAN = math.nan


def _visit(call: int, outcome: Outcome, wait: float, *, department: int = 0,
           entered: float = 0.0, waited: bool = True, transferred: bool = False,
           limited: bool = False) -> tuple[object, ...]:
    """A VISIT_DTYPE row; agent fields filled only for answered visits."""
    answered = outcome == Outcome.ANSWERED
    return (call, department, entered, int(outcome), waited, wait,
            0 if answered else -1, 1 if answered else -1,
            60.0 if answered else NAN, 5.0 if answered else NAN, transferred, limited)


def _counters(arrived: int) -> Counters:
    return Counters(arrived=arrived, blocked=0, left=0, waiting_at_end=0, visits=0)


def _freeze(recorder: Recorder, arrival: list[float], caller: list[int] | None = None,
            department: list[int] | None = None) -> Records:
    n = len(arrival)
    return recorder.freeze(
        end_time=3600.0, counters=_counters(n),
        caller=np.asarray(caller if caller is not None else [0] * n, dtype=np.int32),
        arrival=np.asarray(arrival, dtype=float),
        department=np.asarray(department if department is not None else [0] * n,
                              dtype=np.int32),
        agent_names=("team 1",))


# -- ChunkedTable ----------------------------------------------------------------------------


def test_chunked_table_packs_at_its_chunk_size() -> None:
    table = ChunkedTable(PERIOD_DTYPE, size=3)
    assert table.chunk_size == 3
    table.append((0, 0.0, 1.0))
    table.append((0, 1.0, 2.0))
    assert len(table.rows) == 2  # pending, not yet packed
    table.append((0, 2.0, 3.0))
    assert table.rows == []  # the third row filled a chunk: packed
    table.append((1, 3.0, 4.0))
    assert len(table.rows) == 1


def _rows(columns: dict[str, np.ndarray]) -> list[tuple[Any, ...]]:
    return list(zip(*(column.tolist() for column in columns.values()), strict=True))


@pytest.mark.parametrize("count", [0, 1, 4, 5, 6, 13])

def test_columns_return_every_row_in_order(count: int) -> None:
    table = ChunkedTable(PERIOD_DTYPE, size=5)
    expected = [(k % 3, float(k), float(k) + 0.5) for k in range(count)]
    for row in expected:
        table.append(row)
    columns = table.columns()
    assert list(columns) == list(PERIOD_DTYPE.names or ())
    assert all(columns[name].dtype == PERIOD_DTYPE[name] for name in columns)
    assert all(column.shape == (count,) and column.flags.c_contiguous
               for column in columns.values())
    assert _rows(columns) == expected
    # asking again (everything now packed) gives the same rows
    assert _rows(table.columns()) == expected


def test_rows_written_on_the_hot_path_and_after_columns_are_kept() -> None:
    # the engine appends to ``rows`` itself and packs; after ``columns()`` writing continues
    table = ChunkedTable(PERIOD_DTYPE, size=2)
    table.rows.append((0, 0.0, 1.0))
    table.pack()
    assert table.rows == []
    table.rows.append((0, 1.0, 2.0))
    assert table.columns()["start"].tolist() == [0.0, 1.0]
    table.append((0, 2.0, 3.0))
    assert table.columns()["start"].tolist() == [0.0, 1.0, 2.0]


def test_columns_with_release_leave_the_table_empty() -> None:
    # Recorder.freeze lets each table's rows go once frozen (a long run's peak memory)
    table = ChunkedTable(PERIOD_DTYPE, size=2)
    for k in range(5):
        table.append((0, float(k), float(k) + 1.0))
    assert table.columns(release=True)["start"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert table.columns()["start"].size == 0 and table.rows == []


def test_an_empty_table_is_empty_columns_of_its_dtype() -> None:
    empty = ChunkedTable(VISIT_DTYPE).columns()
    assert list(empty) == list(VISIT_DTYPE.names or ())
    assert all(column.dtype == VISIT_DTYPE[name] and column.size == 0
               for name, column in empty.items())
    ChunkedTable(VISIT_DTYPE).pack()  # packing nothing is harmless


# -- Recorder.freeze: the call table from the visits -----------------------------------------


@pytest.fixture
def recorded() -> Records:
    """Seven drawn calls and one redial, written as the engine would, by hand.

    Visits are appended when they end, so the rows of different calls interleave; a chunk
    size of 2 spreads them over several chunks.

    * call 0: answered after 12 s at department 0, transferred, then abandoned at
      department 1 after 30 s -> ANSWERED, wait 12, one transfer;
    * call 1: abandoned after 40 s -> ABANDONED, no answer time;
    * call 2: busy signal -> BLOCKED, no visit;
    * call 3: still waiting when the run ended -> IN_SYSTEM, no visit;
    * call 4: self-served in the voice menu; call 5: hung up in the menu;
    * call 6: voicemail after 90 s;
    * call 7: redial of call 1 (attempt 2), answered at once, transferred twice (the second
      transfer diverted by the limit), answered at each later queue.
    """
    recorder = Recorder()
    recorder.visits = ChunkedTable(VISIT_DTYPE, size=2)
    rows = [
        _visit(0, A, 12.0, transferred=True),
        _visit(1, B, 40.0),
        _visit(6, C, 90.0),
        _visit(7, A, 0.0, waited=False, transferred=True),
        _visit(0, B, 30.0, department=1),
        _visit(7, A, 3.0, department=1, transferred=True, limited=True),
        _visit(7, A, 8.0, department=2),
    ]
    for row in rows:
        recorder.visits.append(row)
    recorder.blocked.append(2)
    recorder.ivr_outcomes.extend([(4, int(Outcome.SELF_SERVED)), (5, int(Outcome.IVR_HANG_UP))])
    recorder.redials.append((1, 500.0, 0, 1, 2))  # caller, arrival, department, first, attempt
    return _freeze(recorder, arrival=[0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
                   caller=[0, 1, 0, 0, 1, 0, 0])


def test_call_outcomes_are_those_of_the_first_visit_or_blocked_or_menu(
        recorded: Records) -> None:
    assert recorded.calls.outcome.tolist() == [
        Outcome.ANSWERED,  # its second visit was abandoned: the first queue decides
        Outcome.ABANDONED, Outcome.BLOCKED, Outcome.IN_SYSTEM, Outcome.SELF_SERVED,
        Outcome.IVR_HANG_UP, Outcome.VOICEMAIL, Outcome.ANSWERED]


def test_wait_and_answer_time_come_from_the_first_visit(recorded: Records) -> None:
    calls = recorded.calls
    np.testing.assert_array_equal(calls.wait, [12.0, 40.0, NAN, NAN, NAN, NAN, 90.0, 0.0])
    # answer time only for calls answered at their first queue
    np.testing.assert_array_equal(calls.answer_time, [12.0, NAN, NAN, NAN, NAN, NAN, NAN, 0.0])
    # call 3 has no finished visit: still in a queue at the end, so it waited
    assert calls.waited.tolist() == [True, True, False, True, False, False, True, False]


def test_transfers_are_summed_over_all_visits(recorded: Records) -> None:
    calls = recorded.calls
    assert calls.transfers.tolist() == [1, 0, 0, 0, 0, 0, 0, 2]
    assert calls.limited.tolist() == [False] * 7 + [True]


def test_redials_come_after_the_drawn_calls(recorded: Records) -> None:
    calls = recorded.calls
    assert calls.arrival.tolist() == [0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 500.0]
    assert calls.caller.tolist() == [0, 1, 0, 0, 1, 0, 0, 1]
    assert calls.first_call.tolist() == [0, 1, 2, 3, 4, 5, 6, 1]
    assert calls.attempt.tolist() == [1] * 7 + [2]
    assert calls.caller.dtype == np.int32
    assert calls.first_call.dtype == np.int64
    assert calls.attempt.dtype == np.int32


def test_the_visit_table_keeps_every_visit_in_order(recorded: Records) -> None:
    visits = recorded.visits
    assert visits.call.tolist() == [0, 1, 6, 7, 0, 7, 7]
    assert visits.department.tolist() == [0, 0, 0, 0, 1, 1, 2]
    assert visits.transferred.tolist() == [True, False, False, True, False, True, False]
    assert visits.outcome.dtype == np.int8
    assert visits.call.dtype == np.int64
    assert visits.wait.flags["C_CONTIGUOUS"]  # a column, not a strided view of the rows


def test_call_table_dtypes(recorded: Records) -> None:
    calls = recorded.calls
    assert calls.outcome.dtype == np.int8
    assert calls.transfers.dtype == np.int32
    assert calls.waited.dtype == np.bool_
    assert calls.limited.dtype == np.bool_
    assert calls.wait.dtype == np.float64
    assert calls.answer_time.dtype == np.float64


def test_calls_without_any_visit_stay_in_the_system() -> None:
    records = _freeze(Recorder(), arrival=[0.0, 5.0, 9.0])
    calls = records.calls
    assert calls.outcome.tolist() == [Outcome.IN_SYSTEM] * 3
    assert np.isnan(calls.wait).all() and np.isnan(calls.answer_time).all()
    assert calls.transfers.tolist() == [0, 0, 0]
    assert calls.first_call.tolist() == [0, 1, 2]
    assert calls.attempt.tolist() == [1, 1, 1]
    assert records.visits.call.size == 0


def test_a_run_without_calls_freezes_to_empty_columns() -> None:
    records = _freeze(Recorder(), arrival=[])
    assert records.calls.outcome.size == 0
    assert records.calls.outcome.dtype == np.int8
    assert records.visits.call.size == 0
    assert records.busy.start.size == 0
    assert records.rona.call.size == 0


# -- periods and ring-no-answer --------------------------------------------------------------


def test_periods_and_rona_come_out_as_typed_columns() -> None:
    recorder = Recorder()
    recorder.busy.append((1, 10.0, 70.0))
    recorder.busy.append((0, 15.0, 20.5))
    recorder.staffed.append((0, 0.0, 3600.0))
    recorder.scheduled.append((1, 0.0, 1800.0))
    recorder.rona.extend([(1, 0, 0, 12.0), (0, 0, 1, 30.5)])
    records = _freeze(recorder, arrival=[0.0])
    assert records.busy.group.tolist() == [1, 0]
    assert records.busy.start.tolist() == [10.0, 15.0]
    assert records.busy.end.tolist() == [70.0, 20.5]
    assert records.staffed.end.tolist() == [3600.0]
    assert records.scheduled.group.tolist() == [1]
    for periods in (records.busy, records.staffed, records.scheduled):
        assert periods.group.dtype == np.int32
        assert periods.start.dtype == periods.end.dtype == np.float64
    rona = records.rona
    assert rona.group.tolist() == [1, 0]
    assert rona.call.tolist() == [0, 0]
    assert rona.department.tolist() == [0, 1]
    assert rona.time.tolist() == [12.0, 30.5]
    assert (rona.group.dtype, rona.call.dtype, rona.department.dtype, rona.time.dtype) == (
        np.int32, np.int64, np.int32, np.float64)
    assert records.end_time == 3600.0
    assert records.agent_names == ("team 1",)


def test_empty_rona_table_has_the_same_dtypes() -> None:
    rona = _freeze(Recorder(), arrival=[0.0]).rona
    assert (rona.group.dtype, rona.call.dtype, rona.department.dtype, rona.time.dtype) == (
        np.int32, np.int64, np.int32, np.float64)
    assert rona.time.size == 0
