"""Fuzzing the ready scenarios: whatever validates, runs, and accounts for every call.

Each mutant is a ready scenario with one or two values replaced by an edge value (zero,
negative, huge, tiny, NaN, infinity, a wrong type, a bad duration) or one key removed, drawn
from a fixed seed so that a failure names a mutant that can be rebuilt. Each must either
fail validation cleanly (a ``ScenarioError``), be refused by the workload guard, or run one
replication to the end within a time limit with every call accounted for (``simulate``
checks conservation itself). Anything else (a traceback, a hang) fails the test with the
mutation that caused it. 300 mutants in the default run (about 5 s: most are refused at
validation), 3,000 more in the slow tier.
"""

from __future__ import annotations

import copy
import math
import random
import tomllib
from collections.abc import Iterator
from typing import Any

import pytest

import simcall
from helpers import SCENARIOS, simulate_or_fail
from simcall.experiments.workload import workload

EDGES: list[Any] = [0, -1, 1, 1e308, -1e308, 1e-300, math.nan, math.inf, -math.inf, 1e6,
                    0.5, "", "abc", True, [], {}, "1e9h", "-5min", "0s", 100_001, 2**63]
MOST_CALLS = 100_000  # a mutant asking for more is left to the workload guard's own tests
SECONDS = 20  # a replication of a ready scenario takes well under a second


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(data, list) and data and isinstance(data[0], dict):
        for index, value in enumerate(data):
            yield from _leaves(value, (*path, index))
    else:
        yield path


def _mutant(seed: int) -> tuple[dict[str, Any], str]:
    rng = random.Random(seed)
    files = sorted(SCENARIOS.glob("*.toml"))
    name = rng.choice(files)
    data = tomllib.loads(name.read_text())
    paths = [p for p in _leaves(data) if p and p[0] != "name"]
    said = [name.stem]
    for _ in range(rng.choice((1, 1, 2))):
        path = rng.choice(paths)
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        if rng.random() < 0.15:
            parent.pop(path[-1], None)
            said.append(f"{'.'.join(map(str, path))} removed")
        else:
            value = copy.deepcopy(rng.choice(EDGES))
            parent[path[-1]] = value
            said.append(f"{'.'.join(map(str, path))} = {value!r}")
    return data, "; ".join(said)



def _check(seed: int) -> str:
    data, said = _mutant(seed)
    try:
        scenario = simcall.from_dict(data, base_dir=SCENARIOS)
    except simcall.ScenarioError:
        return "refused"
    if workload(scenario, 1).calls > MOST_CALLS:
        return "guarded"
    simulate_or_fail(scenario, f"mutant {seed} ({said})", SECONDS)
    return "ran"


def test_three_hundred_mutants_fail_cleanly_or_run() -> None:
    outcomes = [_check(seed) for seed in range(300)]
    # the mutants reach both sides: refused by validation, and valid enough to run
    assert outcomes.count("refused") > 30 and outcomes.count("ran") > 20


@pytest.mark.slow
def test_three_thousand_more_mutants_fail_cleanly_or_run() -> None:
    outcomes = [_check(seed) for seed in range(10_000, 13_000)]
    assert outcomes.count("refused") > 300 and outcomes.count("ran") > 200
