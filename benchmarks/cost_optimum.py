"""The cost search against the exact Erlang A optimum, on stationary M/M/n+M queues.

Prints a markdown table: for each case the exact cost-optimal head count
(:func:`simcall.erlang.cost_optimal_agents`), the head count ``staff --objective cost`` finds,
the exact cost of both over the counted hours, the simulated cost of the found plan with its
95% interval on fresh replications, whether that interval contains the exact cost, and the
search's time and replications. Run:

    python benchmarks/cost_optimum.py [--replications 20] [--verify 20] [--seed 1]

Each case is one interval of 6 h with a 30 min warm-up (5.5 counted hours), Poisson arrivals,
exponential talk and patience: exactly the queue the closed form describes, so a found plan
other than the optimum can only come from noise (the table says how large the exact
difference is).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import simcall
from simcall.erlang import cost_optimal_agents, hourly_cost
from simcall.staffing import staff_for_cost

HOURS = 5.5
CASES: list[dict[str, Any]] = [
    {"rate": 300, "aht": 240, "patience": 180, "wage": 30, "value": 50, "abandoned": 0.5},
    {"rate": 120, "aht": 300, "patience": 120, "wage": 25, "value": 200, "abandoned": 0.3},
    {"rate": 900, "aht": 180, "patience": 240, "wage": 35, "value": 80, "abandoned": 0.4},
    {"rate": 300, "aht": 240, "patience": 60, "wage": 30, "value": 20, "abandoned": 1.0},
    {"rate": 300, "aht": 240, "patience": 180, "wage": 30, "value": 50, "abandoned": 0.3,
     "late": 0.1, "within": 20},  # the service-level threshold: 20 s, the default
]


def scenario(case: dict[str, Any]) -> simcall.Scenario:
    defection = {"abandoned": case["abandoned"], "answered_late": case.get("late", 0.0)}
    return simcall.from_dict({
        "name": "stationary", "interval": "6h", "intervals": 1, "warmup": "30min",
        "callers": [{"name": "callers", "arrivals_per_hour": case["rate"], "enters": "queue",
                     "patience": {"dist": "exponential", "mean": case["patience"]},
                     "value": case["value"], "defection": defection}],
        "departments": [{"name": "queue",
                         "talk": {"dist": "exponential", "mean": case["aht"]}}],
        "agents": [{"name": "team", "skills": ["queue"], "staff": 1,
                    "cost_per_hour": case["wage"]}],
    })


def exact(case: dict[str, Any], n: int) -> float:
    return HOURS * hourly_cost(n, case["rate"], case["aht"], case["patience"], case["wage"],
                               case["value"], case["abandoned"], case.get("late", 0.0),
                               within=case.get("within", 20))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--verify", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print("| calls/h | AHT s | patience s | wage/h | value x defection | exact optimum "
          "| found | exact cost (optimum) | exact cost (found) | simulated cost of found "
          "[95% CI] | contains | back to the optimum: exact change, paired [95% CI] "
          "| search s | replications |")
    print("| ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | --- | --- "
          "| ---: | ---: |")
    for case in CASES:
        optimum = cost_optimal_agents(case["rate"], case["aht"], case["patience"],
                                      case["wage"], case["value"], case["abandoned"],
                                      case.get("late", 0.0), within=case.get("within", 20))
        started = time.perf_counter()
        result = staff_for_cost(scenario(case), replications=args.replications,
                                verify_replications=args.verify, seed=args.seed)
        took = time.perf_counter() - started
        found = result.plan["team"][0]
        total = result.total_cost
        ci = total.ci95
        stakes = f"{case['value']} x {case['abandoned']} abandoned" + (
            f", {case['late']} late (< {case['within']} s)" if "late" in case else "")
        contains = "yes" if ci is not None and exact(case, found) in ci else "no"
        band = "" if ci is None else f" [{ci.low:,.0f}, {ci.high:,.0f}]"
        back = "-"
        best = optimum.agents
        if found != best and abs(found - best) == 1:
            change = result.verification.change("team", 0, best - found)
            paired = None if change is None else change.net.ci95
            back = (f"{exact(case, best) - exact(case, found):+,.1f}, "
                    + ("-" if paired is None or change is None else
                       f"{change.net.mean:+,.1f} [{paired.low:+,.1f}, {paired.high:+,.1f}]"))
        print(f"| {case['rate']} | {case['aht']} | {case['patience']} | {case['wage']} "
              f"| {stakes} | {optimum.agents} | {found} | {exact(case, optimum.agents):,.1f} "
              f"| {exact(case, found):,.1f} | {total.mean:,.1f}{band} | {contains} | {back} "
              f"| {took:.1f} | {result.runs} |")


if __name__ == "__main__":
    main()
