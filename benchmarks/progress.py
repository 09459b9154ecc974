"""What progress within a replication costs the engine: calls per second with and without.

The replication: ``scenarios/five_departments.toml`` over ``--days`` days (about 3,700
calls a day), replication 0 of seed 1, simulated in this process by
:func:`simcall.simulate` three ways, interleaved (none, silent, printing, none, ...) so
drift in machine load hits all three; the median over ``--rounds`` is reported:

* ``none``: no callback (the engine runs straight through, as before progress existed);
* ``silent``: a callback that does nothing (the cost of stopping the run 100 times);
* ``printing``: a callback that writes a line to standard error at each tenth, as
  ``simcall run`` does in a log.

Calls per second = calls offered (the run's KPI) / the processor time of ``simulate``
(``time.process_time``: on a shared machine, other people's work does not count). The three
results must be identical (their JSON): progress may cost time, never change a number.

Usage: ``python benchmarks/progress.py [--days 20] [--rounds 5]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import simcall
from simcall.results.summary import Summary

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "five_departments.toml"


def _printing() -> Callable[[float], None]:
    tenths = [0]

    def report(share: float) -> None:
        if int(10 * share) > tenths[0]:
            tenths[0] = int(10 * share)
            print(f"simulated {10 * tenths[0]}%", file=sys.stderr)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    scenario = simcall.load(SCENARIO, [f"days={options.days}"])
    ways: dict[str, Callable[[], Callable[[float], None] | None]] = {
        "none": lambda: None, "silent": lambda: (lambda share: None), "printing": _printing}
    rates: dict[str, list[float]] = {way: [] for way in ways}
    documents: dict[str, str] = {}
    for _ in range(options.rounds):
        for way, make in ways.items():
            start = time.process_time()
            run = simcall.simulate(scenario, 1, 0, keep_records=False, progress=make())
            seconds = time.process_time() - start
            rates[way].append(run.kpis["offered"] / seconds)
            documents.setdefault(way, json.dumps(Summary.of(scenario, 1, [run]).to_json()))
    calls = int(run.kpis["offered"])
    print(f"five_departments, {options.days} days, {calls:,} calls a replication, "
          f"median of {options.rounds} (min-max)")
    for way, values in rates.items():
        print(f"  {way:9s} {statistics.median(values):9,.0f} calls/s "
              f"({min(values):,.0f}-{max(values):,.0f}); "
              f"{statistics.median(values) / statistics.median(rates['none']):.3f}x none")
    same = len(set(documents.values())) == 1
    print(f"results identical: {same}")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
