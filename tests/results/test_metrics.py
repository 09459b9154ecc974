"""KPIs from call records (``simcall.results.metrics``), against SPEC "Metrics".

Checked here:

* the KPIs of one set of rows (``outcome_kpis`` here: the ``group_sums`` and
  ``kpis_of_sums`` a department's KPIs come from) on tiny hand-made columns, every
  expected value computed by hand in the test: service level (answered strictly within
  the threshold / (answered + abandoned)), ASA, p_wait over calls that reached a queue
  only, abandon rate, block rate over offered, mean transfers, transfer_share_within, the
  counts, and nan wherever a denominator is 0;
* ``agent_seconds`` and ``in_windows`` (the basis of occupancy and head counts) against an
  independent brute-force integral of the head count, on random periods and windows
  (hypothesis, derandomised by ``tests/conftest.py``), and ``occupancy`` adding the days of
  an interval up before dividing;
* on whole tiny scripted runs, where the answer can be worked out by hand: warm-up is a
  query window (calls arriving before it count nowhere, occupancy is measured from it),
  calls count in the interval they arrived in, departments count every entry;
* ``check_conservation`` accepts real records and raises ``ConservationError`` when a call
  or a visit is dropped from them (so the check can fail), also from ``run_metrics``.

``mean_transfers`` is a mean over one population, the answered calls (it was a strict
xfail: called-back calls' transfers were counted over the answered calls).
"""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import simcall
from helpers import scenario_from
from simcall.model.records import Outcome, Periods, Records
from simcall.results.call_facts import CallFacts, group_sums, kpis_of_sums
from simcall.results.metrics import (
    DEPARTMENT_KPIS,
    ConservationError,
    Window,
    agent_seconds,
    check_conservation,
    in_windows,
    occupancy,
    run_metrics,
)

WINDOW = Window(threshold=20.0, transfers_at_most=1, warmup=0.0, interval=1800.0,
                intervals=2, ring=6.0)
NAN = math.nan


def outcome_kpis(outcome: np.ndarray, waited: np.ndarray, wait: np.ndarray,
                 transfers: np.ndarray, limited: np.ndarray, window: Window) -> dict[str, float]:
    """The KPIs of one set of rows as ``run_metrics`` makes a department's: their
    ``group_sums`` (as queue-visit rows, ``CallFacts.of_rows``), through ``kpis_of_sums``."""
    facts = CallFacts.of_rows(outcome, waited, wait, transfers, limited,
                              np.zeros(outcome.size, dtype=bool), window.threshold,
                              window.transfers_at_most)
    kpis = kpis_of_sums(group_sums(facts, np.zeros(outcome.size, dtype=np.int64), 1))[0]
    return {name: kpis[name] for name in DEPARTMENT_KPIS[:-2]}


def _kpis(rows: list[tuple[Outcome, bool, float, int]],
          window: Window = WINDOW) -> dict[str, float]:
    """outcome_kpis of rows (outcome, waited, wait, transfers); no row transfer-limited."""
    outcome = np.array([int(r[0]) for r in rows], dtype=np.int8)
    waited = np.array([r[1] for r in rows], dtype=bool)
    wait = np.array([r[2] for r in rows], dtype=float)
    transfers = np.array([r[3] for r in rows], dtype=np.int32)
    return outcome_kpis(outcome, waited, wait, transfers, np.zeros(len(rows), dtype=bool),
                        window)


# -- outcome_kpis ----------------------------------------------------------------------------

ROWS = [
    # outcome, waited, wait, transfers
    (Outcome.ANSWERED, True, 5.0, 0),
    (Outcome.ANSWERED, True, 20.0, 2),  # exactly at the threshold: NOT within ("< N x ring")
    (Outcome.ANSWERED, False, 0.0, 1),
    (Outcome.ABANDONED, True, 50.0, 0),
    (Outcome.BLOCKED, False, NAN, 0),
    (Outcome.SELF_SERVED, False, NAN, 0),
    (Outcome.IVR_HANG_UP, False, NAN, 0),
    (Outcome.VOICEMAIL, True, 60.0, 0),
    (Outcome.IN_SYSTEM, True, NAN, 0),
    (Outcome.CALLED_BACK, True, 90.0, 0),
]


def test_outcome_kpis_by_hand() -> None:
    kpis = _kpis(ROWS)
    # answered 3, abandoned 1; within 20 s: waits 5 and 0 (20 is not < 20)
    assert kpis["service_level"] == pytest.approx(2 / 4)
    assert kpis["asa_s"] == pytest.approx((5 + 20 + 0) / 3)
    # reached a queue: answered 3, abandoned, voicemail, in system, called back = 7 rows
    # (blocked, self-served, menu hang-up did not); of those, all but one answered waited
    assert kpis["p_wait"] == pytest.approx(6 / 7)
    assert kpis["abandon_rate"] == pytest.approx(1 / 4)
    assert kpis["block_rate"] == pytest.approx(1 / 10)  # over all 10 offered
    assert kpis["mean_transfers"] == pytest.approx((0 + 2 + 1) / 3)
    # answered with at most 1 transfer: 0 and 1, not 2
    assert kpis["transfer_share_within"] == pytest.approx(2 / 3)
    assert kpis["callback_wait_s"] == 90.0
    assert math.isnan(kpis["occupancy"])  # not a property of calls


def test_outcome_counts_by_hand() -> None:
    kpis = _kpis(ROWS)
    assert {k: kpis[k] for k in ("offered", "answered", "abandoned", "blocked", "voicemail",
                                 "self_served", "ivr_hang_ups", "called_back", "in_system")} == {
        "offered": 10, "answered": 3, "abandoned": 1, "blocked": 1, "voicemail": 1,
        "self_served": 1, "ivr_hang_ups": 1, "called_back": 1, "in_system": 1}
    # conservation of the counts themselves
    assert kpis["offered"] == sum(kpis[k] for k in (
        "answered", "abandoned", "blocked", "voicemail", "self_served", "ivr_hang_ups",
        "called_back", "in_system"))


def test_the_threshold_and_transfer_limit_come_from_the_window() -> None:
    wide = dataclasses.replace(WINDOW, threshold=20.5, transfers_at_most=2)
    kpis = _kpis(ROWS, wide)
    assert kpis["service_level"] == pytest.approx(3 / 4)  # now 20 < 20.5 counts
    assert kpis["transfer_share_within"] == pytest.approx(3 / 3)


def test_transfer_limited_counts_marked_rows() -> None:
    outcome = np.array([Outcome.ANSWERED, Outcome.ANSWERED, Outcome.ABANDONED], dtype=np.int8)
    limited = np.array([True, False, True])
    kpis = outcome_kpis(outcome, np.zeros(3, dtype=bool), np.zeros(3), np.ones(3, dtype=int),
                        limited, WINDOW)
    assert kpis["transfer_limited"] == 2


def test_undefined_ratios_are_nan_not_zero() -> None:
    empty = _kpis([])
    for name in ("service_level", "asa_s", "p_wait", "abandon_rate", "block_rate",
                 "mean_transfers", "transfer_share_within", "callback_wait_s"):
        assert math.isnan(empty[name]), name
    assert empty["offered"] == 0
    # calls that never reached a queue: block rate is defined, queue ratios are not
    kpis = _kpis([(Outcome.BLOCKED, False, NAN, 0), (Outcome.SELF_SERVED, False, NAN, 0)])
    assert kpis["block_rate"] == pytest.approx(1 / 2)
    for name in ("service_level", "asa_s", "p_wait", "abandon_rate", "mean_transfers",
                 "transfer_share_within"):
        assert math.isnan(kpis[name]), name
    # only abandoned calls: service level and abandon rate are defined, ASA is not
    kpis = _kpis([(Outcome.ABANDONED, True, 30.0, 0)])
    assert (kpis["service_level"], kpis["abandon_rate"]) == (0.0, 1.0)
    assert math.isnan(kpis["asa_s"]) and math.isnan(kpis["mean_transfers"])


def test_mean_transfers_is_a_mean_over_one_population() -> None:
    """Transfers of the answered calls over the answered calls: a called-back call can be
    transferred after its callback (calls.py: _on_talk_end) but is not an answered call.
    (Was a strict xfail: every row's transfers were divided by the answered rows.)"""
    kpis = _kpis([(Outcome.ANSWERED, False, 0.0, 1), (Outcome.CALLED_BACK, True, 99.0, 1),
                  (Outcome.ANSWERED, True, 4.0, 2)])
    assert kpis["mean_transfers"] == pytest.approx(1.5)


# -- agent_seconds / in_windows against a brute-force integral -------------------------------


def _head_count_integral(starts: list[float], ends: list[float], lo: float, hi: float) -> float:
    """The integral over [lo, hi) of the number of periods [start, end) covering t, summed
    segment by segment between consecutive breakpoints (the head count is constant there)."""
    if hi <= lo:
        return 0.0
    points = sorted({lo, hi, *(p for p in (*starts, *ends) if lo < p < hi)})
    total = 0.0
    for left, right in itertools.pairwise(points):
        middle = (left + right) / 2
        heads = sum(1 for s, e in zip(starts, ends, strict=True) if s <= middle < e)
        total += heads * (right - left)
    return total


TIMES = st.floats(min_value=0.0, max_value=1000.0, allow_nan=False)


@st.composite
def periods(draw: st.DrawFn) -> Periods:
    rows = draw(st.lists(st.tuples(st.integers(0, 2), TIMES, TIMES), max_size=12))
    group = np.array([g for g, _, _ in rows], dtype=np.int32)
    start = np.array([min(a, b) for _, a, b in rows], dtype=float)
    end = np.array([max(a, b) for _, a, b in rows], dtype=float)
    return Periods(group=group, start=start, end=end)


@given(periods(), st.lists(st.floats(min_value=0.0, max_value=1200.0), min_size=1,
                           max_size=6))
def test_agent_seconds_is_the_integral_of_the_head_count(
        spans: Periods, boundaries: list[float]) -> None:
    seconds = agent_seconds(spans, np.array(boundaries))
    expected = [_head_count_integral(spans.start.tolist(), spans.end.tolist(), 0.0, b)
                for b in boundaries]
    np.testing.assert_allclose(seconds, expected, rtol=1e-9, atol=1e-6)


@given(periods(), st.lists(st.tuples(TIMES, TIMES), min_size=1, max_size=6),
       st.sets(st.integers(0, 2)))
def test_in_windows_is_the_integral_over_each_window(
        spans: Periods, windows: list[tuple[float, float]], groups: set[int]) -> None:
    begin = np.array([min(w) for w in windows])
    finish = np.array([max(w) for w in windows])
    chosen = np.array(sorted(groups), dtype=np.int32)
    keep = np.isin(spans.group, chosen)
    starts, ends = spans.start[keep].tolist(), spans.end[keep].tolist()
    expected = [_head_count_integral(starts, ends, b, f)
                for b, f in zip(begin.tolist(), finish.tolist(), strict=True)]
    np.testing.assert_allclose(in_windows(spans, begin, finish, chosen), expected,
                               rtol=1e-9, atol=1e-6)


def test_in_windows_keeps_the_shape_of_its_windows() -> None:
    # two agents: one on [0, 100), one on [50, 250); windows as a 2 x 2 array
    spans = Periods(group=np.array([0, 1], dtype=np.int32), start=np.array([0.0, 50.0]),
                    end=np.array([100.0, 250.0]))
    begin = np.array([[0.0, 50.0], [100.0, 300.0]])
    finish = np.array([[50.0, 100.0], [200.0, 400.0]])
    # [0,50): 1 head; [50,100): 2 heads; [100,200): 1 head; [300,400): nobody
    np.testing.assert_allclose(in_windows(spans, begin, finish),
                               [[50.0, 100.0], [100.0, 0.0]])
    np.testing.assert_allclose(in_windows(spans, begin, finish, np.array([1])),
                               [[0.0, 50.0], [100.0, 0.0]])


# -- whole tiny runs -------------------------------------------------------------------------

# one agent on duty all day, talk exactly 100 s, callers who never hang up, no pickup delay;
# two 30-minute intervals and a 10-minute warm-up, service-level threshold 20 s (default)
WARM_SCENARIO = {"interval": "30min", "intervals": 2, "warmup": "10min"}
ARRIVALS = (60.0, 550.0, 700.0, 1790.0, 1795.0, 2000.0)


@pytest.fixture(scope="module")
def warm_run() -> simcall.RunResult:
    scenario = scenario_from(**WARM_SCENARIO)
    script = [simcall.Arrival(at=t, caller="customers") for t in ARRIVALS]
    return simcall.simulate(scenario, seed=1, arrivals=script)


def test_warm_up_is_a_query_window(warm_run: simcall.RunResult) -> None:
    # By hand: every call is answered at once except the one at 1795 s, which waits for the
    # 1790 s call to end at 1890 s (answer time 95 s). The calls at 60 s and 550 s arrive
    # before the 600 s warm-up and count nowhere: 4 calls remain.
    overall = warm_run.metrics.overall
    assert overall["offered"] == 4
    assert overall["asa_s"] == pytest.approx(95 / 4)
    assert overall["service_level"] == pytest.approx(3 / 4)
    assert overall["p_wait"] == pytest.approx(1 / 4)
    assert warm_run.metrics.departments["support"]["offered"] == 4
    assert warm_run.metrics.callers["customers"]["offered"] == 4
    assert sum(k["offered"] for k in warm_run.metrics.intervals) == 4
    assert sum(warm_run.metrics.ring_shares) == pytest.approx(1.0)
    assert warm_run.metrics.ring_shares[0] == pytest.approx(3 / 4)  # 95 s is ring 16
    # occupancy from the warm-up on: busy [550,650) contributes 50 s after 600, then
    # [700,800), [1790,1890), [1890,1990), [2000,2100): 450 s over 3000 staffed seconds
    assert overall["occupancy"] == pytest.approx(450 / 3000)


def test_calls_count_in_the_interval_they_arrived_in(warm_run: simcall.RunResult) -> None:
    first, second = warm_run.metrics.intervals
    # interval 0 = [0, 1800) minus warm-up: 700, 1790 and 1795 (answered at 1890, in
    # interval 1, but it arrived in interval 0); interval 1: 2000
    assert (first["offered"], second["offered"]) == (3, 1)
    assert first["asa_s"] == pytest.approx(95 / 3)
    assert first["service_level"] == pytest.approx(2 / 3)
    assert second["asa_s"] == 0.0
    # occupancy within each interval's own window, clipped to the warm-up:
    # [600,1800): 50 + 100 + 10 = 160 s busy of 1200; [1800,3600): 90 + 100 + 100 of 1800
    assert first["occupancy"] == pytest.approx(160 / 1200)
    assert second["occupancy"] == pytest.approx(290 / 1800)
    assert first["staffed_agents"] == second["staffed_agents"] == 1.0


def test_departments_count_every_entry_overall_counts_each_call_once() -> None:
    # every support call is transferred to billing: 2 calls, 2 entries in each queue
    scenario = scenario_from(
        departments=[{"name": "support", "talk": {"dist": "deterministic", "value": 100},
                      "transfer": {"billing": 1.0}},
                     {"name": "billing", "talk": {"dist": "deterministic", "value": 50}}],
        agents=[{"name": "front", "skills": ["support"], "staff": 1},
                {"name": "back", "skills": ["billing"], "staff": 1}])
    script = [simcall.Arrival(at=t, caller="customers") for t in (0.0, 500.0)]
    run = simcall.simulate(scenario, seed=1, arrivals=script)
    assert run.metrics.overall["offered"] == 2
    assert run.metrics.overall["mean_transfers"] == pytest.approx(1.0)  # 2 transfers / 2
    assert run.metrics.overall["transfer_share_within"] == pytest.approx(1.0)
    support, billing = run.metrics.departments["support"], run.metrics.departments["billing"]
    assert (support["offered"], billing["offered"]) == (2, 2)
    assert support["mean_transfers"] == pytest.approx(1.0)  # transfers out of it per answer
    assert billing["mean_transfers"] == 0.0
    assert math.isnan(support["transfer_share_within"])  # a per-caller notion only


def test_calls_left_waiting_count_as_having_waited() -> None:
    """A call still waiting when the run ends (IN_SYSTEM, no finished visit) found no free
    agent: p_wait counts it as having waited (it reported 0 here before the fix)."""
    # one agent in the first half hour, nobody in the second; callers never hang up, so the
    # two calls of the second interval wait until the run ends: both found no free agent
    scenario = scenario_from(interval="30min", intervals=2,
                             agents=[{"name": "team", "skills": ["support"], "staff": [1, 0]}])
    script = [simcall.Arrival(at=t, caller="customers") for t in (100.0, 2000.0, 2100.0)]
    run = simcall.simulate(scenario, seed=1, arrivals=script)
    second = run.metrics.intervals[1]
    assert second["in_system"] == 2  # premise: both still waiting at the end
    assert second["p_wait"] == pytest.approx(1.0)


# -- conservation ----------------------------------------------------------------------------


def _drop_call(records: Records, index: int) -> Records:
    calls = records.calls
    fewer = dataclasses.replace(calls, **{
        f.name: np.delete(getattr(calls, f.name), index) for f in dataclasses.fields(calls)})
    return dataclasses.replace(records, calls=fewer)


def _drop_visit(records: Records, index: int) -> Records:
    visits = records.visits
    fewer = dataclasses.replace(visits, **{
        f.name: np.delete(getattr(visits, f.name), index) for f in dataclasses.fields(visits)})
    return dataclasses.replace(records, visits=fewer)


def test_conservation_accepts_real_records(warm_run: simcall.RunResult) -> None:
    assert warm_run.records is not None
    check_conservation(warm_run.records)  # raises if unbalanced
    assert warm_run.records.calls.outcome.size == len(ARRIVALS)


def test_conservation_fails_when_a_call_is_dropped(warm_run: simcall.RunResult) -> None:
    records = warm_run.records
    assert records is not None
    with pytest.raises(ConservationError, match="call rows for"):
        check_conservation(_drop_call(records, 2))
    # run_metrics checks too: broken records never turn into KPIs
    window = dataclasses.replace(WINDOW, warmup=600.0)
    with pytest.raises(ConservationError):
        run_metrics(_drop_call(records, 2), window, ["support"], ["customers"], ["team"], [(0,)])


def test_conservation_fails_when_a_visit_is_dropped(warm_run: simcall.RunResult) -> None:
    records = warm_run.records
    assert records is not None
    with pytest.raises(ConservationError, match="visits"):
        check_conservation(_drop_visit(records, 0))


def test_conservation_fails_when_a_call_is_relabelled_in_system() -> None:
    # a drained run has nobody left waiting: a call marked IN_SYSTEM there is unaccounted
    run = simcall.simulate(scenario_from(), seed=3)
    records = run.records
    assert records is not None and records.calls.outcome.size > 0
    outcome = records.calls.outcome.copy()
    outcome[0] = Outcome.IN_SYSTEM
    broken = dataclasses.replace(records, calls=dataclasses.replace(records.calls,
                                                                    outcome=outcome))
    with pytest.raises(ConservationError, match="never left their first queue"):
        check_conservation(broken)


def test_occupancy_adds_up_days_before_dividing() -> None:
    # an interval's windows over 2 days (2-D begin): day 0 has 10 s busy of 100 staffed,
    # day 1 90 s busy of 300 staffed (3 agents): (10 + 90) / (100 + 300) = 0.25, where the
    # mean of the daily ratios would be (0.1 + 0.3) / 2 = 0.2
    busy = Periods(group=np.zeros(2, dtype=np.int32), start=np.array([0.0, 1000.0]),
                   end=np.array([10.0, 1090.0]))
    staffed = Periods(group=np.zeros(4, dtype=np.int32),
                      start=np.array([0.0, 1000.0, 1000.0, 1000.0]),
                      end=np.array([100.0, 1100.0, 1100.0, 1100.0]))
    begin = np.array([[0.0], [1000.0]])
    np.testing.assert_allclose(occupancy(in_windows(busy, begin, begin + 100.0),
                                         in_windows(staffed, begin, begin + 100.0)),
                               [100 / 400])
