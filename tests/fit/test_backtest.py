"""The back-test: the same definitions on both sides, and a verdict that can fail.

* **exact**: a simulated run written as a log and read back gives, interval by interval,
  exactly the tallies the back-test takes from the run's own records (arrivals, answered,
  abandoned, answered within 20 s, answer times);
* **statistical**: the true scenario back-tested against 20 days of its own log lies inside
  the log's mean ± 2 SE in most intervals (about 95% expected); a scenario whose callers are
  three times as patient as the log's does not.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import simcall
from simcall.fit import CallLog, read_log, write_log
from simcall.fit.backtesting import FIGURES, Backtest, Tallies, backtest, log_tallies, run_tallies

DAY: dict[str, Any] = {
    "name": "one day", "interval": "1h", "intervals": 6, "open": "09:00",
    "callers": [{"name": "a", "arrivals_per_hour": [60, 90, 120, 120, 90, 60],
                 "enters": "support", "patience": {"dist": "exponential", "mean": 120.0}}],
    "departments": [{"name": "support", "talk": {"dist": "exponential", "mean": 180.0}}],
    "agents": [{"name": "team", "skills": ["support"], "staff": [3, 4, 6, 6, 4, 3]}],
}
LOG_DAYS = 20


@pytest.fixture(scope="module")
def day_runs_and_log(tmp_path_factory: pytest.TempPathFactory
                     ) -> tuple[simcall.Scenario, list[Any], CallLog]:
    scenario = simcall.from_dict(DAY)
    runs = [simcall.simulate(scenario, seed=11, replication=r) for r in range(LOG_DAYS)]
    path = tmp_path_factory.mktemp("backtest") / "log.csv"
    write_log(path, runs)
    return scenario, runs, read_log(path, "simcall", interval="1h", open="09:00",
                                    close="15:00")


def test_the_log_side_and_the_simulated_side_count_the_same_calls_the_same_way(
        day_runs_and_log: tuple[simcall.Scenario, list[Any], CallLog]) -> None:
    scenario, runs, log = day_runs_and_log
    from_log = log_tallies(log)
    from_runs = Tallies.join([run_tallies(run.records, scenario) for run in runs])
    for name in ("arrivals", "answered", "abandoned", "within"):
        np.testing.assert_array_equal(getattr(from_log, name), getattr(from_runs, name), name)
    np.testing.assert_allclose(from_log.answer_time, from_runs.answer_time, atol=1e-6 * 1e4)
    assert from_log.arrivals.sum() == sum(run.kpis["offered"] for run in runs)


def test_the_true_scenario_matches_its_own_log_and_a_wrong_one_does_not(
        day_runs_and_log: tuple[simcall.Scenario, list[Any], CallLog]) -> None:
    scenario, _, log = day_runs_and_log
    right = backtest(scenario, log, days=200, seed=5)
    assert right.log_days == LOG_DAYS and right.simulated_days == 200
    # a right model misses an interval about one time in twenty; of 4 figures x 6 intervals
    # = 24 checks, 6 or more misses would happen by chance less than 1% of the time
    # (binomial, p = 0.05; the checks of one interval are correlated, which widens that a
    # little), so 5 is the most a right model is allowed
    misses = sum(right.intervals - right.matches(figure) for figure in FIGURES)
    assert misses <= 5, right.verdict()

    patient = copy.deepcopy(DAY)
    patient["callers"][0]["patience"]["mean"] = 360.0
    wrong = backtest(simcall.from_dict(patient), log, days=200, seed=5)
    assert wrong.matches("abandon_rate") <= 2, wrong.verdict()  # its abandonment is too low


def test_rows_verdict_and_json_agree() -> None:
    log = Tallies(*(np.array(a, dtype=float) for a in (
        [[10, 20], [12, 18], [14, 22]],  # arrivals
        [[9, 15], [10, 15], [12, 20]],  # answered
        [[1, 5], [2, 3], [2, 2]],  # abandoned
        [[8, 10], [9, 9], [10, 15]],  # within
        [[90, 450], [100, 500], [110, 380]])))  # answer time
    simulated = Tallies(*(np.array(a, dtype=float) for a in (
        [[12, 40]], [[11, 20]], [[1, 20]], [[10, 10]], [[99, 900]])))
    result = Backtest.compare(log, simulated, open_s=9 * 3600, interval_s=3600, seed=3)
    arrivals = result.of("arrivals")
    assert [r.clock for r in arrivals] == ["09:00", "10:00"]
    assert arrivals[0].log_mean == 12 and arrivals[0].log_se == pytest.approx(2 / np.sqrt(3))
    assert [r.inside for r in arrivals] == [True, False]  # 40 is far outside 20 ± 2.3
    abandon = result.of("abandon_rate")
    assert abandon[1].simulated == pytest.approx(0.5)
    document = result.to_dict()
    assert document["matches"]["arrivals"] == 1
    assert document["arrivals_within_5_percent"] == 1  # 12 vs 12: equal; 40 vs 20: not
    assert len(document["rows"]) == 4 * 2
    assert document["verdict"][0].startswith("arrivals: within 5% of the log's in 1 of 2")


def test_a_scenario_with_other_intervals_than_the_log_is_refused(
        day_runs_and_log: tuple[simcall.Scenario, list[Any], CallLog], tmp_path: Path) -> None:
    _, _, log = day_runs_and_log
    other = copy.deepcopy(DAY)
    other["intervals"] = 5
    other["callers"][0]["arrivals_per_hour"] = 60
    other["agents"][0]["staff"] = 3
    with pytest.raises(ValueError, match="5 intervals of 3600 s, the log 6"):
        backtest(simcall.from_dict(other), log, days=2)
