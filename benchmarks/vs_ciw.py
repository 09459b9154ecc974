"""Benchmark simcall against Ciw on the same Erlang-A call centre.

The centre: 50 agents, 960 calls/h Poisson arrivals, exponential talk time (mean 180 s) and
exponential patience (mean 120 s), simulated for 200 hours (about 190,000 calls).

What is measured, and why:

* Each side runs as a whole, separate child process: interpreter start-up, imports, model
  build, the run and counting the results. That is what a user waits for, and it stops one
  library's imports or leftover memory from affecting the other's figures.
* Ciw runs in its own venv (``benchmarks/.venv-ciw``, created on first use), so it never
  touches the project's environment; simcall runs with the interpreter running this script.
* Runs are interleaved (ciw, simcall, ciw, simcall, ...) so slow drift in machine load hits
  both sides alike, and the median over pairs is reported so one disturbed run does not
  decide the result; the speed-up is given both as the median of the per-pair ratios (each
  pair ran under the same load) and as the ratio of the medians.
* Both sides run from byte-compiled modules: pip compiled Ciw's when it installed it, and
  this script compiles simcall's (``compileall``) before the first run, since an editable
  install under ``PYTHONDONTWRITEBYTECODE`` would otherwise compile every simcall module
  from source in every child (about 0.4 G instructions, 8% of simcall's child).
* Peak memory is each child's max RSS, from ``os.wait4`` (``ru_maxrss``, KiB on Linux).
* Calls/s uses the calls offered as counted by each side itself in its child.

Each side's abandonment probability is printed beside the exact Erlang-A value as a check
that both simulate the same model.

Usage: ``python benchmarks/vs_ciw.py [--pairs 3] [--hours 200] [--json PATH]``
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CIW_VENV = HERE / ".venv-ciw"
CIW_PYTHON = CIW_VENV / "bin" / "python"

AGENTS, CALLS_PER_HOUR, TALK_MEAN_H, PATIENCE_MEAN_H = 50, 960.0, 3 / 60, 2 / 60


def ensure_ciw_venv() -> str:
    """Create the Ciw venv and install Ciw if missing; return the installed Ciw version."""
    if not CIW_PYTHON.exists():
        print(f"creating {CIW_VENV} and installing ciw ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", CIW_VENV], check=True)
        subprocess.run([CIW_PYTHON, "-m", "pip", "install", "-q", "ciw"], check=True)
    out = subprocess.run(
        [CIW_PYTHON, "-c", "import importlib.metadata as m; print(m.version('ciw'))"],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def erlang_a_p_abandon() -> float:
    """Exact P(abandon) of the Erlang-A (M/M/n+M) centre from its birth-death chain."""
    mu, theta = 1 / TALK_MEAN_H, 1 / PATIENCE_MEAN_H
    p, total, waiting = 1.0, 1.0, 0.0
    for k in range(1, 2000):
        p *= CALLS_PER_HOUR / (min(k, AGENTS) * mu + max(k - AGENTS, 0) * theta)
        total += p
        waiting += max(k - AGENTS, 0) * p
    return theta * (waiting / total) / CALLS_PER_HOUR


def run_child(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one child to completion; return wall time, peak RSS and its JSON result or error."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    run: dict[str, Any] = {
        "wall_s": wall,
        "maxrss_kib": usage.ru_maxrss,
        "returncode": proc.returncode,
    }
    try:
        if proc.returncode != 0:
            raise ValueError(f"exit code {proc.returncode}")
        run["result"] = json.loads(stdout.strip().splitlines()[-1])
        run["calls_per_s"] = run["result"]["offered"] / wall
    except (ValueError, IndexError, KeyError) as exc:
        lines = stderr.strip().splitlines()
        run["error"] = lines[-1] if lines else f"{exc}; stdout: {stdout.strip()[:200]!r}"
    return run


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Medians over the successful runs of one side, or None if none succeeded."""
    ok = [r for r in runs if "error" not in r]
    if not ok:
        return None
    return {
        "runs_ok": len(ok),
        "wall_s": statistics.median(r["wall_s"] for r in ok),
        "maxrss_mib": statistics.median(r["maxrss_kib"] for r in ok) / 1024,
        "calls_per_s": statistics.median(r["calls_per_s"] for r in ok),
        "offered": statistics.median(r["result"]["offered"] for r in ok),
        "p_abandon": statistics.median(r["result"]["p_abandon"] for r in ok),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3, help="ciw/simcall run pairs (3)")
    parser.add_argument("--hours", type=int, default=200, help="simulated hours (200)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write all raw figures here")
    args = parser.parse_args()

    ciw_version = ensure_ciw_venv()
    commands = {
        "ciw": [str(CIW_PYTHON), str(HERE / "_ciw_erlang_a.py"), str(args.hours)],
        "simcall": [sys.executable, str(HERE / "_simcall_erlang_a.py"), str(args.hours)],
    }
    # Import simcall from this checkout even if it is not pip-installed in the interpreter.
    path = os.pathsep.join(p for p in (str(HERE.parent), os.environ.get("PYTHONPATH")) if p)
    envs = {"ciw": None, "simcall": {**os.environ, "PYTHONPATH": path}}
    compileall.compile_dir(HERE.parent / "simcall", quiet=1)  # as pip install does (see above)
    runs: dict[str, list[dict[str, Any]]] = {side: [] for side in commands}
    for pair in range(1, args.pairs + 1):
        for side, cmd in commands.items():
            run = run_child(cmd, envs[side])
            runs[side].append(run)
            outcome = run.get("error") or f"{run['calls_per_s']:,.0f} calls/s"
            print(f"pair {pair} {side:8}{run['wall_s']:8.2f} s  {outcome}", file=sys.stderr)

    summary = {side: summarise(side_runs) for side, side_runs in runs.items()}
    expected = erlang_a_p_abandon()
    print(
        f"\nErlang A, {args.hours} h, {args.pairs} pairs; ciw=={ciw_version}, "
        f"Python {sys.version.split()[0]}; exact Erlang-A P(abandon) = {expected:.4f}"
    )
    print(
        f"{'side':8} {'wall s':>8} {'calls/s':>10} {'max RSS MiB':>12} {'offered':>9} "
        f"{'P(abandon)':>10}"
    )
    for side, s in summary.items():
        if s is None:
            print(f"{side:8} FAILED: {runs[side][-1]['error']}")
            continue
        print(
            f"{side:8} {s['wall_s']:8.2f} {s['calls_per_s']:10,.0f} {s['maxrss_mib']:12.1f} "
            f"{s['offered']:9,.0f} {s['p_abandon']:10.4f}"
        )
    ratios: dict[str, float] = {}
    if summary["ciw"] and summary["simcall"]:
        pairs = [c["wall_s"] / m["wall_s"] for c, m in zip(runs["ciw"], runs["simcall"],
                                                            strict=True)
                 if "error" not in c and "error" not in m]
        ratios = {
            "speedup": summary["ciw"]["wall_s"] / summary["simcall"]["wall_s"],
            "speedup_median_pair": statistics.median(pairs),
            "memory_ratio": summary["simcall"]["maxrss_mib"] / summary["ciw"]["maxrss_mib"],
        }
        print(
            f"speed-up (ciw time / simcall time): {ratios['speedup_median_pair']:.2f}x as the "
            f"median of the {len(pairs)} pairs' ratios, {ratios['speedup']:.2f}x as the ratio "
            f"of the medians; memory (simcall RSS / ciw RSS): {ratios['memory_ratio']:.2f}x"
        )

    if args.json:
        raw = {
            "hours": args.hours,
            "pairs": args.pairs,
            "ciw_version": ciw_version,
            "python": sys.version,
            "commands": commands,
            "erlang_a_p_abandon": expected,
            "runs": runs,
            "summary": summary,
            "ratios": ratios,
        }
        args.json.write_text(json.dumps(raw, indent=2) + "\n")


if __name__ == "__main__":
    main()
