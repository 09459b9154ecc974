"""Time per call of the feature-rich ready scenarios against the Erlang-A centre.

Issue 15 asks that ``five_departments``, ``bank`` and ``week`` cost at most 1.5x the
Erlang-A centre's time per call (``erlang_a_centre.toml``, 200 h, the centre of
``vs_ciw.py``). Each scenario runs as it is, so what a replication costs whatever its
length (building the model, drawing the demand, the metrics of every interval) is part of
its time per call, as it is for a planner who runs it.

What is measured, and why:

* In this process, after one warm-up replication of every scenario (imports and first
  use are not the subject here; ``startup.py`` measures those).
* CPU time (``time.process_time``) of ``simcall.simulate`` over enough replications of a
  scenario for about 50,000 calls (one for the Erlang-A centre: 192,000 calls), divided by
  the calls offered.
* ``--rounds`` rounds, the scenarios interleaved within each. Reported per scenario: the
  median time per call, and its ratio to the Erlang-A centre's as the median of the
  per-round ratios (each round ran under the same load: the steadier figure on a noisy
  machine) and as the ratio of the medians.

``--long`` tells the two parts of that cost apart: each feature-rich scenario runs for as
many days as give one replication about as many calls as the Erlang-A centre's (192,000),
so what is fixed per replication weighs as little as it does there, and the ratio is what
the features themselves cost per call. The issue's target is measured without it.

For counts that do not move with the machine's load, run one scenario under ``perf stat -x,
-e instructions:u`` (``OPENBLAS_NUM_THREADS=1``) with ``--only NAME`` and two values of
``--rounds`` (0 runs the warm-up only), and divide the difference by the calls the extra
rounds offered (printed per round).

Usage: ``python benchmarks/feature_rich.py [--rounds 5] [--long] [--only NAME] [--json PATH]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCENARIOS = {
    "erlang_a_centre": HERE / "erlang_a_centre.toml",
    "five_departments": HERE.parent / "scenarios" / "five_departments.toml",
    "bank": HERE.parent / "scenarios" / "bank.toml",
    "week": HERE.parent / "scenarios" / "week.toml",
}
CALLS = 50_000  # calls per measurement (at least one replication)
LONG_CALLS = 192_000  # with --long: calls of one replication (the Erlang-A centre's)


def measure(scenario: Any, replications: int) -> tuple[float, int]:
    """CPU seconds and calls offered of ``replications`` replications (seed 1)."""
    import simcall

    calls = 0
    start = time.process_time()
    for replication in range(replications):
        calls += round(simcall.simulate(scenario, seed=1, replication=replication)
                       .kpis["offered"])
    return time.process_time() - start, calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (5)")
    parser.add_argument("--long", action="store_true",
                        help="one replication of about 192,000 calls each (more days)")
    parser.add_argument("--only", choices=SCENARIOS, help="this scenario only (for perf stat)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write all raw figures here")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE.parent))  # simcall from this checkout
    import simcall
    from simcall.model.express import express_fits

    loaded = {name: simcall.load(path) for name, path in SCENARIOS.items()
              if args.only in (None, name)}
    replications = {}
    for name, scenario in loaded.items():  # warm-up, and how many replications make CALLS
        _, calls = measure(scenario, 1)
        replications[name] = max(1, round(CALLS / calls))
        if args.long and name != "erlang_a_centre":  # as many days as make LONG_CALLS
            days = min(366, round(scenario.days * LONG_CALLS / calls))
            loaded[name] = simcall.from_dict({**scenario.model_dump(), "days": days})
            replications[name] = 1
    per_call: dict[str, list[float]] = {name: [] for name in loaded}
    for round_ in range(1, args.rounds + 1):
        for name, scenario in loaded.items():
            seconds, calls = measure(scenario, replications[name])
            per_call[name].append(seconds / calls * 1e6)
            print(f"round {round_} {name:17} {calls:8,} calls {per_call[name][-1]:7.2f} us/call",
                  file=sys.stderr)
    if args.only or not args.rounds:  # one scenario, or the warm-up only: no ratios
        return
    medians = {name: statistics.median(values) for name, values in per_call.items()}
    base = per_call["erlang_a_centre"]
    ratios = {name: statistics.median(v / b for v, b in zip(values, base, strict=True))
              for name, values in per_call.items()}
    print(f"\n{args.rounds} rounds, Python {sys.version.split()[0]}"
          + (", --long: one replication of about 192,000 calls each" if args.long else ""))
    print(f"{'scenario':17} {'lane':8} {'days':>4} {'reps':>4} {'us/call':>8} "
          f"{'x Erlang-A':>10} {'(medians)':>10}  target")
    for name, median in medians.items():
        lane = "express" if express_fits(loaded[name]) else "general"
        target = ("" if name == "erlang_a_centre" else "(not its measure)" if args.long
                  else "met" if ratios[name] <= 1.5 else "not met")
        print(f"{name:17} {lane:8} {loaded[name].days:4} {replications[name]:4} {median:8.2f}"
              f" {ratios[name]:10.2f}x"
              f" {median / medians['erlang_a_centre']:9.2f}x  {target}")
    if args.json:
        args.json.write_text(json.dumps({"rounds": args.rounds, "long": args.long,
                                         "days": {n: sc.days for n, sc in loaded.items()},
                                         "replications": replications,
                                         "us_per_call": per_call, "medians": medians,
                                         "median_round_ratios": ratios},
                                        indent=2))


if __name__ == "__main__":
    main()
