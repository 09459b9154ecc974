"""The voice menu: time before queueing, hang-ups in it, self-service, misrouting."""

from __future__ import annotations

import simcall
from helpers import scenario_from
from simcall import Arrival
from simcall.model.records import Outcome

TALK_100 = {"dist": "deterministic", "value": 100}
MENU_30 = {"dist": "deterministic", "value": 30}


def menu_scenario(**ivr: float) -> simcall.Scenario:
    return scenario_from(
        callers=[{"name": "c", "arrivals_per_hour": 60, "enters": "support",
                  "ivr": {"time": MENU_30, **ivr}}],
        departments=[{"name": "support", "talk": TALK_100},
                     {"name": "billing", "talk": {"dist": "deterministic", "value": 40}}],
        agents=[{"name": "team", "skills": ["support"], "staff": 1},
                {"name": "desk", "skills": ["billing"], "staff": 1}],
    )


def test_menu_time_comes_before_the_queue_and_the_answer_time() -> None:
    trace: list = []
    result = simcall.simulate(menu_scenario(), arrivals=[Arrival(0, "c")], trace=trace)
    assert [(t, e) for t, e, *_ in trace] == [(0, "ivr"), (30, "queue"), (30, "ring"),
                                              (30, "answer"), (130, "end")]
    assert result.records.calls.answer_time.tolist() == [0]  # the menu is not waiting


def test_menu_bands_hang_up_self_serve_misroute() -> None:
    scenario = menu_scenario(hang_up=0.1, self_serve=0.2, misroute=0.3)
    trace: list = []
    result = simcall.simulate(scenario, trace=trace, arrivals=[
        Arrival(0, "c", ivr_draw=0.05),  # hangs up half-way through the menu (0.05 / 0.1)
        Arrival(0, "c", ivr_draw=0.25),  # self-serves at the end of the menu
        Arrival(0, "c", ivr_draw=0.45),  # misrouted to billing, then passed on to support
        Arrival(0, "c", ivr_draw=0.95),  # goes where it chose
    ])
    assert (15, "hang up in ivr", 0, "support", "") in trace
    assert (30, "self-served", 1, "support", "") in trace
    assert (30, "misrouted", 2, "billing", "") in trace
    calls = result.records.calls
    assert calls.outcome.tolist() == [Outcome.IVR_HANG_UP, Outcome.SELF_SERVED,
                                      Outcome.ANSWERED, Outcome.ANSWERED]
    # the misrouted call: billing (40 s talk) first, then a transfer to support
    misrouted = result.records.visits.call == 2
    assert result.records.visits.department[misrouted].tolist() == [1, 0]
    assert calls.transfers.tolist() == [0, 0, 1, 0]
    kpis = result.kpis
    assert (kpis["ivr_hang_ups"], kpis["self_served"], kpis["answered"]) == (1, 1, 2)
    # menu outcomes are not queue outcomes: they stay out of service level and abandonment
    assert kpis["abandon_rate"] == 0.0


def test_misrouted_call_keeps_its_own_talk_time_for_its_own_department() -> None:
    scenario = menu_scenario(misroute=1.0)
    result = simcall.simulate(scenario, arrivals=[Arrival(0, "c", talk=77)])
    visits = result.records.visits
    assert visits.talk.tolist() == [40, 77]  # billing's talk, then the caller's own
    assert visits.entered.tolist() == [30, 70]


def test_self_service_relieves_the_agents_on_common_random_numbers() -> None:
    def scenario(self_serve: float) -> simcall.Scenario:
        return scenario_from(
            interval="30min", intervals=8,
            callers=[{"name": "c", "arrivals_per_hour": 100, "enters": "support",
                      "patience": {"dist": "exponential", "mean": 120},
                      "ivr": {"time": {"dist": "uniform", "low": 20, "high": 60},
                              "self_serve": self_serve}}],
            departments=[{"name": "support", "talk": {"dist": "exponential", "mean": 150}}],
            agents=[{"name": "team", "skills": ["support"], "staff": 4}],
        )

    none = simcall.replicate(scenario(0.0), replications=5, seed=8)
    some = simcall.replicate(scenario(0.3), replications=5, seed=8)
    assert some.kpis["offered"].mean == none.kpis["offered"].mean  # the same callers
    assert some.kpis["self_served"].mean > 0 == none.kpis["self_served"].mean
    assert some.kpis["asa_s"].mean < none.kpis["asa_s"].mean
    assert some.kpis["abandon_rate"].mean < none.kpis["abandon_rate"].mean
