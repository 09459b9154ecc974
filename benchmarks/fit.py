"""How long ``simcall.fit`` takes on the Anonymous Bank log (42,078 calls): the target is
at most 10 s for reading and fitting.

Usage: ``python benchmarks/fit.py [LOG]`` (default: ``/work/shared/data/anonymous-bank/``,
or ``../shared/data/anonymous-bank/`` beside the repository). Prints the time of a cold
run (scipy imported on the way, as in a fresh ``simcall fit``), of a warm one, and of
reading alone.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

NAME = "anonymous_bank_1999-08_calls.csv.gz"
PLACES = (Path("/work/shared/data/anonymous-bank"),
          Path(__file__).resolve().parents[2] / "shared" / "data" / "anonymous-bank")


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else next(
        (place / NAME for place in PLACES if (place / NAME).exists()), None)
    if path is None:
        raise SystemExit(f"no {NAME} found in {', '.join(map(str, PLACES))}: give its path")
    import simcall
    from simcall.fit import read_log

    cold_start = time.perf_counter()
    result = simcall.fit(path, preset="anonymous-bank")
    cold = time.perf_counter() - cold_start
    start = time.perf_counter()
    simcall.fit(path, preset="anonymous-bank")
    warm = time.perf_counter() - start
    start = time.perf_counter()
    read_log(path, "anonymous-bank")
    reading = time.perf_counter() - start
    selection = result.log.selection
    print(f"{path.name}: {selection.rows:,} rows, {selection.kept:,} kept, "
          f"{len(result.log.dates)} days, {len(result.log.caller_types)} caller types")
    print(f"fit, cold (scipy imported on the way): {cold:.2f} s")
    print(f"fit, warm:                             {warm:.2f} s")
    print(f"reading alone:                         {reading:.2f} s")
    print(f"target: at most 10 s -> {'met' if cold <= 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
