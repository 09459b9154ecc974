"""The per-interval and per-day breakdown in one pass gives the KPIs of a mask per group.

``run_metrics`` once built a boolean mask over every call for each interval and each day
(``counted & (interval_of == k)``): quadratic in a long horizon. ``groups_of`` now sorts the
calls by group once. Checked here:

* ``groups_of`` against the masks it replaces, on random keys with keys out of range
  (calls before the warm-up, after the last interval) and empty groups;
* whole runs of ready scenarios (several caller types and departments, redials numbered
  after the drawn calls, a warm-up, a five-day week, money) and a multi-day run: every KPI
  of the ``RunMetrics`` is bit for bit what the old masks give (``repr`` of floats is exact,
  and compares nan with nan).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import simcall
import simcall.results.metrics as metrics
from simcall.results.metrics import groups_of

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def masks_of(keys: np.ndarray, count: int) -> list[np.ndarray]:
    """The old way: one boolean mask over every row per group."""
    return [keys == k for k in range(count)]


@given(st.lists(st.integers(-2, 7), max_size=60), st.integers(0, 6))
def test_groups_of_holds_the_rows_of_each_mask_in_order(keys: list[int], count: int) -> None:
    array = np.array(keys, dtype=np.int64)
    groups = groups_of(array, count)
    assert len(groups) == count
    for rows, mask in zip(groups, masks_of(array, count), strict=True):
        assert rows.tolist() == np.flatnonzero(mask).tolist()


@pytest.mark.parametrize(("name", "update"), [
    ("helpdesk.toml", {}),
    ("five_departments.toml", {}),
    ("real_centre.toml", {"warmup": 3600.0}),
    ("week.toml", {}),
    ("large_accounts.toml", {}),
    ("helpdesk.toml", {"days": 3}),
])
def test_run_metrics_are_those_of_the_masks(name: str, update: dict[str, object],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = simcall.load(SCENARIOS / name)
    if update:
        scenario = simcall.from_dict({**scenario.model_dump(mode="json"), **update})
    new = simcall.simulate(scenario, seed=3).metrics
    monkeypatch.setattr(metrics, "groups_of", masks_of)
    old = simcall.simulate(scenario, seed=3).metrics
    assert len(new.intervals) == scenario.intervals
    assert len(new.days) == scenario.days
    assert repr(new) == repr(old)


def test_losses_without_defection_are_the_zeros_the_full_computation_gives() -> None:
    """``Losses.of`` skips the experience table when no caller type can defect."""
    from simcall.experiments.runner import simulate
    from simcall.results.money import Losses, Prices, defection_chance

    scenario = simcall.load(SCENARIOS / "five_departments.toml")
    records = simulate(scenario, seed=2).records
    assert records is not None
    prices = Prices.free(len(scenario.callers), len(scenario.agents))
    losses = Losses.of(records, prices, 20.0, 1)
    chance = defection_chance(records, prices, 20.0, 1)
    assert losses.defections.tobytes() == chance.tobytes()
    assert losses.lost_value.tobytes() == (chance * 0.0).tobytes()
