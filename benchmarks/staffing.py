"""Time ``simcall staff`` against ``simcall run -r 20`` of the same scenario, as a planner waits.

What is measured, and why:

* Both commands run as whole processes (start-up, imports, the work, writing the result),
  interleaved pair by pair (run, staff, run, staff, ...) so that drift in the machine's
  speed hits both alike. The figure that matters is the ratio staff / run of each pair:
  how many "20-replication runs" a staffing plan costs. The aim (issue 11) is at most 25.
* On 1 worker and on 2 (``--workers``; the commands' default is every core).
* The search's own figures come from its ``--json``: replications run, calls simulated,
  whether the plan holds, its agent-hours beside Erlang A and C, and the plan itself, which
  must be the same for every worker count (the script checks it).

Usage: ``python benchmarks/staffing.py [--workers 1 2] [--scenario helpdesk ...]
[--pairs 1] [--json PATH]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   cwd=ROOT)
    return time.perf_counter() - start


def simcall(*args: str) -> list[str]:
    return [sys.executable, "-m", "simcall", *args]


def measure(name: str, workers: int, pairs: int) -> dict[str, Any]:
    scenario = str(ROOT / "scenarios" / f"{name}.toml")
    runs, staffs = [], []
    with tempfile.TemporaryDirectory() as folder:
        plan_json = Path(folder) / "plan.json"
        for _ in range(pairs):
            runs.append(timed(simcall("run", scenario, "-r", "20", "-w", str(workers))))
            staffs.append(timed(simcall("staff", scenario, "-w", str(workers), "--json",
                                        str(plan_json))))
        plan = json.loads(plan_json.read_text())
    ratios = [s / r for s, r in zip(staffs, runs, strict=True)]
    hours = plan["agent_hours"]
    return {
        "scenario": name, "workers": workers, "pairs": pairs,
        "run_s": statistics.median(runs), "staff_s": statistics.median(staffs),
        "ratio": statistics.median(ratios), "ratios": ratios,
        "replications_run": plan["search"]["runs"], "calls": plan["search"]["calls"],
        "holds": plan["holds"], "plan_hours": hours["plan"]["total"],
        "erlang_a_hours": hours["erlang_a"]["total"],
        "erlang_c_hours": hours["erlang_c"]["total"],
        "plan": [interval["plan"] for interval in plan["intervals"]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--scenario", nargs="+", default=["helpdesk", "five_departments"])
    parser.add_argument("--pairs", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    rows: list[dict[str, Any]] = []
    print("| scenario | workers | run -r 20 | staff | staff / run | replications | calls "
          "simulated | holds | agent-hours (plan / Erlang A / Erlang C) | same plan |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |")
    for name in args.scenario:
        first: list[Any] | None = None
        for workers in args.workers:
            row = measure(name, workers, args.pairs)
            same = first is None or row["plan"] == first
            first = row["plan"] if first is None else first
            row["same_plan"] = same
            rows.append(row)
            print(f"| {name} | {workers} | {row['run_s']:.1f} s | {row['staff_s']:.1f} s | "
                  f"**{row['ratio']:.1f}x** | {row['replications_run']:,} | {row['calls']:,} | "
                  f"{'yes' if row['holds'] else 'NO'} | {row['plan_hours']:g} / "
                  f"{row['erlang_a_hours']:g} / {row['erlang_c_hours']:g} | "
                  f"{'yes' if same else 'NO'} |", flush=True)
    if args.json is not None:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
