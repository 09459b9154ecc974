"""Exact traces on tiny deterministic scenarios: every event at the expected time.

Arrivals are scripted (:class:`simcall.Arrival`) and talk times are fixed,
so each test states the whole story of a few calls and checks the engine
tells exactly that story.
"""

from __future__ import annotations

import math

import numpy as np

import simcall
from helpers import scenario_from
from simcall import Arrival
from simcall.model.records import Outcome

TALK_100 = {"dist": "deterministic", "value": 100}


def run(scenario: simcall.Scenario, arrivals: list[Arrival]) -> tuple[list, simcall.RunResult]:
    trace: list = []
    result = simcall.simulate(scenario, seed=1, arrivals=arrivals, trace=trace)
    return trace, result


def answers(trace: list) -> list[tuple[float, int, str]]:
    """(time, call, agent) of every pickup."""
    return [(t, call, agent) for t, event, call, _, agent in trace if event == "answer"]


def test_priority_jumps_the_queue_but_not_the_call_in_progress() -> None:
    scenario = scenario_from(callers=[
        {"name": "regular", "arrivals_per_hour": 1, "enters": "support", "priority": 1},
        {"name": "vip", "arrivals_per_hour": 1, "enters": "support", "priority": 0},
    ])
    trace, result = run(scenario, [
        Arrival(0, "regular"), Arrival(10, "regular"), Arrival(20, "vip"),
    ])
    assert answers(trace) == [(0, 0, "team #1"), (100, 2, "team #1"), (200, 1, "team #1")]
    assert trace == [
        (0, "queue", 0, "support", ""), (0, "ring", 0, "support", "team #1"),
        (0, "answer", 0, "support", "team #1"),
        (10, "queue", 1, "support", ""), (20, "queue", 2, "support", ""),
        (100, "end", 0, "support", "team #1"),
        (100, "ring", 2, "support", "team #1"), (100, "answer", 2, "support", "team #1"),
        (200, "end", 2, "support", "team #1"),
        (200, "ring", 1, "support", "team #1"), (200, "answer", 1, "support", "team #1"),
        (300, "end", 1, "support", "team #1"),
    ]
    calls = result.records.calls
    assert calls.answer_time.tolist() == [0, 190, 80]
    assert calls.waited.tolist() == [False, True, True]


def test_new_call_goes_to_primary_skill_then_any_skill() -> None:
    scenario = scenario_from(
        callers=[{"name": "c", "arrivals_per_hour": 1, "enters": "support"}],
        departments=[{"name": "sales", "talk": TALK_100}, {"name": "support", "talk": TALK_100}],
        agents=[{"name": "blended", "skills": ["sales", "support"], "staff": 1},
                {"name": "helpers", "skills": ["support"], "staff": 1}],
    )
    trace, _ = run(scenario, [Arrival(0, "c"), Arrival(1, "c")])
    # both agents idle at t=0: the support call goes to the one whose primary skill it is
    assert answers(trace) == [(0, 0, "helpers #1"), (1, 1, "blended #1")]


def test_freed_agent_takes_its_highest_ranked_skill_first() -> None:
    scenario = scenario_from(
        callers=[{"name": "c", "arrivals_per_hour": 1, "enters": "support"}],
        departments=[{"name": "sales", "talk": TALK_100}, {"name": "support", "talk": TALK_100}],
        agents=[{"name": "blended", "skills": ["sales", "support"], "staff": 1}],
    )
    trace, _ = run(scenario, [
        Arrival(0, "c"), Arrival(1, "c"), Arrival(2, "c", department="sales", talk=100),
    ])
    # at t=100 support (waiting since 1) and sales (since 2) wait: sales is ranked first
    assert answers(trace) == [(0, 0, "blended #1"), (100, 2, "blended #1"),
                              (200, 1, "blended #1")]


def test_longest_idle_agent_gets_the_call() -> None:
    scenario = scenario_from(agents=[{"name": "team", "skills": ["support"], "staff": 2}])
    trace, _ = run(scenario, [Arrival(10, "customers"), Arrival(120, "customers"),
                              Arrival(130, "customers")])
    # #2 has been idle since 0 when the call at 120 comes; #1 only since 110
    assert answers(trace) == [(10, 0, "team #1"), (120, 1, "team #2"), (130, 2, "team #1")]


def test_pickup_delay_counts_in_answer_time_and_sets_the_ring() -> None:
    scenario = scenario_from(
        agents=[{"name": "team", "skills": ["support"], "staff": 1,
                 "pickup": {"dist": "deterministic", "value": 8}}],
        targets={"service_level": {"within": "1 ring", "fraction": 0.8}},
    )
    trace, result = run(scenario, [Arrival(0, "customers"), Arrival(1, "customers")])
    assert [(t, e) for t, e, *_ in trace if e in ("ring", "answer")] == [
        (0, "ring"), (8, "answer"), (108, "ring"), (116, "answer"),
    ]
    assert result.records.calls.answer_time.tolist() == [8, 115]
    # 8 s is on ring 2 (6 s cycle); 115 s on ring 20
    assert result.metrics.ring_shares[1] == 0.5 and result.metrics.ring_shares[19] == 0.5
    assert result.kpis["service_level"] == 0.0  # neither before 1 ring = 6 s
    # the agent is busy while ringing: 2 x (8 + 100) s in the hour
    assert result.records.busy.end.tolist() == [108, 216]


def test_caller_hangs_up_while_the_phone_rings() -> None:
    scenario = scenario_from(agents=[{"name": "team", "skills": ["support"], "staff": 1,
                                      "pickup": {"dist": "deterministic", "value": 8}}])
    trace, result = run(scenario, [Arrival(0, "customers", patience=5),
                                   Arrival(6, "customers", patience=math.inf)])
    assert [(t, e, c) for t, e, c, *_ in trace] == [
        (0, "queue", 0), (0, "ring", 0), (5, "abandon", 0),
        (6, "queue", 1), (6, "ring", 1), (14, "answer", 1), (114, "end", 1),
    ]
    calls = result.records.calls
    assert calls.outcome.tolist() == [Outcome.ABANDONED, Outcome.ANSWERED]
    assert calls.waited.tolist() == [False, False]  # an agent was free: no wait, yet abandoned
    assert result.records.busy.start.tolist() == [0, 6]
    assert result.records.busy.end.tolist() == [5, 114]


def test_patience_runs_out_in_the_queue() -> None:
    trace, result = run(scenario_from(), [Arrival(0, "customers"),
                                          Arrival(10, "customers", patience=30)])
    assert (40, "abandon", 1, "support", "") in trace
    assert result.records.calls.wait.tolist() == [0, 30]
    assert result.kpis["abandon_rate"] == 0.5


def test_staff_change_at_a_boundary_finishes_the_call_in_hand() -> None:
    scenario = scenario_from(interval="100s", intervals=3,
                             agents=[{"name": "team", "skills": ["support"], "staff": [1, 0, 1]}])
    trace, result = run(scenario, [Arrival(50, "customers"), Arrival(120, "customers")])
    assert answers(trace) == [(50, 0, "team #1"), (200, 1, "team #2")]
    staffed = result.records.staffed
    # team #1 is on duty until its call ends at 150 (not 100); team #2 from 200 on
    assert sorted(zip(staffed.start.tolist(), staffed.end.tolist(), strict=True)) == [
        (0, 150), (200, 300)]
    # occupancy per interval: 50/100, 50/50, 100/100
    occupancy = [k["occupancy"] for k in result.metrics.intervals]
    assert occupancy == [0.5, 1.0, 1.0]


def test_idle_agents_leave_at_once() -> None:
    scenario = scenario_from(interval="100s", intervals=2,
                             agents=[{"name": "team", "skills": ["support"], "staff": [2, 1]}])
    _, result = run(scenario, [Arrival(150, "customers")])
    staffed = result.records.staffed
    assert sorted(zip(staffed.start.tolist(), staffed.end.tolist(), strict=True)) == [
        (0, 100), (0, 250)]


def test_transfer_goes_on_to_the_next_queue_then_wrap_up() -> None:
    scenario = scenario_from(
        departments=[
            {"name": "support", "talk": TALK_100, "transfer": {"billing": 0.4},
             "wrap_up": {"dist": "deterministic", "value": 30}},
            {"name": "billing", "talk": {"dist": "deterministic", "value": 50}},
        ],
        agents=[{"name": "front", "skills": ["support"], "staff": 1},
                {"name": "back", "skills": ["billing"], "staff": 1}],
    )
    trace, result = run(scenario, [
        Arrival(0, "customers", transfer_draw=0.1),  # < 0.4: transferred
        Arrival(5, "customers", transfer_draw=0.9),  # ends after talk
    ])
    assert [(t, e, c, d, a) for t, e, c, d, a in trace if e != "ring"] == [
        (0, "queue", 0, "support", ""), (0, "answer", 0, "support", "front #1"),
        (5, "queue", 1, "support", ""),
        (100, "transfer", 0, "billing", "front #1"), (100, "queue", 0, "billing", ""),
        (100, "answer", 0, "billing", "back #1"),
        (130, "answer", 1, "support", "front #1"),  # after 30 s of wrap-up
        (150, "end", 0, "billing", "back #1"),
        (230, "end", 1, "support", "front #1"),
    ]
    visits = result.records.visits
    assert visits.call.tolist() == [0, 0, 1]
    assert visits.transferred.tolist() == [True, False, False]
    assert result.records.calls.transfers.tolist() == [1, 0]
    assert result.kpis["mean_transfers"] == 0.5
    assert result.metrics.departments["billing"]["offered"] == 1
    assert result.metrics.transfer_shares == (0.5, 0.5)


def test_self_transfer_goes_to_another_agent_of_the_team() -> None:
    scenario = scenario_from(
        departments=[{"name": "support", "talk": TALK_100, "transfer": {"support": 0.5}}],
        agents=[{"name": "team", "skills": ["support"], "staff": 2}],
    )
    trace, result = run(scenario, [Arrival(0, "customers", transfer_draw=0.0)])
    assert answers(trace)[:2] == [(0, 0, "team #1"), (100, 0, "team #2")]
    assert result.records.calls.transfers[0] >= 1


def test_all_trunk_lines_busy_gives_a_busy_signal() -> None:
    scenario = scenario_from(lines=2)
    trace, result = run(scenario, [Arrival(0, "customers"), Arrival(1, "customers"),
                                   Arrival(2, "customers"), Arrival(150, "customers")])
    assert (2, "blocked", 2, "support", "") in trace
    calls = result.records.calls
    assert calls.outcome.tolist() == [Outcome.ANSWERED, Outcome.ANSWERED, Outcome.BLOCKED,
                                      Outcome.ANSWERED]
    assert result.kpis["block_rate"] == 0.25
    assert math.isnan(calls.wait[2])


def test_voicemail_after_n_rings() -> None:
    scenario = scenario_from(voicemail_after="3 rings")
    trace, result = run(scenario, [Arrival(0, "customers"), Arrival(10, "customers")])
    assert (28, "voicemail", 1, "support", "") in trace
    assert result.kpis["voicemail"] == 1
    assert result.kpis["abandon_rate"] == 0.0


def test_calls_arriving_before_warmup_count_nowhere() -> None:
    scenario = scenario_from(warmup="20s")
    _, result = run(scenario, [Arrival(10, "customers"), Arrival(30, "customers")])
    assert result.kpis["offered"] == 1
    assert result.kpis["asa_s"] == 80  # the second call waited 110 - 30 s
    assert result.metrics.departments["support"]["offered"] == 1


def test_no_agents_left_means_calls_stay_in_the_system() -> None:
    scenario = scenario_from(interval="100s", intervals=2,
                             agents=[{"name": "team", "skills": ["support"], "staff": [1, 0]}])
    _, result = run(scenario, [Arrival(10, "customers"), Arrival(20, "customers")])
    assert result.kpis["in_system"] == 1
    assert result.kpis["answered"] == 1
    assert np.isnan(result.records.calls.wait[1])
