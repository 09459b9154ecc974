"""Every interval's (and day's) KPIs in one pass over the calls are those of a loop per group.

``run_metrics`` once computed each interval's KPIs with ``call_kpis`` of that interval's
calls, some thirty numpy calls per interval; ``grouped_kpis`` now counts and sums every
interval at once with ``np.bincount``. The old per-interval and per-day loops are kept here
(``old_interval_breakdown``, ``old_day_breakdown``) as the reference. Checked:

* ``grouped_kpis`` against ``call_kpis`` of each group's mask, on random group keys with
  keys out of range (calls of no group) and empty groups;
* whole runs of ready scenarios (several caller types and departments, redials numbered
  after the drawn calls, a warm-up, a five-day week, money) and a multi-day run: every
  field of the ``RunMetrics`` but the intervals and days bit for bit what the old loops
  give, and every KPI of every interval and day the same up to the order of summation
  (see :func:`assert_same_kpis`).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import simcall
import simcall.results.metrics as metrics
from simcall.experiments.runner import simulate, window
from simcall.model.records import Records
from simcall.results.call_facts import CallFacts, grouped_kpis
from simcall.results.metrics import (
    Kpis,
    Window,
    call_kpis,
    occupancy,
)
from simcall.results.money import Losses, Prices, with_wages
from simcall.results.revisits import find_revisits

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
EPS = sys.float_info.epsilon


# -- the reference: the loops run_metrics had before the one pass ----------------------------

def old_interval_breakdown(records: Records, window: Window, facts: CallFacts,
                           interval_of: np.ndarray, wages: np.ndarray) -> list[Kpis]:
    """One ``call_kpis`` per interval, of a mask over every call."""
    interval_occupancy = occupancy(records, *window.interval_windows())
    intervals = []
    for k in range(window.intervals):
        kpis = call_kpis(facts, interval_of == k, window)
        kpis["occupancy"] = float(interval_occupancy[k])
        with_wages(kpis, float(wages[:, :, k].sum()))
        intervals.append(kpis)
    return intervals


def old_day_breakdown(records: Records, window: Window, facts: CallFacts,
                      day_of: np.ndarray) -> list[Kpis]:
    """One ``call_kpis`` per day, of a mask over every call.

    Occupancy is asked for every day at once, as ``day_breakdown`` does: the agent-seconds
    below a boundary are sums over the periods binned by all the boundaries asked for
    (``agent_seconds``), so one day alone would differ in the last bits. That every
    window gets its own integral is ``test_in_windows_is_the_integral_over_each_window``
    (``test_metrics.py``); this test is about the calls."""
    openings = np.arange(window.days) * window.period
    busy = occupancy(records, np.maximum(openings, window.warmup),
                     np.maximum(openings + window.day_length, window.warmup)).tolist()
    days = []
    for day in range(window.days):
        kpis = call_kpis(facts, day_of == day, window)
        kpis["occupancy"] = busy[day]
        days.append(kpis)
    return days


# the KPIs made of float sums; every other KPI is a count or a ratio of whole numbers
SUMMED = frozenset({"asa_s", "callback_wait_s", "lost_value", "defections", "wage_cost",
                    "total_cost"})


def assert_same_kpis(new: list[Kpis], old: list[Kpis]) -> None:
    """The same KPIs in the same order, equal bit for bit (``nan`` where the old was
    ``nan``), but for the :data:`SUMMED` ones: equal up to the order of summation.

    The one pass adds ``wait``, ``lost_value`` and ``defections`` one call after another per
    group (``np.bincount``), the old loop with numpy's pairwise ``sum`` (and wages over
    groups and days in another order). Both add non-negative terms, so each is within
    ``(n - 1) * eps`` (relative) of the exact sum of a group's ``n`` calls, and the two
    within twice that; the division of a mean and the addition of ``total_cost``
    (non-negative terms too) round once more each. So ``rtol`` is ``2 * (n + 1) * eps``
    for the largest group: about 2e-13 at 1,000 calls, nothing that hides a miscount (one
    call in ``n`` is ``1 / n``). Counts and ratios of counts are exact in floats, in any
    order of addition.
    """
    assert len(new) == len(old)
    largest = max((kpis["offered"] for kpis in old), default=0.0)
    rtol = 2 * (largest + 1) * EPS
    for new_kpis, old_kpis in zip(new, old, strict=True):
        assert list(new_kpis) == list(old_kpis)
        for name, value in old_kpis.items():
            if name in SUMMED and not math.isnan(value):
                assert new_kpis[name] == pytest.approx(value, rel=rtol, abs=0.0), name
            else:
                assert repr(new_kpis[name]) == repr(value), name  # nan is nan


# -- grouped_kpis against call_kpis per group -------------------------------------------------

@pytest.fixture(scope="module")
def money_facts() -> tuple[CallFacts, Window]:
    """A small run with money (so lost value and defections are not all zero)."""
    scenario = simcall.load(SCENARIOS / "large_accounts.toml")
    records = simulate(scenario, seed=5).records
    assert records is not None
    the_window = window(scenario)
    losses = Losses.of(records, Prices.of(scenario), the_window.threshold,
                       the_window.transfers_at_most)
    revisits = find_revisits(records.visits, records.calls.arrival.size,
                             len(scenario.departments))
    facts = CallFacts.of(records, losses, revisits.per_call, the_window.threshold,
                         the_window.transfers_at_most)
    return facts, the_window


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 6))
def test_grouped_kpis_are_call_kpis_of_each_group(
        money_facts: tuple[CallFacts, Window], seed: int, count: int) -> None:
    facts, the_window = money_facts
    keys = np.random.default_rng(seed).integers(-2, 8, size=facts.calls.arrival.size)
    new = grouped_kpis(facts, keys, count)
    assert len(new) == count
    assert_same_kpis(new, [call_kpis(facts, keys == k, the_window) for k in range(count)])


def test_an_empty_group_has_zero_counts_and_nan_ratios(
        money_facts: tuple[CallFacts, Window]) -> None:
    facts, _ = money_facts
    kpis = grouped_kpis(facts, np.zeros(facts.calls.arrival.size, dtype=np.int64), 2)[1]
    assert kpis["offered"] == kpis["callers"] == kpis["lost_value"] == 0.0
    assert math.isnan(kpis["service_level"]) and math.isnan(kpis["asa_s"])


def test_the_comparison_sees_one_call_moved(money_facts: tuple[CallFacts, Window]) -> None:
    """The tolerance is no blanket: one call counted in the wrong group fails it."""
    facts, the_window = money_facts
    keys = np.arange(facts.calls.arrival.size) % 3
    old = [call_kpis(facts, keys == k, the_window) for k in range(3)]
    moved = np.flatnonzero(facts.answered)[0]
    keys[moved] = (keys[moved] + 1) % 3
    with pytest.raises(AssertionError):
        assert_same_kpis(grouped_kpis(facts, keys, 3), old)


def test_caller_outcomes_by_bincount_are_those_of_logical_or_at() -> None:
    """``caller_outcomes`` marks the callers with some resolved (reached) attempt with a
    ``bincount``; the old ``np.logical_or.at`` gives the same marks, on a run with redials."""
    from simcall.model.records import Outcome
    from simcall.results.call_facts import caller_outcomes

    scenario = simcall.load(SCENARIOS / "real_centre.toml")
    records = simulate(scenario, seed=4).records
    assert records is not None
    calls = records.calls
    assert (calls.attempt > 1).any()  # redials: callers with several attempts
    resolved = np.isin(calls.outcome, (Outcome.ANSWERED, Outcome.SELF_SERVED,
                                       Outcome.CALLED_BACK))
    reached = resolved | np.isin(calls.outcome, (Outcome.VOICEMAIL, Outcome.IN_SYSTEM))
    marks = []
    for attempts in (resolved, reached):
        by_caller = np.zeros(calls.outcome.size, dtype=bool)
        np.logical_or.at(by_caller, calls.first_call, attempts)
        marks.append(by_caller[calls.first_call])
    seen = caller_outcomes(calls)
    assert (seen.resolved_ever == marks[0]).all() and (seen.reached_ever == marks[1]).all()
    assert not seen.resolved_ever.all() and not seen.reached_ever.all()


# -- whole runs ----------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "update"), [
    ("helpdesk.toml", {}),
    ("five_departments.toml", {}),
    ("real_centre.toml", {"warmup": 3600.0}),
    ("week.toml", {}),
    ("large_accounts.toml", {}),
    ("helpdesk.toml", {"days": 3}),
])
def test_run_metrics_are_those_of_the_loops_per_interval(
        name: str, update: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = simcall.load(SCENARIOS / name)
    if update:
        scenario = simcall.from_dict({**scenario.model_dump(mode="json"), **update})
    new = simcall.simulate(scenario, seed=3).metrics
    monkeypatch.setattr(metrics, "interval_breakdown", old_interval_breakdown)
    monkeypatch.setattr(metrics, "day_breakdown", old_day_breakdown)
    old = simcall.simulate(scenario, seed=3).metrics
    assert len(new.intervals) == scenario.intervals
    assert len(new.days) == scenario.days
    assert_same_kpis(list(new.intervals), list(old.intervals))
    assert_same_kpis(list(new.days), list(old.days))
    rest = {"intervals": (), "days": ()}
    assert repr(new.__class__(**{**new.__dict__, **rest})) == repr(
        old.__class__(**{**old.__dict__, **rest}))


def test_losses_without_defection_are_the_zeros_the_full_computation_gives() -> None:
    """``Losses.of`` skips the experience table when no caller type can defect."""
    from simcall.results.money import defection_chance

    scenario = simcall.load(SCENARIOS / "five_departments.toml")
    records = simulate(scenario, seed=2).records
    assert records is not None
    prices = Prices.free(len(scenario.callers), len(scenario.agents))
    losses = Losses.of(records, prices, 20.0, 1)
    chance = defection_chance(records, prices, 20.0, 1)
    assert losses.defections.tobytes() == chance.tobytes()
    assert losses.lost_value.tobytes() == (chance * 0.0).tobytes()
