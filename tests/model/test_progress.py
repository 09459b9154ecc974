"""Progress within one replication: reported as the horizon is simulated, changing nothing.

Why: a single replication of a big scenario (two million calls, a 300-day year) runs
for minutes; the command line shows how far it has got. The report must cost nothing
in the results: the same records and the same JSON with and without it.
"""

from __future__ import annotations

import json

import pytest

from helpers import SCENARIOS, same_records, scenario_from
from simcall.experiments.runner import replicate, simulate
from simcall.model import Arrival
from simcall.model.replication import PROGRESS_STEPS, run_replication
from simcall.scenario import load


def test_progress_rises_every_hundredth_of_the_horizon_and_ends_at_one() -> None:
    seen: list[float] = []
    run_replication(load(SCENARIOS / "helpdesk.toml"), 1, progress=seen.append)
    assert seen == [k / PROGRESS_STEPS for k in range(1, PROGRESS_STEPS)] + [1.0]


def test_progress_ends_at_one_when_the_centre_drains_early() -> None:
    # one call at the start of an 8 h day: the run is over long before the horizon
    seen: list[float] = []
    simulate(scenario_from(intervals=8), 1,
             arrivals=[Arrival(10.0, "customers")], progress=seen.append)
    assert seen[-1] == 1.0 and seen == sorted(set(seen)) and len(seen) == PROGRESS_STEPS


@pytest.mark.parametrize("name", ["helpdesk", "five_departments", "breaks", "week", "bank",
                                  "large_accounts"])
def test_the_results_are_the_same_with_and_without_progress(name: str) -> None:
    scenario = load(SCENARIOS / f"{name}.toml")
    seen: list[float] = []
    plain = replicate(scenario, 2, 7, keep_records=True)
    watched = replicate(scenario, 2, 7, keep_records=True, within=seen.append)
    assert json.dumps(plain.to_json()) == json.dumps(watched.to_json())
    for a, b in zip(plain.runs, watched.runs, strict=True):
        same_records(a.records, b.records)
    assert seen.count(1.0) == 2
