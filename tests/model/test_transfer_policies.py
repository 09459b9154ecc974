"""Transfer policies: a limit with a resolution desk, priority for transferred callers,
warm transfers, and the report of the worst ping-pong chains."""

from __future__ import annotations

import simcall
from helpers import scenario_from
from simcall import Arrival

TALK_100 = {"dist": "deterministic", "value": 100}


def ping_pong(**policy: object) -> simcall.Scenario:
    """sales and orders transfer every call to each other: only a limit stops them."""
    return scenario_from(
        callers=[{"name": "c", "arrivals_per_hour": 1, "enters": "sales"}],
        departments=[
            {"name": "sales", "talk": TALK_100, "transfer": {"orders": 1.0}, **policy},
            {"name": "orders", "talk": TALK_100, "transfer": {"sales": 1.0}, **policy},
            {"name": "desk", "talk": TALK_100},
        ],
        agents=[{"name": "team", "skills": ["sales", "orders", "desk"], "staff": 3}],
    )


def test_without_a_limit_a_ping_pong_loop_is_refused() -> None:
    try:
        ping_pong()
    except simcall.ScenarioError as error:
        assert "can never leave" in str(error)
    else:
        raise AssertionError("a loop with no way out was accepted")


def test_limit_diverts_to_the_resolution_desk() -> None:
    scenario = ping_pong(max_transfers=1, resolution_desk="desk")
    trace: list = []
    result = simcall.simulate(scenario, arrivals=[Arrival(0, "c")], trace=trace)
    visits = result.records.visits
    path = [scenario.departments[d].name for d in visits.department.tolist()]
    assert path == ["sales", "orders", "desk"]
    assert visits.limited.tolist() == [False, True, False]
    assert result.records.calls.transfers.tolist() == [2]
    assert (200, "transfer limit", 0, "orders", "") in trace
    assert result.kpis["transfer_limited"] == 1
    (chain,) = result.metrics.worst_chains
    assert chain.path == ("sales", "orders", "desk") and chain.transfers == 2


def test_limit_without_a_desk_ends_the_call() -> None:
    result = simcall.simulate(ping_pong(max_transfers=2), arrivals=[Arrival(0, "c")])
    visits = result.records.visits
    assert visits.department.tolist() == [0, 1, 0]  # sales, orders, sales: then it ends
    assert result.records.calls.transfers.tolist() == [2]
    assert result.records.busy.end.max() == 300  # the third talk ends the call


def test_transferred_callers_jump_the_queue_with_a_boost() -> None:
    def scenario(boost: int) -> simcall.Scenario:
        return scenario_from(
            callers=[{"name": "c", "arrivals_per_hour": 1, "enters": "sales"}],
            departments=[
                {"name": "sales", "talk": TALK_100, "transfer": {"orders": 0.5}},
                {"name": "orders", "talk": TALK_100, "transfer_priority_boost": boost},
            ],
            agents=[{"name": "front", "skills": ["sales"], "staff": 1},
                    {"name": "back", "skills": ["orders"], "staff": 1}],
        )

    arrivals = [Arrival(0, "c", transfer_draw=0.0),  # transferred to orders at t=100
                Arrival(1, "c", department="orders"),  # orders busy 1..101
                Arrival(50, "c", department="orders")]  # waits from 50
    for boost, first in [(0, 2), (1, 0)]:
        trace: list = []
        simcall.simulate(scenario(boost), arrivals=arrivals, trace=trace)
        answered_at_101 = [c for t, e, c, d, _ in trace if e == "answer" and t == 101]
        assert answered_at_101 == [first], boost


def test_warm_transfer_holds_the_first_agent_until_the_next_answers() -> None:
    def scenario(warm: bool) -> simcall.Scenario:
        return scenario_from(
            callers=[{"name": "c", "arrivals_per_hour": 1, "enters": "sales"}],
            departments=[
                {"name": "sales", "talk": TALK_100, "transfer": {"orders": 1.0},
                 "warm_transfer": warm, "wrap_up": {"dist": "deterministic", "value": 10}},
                {"name": "orders", "talk": TALK_100},
            ],
            agents=[{"name": "front", "skills": ["sales"], "staff": 1},
                    {"name": "back", "skills": ["orders"], "staff": 1}],
        )

    arrivals = [Arrival(0, "c", department="orders"),  # orders agent busy 0..100
                Arrival(30, "c")]  # sales 30..130, then to orders (free since 100)
    arrivals += [Arrival(60, "c", department="orders")]  # orders busy again 100..200
    cold = simcall.simulate(scenario(False), arrivals=arrivals)
    warm_trace: list = []
    warm = simcall.simulate(scenario(True), arrivals=arrivals, trace=warm_trace)

    def front_spells(result: simcall.RunResult) -> list[tuple[float, float]]:
        busy = result.records.busy
        front = busy.group == 0
        return list(zip(busy.start[front].tolist(), busy.end[front].tolist(), strict=True))

    # cold: the sales agent wraps up right after talk (130 + 10); warm: it stays on the line
    # until orders answers at 200 (when that agent finishes the call waiting since 60)
    assert front_spells(cold) == [(30, 140)]
    assert front_spells(warm) == [(30, 210)]
    assert (200, "hand over", 1, "orders", "front #1") in warm_trace
    # the caller waits the same; only the first agent's time is spent
    assert cold.records.calls.wait.tolist() == warm.records.calls.wait.tolist()


def test_a_limit_lowers_transfers_on_common_random_numbers() -> None:
    def scenario(**policy: object) -> simcall.Scenario:
        return scenario_from(
            interval="30min", intervals=8,
            callers=[{"name": "c", "arrivals_per_hour": 40, "enters": "sales"}],
            departments=[
                {"name": "sales", "talk": {"dist": "exponential", "mean": 90},
                 "transfer": {"orders": 0.6}, **policy},
                {"name": "orders", "talk": {"dist": "exponential", "mean": 90},
                 "transfer": {"sales": 0.6}, **policy},
            ],
            agents=[{"name": "team", "skills": ["sales", "orders"], "staff": 4}],
        )

    free = simcall.replicate(scenario(), replications=5, seed=3)
    capped = simcall.replicate(scenario(max_transfers=1), replications=5, seed=3)
    assert capped.kpis["mean_transfers"].mean < free.kpis["mean_transfers"].mean
    assert capped.kpis["transfer_share_within"].mean == 1.0
    assert free.kpis["transfer_share_within"].mean < 1.0
    assert capped.kpis["transfer_limited"].mean > 0 == free.kpis["transfer_limited"].mean
    document = free.to_json()
    worst = document["worst_transfer_chains"]
    assert worst and worst[0]["transfers"] >= worst[-1]["transfers"] >= 2
    assert len(worst[0]["path"]) == worst[0]["transfers"] + 1
