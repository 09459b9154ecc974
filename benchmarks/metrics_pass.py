"""The metrics of one long run: every interval in one pass against a loop per interval.

Simulates the Erlang-A centre (``erlang_a_centre.toml``, one-hour intervals) for
``--hours`` hours once, then times ``simcall.results.metrics.run_metrics`` on its records
twice each way, alternating: as it is (``grouped_kpis``: one ``np.bincount`` per KPI column
for all intervals) and with the old breakdown kept here as the reference (one stable sort
of the calls by interval, then ``call_kpis`` of each interval's calls: some thirty numpy
calls per interval), swapped in for ``interval_breakdown`` and ``day_breakdown``. Reports
the best CPU time of each, per call, and how far the two ``RunMetrics`` are apart: every
field but the intervals and days must be identical (``repr`` of floats is exact); in the
intervals and days the counts and ratios of counts must be identical too, and the KPIs made
of float sums (``asa_s``, ``callback_wait_s``, the money) equal up to their order of
summation (the largest relative difference is printed, against the rounding bound
``2 (n + 1) eps`` for the largest interval's ``n`` calls).

Usage: ``python benchmarks/metrics_pass.py [--hours 2000]``
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent


def groups_of(keys: np.ndarray, count: int) -> list[np.ndarray]:
    """The old breakdown: for each group, the ascending indices of its calls (one sort)."""
    inside = (keys >= 0) & (keys < count)
    order = np.flatnonzero(inside)
    order = order[np.argsort(keys[order], kind="stable")]
    bounds = np.concatenate(([0], np.cumsum(np.bincount(keys[order], minlength=count))))
    return [order[bounds[k]:bounds[k + 1]] for k in range(count)]


def old_ways(metrics: Any) -> tuple[Any, Any]:
    """``interval_breakdown`` and ``day_breakdown`` as they were: ``call_kpis`` per group."""
    from simcall.results.money import with_wages

    def interval_breakdown(records: Any, window: Any, facts: Any, interval_of: np.ndarray,
                           wages: np.ndarray) -> list[dict[str, float]]:
        interval_occupancy = metrics.occupancy(records, *window.interval_windows())
        intervals = []
        for k, rows in enumerate(groups_of(interval_of, window.intervals)):
            kpis = metrics.call_kpis(facts, rows, window)
            kpis["occupancy"] = float(interval_occupancy[k])
            with_wages(kpis, float(wages[:, :, k].sum()))
            intervals.append(kpis)
        return intervals

    def day_breakdown(records: Any, window: Any, facts: Any,
                      day_of: np.ndarray) -> list[dict[str, float]]:
        days = []
        for day, rows in enumerate(groups_of(day_of, window.days)):
            kpis = metrics.call_kpis(facts, rows, window)
            opening = day * window.period
            kpis["occupancy"] = float(metrics.occupancy(
                records, np.array([max(opening, window.warmup)]),
                np.array([max(opening + window.day_length, window.warmup)]))[0])
            days.append(kpis)
        return days

    return interval_breakdown, day_breakdown


# the KPIs made of float sums; every other KPI is a count or a ratio of whole numbers
SUMMED = frozenset({"asa_s", "callback_wait_s", "lost_value", "defections", "wage_cost",
                    "total_cost"})


def largest_difference(new: list[dict[str, float]], old: list[dict[str, float]]) -> float:
    """The largest relative difference of a summed KPI; ``inf`` if another KPI, a key or a
    nan moved."""
    worst = 0.0
    for a, b in zip(new, old, strict=True):
        if list(a) != list(b):
            return math.inf
        for name, value in b.items():
            if math.isnan(value) or name not in SUMMED:
                if repr(a[name]) != repr(value):
                    return math.inf
            elif a[name] != value:
                worst = max(worst, abs(a[name] - value) / abs(value))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=2000, help="simulated hours (2000)")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE.parent))  # simcall from this checkout
    import simcall
    import simcall.results.metrics as metrics
    from simcall.experiments.runner import window
    from simcall.results.money import Prices

    scenario = simcall.load(HERE / "erlang_a_centre.toml").model_copy(
        update={"intervals": args.hours})
    start = time.process_time()
    result = simcall.simulate(scenario, seed=1)
    simulated = time.process_time() - start
    assert result.records is not None
    calls = result.kpis["offered"]
    names: dict[str, Any] = {"departments": [d.name for d in scenario.departments],
             "callers": [c.name for c in scenario.callers],
             "groups": [g.name for g in scenario.agents],
             "group_skills": [(0,)], "prices": Prices.of(scenario)}
    ways = {"one pass": (metrics.interval_breakdown, metrics.day_breakdown),
            "per interval": old_ways(metrics)}
    cpu: dict[str, list[float]] = {way: [] for way in ways}
    out: dict[str, Any] = {}
    for way in list(ways) * 2:
        metrics.interval_breakdown, metrics.day_breakdown = ways[way]
        start = time.process_time()
        out[way] = metrics.run_metrics(result.records, window(scenario), **names)
        cpu[way].append(time.process_time() - start)
    metrics.interval_breakdown, metrics.day_breakdown = ways["one pass"]
    print(f"{args.hours} h, {calls:,.0f} calls; simulate (metrics included) {simulated:.1f} s "
          f"CPU, {simulated / calls * 1e6:.1f} us/call")
    for way, times in cpu.items():
        print(f"run_metrics, {way:12}: {min(times):6.3f} s CPU, "
              f"{min(times) / calls * 1e6:5.2f} us/call")
    new, old = out["one pass"], out["per interval"]
    rest = {"intervals": (), "days": ()}
    same_rest = repr(type(new)(**{**new.__dict__, **rest})) == repr(
        type(old)(**{**old.__dict__, **rest}))
    worst = max(largest_difference(list(new.intervals), list(old.intervals)),
                largest_difference(list(new.days), list(old.days)))
    bound = 2 * (max(k["offered"] for k in old.intervals) + 1) * sys.float_info.epsilon
    print(f"identical outside intervals and days: {same_rest}; intervals and days: counts and "
          f"ratios of counts identical: {worst < math.inf}; sums (asa_s, ...): largest "
          f"relative difference {worst:.1e} (rounding bound {bound:.1e})")


if __name__ == "__main__":
    main()
