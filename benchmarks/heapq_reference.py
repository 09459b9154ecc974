"""simcall against a hand-written heapq loop: the practical speed limit in pure Python.

The centre is the Erlang-A centre of ``vs_ciw.py`` (50 agents, 960 calls/h Poisson,
exponential talk with mean 180 s, exponential patience with mean 120 s, 200 hours).

The reference loop does the least work that still simulates that model exactly:

* arrivals, talk times and patiences are drawn in advance with numpy and consumed in order
  (an arrival is never pushed on the heap);
* the heap holds only the ends of talk;
* abandonment is lazy: no patience event. A caller whose deadline (arrival + patience) has
  passed is counted as abandoned when a free agent reaches her at the head of the FIFO queue
  (she hung up at her deadline; nobody behind her could have been served before that).
  Callers still waiting at the horizon are abandoned if their deadline is before it.

Its P(abandon) is printed beside the exact Erlang-A value as a check that it simulates the
same model as simcall.

What is measured, and why:

* Both sides run **in this process**, so interpreter start and imports are not counted: the
  comparison is of the simulation itself. The reference's time includes its numpy draws;
  simcall's is ``simcall.simulate`` of the already loaded scenario (``erlang_a_centre.toml``),
  which includes building the model, drawing, running and computing the KPIs.
* CPU time (``time.process_time``), not wall time, so another process on the machine
  disturbs the figures less; the rounds alternate (reference, simcall, reference, ...) and
  the medians are reported.
* Calls/s = calls offered (as each side counts them) / CPU time. simcall's share of the
  reference (issue 15's target: at least 0.30) is given as the median of the rounds'
  shares (each round's two sides ran under the same load: the steadier figure) and as the
  ratio of the median calls/s.

Usage: ``python benchmarks/heapq_reference.py [--rounds 5] [--hours 200] [--seed 1]
[--json PATH]``
"""

from __future__ import annotations

import argparse
import heapq
import json
import statistics
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
SCENARIO = HERE / "erlang_a_centre.toml"

AGENTS, CALLS_PER_HOUR, TALK_MEAN_S, PATIENCE_MEAN_S = 50, 960.0, 180.0, 120.0


def reference(hours: float, seed: int) -> dict[str, int]:
    """Simulate the centre with the heapq loop; return offered, answered, abandoned."""
    rng = np.random.default_rng(seed)
    horizon = hours * 3600.0
    mean_gap = 3600.0 / CALLS_PER_HOUR
    # Enough gaps to pass the horizon with near certainty, then cut at it.
    n = int(horizon / mean_gap + 10 * (horizon / mean_gap) ** 0.5 + 100)
    arrivals = np.cumsum(rng.exponential(mean_gap, n))
    arrivals = arrivals[arrivals < horizon]
    n = len(arrivals)
    talks = rng.exponential(TALK_MEAN_S, n).tolist()
    deadlines = (arrivals + rng.exponential(PATIENCE_MEAN_S, n)).tolist()
    times = arrivals.tolist()

    free = AGENTS
    ends: list[float] = []  # the heap of talk ends
    waiting: deque[int] = deque()  # indices of queued callers, FIFO
    answered = abandoned = 0
    push, pop = heapq.heappush, heapq.heappop
    for i in range(n):
        now = times[i]
        while ends and ends[0] <= now:
            end = pop(ends)
            # The freed agent takes the first waiting caller still on the line.
            while waiting:
                j = waiting.popleft()
                if deadlines[j] >= end:
                    answered += 1
                    push(ends, end + talks[j])
                    break
                abandoned += 1
            else:
                free += 1
        if free:
            free -= 1
            answered += 1
            push(ends, now + talks[i])
        else:
            waiting.append(i)
    # After the last arrival: serve the queue until it is empty or the horizon is reached.
    while waiting and ends and ends[0] < horizon:
        end = pop(ends)
        while waiting:
            j = waiting.popleft()
            if deadlines[j] >= end:
                answered += 1
                push(ends, end + talks[j])
                break
            abandoned += 1
    abandoned += sum(1 for j in waiting if deadlines[j] < horizon)
    return {"offered": n, "answered": answered, "abandoned": abandoned}


def run_simcall(scenario: Any, seed: int) -> dict[str, int]:
    """One replication of the same centre in simcall; return offered, answered, abandoned."""
    import simcall

    kpis = simcall.simulate(scenario, seed=seed).kpis
    return {key: round(kpis[key]) for key in ("offered", "answered", "abandoned")}


def timed(fn: Any, *args: Any) -> tuple[float, dict[str, int]]:
    """CPU seconds of one call of ``fn`` and its result."""
    start = time.process_time()
    result = fn(*args)
    return time.process_time() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (5)")
    parser.add_argument("--hours", type=int, default=200, help="simulated hours (200)")
    parser.add_argument("--seed", type=int, default=1, help="seed of both sides (1)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write all raw figures here")
    args = parser.parse_args()

    sys.path.insert(0, str(HERE.parent))  # simcall from this checkout
    import simcall
    from simcall.erlang import erlang_a_metrics

    scenario = simcall.load(SCENARIO).model_copy(update={"intervals": args.hours})
    expected = float(erlang_a_metrics(AGENTS, CALLS_PER_HOUR, TALK_MEAN_S,
                                      PATIENCE_MEAN_S).p_abandon)
    runs: dict[str, list[dict[str, Any]]] = {"reference": [], "simcall": []}
    for round_ in range(1, args.rounds + 1):
        for side, fn, arg in (("reference", reference, args.hours),
                              ("simcall", run_simcall, scenario)):
            cpu, counts = timed(fn, arg, args.seed)
            run = {"cpu_s": cpu, **counts, "calls_per_s": counts["offered"] / cpu}
            runs[side].append(run)
            print(f"round {round_} {side:9} {cpu:7.2f} s CPU  {run['calls_per_s']:11,.0f} "
                  f"calls/s", file=sys.stderr)

    summary: dict[str, dict[str, float]] = {}
    for side, side_runs in runs.items():
        last = side_runs[-1]
        summary[side] = {
            "cpu_s": statistics.median(r["cpu_s"] for r in side_runs),
            "calls_per_s": statistics.median(r["calls_per_s"] for r in side_runs),
            "offered": last["offered"],
            "p_abandon": last["abandoned"] / last["offered"],
        }
    share = summary["simcall"]["calls_per_s"] / summary["reference"]["calls_per_s"]
    # each round's two sides ran one after the other, under the same load: the median of
    # the rounds' shares is the steadier figure on a noisy machine (as vs_ciw.py's pairs)
    paired = statistics.median(s["calls_per_s"] / r["calls_per_s"]
                               for r, s in zip(runs["reference"], runs["simcall"], strict=True))
    print(f"\nErlang A, {args.hours} h, seed {args.seed}, {args.rounds} rounds, Python "
          f"{sys.version.split()[0]}; exact Erlang-A P(abandon) = {expected:.4f}")
    print(f"{'side':9} {'CPU s':>7} {'calls/s':>11} {'offered':>9} {'P(abandon)':>10}")
    for side, s in summary.items():
        print(f"{side:9} {s['cpu_s']:7.2f} {s['calls_per_s']:11,.0f} {s['offered']:9,.0f} "
              f"{s['p_abandon']:10.4f}")
    print(f"simcall's share of the reference: {paired:.3f} as the median of the rounds' "
          f"shares, {share:.3f} as the ratio of the median calls/s (target >= 0.30)")

    if args.json:
        raw = {"hours": args.hours, "seed": args.seed, "rounds": args.rounds,
               "python": sys.version, "erlang_a_p_abandon": expected, "runs": runs,
               "summary": summary, "share": share, "share_median_of_rounds": paired}
        args.json.write_text(json.dumps(raw, indent=2) + "\n")


if __name__ == "__main__":
    main()
