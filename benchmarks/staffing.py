"""Time the staffing search (``simcall.staff``) on the ready scenarios, on 1 and 2 workers.

What is measured, and why:

* The wall time of one whole search (Erlang start, reach check, add, trim and
  remove phases, the minimality proof and the fresh-seed verification), as a
  planner waits for it, with the default 10 search and 20 verification
  replications.
* With 1 worker the search runs in this process; with N > 1 on a
  ``ProcessPoolExecutor`` of N processes (its start-up included).
* Runs simulated per second show how busy the workers were kept.
* Every worker count must give the same plan: the script checks it and says
  so, since a faster but different answer would be worthless.

Usage: ``python benchmarks/staffing.py [--workers 1 2] [--scenario helpdesk ...]
[--json PATH]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import simcall  # noqa: E402
from simcall.staffing.search import StaffingPlan, staff  # noqa: E402


def search(name: str, workers: int) -> tuple[float, StaffingPlan]:
    scenario = simcall.load(ROOT / "scenarios" / f"{name}.toml")
    start = time.perf_counter()
    if workers == 1:
        result = staff(scenario)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            result = staff(scenario, executor=pool)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--scenario", nargs="+", default=["helpdesk", "five_departments"])
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    rows: list[dict[str, Any]] = []
    print("| scenario | workers | wall time | plans simulated | runs | runs/s | agent-hours "
          "(plan / Erlang A / Erlang C) | same plan |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    for name in args.scenario:
        first: StaffingPlan | None = None
        for workers in args.workers:
            seconds, result = search(name, workers)
            same = first is None or (dict(result.plan) == dict(first.plan)
                                     and result.checks == first.checks)
            first = first or result
            row = {"scenario": name, "workers": workers, "seconds": round(seconds, 2),
                   "plans": result.plans_simulated, "runs": result.runs,
                   "agent_hours": result.agent_hours(),
                   "erlang_a": result.agent_hours("erlang_a"),
                   "erlang_c": result.agent_hours("erlang_c"), "same_plan": same}
            rows.append(row)
            print(f"| {name} | {workers} | {seconds:.1f} s | {result.plans_simulated:,} | "
                  f"{result.runs:,} | {result.runs / seconds:,.0f} | "
                  f"{row['agent_hours']:g} / {row['erlang_a']:g} / {row['erlang_c']:g} | "
                  f"{'yes' if same else 'NO'} |", flush=True)
    if args.json is not None:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
