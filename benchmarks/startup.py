"""How long ``import simcall`` and ``simcall --help`` take, in fresh processes.

Issue 15's targets: ``import simcall`` at most 0.25 s, ``simcall --help`` at most 0.4 s.

What is measured, and why:

* Every sample is a fresh interpreter (``python -c "import simcall"``, ``python -m simcall
  --help``): start-up time is what a user waits for at every command, and a warm process
  would hide it. The bare interpreter (``python -c pass``) is measured the same way, so the
  part that is simcall's own can be read off.
* Wall time of the whole child, the samples of all commands interleaved so that drift in
  the machine's load hits each alike; the median and the minimum are reported (the minimum
  is the least disturbed run: on a shared machine it is the steadier figure).
* ``import simcall.experiments`` (what a first ``simcall.simulate`` adds) and loading a
  scenario are measured too, so that time moved to first use is visible, not hidden.

``--source DIR`` imports simcall from DIR (e.g. an older commit exported with ``git
archive``); the children run in DIR, since ``python -c`` and ``-m`` put the working
directory first on the module path. To see what an import costs, module by module:
``python -X importtime -c "import simcall"``.

Usage: ``python benchmarks/startup.py [--runs 20] [--source DIR] [--json PATH]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCENARIO = HERE.parent / "scenarios" / "helpdesk.toml"
COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "import simcall": ["-c", "import simcall"],
    "simcall --help": ["-m", "simcall", "--help"],
    "import simcall.experiments": ["-c", "import simcall.experiments"],
    "simcall.load(helpdesk)": ["-c", f"import simcall; simcall.load({str(SCENARIO)!r})"],
}
TARGETS = {"import simcall": 0.25, "simcall --help": 0.4}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="samples of each command (20)")
    parser.add_argument("--source", type=Path, default=HERE.parent,
                        help="the directory holding the simcall package (this checkout)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write all raw figures here")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(args.source), os.environ.get("PYTHONPATH")) if p)}

    samples: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.runs):
        for name, command in COMMANDS.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, *command], env=env, check=True, cwd=args.source,
                           stdout=subprocess.DEVNULL)
            samples[name].append(time.perf_counter() - start)

    print(f"simcall from {args.source}, {args.runs} runs each, Python {sys.version.split()[0]}")
    print(f"{'command':28} {'median s':>9} {'min s':>7} {'target':>7}")
    summary = {}
    for name, times in samples.items():
        summary[name] = {"median_s": statistics.median(times), "min_s": min(times)}
        target = f"{TARGETS[name]:.2f}" if name in TARGETS else ""
        print(f"{name:28} {summary[name]['median_s']:9.3f} {summary[name]['min_s']:7.3f} "
              f"{target:>7}")
    if args.json:
        raw = {"runs": args.runs, "source": str(args.source), "python": sys.version,
               "samples": samples, "summary": summary, "targets": TARGETS}
        args.json.write_text(json.dumps(raw, indent=2) + "\n")


if __name__ == "__main__":
    main()
