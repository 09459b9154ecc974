"""The metrics of one long run, per interval in one pass against one mask per interval.

Simulates the Erlang-A centre (``erlang_a_centre.toml``, one-hour intervals) for
``--hours`` hours once, then times ``simcall.results.metrics.run_metrics`` on its records
twice each way, alternating: as it is (``groups_of``: one stable sort, each interval's
calls as indices) and with the old breakdown (a boolean mask over every call for each
interval and day, swapped in for ``groups_of``). Reports the best CPU time of each, per
call, and whether the two ``RunMetrics`` are identical (``repr`` of floats is exact).

Usage: ``python benchmarks/metrics_pass.py [--hours 2000]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent


def masks_of(keys: np.ndarray, count: int) -> list[np.ndarray]:
    """The old breakdown: one boolean mask over every call per group."""
    return [keys == k for k in range(count)]


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
    one_pass = metrics.groups_of
    cpu: dict[str, list[float]] = {"masks": [], "one pass": []}
    shown: dict[str, str] = {}
    for way, groups in (("masks", masks_of), ("one pass", one_pass)) * 2:
        metrics.groups_of = groups
        start = time.process_time()
        out = metrics.run_metrics(result.records, window(scenario), **names)
        cpu[way].append(time.process_time() - start)
        shown[way] = repr(out)
    metrics.groups_of = one_pass
    print(f"{args.hours} h, {calls:,.0f} calls; simulate (metrics included) {simulated:.1f} s "
          f"CPU, {simulated / calls * 1e6:.1f} us/call")
    for way, times in cpu.items():
        print(f"run_metrics, {way:8}: {min(times):6.2f} s CPU, "
              f"{min(times) / calls * 1e6:5.2f} us/call")
    print(f"identical RunMetrics: {shown['masks'] == shown['one pass']}")


if __name__ == "__main__":
    main()
