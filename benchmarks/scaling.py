"""Time per call and peak memory of one replication against the horizon and the pool size.

The centre is the Erlang-A centre of ``vs_ciw.py`` (``erlang_a_centre.toml``: 50 agents,
960 calls/h, exponential talk with mean 180 s and patience with mean 120 s, one-hour
intervals), in two series:

* **horizon**: 200, 500, 1,000 and 2,000 hours of that centre (about 0.19 to 1.9 million
  calls). A simulator linear in the horizon has the same time per call at every length;
  issue 15's target is 2,000 h within 1.2x of 200 h, and at most 100 MiB peak per million
  calls at 2,000 h.
* **pool**: 10, 50, 200, 1,000 and 5,000 agents at the same load per agent (19.2 calls/h
  per agent, as in the centre: 0.96 Erlang offered per agent), each run long enough for
  about 192,000 calls (``10,000 / agents`` hours). The same work per call, so the time per
  call shows what a large pool costs (searching it for a free agent, its bookkeeping).

What is measured, and why:

* Each point is one replication (seed 1) in a whole, fresh child process (this script with
  ``--child``), so the memory of one point never inflates another's.
* Time per call = the child's CPU time in ``simcall.simulate`` (building the model, drawing,
  running, the metrics) / calls offered; the child's start-up and imports are left out, so
  short and long runs compare fairly. The child's wall time is reported too.
* Peak memory = the child's maximum resident set (``os.wait4``); per million calls it is
  that peak / offered calls x 10^6, as issue 15 states its target. The resident set after
  the imports (the same for every point) is reported beside it as the baseline.
* Points are interleaved within each of ``--rounds`` rounds; medians are reported.

``--source DIR`` runs the children on the simcall found in DIR (e.g. an older commit
exported with ``git archive``), to measure before and after a change.

Usage: ``python benchmarks/scaling.py [--rounds 3] [--series horizon,pool] [--json PATH]
[--source DIR]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCENARIO = HERE / "erlang_a_centre.toml"
HOURS = (200, 500, 1000, 2000)
POOLS = (10, 50, 200, 1000, 5000)
CALLS_PER_AGENT_HOUR = 960 / 50
MIB = 1024 * 1024


def child(hours: int, agents: int) -> None:
    """Run one replication; print offered calls, CPU seconds and RSS after imports as JSON."""
    import simcall

    baseline_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    data = simcall.load(SCENARIO).model_dump(mode="json")
    data["intervals"] = hours
    data["callers"][0]["arrivals_per_hour"] = CALLS_PER_AGENT_HOUR * agents
    data["agents"][0]["staff"] = agents
    scenario = simcall.from_dict(data)
    start = time.process_time()
    kpis = simcall.simulate(scenario, seed=1).kpis
    cpu = time.process_time() - start
    print(json.dumps({"offered": round(kpis["offered"]), "cpu_s": cpu,
                      "baseline_kib": baseline_kib, "p_abandon": kpis["abandon_rate"]}))


def run_point(hours: int, agents: int, source: Path) -> dict[str, Any]:
    """One point in a fresh child process: its own figures plus wall time and peak RSS."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(source), os.environ.get("PYTHONPATH")) if p)}
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(hours), str(agents)]
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"the child for {hours} h, {agents} agents failed")
        out.seek(0)
        result: dict[str, Any] = json.loads(out.read().decode().strip().splitlines()[-1])
    peak = usage.ru_maxrss * 1024
    return {**result, "hours": hours, "agents": agents, "wall_s": wall, "peak_mib": peak / MIB,
            "baseline_mib": result["baseline_kib"] / 1024,
            "us_per_call": result["cpu_s"] / result["offered"] * 1e6,
            "mib_per_million": peak / MIB / result["offered"] * 1e6}


def points(series: list[str]) -> list[tuple[str, int, int]]:
    """(series, hours, agents) of every point to run."""
    out = []
    if "horizon" in series:
        out += [("horizon", hours, 50) for hours in HOURS]
    if "pool" in series:
        out += [("pool", max(1, round(10_000 / agents)), agents) for agents in POOLS]
    return out


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every point (3)")
    parser.add_argument("--series", default="horizon,pool", help="horizon, pool or both")
    parser.add_argument("--source", type=Path, default=HERE.parent,
                        help="the directory holding the simcall package (this checkout)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write all raw figures here")
    args = parser.parse_args()

    todo = points(args.series.split(","))
    runs: dict[tuple[str, int, int], list[dict[str, Any]]] = {p: [] for p in todo}
    for round_ in range(1, args.rounds + 1):
        for point in todo:
            run = run_point(point[1], point[2], args.source)
            runs[point].append(run)
            print(f"round {round_} {point[0]:7} {point[1]:5} h {point[2]:5} agents "
                  f"{run['offered']:9,} calls {run['us_per_call']:6.1f} us/call "
                  f"{run['peak_mib']:7.1f} MiB", file=sys.stderr)

    summary = []
    for (series, hours, agents), point_runs in runs.items():
        summary.append({
            "series": series, "hours": hours, "agents": agents,
            "offered": statistics.median(r["offered"] for r in point_runs),
            "us_per_call": statistics.median(r["us_per_call"] for r in point_runs),
            "wall_s": statistics.median(r["wall_s"] for r in point_runs),
            "peak_mib": statistics.median(r["peak_mib"] for r in point_runs),
            "baseline_mib": statistics.median(r["baseline_mib"] for r in point_runs),
            "mib_per_million": statistics.median(r["mib_per_million"] for r in point_runs),
        })
    print(f"\nsimcall from {args.source}, {args.rounds} rounds, Python {sys.version.split()[0]}")
    print(f"{'series':7} {'hours':>6} {'agents':>6} {'calls':>10} {'us/call':>8} {'wall s':>7} "
          f"{'peak MiB':>9} {'after imports':>13} {'MiB/M calls':>11}")
    for s in summary:
        print(f"{s['series']:7} {s['hours']:6} {s['agents']:6} {s['offered']:10,.0f} "
              f"{s['us_per_call']:8.2f} {s['wall_s']:7.2f} {s['peak_mib']:9.1f} "
              f"{s['baseline_mib']:13.1f} {s['mib_per_million']:11.1f}")
    ratios: dict[str, float] = {}
    by_hours = {s["hours"]: s for s in summary if s["series"] == "horizon"}
    if 200 in by_hours and 2000 in by_hours:
        ratios["time_2000h_over_200h"] = (by_hours[2000]["us_per_call"]
                                          / by_hours[200]["us_per_call"])
        print(f"time per call, 2,000 h / 200 h: {ratios['time_2000h_over_200h']:.2f}x "
              f"(target <= 1.2); peak per million calls at 2,000 h: "
              f"{by_hours[2000]['mib_per_million']:.1f} MiB (target <= 100)")
    by_pool = {s["agents"]: s for s in summary if s["series"] == "pool"}
    if 50 in by_pool and 5000 in by_pool:
        ratios["time_5000_over_50_agents"] = (by_pool[5000]["us_per_call"]
                                              / by_pool[50]["us_per_call"])
        print(f"time per call, 5,000 agents / 50 agents: "
              f"{ratios['time_5000_over_50_agents']:.2f}x")
    if args.json:
        raw = {"rounds": args.rounds, "source": str(args.source), "python": sys.version,
               "runs": [r for point_runs in runs.values() for r in point_runs],
               "summary": summary, "ratios": ratios}
        args.json.write_text(json.dumps(raw, indent=2) + "\n")


if __name__ == "__main__":
    main()
