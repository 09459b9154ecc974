"""How a sweep scales from 1 to 2 local workers (the aim: at least 1.8x on 2 cores).

The sweep: ``scenarios/five_departments.toml`` (20 half-hours, five departments, about
3,700 calls a day), varying the order desk's shrinkage (4 values) and the dealers' priority
(2 values): 8 points x ``--replications`` runs.

What is measured, and why:

* Each side is the whole ``simcall sweep`` command in a child process, as a planner runs it:
  interpreter start, imports, starting the worker pool, the runs, writing the CSV.
* 1 and 2 workers are interleaved (1, 2, 1, 2, ...) so drift in machine load hits both; the
  median over pairs is reported.
* Calls simulated per second = calls offered over all runs (from the CSV) / wall time.
* Peak memory is the largest resident set of any one process of the command (``os.wait4``:
  the child and the worker processes it waited for).
* The two CSV files must be byte-identical: the worker count may change the time, never
  the numbers.

Usage: ``python benchmarks/sweep_scaling.py [--pairs 3] [--replications 30] [--json PATH]``
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "five_departments.toml"
VARY = ["agents.order desk.shrinkage=0,0.05,0.1,0.15", "callers.dealers.priority=0,1"]


def run_sweep(workers: int, replications: int, out: Path) -> dict[str, Any]:
    """One ``simcall sweep`` in a child process: wall time, peak RSS, calls offered."""
    out.unlink(missing_ok=True)
    Path(str(out) + ".meta.json").unlink(missing_ok=True)
    command = [sys.executable, "-m", "simcall", "sweep", str(SCENARIO), "-r", str(replications),
               "-w", str(workers), "--out", str(out)]
    for vary in VARY:
        command += ["--vary", vary]
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"sweep with {workers} workers failed")
    with open(out, newline="") as stream:
        calls = sum(float(row["offered"]) for row in csv.DictReader(stream))
    return {"workers": workers, "wall_s": wall, "calls": calls,
            "peak_mib": usage.ru_maxrss / 1024, "bytes": out.read_bytes()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--replications", type=int, default=30)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    print(f"cores available: {len(os.sched_getaffinity(0))}")
    results: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory() as folder:
        for pair in range(args.pairs):
            for workers in (1, 2):
                result = run_sweep(workers, args.replications, Path(folder) / f"w{workers}.csv")
                results[workers].append(result)
                print(f"pair {pair + 1}, {workers} worker(s): {result['wall_s']:.2f} s",
                      file=sys.stderr)
    identical = all(r["bytes"] == results[1][0]["bytes"] for r in results[1] + results[2])
    rows = []
    for workers, runs in results.items():
        wall = statistics.median(r["wall_s"] for r in runs)
        rows.append({"workers": workers, "wall_s": wall, "calls": runs[0]["calls"],
                     "calls_per_s": runs[0]["calls"] / wall,
                     "peak_mib": max(r["peak_mib"] for r in runs),
                     "walls": [round(r["wall_s"], 3) for r in runs]})
    speedup = rows[0]["wall_s"] / rows[1]["wall_s"]
    points, runs_total = 8, 8 * args.replications
    print(f"\nsweep of {SCENARIO.name}: {points} points x {args.replications} replications "
          f"= {runs_total} runs, {rows[0]['calls']:,.0f} calls; median of {args.pairs} pairs\n")
    print("| workers | wall time | calls simulated per second | peak memory (one process) |")
    print("| ---: | ---: | ---: | ---: |")
    for row in rows:
        print(f"| {row['workers']} | {row['wall_s']:.2f} s | {row['calls_per_s']:,.0f} | "
              f"{row['peak_mib']:.1f} MiB |")
    print(f"| **ratio** | **{speedup:.2f}x faster** | | "
          f"**{rows[1]['peak_mib'] / rows[0]['peak_mib']:.2f}x** |")
    print(f"\nresults identical with 1 and 2 workers: {'yes' if identical else 'NO'}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "speedup": speedup,
                                         "identical": identical}, indent=2))
    if not identical:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
