"""Every KPI summed in one pass per block of calls is the KPI of a plain loop per group.

``run_metrics`` once computed each interval's KPIs with ``call_kpis`` of that interval's
calls, some thirty numpy calls per interval, and the overall, caller-type and department
KPIs with numpy's sums over masks of the whole run. Now ``group_sums`` counts and sums
every group at once with ``np.bincount``, block by block of calls
(:class:`~simcall.model.records.CallBlock`). The plain definitions are kept here as the reference
(:func:`reference_outcome_kpis`, :func:`reference_call_kpis`, and the per-department
selection of :func:`reference_departments`). Checked:

* ``grouped_kpis`` against ``reference_call_kpis`` of each group's mask, on random group
  keys with keys out of range (calls of no group) and empty groups;
* whole runs of ready scenarios (several caller types and departments, redials numbered
  after the drawn calls, a warm-up, a five-day week, money) and a multi-day run: the
  overall, interval, day, caller-type and department KPIs the same as the reference's up to
  the order of summation (see :func:`assert_same_kpis`);
* blocks: ``run_metrics`` with blocks of 1, 7 and 4,096 calls gives what one block gives,
  every field (chains, ring and transfer shares, occupancy included) bit for bit, on every
  ready scenario and on random centres (hypothesis): the sums of floats add one call (one
  busy spell) after another onto the sums so far, whatever the blocks.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model.test_properties import scenarios

import simcall
from simcall.experiments.runner import simulate, window
from simcall.model.records import Outcome, Records
from simcall.results.call_facts import (
    QUEUED_LOOKUP,
    CallFacts,
    Reach,
    caller_outcomes,
    group_sums,
    kpis_of_sums,
)
from simcall.results.metrics import Kpis, RunMetrics, Window, run_metrics
from simcall.results.money import Losses, Prices, stay_chances
from simcall.results.revisits import find_revisits

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
READY = sorted(SCENARIOS.glob("*.toml"))
EPS = sys.float_info.epsilon


# -- the reference: the KPIs of one set of rows, with numpy's sums over a mask -------------

def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``; ``nan`` when nothing was there to divide by."""
    return numerator / denominator if denominator > 0 else math.nan


def grouped_kpis(facts: CallFacts, group: np.ndarray, count: int) -> list[Kpis]:
    """What ``run_metrics`` makes of a grouping: the KPIs of the ``group_sums``."""
    return kpis_of_sums(group_sums(facts, group, count))


def reference_outcome_kpis(outcome: np.ndarray, waited: np.ndarray, wait: np.ndarray,
                           transfers: np.ndarray, limited: np.ndarray, window: Window) -> Kpis:
    """SPEC's KPIs of a set of calls or visits, read plainly off their columns."""
    counts = np.bincount(outcome, minlength=len(Outcome))
    answered_mask = outcome == Outcome.ANSWERED
    answered, abandoned = int(counts[Outcome.ANSWERED]), int(counts[Outcome.ABANDONED])
    queued = QUEUED_LOOKUP[outcome]
    answer_times, answered_transfers = wait[answered_mask], transfers[answered_mask]
    called_back = outcome == Outcome.CALLED_BACK
    return {
        "service_level": ratio(int(np.count_nonzero(answer_times < window.threshold)),
                               answered + abandoned),
        "asa_s": float(answer_times.mean()) if answered else math.nan,
        "p_wait": ratio(int(np.count_nonzero(waited[queued])), int(np.count_nonzero(queued))),
        "abandon_rate": ratio(abandoned, answered + abandoned),
        "block_rate": ratio(int(counts[Outcome.BLOCKED]), outcome.size),
        "occupancy": math.nan,
        "mean_transfers": ratio(float(answered_transfers.sum()), answered),
        "transfer_share_within": ratio(
            int(np.count_nonzero(answered_transfers <= window.transfers_at_most)), answered),
        "offered": float(outcome.size),
        **{name: float(counts[kind]) for name, kind in (
            ("answered", Outcome.ANSWERED), ("abandoned", Outcome.ABANDONED),
            ("blocked", Outcome.BLOCKED), ("voicemail", Outcome.VOICEMAIL),
            ("self_served", Outcome.SELF_SERVED), ("ivr_hang_ups", Outcome.IVR_HANG_UP),
            ("called_back", Outcome.CALLED_BACK))},
        "callback_wait_s": float(wait[called_back].mean()) if called_back.any() else math.nan,
        "in_system": float(counts[Outcome.IN_SYSTEM]),
        "transfer_limited": float(np.count_nonzero(limited)),
    }


def reference_call_kpis(facts: CallFacts, rows: np.ndarray, window: Window) -> Kpis:
    """The call KPIs of the calls in ``rows`` (a mask), from a whole run's facts."""
    calls, callers = facts.calls, facts.callers
    kpis = reference_outcome_kpis(calls.outcome[rows], calls.waited[rows], calls.wait[rows],
                                  calls.transfers[rows], calls.limited[rows], window)
    kpis["rona"] = float(facts.rona[rows].sum())
    kpis["voicemail_callbacks"] = float(facts.voicemail_callbacks[rows].sum())
    first = callers.first[rows]
    count = int(np.count_nonzero(first))
    kpis.update({
        "callers": float(count),
        "redials": float(first.size - count),
        "first_attempt_resolution": ratio(int(np.count_nonzero(callers.resolved_first[rows])),
                                          count),
        "eventual_resolution": ratio(int(np.count_nonzero(first & callers.resolved_ever[rows])),
                                     count),
        "lost_callers": float(np.count_nonzero(first & ~callers.reached_ever[rows])),
        "lost_value": float(facts.losses.lost_value[rows].sum()),
        "defections": float(facts.losses.defections[rows].sum()),
        "revisit_rate": ratio(int(np.count_nonzero(facts.sent_back[rows])),
                              int(np.count_nonzero(facts.answered[rows]))),
    })
    return kpis


def reach_of(records: Records) -> Reach | None:
    """Every caller's reach, marked over the whole run at once (``None``: no redials)."""
    if not records.has_redials():
        return None
    reach = Reach.none(records.calls.arrival.size)
    reach.mark(records.calls)
    return reach


def whole_run_facts(scenario: simcall.Scenario, records: Records) -> CallFacts:
    """The facts of every call of a run at once (no blocks)."""
    the_window = window(scenario)
    calls, prices = records.calls, Prices.of(scenario)
    stays = np.ones(calls.arrival.size)
    stay_chances(calls, records.visits, prices, the_window.threshold,
                 the_window.transfers_at_most, stays)
    losses = Losses.of(calls, 0, stays, prices)
    revisits = find_revisits(records.visits, calls.arrival.size, len(scenario.departments))
    return CallFacts.of(calls, records.visits, records.rona.call,
                        caller_outcomes(calls, reach_of(records)), losses,
                        revisits.per_call, the_window.threshold, the_window.transfers_at_most)


def reference_departments(scenario: simcall.Scenario, records: Records) -> list[Kpis]:
    """Each department's call KPIs: every counted entry into its queue and every counted
    call that dialled it and got a busy signal (occupancy and rona left out: agent time)."""
    the_window = window(scenario)
    calls, visits = records.calls, records.visits
    counted = calls.arrival >= the_window.warmup
    revisits = find_revisits(visits, calls.arrival.size, len(scenario.departments))
    out = []
    for d in range(len(scenario.departments)):
        mask = counted[visits.call] & (visits.department == d)
        blocked = counted & (calls.outcome == Outcome.BLOCKED) & (calls.department == d)
        extra = int(blocked.sum())
        kpis = reference_outcome_kpis(
            np.concatenate((visits.outcome[mask], calls.outcome[blocked])),
            np.concatenate((visits.waited[mask], np.zeros(extra, dtype=bool))),
            np.concatenate((visits.wait[mask], np.full(extra, np.nan))),
            np.concatenate((visits.transferred[mask].astype(int), np.zeros(extra, dtype=int))),
            np.concatenate((visits.limited[mask], np.zeros(extra, dtype=bool))), the_window)
        kpis["transfer_share_within"] = math.nan
        here = mask & (visits.outcome == Outcome.ANSWERED)
        kpis["revisit_rate"] = ratio(int(np.count_nonzero(here & revisits.re_entry)),
                                     int(np.count_nonzero(here)))
        out.append(kpis)
    return out


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
    largest = max((kpis.get("offered", 0.0) for kpis in old), default=0.0)
    rtol = 2 * (largest + 1) * EPS
    for new_kpis, old_kpis in zip(new, old, strict=True):
        assert list(new_kpis) == list(old_kpis)
        for name, value in old_kpis.items():
            if name in SUMMED and not math.isnan(value):
                assert new_kpis[name] == pytest.approx(value, rel=rtol, abs=0.0), name
            else:
                assert repr(new_kpis[name]) == repr(value), name  # nan is nan


# -- grouped_kpis against the reference per group ------------------------------------------

@pytest.fixture(scope="module")
def money_facts() -> tuple[CallFacts, Window]:
    """A small run with money (so lost value and defections are not all zero)."""
    scenario = simcall.load(SCENARIOS / "large_accounts.toml")
    records = simulate(scenario, seed=5).records
    assert records is not None
    return whole_run_facts(scenario, records), window(scenario)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 6))
def test_grouped_kpis_are_call_kpis_of_each_group(
        money_facts: tuple[CallFacts, Window], seed: int, count: int) -> None:
    facts, the_window = money_facts
    keys = np.random.default_rng(seed).integers(-2, 8, size=facts.calls.arrival.size)
    new = grouped_kpis(facts, keys, count)
    assert len(new) == count
    assert_same_kpis(new, [reference_call_kpis(facts, keys == k, the_window)
                           for k in range(count)])


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
    old = [reference_call_kpis(facts, keys == k, the_window) for k in range(3)]
    moved = np.flatnonzero(facts.answered)[0]
    keys[moved] = (keys[moved] + 1) % 3
    with pytest.raises(AssertionError):
        assert_same_kpis(grouped_kpis(facts, keys, 3), old)


def test_caller_outcomes_by_first_call_are_those_of_logical_or_at() -> None:
    """``reach_by_caller`` marks the callers with some resolved (reached) attempt through
    their first call; ``np.logical_or.at`` gives the same marks, on a run with redials, and
    so do the marks read block by block."""
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
    reach = reach_of(records)
    seen = caller_outcomes(calls, reach)
    assert (seen.resolved_ever == marks[0]).all() and (seen.reached_ever == marks[1]).all()
    assert not seen.resolved_ever.all() and not seen.reached_ever.all()
    tail = dataclasses.replace(calls, **{name: getattr(calls, name)[500:]
                                         for name in calls.__dataclass_fields__})
    in_block = caller_outcomes(tail, reach)
    assert (in_block.resolved_ever == marks[0][500:]).all()
    assert (in_block.reached_ever == marks[1][500:]).all()


def test_without_redials_a_caller_is_its_one_call() -> None:
    scenario = simcall.load(SCENARIOS / "helpdesk.toml")
    records = simulate(scenario, seed=4).records
    assert records is not None
    assert not records.has_redials() and reach_of(records) is None
    seen = caller_outcomes(records.calls, None)
    outcome = records.calls.outcome
    assert (seen.resolved_ever == (outcome == Outcome.ANSWERED)).all()
    assert not seen.resolved_ever.all()


# -- whole runs ----------------------------------------------------------------------------

def metrics_of(scenario: simcall.Scenario, records: Records, block: int) -> RunMetrics:
    """``run_metrics`` of a run's records in blocks of ``block`` calls."""
    return run_metrics(records, window(scenario), [d.name for d in scenario.departments],
                       [c.name for c in scenario.callers], [g.name for g in scenario.agents],
                       [tuple(scenario.department_index(s) for s in g.skills)
                        for g in scenario.agents], Prices.of(scenario), block=block)


@pytest.mark.parametrize(("name", "update"), [
    ("helpdesk.toml", {}),
    ("five_departments.toml", {}),
    ("real_centre.toml", {"warmup": 3600.0}),
    ("week.toml", {}),
    ("large_accounts.toml", {}),
    ("helpdesk.toml", {"days": 3}),
])
def test_run_metrics_are_those_of_the_plain_loops(name: str, update: dict[str, object]) -> None:
    scenario = simcall.load(SCENARIOS / name)
    if update:
        scenario = simcall.from_dict({**scenario.model_dump(mode="json"), **update})
    records = simulate(scenario, seed=3).records
    assert records is not None
    new = metrics_of(scenario, records, block=500)  # several blocks
    facts, the_window = whole_run_facts(scenario, records), window(scenario)
    arrival = records.calls.arrival
    counted = arrival >= the_window.warmup
    day_of = np.floor(arrival / the_window.period).astype(int)
    interval_of = np.floor((arrival - day_of * the_window.period) / the_window.interval)
    call_fields = list(reference_call_kpis(facts, counted, the_window))

    def calls_only(kpis: Kpis) -> Kpis:
        return {name: kpis[name] for name in call_fields if name != "occupancy"}

    def same(new_kpis: list[Kpis], masks: list[np.ndarray]) -> None:
        old = [calls_only(reference_call_kpis(facts, mask, the_window)) for mask in masks]
        assert_same_kpis([calls_only(kpis) for kpis in new_kpis], old)

    assert len(new.intervals) == scenario.intervals and len(new.days) == scenario.days
    same([new.overall], [counted])
    same(list(new.intervals), [counted & (interval_of == k) for k in range(scenario.intervals)])
    same(list(new.days), [counted & (day_of == k) for k in range(scenario.days)])
    same(list(new.callers.values()), [counted & (records.calls.caller == k)
                                      for k in range(len(scenario.callers))])
    departments = reference_departments(scenario, records)
    assert_same_kpis([{name: kpis[name] for name in departments[0] if name != "occupancy"}
                      for kpis in new.departments.values()],
                     [{name: value for name, value in kpis.items() if name != "occupancy"}
                      for kpis in departments])


def assert_same_metrics(new: RunMetrics, old: RunMetrics) -> None:
    """Every field of two ``RunMetrics`` the same, bit for bit (``nan`` where ``nan``)."""
    assert repr(new) == repr(old)


@pytest.mark.parametrize("path", READY, ids=[p.stem for p in READY])
def test_blocks_of_calls_add_up_to_the_whole_run(path: Path) -> None:
    scenario = simcall.load(path)
    records = simulate(scenario, seed=3).records
    assert records is not None
    whole = metrics_of(scenario, records, block=records.calls.arrival.size + 1)
    sizes = (1, 7, 4096) if path.stem in ("helpdesk", "real_centre") else (7, 4096)
    for size in sizes:
        assert_same_metrics(metrics_of(scenario, records, block=size), whole)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(0, 2**32 - 1), st.integers(1, 60))
def test_blocks_add_up_on_random_centres(scenario: simcall.Scenario, seed: int,
                                        size: int) -> None:
    records = simulate(scenario, seed=seed).records
    assert records is not None
    assert_same_metrics(metrics_of(scenario, records, block=size),
                        metrics_of(scenario, records, block=records.calls.arrival.size + 1))


def test_the_block_comparison_sees_a_chain_lost() -> None:
    """A worst chain dropped from one side fails the comparison: it compares chains too."""
    scenario = simcall.load(SCENARIOS / "five_departments.toml")
    records = simulate(scenario, seed=3).records
    assert records is not None
    whole = metrics_of(scenario, records, block=1 << 20)
    assert whole.worst_chains
    with pytest.raises(AssertionError):
        assert_same_metrics(dataclasses.replace(whole, worst_chains=whole.worst_chains[1:]),
                            whole)


def test_a_block_holds_at_least_one_call() -> None:
    scenario = simcall.load(SCENARIOS / "helpdesk.toml")
    records = simulate(scenario, seed=3).records
    assert records is not None
    with pytest.raises(ValueError, match="at least one call"):
        metrics_of(scenario, records, block=0)


def test_losses_without_defection_are_the_zeros_the_full_computation_gives() -> None:
    """``Losses.of`` without stay chances (nobody can defect) is the zeros that the chances
    computed in full give."""
    scenario = simcall.load(SCENARIOS / "five_departments.toml")
    records = simulate(scenario, seed=2).records
    assert records is not None
    calls = records.calls
    prices = Prices.free(len(scenario.callers), len(scenario.agents))
    stays = np.ones(calls.arrival.size)
    stay_chances(calls, records.visits, prices, 20.0, 1, stays)
    full, skipped = Losses.of(calls, 0, stays, prices), Losses.of(calls, 0, None, prices)
    assert skipped.defections.tobytes() == full.defections.tobytes()
    assert skipped.lost_value.tobytes() == (full.defections * 0.0).tobytes()


def test_stay_chances_block_by_block_are_those_of_the_whole_run() -> None:
    """Multiplied in call order, block after block, the chances are the whole run's bit for
    bit: ``np.multiply.at`` takes the calls one after another either way."""
    scenario = simcall.load(SCENARIOS / "large_accounts.toml")
    records = simulate(scenario, seed=2).records
    assert records is not None
    prices, n = Prices.of(scenario), records.calls.arrival.size
    assert prices.defection.any()
    whole, blocks = np.ones(n), np.ones(n)
    stay_chances(records.calls, records.visits, prices, 20.0, 1, whole)
    for part in records.blocks(97):
        stay_chances(part.calls, part.visits, prices, 20.0, 1, blocks)
    assert whole.tobytes() == blocks.tobytes() and (whole < 1.0).any()
