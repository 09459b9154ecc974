"""The metrics of one long run: block by block of calls against all calls at once.

Simulates the Erlang-A centre (``erlang_a_centre.toml``, one-hour intervals) for
``--hours`` hours once, keeping its records as the express lane keeps them (its notes and
drawn demand), then runs ``simcall.results.metrics.run_metrics`` on them twice each way,
alternating: in blocks of ``BLOCK_CALLS`` calls (as ``simcall.simulate`` does) and in one
block of every call. Reports each way's best CPU time per call, the peak of memory the
metrics allocate beyond the records (``tracemalloc``, in a separate run of each way), and
whether the two ``RunMetrics`` are identical (``repr`` of floats is exact: they must be,
the sums add call after call whatever the blocks).

(Until the fourth session of issue 15 this script compared every interval in one pass
against a loop per interval; that reference now lives in
``tests/results/test_metrics_one_pass.py``.)

Usage: ``python benchmarks/metrics_pass.py [--hours 2000]``
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=2000, help="simulated hours (2000)")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE.parent))  # simcall from this checkout
    import simcall
    from simcall.experiments.runner import window
    from simcall.model.records import BLOCK_CALLS
    from simcall.model.replication import record_replication
    from simcall.results.metrics import run_metrics
    from simcall.results.money import Prices

    scenario = simcall.load(HERE / "erlang_a_centre.toml").model_copy(
        update={"intervals": args.hours})
    kept = record_replication(scenario, 1)
    calls = kept.counters.arrived
    names: dict[str, Any] = {"departments": [d.name for d in scenario.departments],
                             "callers": [c.name for c in scenario.callers],
                             "groups": [g.name for g in scenario.agents],
                             "group_skills": [(0,)], "prices": Prices.of(scenario)}
    ways = {"blocks": BLOCK_CALLS, "one block": calls + 1}
    cpu: dict[str, list[float]] = {way: [] for way in ways}
    out: dict[str, Any] = {}
    for way in list(ways) * 2:
        start = time.process_time()
        out[way] = run_metrics(kept, window(scenario), **names, block=ways[way])
        cpu[way].append(time.process_time() - start)
    peaks = {}
    for way, block in ways.items():
        tracemalloc.start()
        run_metrics(kept, window(scenario), **names, block=block)
        peaks[way] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print(f"{args.hours} h, {calls:,} calls; blocks of {BLOCK_CALLS:,} calls")
    for way, times in cpu.items():
        print(f"run_metrics, {way:9}: {min(times):6.3f} s CPU, {min(times) / calls * 1e6:5.2f} "
              f"us/call; allocates at most {peaks[way] / 2**20:6.1f} MiB "
              f"({peaks[way] / calls:5.1f} bytes a call)")
    print(f"identical RunMetrics: {repr(out['blocks']) == repr(out['one block'])}")


if __name__ == "__main__":
    main()
