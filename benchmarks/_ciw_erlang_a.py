"""Ciw child of ``vs_ciw.py``: the Erlang-A centre in Ciw, printed as one JSON line.

Runs with the Ciw venv's interpreter (``benchmarks/.venv-ciw``), never the project's.
Time unit is hours: 960 calls/h, talk mean 3 min (rate 20/h), patience mean 2 min (rate 30/h).
Usage: ``python _ciw_erlang_a.py HOURS``.
"""

from __future__ import annotations

import json
import math
import sys

import ciw


def main() -> None:
    hours = float(sys.argv[1]) if len(sys.argv) > 1 else 200.0
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=960.0)],
        service_distributions=[ciw.dists.Exponential(rate=60.0 / 3.0)],
        number_of_servers=[50],
        reneging_time_distributions=[ciw.dists.Exponential(rate=60.0 / 2.0)],
    )
    ciw.seed(1)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(hours)

    # Reneged callers leave a "renege" record; callers still waiting or talking at the end
    # only show up as "incomplete" records, so include those to count every arrival once.
    records = sim.get_all_records(include_incomplete=True)
    offered = len({r.id_number for r in records})
    answered = sum(
        1
        for r in records
        if r.record_type in ("service", "incomplete")
        and isinstance(r.service_start_date, float)
        and not math.isnan(r.service_start_date)
    )
    abandoned = sum(1 for r in records if r.record_type == "renege")
    print(
        json.dumps(
            {
                "offered": offered,
                "answered": answered,
                "abandoned": abandoned,
                "p_abandon": abandoned / offered if offered else float("nan"),
            }
        )
    )


if __name__ == "__main__":
    main()
