"""Ring-no-answer: the agent lets it ring out, goes not ready, the call keeps its place."""

from __future__ import annotations

import simcall
from helpers import scenario_from
from simcall import Arrival


def rona_scenario(probability: float, staff: int = 1, not_ready: float = 60) -> simcall.Scenario:
    return scenario_from(agents=[{
        "name": "team", "skills": ["support"], "staff": staff,
        "rona": {"probability": probability, "after": "3 rings", "not_ready": not_ready},
    }])


def test_ring_out_sends_the_call_back_and_the_agent_not_ready() -> None:
    trace: list = []
    result = simcall.simulate(rona_scenario(0.999, staff=2), trace=trace,
                              arrivals=[Arrival(0, "customers", patience=100)])
    # (almost) every agent lets it ring out: #1 at 0-18, #2 at 18-36, #1 ready again at 78
    assert [(t, e, a) for t, e, _, _, a in trace if e in ("ring", "rona")][:5] == [
        (0, "ring", "team #1"), (18, "rona", "team #1"), (18, "ring", "team #2"),
        (36, "rona", "team #2"), (78, "ring", "team #1")]
    rona = result.records.rona
    assert rona.group.tolist()[:2] == [0, 0] and rona.time.tolist()[:2] == [18, 36]


def test_the_call_keeps_its_place_at_the_head_of_the_queue() -> None:
    scenario = rona_scenario(0.0)
    ringing = scenario_from(agents=[{"name": "team", "skills": ["support"], "staff": 1,
                                     "rona": {"probability": 0.999, "after": 10}}])
    trace: list = []
    simcall.simulate(ringing, trace=trace, arrivals=[Arrival(0, "customers", patience=25),
                                                     Arrival(5, "customers", patience=60)])
    # not_ready 0: the agent is ready again at once and rings the first call again, not
    # the one that came later; the first caller hangs up at 25 while it rings a third time
    # (with this seed, every ring in this test is one that goes unanswered)
    assert [(t, e, c) for t, e, c, _, _ in trace if e in ("ring", "rona", "abandon")][:6] == [
        (0, "ring", 0), (10, "rona", 0), (10, "ring", 0), (20, "rona", 0), (20, "ring", 0),
        (25, "abandon", 0)]
    assert simcall.simulate(scenario, arrivals=[Arrival(0, "customers")]).kpis["rona"] == 0


def test_more_ring_no_answer_raises_answer_times_on_common_random_numbers() -> None:
    def scenario(probability: float) -> simcall.Scenario:
        return scenario_from(
            interval="30min", intervals=8,
            callers=[{"name": "customers", "arrivals_per_hour": 80, "enters": "support",
                      "patience": {"dist": "exponential", "mean": 180}}],
            agents=[{"name": "team", "skills": ["support"], "staff": 4,
                     "rona": {"probability": probability, "after": "4 rings",
                              "not_ready": "1min"}}],
        )

    results = [simcall.replicate(scenario(p), replications=5, seed=4) for p in (0.0, 0.1, 0.3)]
    asa = [r.kpis["asa_s"].mean for r in results]
    ronas = [r.kpis["rona"].mean for r in results]
    assert asa[0] < asa[1] < asa[2]
    assert ronas[0] == 0 < ronas[1] < ronas[2]
    assert results[2].agent_groups["team"]["rona"].mean == ronas[2]
    assert results[0].kpis["offered"].mean == results[2].kpis["offered"].mean
