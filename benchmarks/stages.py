"""Where a replication's time goes: building it, running it, its records, its metrics.

Issue 15's feature-rich target compares whole replications (``feature_rich.py``); this
script splits them, so that a change to one stage can be measured on its own. For a short
replication (``bank``: about 1,600 calls) building it (drawing the demand, making the random
streams, the roster) and its metrics cost as much per call as running it.

What is measured, and why:

* In this process, after one warm-up replication of every scenario, with the scenarios of
  ``feature_rich.py`` (the Erlang-A centre at 200 h, ``five_departments``, ``bank``,
  ``week``), replications 1, 2, ... of seed 1 until about ``--calls`` calls.
* CPU time (``time.process_time``) of each stage, per call offered:
  ``build`` = ``Replication(scenario, seed, replication)``, ``run`` = ``.run()``,
  ``records`` = ``.kept()`` (the records as kept: the express lane's notes, derived later),
  ``metrics`` = ``run_metrics`` of those (deriving the lane's rows a block at a time: what
  ``simcall.simulate`` does, in its order).
* ``--rounds`` rounds, the scenarios interleaved within each; medians are reported.

For counts that do not move with the machine's load, run it under ``perf stat -x, -e
instructions:u`` with ``--only NAME`` twice, once with ``--calls 0`` (the warm-up only),
and take the difference.

Usage: ``python benchmarks/stages.py [--rounds 3] [--calls 50000] [--only NAME]
[--json PATH]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from feature_rich import HERE, SCENARIOS  # the same scenarios (this script's folder)

STAGES = ("build", "run", "records", "metrics")


def measure(scenario: Any, calls_wanted: int) -> tuple[dict[str, float], int]:
    """CPU seconds of each stage over replications 1, 2, ... until ``calls_wanted`` calls
    were offered (none for 0), and the calls offered."""
    from simcall.experiments.runner import Prices, run_metrics, window
    from simcall.model.replication import Replication

    seconds = dict.fromkeys(STAGES, 0.0)
    calls, replication = 0, 1
    while calls < calls_wanted:
        t0 = time.process_time()
        built = Replication(scenario, 1, replication)
        t1 = time.process_time()
        built.run()
        t2 = time.process_time()
        records = built.kept()
        t3 = time.process_time()
        run_metrics(records, window(scenario),
                    departments=[d.name for d in scenario.departments],
                    callers=[c.name for c in scenario.callers],
                    groups=[g.name for g in scenario.agents],
                    group_skills=[tuple(scenario.department_index(s) for s in g.skills)
                                  for g in scenario.agents],
                    prices=Prices.of(scenario))
        t4 = time.process_time()
        for stage, spent in zip(STAGES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            seconds[stage] += spent
        calls += records.counters.arrived
        replication += 1
    return seconds, calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (3)")
    parser.add_argument("--calls", type=int, default=50_000,
                        help="calls per scenario and round (50,000; 0: the warm-up only)")
    parser.add_argument("--only", choices=sorted(SCENARIOS), help="one scenario only")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write all raw figures here")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE.parent))  # simcall from this checkout
    import simcall

    names = [args.only] if args.only else list(SCENARIOS)
    loaded = {name: simcall.load(SCENARIOS[name]) for name in names}
    for scenario in loaded.values():  # warm-up: imports and first use
        simcall.simulate(scenario, seed=1, replication=0)
    if args.calls == 0:
        return
    per_call: dict[str, dict[str, list[float]]] = {
        name: {stage: [] for stage in STAGES} for name in names}
    for round_ in range(1, args.rounds + 1):
        for name, scenario in loaded.items():
            seconds, calls = measure(scenario, args.calls)
            for stage in STAGES:
                per_call[name][stage].append(seconds[stage] / calls * 1e6)
            print(f"round {round_} {name:17} {calls:8,} calls "
                  + " ".join(f"{stage} {per_call[name][stage][-1]:5.2f}" for stage in STAGES)
                  + " us/call", file=sys.stderr)
    print(f"\n{args.rounds} rounds, about {args.calls:,} calls each, Python "
          f"{sys.version.split()[0]}; CPU microseconds per call, medians")
    print(f"{'scenario':17}" + "".join(f"{stage:>9}" for stage in STAGES) + f"{'total':>9}")
    medians = {name: {stage: statistics.median(values) for stage, values in stages.items()}
               for name, stages in per_call.items()}
    for name, stages in medians.items():
        print(f"{name:17}" + "".join(f"{stages[s]:9.2f}" for s in STAGES)
              + f"{sum(stages.values()):9.2f}")
    if args.json:
        raw = {"rounds": args.rounds, "calls": args.calls, "python": sys.version,
               "per_call_us": per_call, "medians_us": medians}
        args.json.write_text(json.dumps(raw, indent=2) + "\n")


if __name__ == "__main__":
    main()
