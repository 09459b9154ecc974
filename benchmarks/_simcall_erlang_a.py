"""simcall child of ``vs_ciw.py``: the Erlang-A centre in simcall, printed as one JSON line.

Runs with the interpreter that runs ``vs_ciw.py`` (the one with simcall installed).
Usage: ``python _simcall_erlang_a.py HOURS``; the scenario uses one-hour intervals, so HOURS
replaces ``intervals`` in ``erlang_a_centre.toml``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import simcall

SCENARIO = Path(__file__).with_name("erlang_a_centre.toml")


def main() -> None:
    hours = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    scenario = simcall.load(SCENARIO)
    scenario = scenario.model_copy(update={"intervals": hours})
    kpis = simcall.simulate(scenario, seed=1).kpis
    print(
        json.dumps(
            {
                "offered": round(kpis["offered"]),
                "answered": round(kpis["answered"]),
                "abandoned": round(kpis["abandoned"]),
                "p_abandon": kpis["abandon_rate"],
            }
        )
    )


if __name__ == "__main__":
    main()
