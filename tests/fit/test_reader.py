"""The call-log reader: every kind of bad input is a CallLogError naming what is wrong, and
every kind of self-contradicting row is counted under its kind, never silently kept."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from simcall.errors import SimcallError
from simcall.fit import CONTRADICTIONS, CallLogError, read_log
from simcall.fit.times import weekdays

HEADER = "date,arrival,caller_type,queued,left_queue,answered,ended,outcome,agent"
GOOD = [
    "2024-03-04,09:00:00,retail,09:00:05,,09:01:00,09:05:00,answered,A1",
    "2024-03-04,09:10:00,retail,09:10:05,09:12:05,,,abandoned,",
    "2024-03-04,09:20:00,retail,,,,,other,",
]


def write(tmp_path: Path, *rows: str, header: str = HEADER, name: str = "log.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_plain_log_is_read_with_canonical_names(tmp_path: Path) -> None:
    log = read_log(write(tmp_path, *GOOD), open="09:00", close="10:00", interval="30min")
    assert len(log) == 3 and log.intervals == 2
    assert log.caller_types == ("retail",) and log.agents == ("A1",)
    assert log.reached.tolist() == [True, True, False]
    assert log.wait[:2].tolist() == [55.0, 120.0]
    assert log.talk[0] == 240.0
    assert log.selection.contradicting_rows == 0


def test_gzip_and_a_column_mapping_and_iso_times(tmp_path: Path) -> None:
    path = tmp_path / "log.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write("start,queue_in,pickup,hangup,result\n"
                  "2024-03-04T09:00:00,2024-03-04T09:00:10,2024-03-04T09:00:40,"
                  "2024-03-04T09:03:40,ANS\n")
    log = read_log(path, column={"arrival": "start", "queued": "queue_in",
                                 "answered": "pickup", "ended": "hangup", "outcome": "result"},
                   outcomes={"ANS": "answered"}, open="09:00", close="10:00")
    assert log.wait.tolist() == [30.0] and log.talk.tolist() == [180.0]
    assert log.dates[0] is not None and log.dates[0].isoformat() == "2024-03-04"


def test_clock_times_after_midnight_are_taken_on_the_next_day(tmp_path: Path) -> None:
    log = read_log(write(tmp_path, "2024-03-04,23:58:00,retail,23:58:10,,23:59:00,00:04:00,"
                                   "answered,A1"), open="23:00", close="24:00")
    assert log.talk.tolist() == [300.0]
    assert log.selection.after_midnight == 1


def test_days_are_chosen_by_weekday_or_by_date(tmp_path: Path) -> None:
    rows = [row.replace("2024-03-04", day) for day in ("2024-03-04", "2024-03-08", "2024-03-10")
            for row in GOOD[:1]]  # a Monday, a Friday, a Sunday
    path = write(tmp_path, *rows)
    assert len(read_log(path, days="sun-thu", open="09:00", close="10:00").dates) == 2
    log = read_log(path, days=["2024-03-08"], open="09:00", close="10:00")
    assert len(log.dates) == 1 and log.selection.outside_days == 2
    assert weekdays("sun-thu") == {6, 0, 1, 2, 3} and weekdays("fri-sat,mon") == {4, 5, 0}


def test_opening_hours_leave_out_calls_and_count_them(tmp_path: Path) -> None:
    log = read_log(write(tmp_path, *GOOD), open="09:00", close="09:15", interval="15min")
    assert len(log) == 2 and log.selection.outside_hours == 1


CASES = [
    ("queued_before_arrival", "2024-03-04,09:00:00,retail,08:59:00,,09:01:00,09:05:00,answered,A1"),
    ("answered_before_queued",
     "2024-03-04,09:00:00,retail,09:00:30,,09:00:10,09:05:00,answered,A1"),
    ("left_queue_before_queued", "2024-03-04,09:00:00,retail,09:00:30,09:00:20,,,abandoned,"),
    ("ended_before_answered", "2024-03-04,09:00:00,retail,09:00:05,,09:01:00,09:00:50,answered,A1"),
    ("abandoned_but_answered", "2024-03-04,09:00:00,retail,09:00:05,09:01:00,09:01:00,,abandoned,"),
    ("answered_without_answer_time", "2024-03-04,09:00:00,retail,09:00:05,,,09:05:00,answered,A1"),
    ("answered_without_end", "2024-03-04,09:00:00,retail,09:00:05,,09:01:00,,answered,A1"),
    ("abandoned_without_leaving_time", "2024-03-04,09:00:00,retail,09:00:05,,,,abandoned,"),
]


@pytest.mark.parametrize("kind, row", CASES)
def test_each_contradiction_is_left_out_and_counted_by_kind(tmp_path: Path, kind: str,
                                                            row: str) -> None:
    log = read_log(write(tmp_path, *GOOD, row), open="09:00", close="10:00")
    assert len(log) == 3  # the good rows only
    assert log.selection.contradictions[kind] == 1
    assert log.selection.contradicting_rows == 1
    assert log.selection.examples[kind] == (5,)  # the header is row 1
    assert any(kind in line for line in log.selection.lines())


def test_every_kind_of_contradiction_is_tested() -> None:
    assert {kind for kind, _ in CASES} == set(CONTRADICTIONS)


@pytest.mark.parametrize("change, message", [
    (dict(path="missing.csv"), "cannot read the call log"),
    (dict(header="caller_type,queued"), "no 'arrival' column"),
    (dict(header="date,arrival,outcome"), "needs a 'queued' or an 'answered' column"),
    (dict(column={"arrival": "start"}), "column 'start' (for arrival) is not in the log"),
    (dict(column={"arivals": "arrival"}), "did you mean 'arrival'"),
    (dict(preset="bank"), "no such preset"),
    (dict(rows=["2024-03-04,9h,retail,,,,,other,"]), "row 2, column 'arrival' (arrival)"),
    (dict(rows=["2024-03-04,09:00:00,retail,09:00:05,,09:01:00,09:05:00,ANSWER,A1"]),
     "row 2, column 'outcome' (outcome): unknown outcome 'ANSWER'"),
    (dict(rows=["03/04/2024,09:00:00,retail,,,,,other,"]), "row 2, column 'date' (date)"),
    (dict(rows=["2024-03-04,09:00:00,retail"]), "row 2: 3 cells"),
    (dict(rows=[]), "a header but no rows"),
    (dict(days="fri"), "no call left to fit"),
    (dict(days="funday"), "give weekdays like 'sun-thu'"),
    (dict(open="09:00", close="09:50", interval="30min"), "not a whole number of intervals"),
    (dict(open="10:00", close="09:00"), "must come after open"),
    (dict(formats={"arrival": "julian"}), "unknown timestamp format"),
])
def test_bad_input_is_a_clear_error(tmp_path: Path, change: dict[str, object],
                                    message: str) -> None:
    rows = change.pop("rows", GOOD)
    header = change.pop("header", HEADER)
    path = write(tmp_path, *rows, header=header)  # type: ignore[arg-type]
    if "path" in change:
        path = tmp_path / str(change.pop("path"))
    change.setdefault("open", "09:00")
    change.setdefault("close", "10:00")
    with pytest.raises(CallLogError, match=None) as error:
        read_log(path, **change)  # type: ignore[arg-type]
    assert message in str(error.value)
    assert isinstance(error.value, SimcallError)  # the CLI's exit 2


def test_an_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(CallLogError, match="empty"):
        read_log(path)


def test_without_an_outcome_column_the_outcome_is_inferred(tmp_path: Path) -> None:
    header = "arrival,queued,answered,ended"
    log = read_log(write(tmp_path, "100,110,150,300", "200,210,,260", "300,,,",
                         header=header), open="00:00", close="01:00")
    assert log.outcome.tolist() == [0, 1, 2]
    assert log.wait[:2].tolist() == [40.0, 50.0]  # the hang-up is the abandoned call's end
    assert np.isnan(log.wait[2])
    assert log.dates == (None,)


def test_a_preset_missing_value_means_none(tmp_path: Path) -> None:
    header = ("vru_line,call_id,customer_identified,priority,type,date,vru_entry,vru_exit,"
              "vru_time,q_start,q_exit,q_time,outcome,ser_start,ser_exit,ser_time,server")
    rows = ["AA01,1,0,2,PS,1999-08-01,9:00:00,9:00:05,5,9:00:05,9:01:00,55,AGENT,9:01:00,"
            "9:03:00,120,AG001",
            "AA01,2,0,0,PS,1999-08-01,9:10:00,9:10:05,5,0:00:00,0:00:00,0,HANG,0:00:00,"
            "0:00:00,0,NO_SERVER",
            "AA01,3,0,0,PS,1999-08-01,9:20:00,9:20:05,5,0:00:00,0:00:00,0,PHANTOM,0:00:00,"
            "0:00:00,0,NO_SERVER"]
    log = read_log(write(tmp_path, *rows, header=header), "anonymous-bank")
    assert log.selection.left_out == {"PHANTOM": 1}
    assert log.caller_types == ("PS", "PS (priority 2)")
    assert log.credit == (0.0, 90.0)
    assert log.reached.tolist() == [True, False]  # never queued: hung up in the menu


def test_fit_refuses_bad_options_and_fits_a_log_without_agents(tmp_path: Path) -> None:
    import simcall

    path = write(tmp_path, *GOOD)
    with pytest.raises(CallLogError, match="patience='bogus'"):
        simcall.fit(path, open="09:00", close="10:00", patience="bogus")
    with pytest.raises(CallLogError, match="session_gap"):
        simcall.fit(path, open="09:00", close="10:00", session_gap="soon")
    header = "arrival,queued,answered,ended"
    result = simcall.fit(write(tmp_path, "100,110,150,300", "200,210,,260", header=header,
                               name="no_agents.csv"), open="00:00", close="01:00")
    assert result.scenario["agents"][0]["staff"] == [0, 0]
    assert "names no agent" in result.notes["agents[0].staff"]
    assert result.estimates.not_ready.gaps.size == 0
