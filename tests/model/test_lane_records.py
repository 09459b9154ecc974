"""The express lane's records kept as its notes (``LaneRecords``), derived when asked for.

A long run summarised without its tables holds the notes and the drawn demand only; that
is only right if what is derived from them, a block of calls at a time, is what the
tables hold. Checked:

* ``LaneRecords.blocks`` gives, for blocks of 1, 7 and 4,096 calls, the very calls,
  visits and ring-no-answers that ``Records.blocks`` gives of the derived tables, bit for
  bit, and the busy spells of all blocks together are the tables' busy spells in their
  order; on ready scenarios with transfers (``five_departments``) and redials (``week``),
  and on random centres that fit the lane (hypothesis);
* the metrics of the notes are those of the tables, bit for bit;
* ``simulate`` keeps the notes, not the tables, and ``RunResult.records`` derives the
  tables on first use: those of ``run_replication``, every column.
"""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model.test_express import express_only
from model.test_properties import scenarios

import simcall
from helpers import SCENARIOS
from simcall.experiments.runner import window
from simcall.model.express import express_fits
from simcall.model.notes import LaneRecords
from simcall.model.records import CallBlock, Records
from simcall.model.replication import record_replication, run_replication
from simcall.results.metrics import run_metrics
from simcall.results.money import Prices


def kept(scenario: simcall.Scenario, seed: int) -> LaneRecords:
    lane = record_replication(scenario, seed)
    assert isinstance(lane, LaneRecords)
    return lane


def same_table(a: object, b: object) -> None:
    for field in dataclasses.fields(a):  # type: ignore[arg-type]
        left, right = getattr(a, field.name), getattr(b, field.name)
        assert left.dtype == right.dtype, field.name
        assert left.tobytes() == right.tobytes(), field.name


def same_blocks(lane: LaneRecords, tables: Records, size: int) -> None:
    mine, theirs = list(lane.blocks(size)), list(tables.blocks(size))
    assert [b.first for b in mine] == [b.first for b in theirs]
    for a, b in zip(mine, theirs, strict=True):
        for table in ("calls", "visits", "rona"):
            same_table(getattr(a, table), getattr(b, table))
    same_table(joined_busy(mine), tables.busy)


def joined_busy(blocks: list[CallBlock]) -> object:
    parts = [b.busy for b in blocks]
    return dataclasses.replace(parts[0], **{
        name: np.concatenate([getattr(p, name) for p in parts])
        for name in ("group", "start", "end")})


def metrics_of(scenario: simcall.Scenario, records: object, block: int) -> object:
    return run_metrics(records, window(scenario),  # type: ignore[arg-type]
                       [d.name for d in scenario.departments],
                       [c.name for c in scenario.callers], [g.name for g in scenario.agents],
                       [tuple(scenario.department_index(s) for s in g.skills)
                        for g in scenario.agents], Prices.of(scenario), block=block)


@pytest.mark.parametrize("name", ["five_departments", "week", "helpdesk"])
def test_blocks_of_the_notes_are_the_blocks_of_the_tables(name: str) -> None:
    scenario = simcall.load(SCENARIOS / f"{name}.toml")
    lane = kept(scenario, seed=3)
    tables = lane.tables()
    if name == "five_departments":
        assert tables.visits.transferred.any()  # later visits, found by call
    if name == "week":
        assert lane.has_redials() and tables.has_redials()
    sizes = (1, 7, 4096) if name == "helpdesk" else (7, 4096)
    for size in sizes:
        same_blocks(lane, tables, size)
    for size in (7, 4096):
        assert repr(metrics_of(scenario, lane, size)) == repr(metrics_of(scenario, tables, size))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(0, 2**32 - 1), st.integers(1, 40))
def test_blocks_of_the_notes_on_random_centres(drawn: simcall.Scenario, seed: int,
                                               size: int) -> None:
    scenario = express_only(drawn)  # (transfers, redials, not ready, shifts... kept)
    assert express_fits(scenario)
    lane = kept(scenario, seed)
    tables = lane.tables()
    same_blocks(lane, tables, size)
    assert repr(metrics_of(scenario, lane, size)) == repr(metrics_of(scenario, tables, 1 << 20))


def test_the_comparison_sees_a_visit_moved() -> None:
    """The block comparison is no blanket: blocks from tables that lost a visit fail it."""
    scenario = simcall.load(SCENARIOS / "five_departments.toml")
    lane = kept(scenario, seed=3)
    tables = lane.tables()
    visits = tables.visits
    fewer = dataclasses.replace(visits, **{f.name: getattr(visits, f.name)[1:]
                                           for f in dataclasses.fields(visits)})
    with pytest.raises(AssertionError):
        same_blocks(lane, dataclasses.replace(tables, visits=fewer), 4096)


def test_simulate_keeps_the_notes_and_derives_the_tables_when_asked() -> None:
    scenario = simcall.load(SCENARIOS / "week.toml")
    result = simcall.simulate(scenario, seed=4)
    assert isinstance(result.kept, LaneRecords)
    assert "records" not in result.__dict__  # nothing derived yet
    records = result.records
    assert records is not None and result.records is records  # derived once, then kept
    expected = run_replication(scenario, 4)
    for table in ("calls", "visits", "busy", "staffed", "scheduled", "not_ready", "rona"):
        same_table(getattr(records, table), getattr(expected, table))
    assert records.counters == expected.counters and records.end_time == expected.end_time
    assert simcall.simulate(scenario, seed=4, keep_records=False).records is None


def test_the_general_flow_keeps_tables() -> None:
    scenario = simcall.load(SCENARIOS / "real_centre.toml")
    assert not express_fits(scenario)
    result = simcall.simulate(scenario, seed=4)
    assert isinstance(result.kept, Records) and result.records is result.kept


def test_a_result_travels_without_its_derived_tables() -> None:
    """Pickled (as a worker returns it), a result carries the notes, not the tables derived
    from them; they are derived again on the other side, the same."""
    result = simcall.simulate(simcall.load(SCENARIOS / "five_departments.toml"), seed=2)
    lean = len(pickle.dumps(result))
    records = result.records
    assert records is not None
    again = pickle.loads(pickle.dumps(result))
    assert len(pickle.dumps(result)) == lean and "records" not in again.__dict__
    assert again.records is not None
    for table in ("calls", "visits", "busy"):
        same_table(getattr(again.records, table), getattr(records, table))
