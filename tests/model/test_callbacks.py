"""Callbacks: virtual hold (keep your place, hang up, be called back) and voicemail callbacks."""

from __future__ import annotations

import math

import simcall
from helpers import scenario_from
from simcall import Arrival
from simcall.model.records import Outcome

TALK_100 = {"dist": "deterministic", "value": 100}


def virtual_hold(accept: float, **top: object) -> simcall.Scenario:
    return scenario_from(callers=[{
        "name": "customers", "arrivals_per_hour": 60, "enters": "support",
        "patience": {"dist": "deterministic", "value": 500},
        "callback": {"offer_after": "1min", "accept": accept},
    }], **top)


def test_a_caller_facing_a_long_wait_is_called_back_in_its_turn() -> None:
    trace: list = []
    result = simcall.simulate(virtual_hold(0.999, lines=2), trace=trace, arrivals=[
        Arrival(0, "customers"), Arrival(1, "customers"), Arrival(2, "customers")])
    # call 1 waits behind 1 call: expected wait 100 s > 60 s; it accepts and hangs up,
    # freeing its line; call 2 (expected 200 s) accepts too; both are called back in turn
    events = [(t, e, c) for t, e, c, _, _ in trace if e in ("callback accepted", "answer")]
    assert events == [(0, "answer", 0), (1, "callback accepted", 1),
                      (2, "callback accepted", 2), (100, "answer", 1), (200, "answer", 2)]
    calls = result.records.calls
    assert calls.outcome.tolist() == [Outcome.ANSWERED, Outcome.CALLED_BACK,
                                      Outcome.CALLED_BACK]
    assert calls.wait.tolist() == [0, 99, 198]
    kpis = result.kpis
    assert kpis["called_back"] == 2 and kpis["callback_wait_s"] == 148.5
    assert kpis["blocked"] == 0  # with 2 lines, call 2 got in only because call 1 hung up
    assert kpis["service_level"] == 1.0  # callbacks are outside the service level


def test_no_offer_when_the_expected_wait_is_short() -> None:
    trace: list = []
    simcall.simulate(virtual_hold(0.999, agents=[{"name": "team", "skills": ["support"],
                                                  "staff": 2}]),
                     trace=trace, arrivals=[Arrival(0, "customers"), Arrival(1, "customers"),
                                            Arrival(2, "customers")])
    # call 2 waits behind nobody, with 2 agents: expected 0 s: no offer
    assert not [e for _, e, *_ in trace if e == "callback accepted"]


def test_voicemails_are_called_back_as_outbound_work() -> None:
    scenario = scenario_from(voicemail_after="30s", voicemail_callback={
        "delay": {"dist": "deterministic", "value": 600}})
    trace: list = []
    result = simcall.simulate(scenario, trace=trace, arrivals=[
        Arrival(0, "customers"), Arrival(10, "customers")])
    assert (40, "voicemail", 1, "support", "") in trace
    assert (640, "callback queued", 1, "support", "") in trace
    calls = result.records.calls
    assert calls.outcome.tolist() == [Outcome.ANSWERED, Outcome.VOICEMAIL]  # by first queue
    visits = result.records.visits  # rows in the order visits end
    assert sorted(zip(visits.call.tolist(), visits.outcome.tolist(), strict=True)) == [
        (0, Outcome.ANSWERED), (1, Outcome.VOICEMAIL), (1, Outcome.CALLED_BACK)]
    assert result.kpis["voicemail"] == 1 and result.kpis["voicemail_callbacks"] == 1
    busy = result.records.busy
    assert busy.end.max() > 640  # the agent's outbound talk is agent time


def voicemail_called_back(delay: float, **top: object) -> simcall.Scenario:
    return scenario_from(voicemail_after="30s", voicemail_callback={
        "delay": {"dist": "deterministic", "value": delay}}, **top)


def test_a_waiting_voicemail_callback_never_goes_to_voicemail_itself() -> None:
    trace: list = []
    result = simcall.simulate(voicemail_called_back(60), trace=trace, arrivals=[
        Arrival(0, "customers", talk=300), Arrival(10, "customers")])
    # call 1 waits behind call 0's 300 s talk and leaves a voicemail at 40; its callback
    # joins the queue at 100 and waits 200 s, far past voicemail_after (30 s): it is the
    # centre's own work, so it waits on until the agent frees at 300, and is answered once
    assert trace == [
        (0, "queue", 0, "support", ""), (0, "ring", 0, "support", "team #1"),
        (0, "answer", 0, "support", "team #1"),
        (10, "queue", 1, "support", ""), (40, "voicemail", 1, "support", ""),
        (100, "callback queued", 1, "support", ""), (100, "queue", 1, "support", ""),
        (300, "end", 0, "support", "team #1"),
        (300, "ring", 1, "support", "team #1"), (300, "answer", 1, "support", "team #1"),
        (400, "end", 1, "support", "team #1"),
    ]
    visits = result.records.visits
    assert sorted(zip(visits.call.tolist(), visits.outcome.tolist(), visits.wait.tolist(),
                      strict=True)) == [
        (0, Outcome.ANSWERED, 0), (1, Outcome.VOICEMAIL, 30), (1, Outcome.CALLED_BACK, 200)]
    assert result.records.calls.outcome.tolist() == [Outcome.ANSWERED, Outcome.VOICEMAIL]
    kpis = result.kpis
    assert {k: kpis[k] for k in ("offered", "answered", "abandoned", "voicemail",
                                 "voicemail_callbacks", "called_back", "in_system")} == {
        "offered": 2, "answered": 1, "abandoned": 0, "voicemail": 1,
        "voicemail_callbacks": 1, "called_back": 0, "in_system": 0}
    support = result.metrics.departments["support"]  # every queue visit counts here
    assert (support["voicemail"], support["called_back"], support["abandoned"]) == (1, 1, 0)


def test_a_voicemail_callback_no_agent_takes_is_still_waiting_at_the_end() -> None:
    scenario = voicemail_called_back(60, intervals=2, agents=[
        {"name": "team", "skills": ["support"], "staff": [1, 0]}])
    trace: list = []
    result = simcall.simulate(scenario, trace=trace, arrivals=[
        Arrival(3500, "customers", talk=1000), Arrival(3550, "customers")])
    # nobody is on duty after 4500: the callback (queued at 3640) waits until the run ends,
    # once; the caller counts by its first queue (voicemail) and was not called back
    assert [(t, e) for t, e, c, _, _ in trace if c == 1] == [
        (3550, "queue"), (3580, "voicemail"), (3640, "callback queued"), (3640, "queue")]
    records = result.records  # simulate checked conservation against the engine's tallies
    assert records.calls.outcome.tolist() == [Outcome.ANSWERED, Outcome.VOICEMAIL]
    assert records.counters.waiting_at_end == 1 and records.counters.left == 1
    kpis = result.kpis
    assert (kpis["voicemail"], kpis["voicemail_callbacks"], kpis["in_system"]) == (1, 0, 0)


def test_a_voicemail_callback_is_not_repeated_through_the_night() -> None:
    # two days, callbacks 3 h after the voicemail: the callback falls in the night, when
    # nobody is on duty; it used to go to voicemail itself every 3 h until the morning
    scenario = voicemail_called_back(3 * 3600, days=2)
    trace: list = []
    result = simcall.simulate(scenario, trace=trace, arrivals=[
        Arrival(3500, "customers"), Arrival(3550, "customers")])
    assert [(t, e) for t, e, c, _, _ in trace if c == 1] == [
        (3550, "queue"), (3580, "voicemail"), (3580 + 3 * 3600, "callback queued"),
        (3580 + 3 * 3600, "queue"), (86_400, "ring"), (86_400, "answer"), (86_500, "end")]
    assert sum(e == "voicemail" for _, e, *_ in trace) == 1
    kpis = result.kpis
    assert (kpis["voicemail"], kpis["voicemail_callbacks"]) == (1, 1)
    callback = result.records.visits.outcome == Outcome.CALLED_BACK
    assert result.records.visits.wait[callback].tolist() == [86_400 - 3580 - 3 * 3600]


def test_callback_offer_lowers_abandonment_on_common_random_numbers() -> None:
    def scenario(accept: float) -> simcall.Scenario:
        caller = {"name": "customers", "arrivals_per_hour": 110, "enters": "support",
                  "patience": {"dist": "exponential", "mean": 90}}
        if accept:
            caller["callback"] = {"offer_after": "45s", "accept": accept}
        return scenario_from(interval="30min", intervals=8, callers=[caller], departments=[
            {"name": "support", "talk": {"dist": "exponential", "mean": 150}}],
            agents=[{"name": "team", "skills": ["support"], "staff": 4}])

    none, offered = (simcall.replicate(scenario(a), replications=5, seed=9) for a in (0, 0.6))
    assert offered.kpis["called_back"].mean > 0 == none.kpis["called_back"].mean
    assert offered.kpis["abandoned"].mean < none.kpis["abandoned"].mean
    assert offered.kpis["offered"].mean == none.kpis["offered"].mean
    assert math.isnan(none.kpis["callback_wait_s"].mean)
    assert offered.kpis["eventual_resolution"].mean > none.kpis["eventual_resolution"].mean


def called_back_then_billing() -> simcall.Scenario:
    """One agent at support (virtual hold after a minute, taken by almost everyone), which
    transfers almost every call to billing's one agent."""
    return scenario_from(
        lines=2,
        callers=[{"name": "customers", "arrivals_per_hour": 60, "enters": "support",
                  "patience": {"dist": "deterministic", "value": 500},
                  "callback": {"offer_after": "1min", "accept": 0.999}}],
        departments=[{"name": "support", "talk": TALK_100, "transfer": {"billing": 0.999}},
                     {"name": "billing", "talk": TALK_100}],
        agents=[{"name": "team", "skills": ["support"], "staff": 1},
                {"name": "desk", "skills": ["billing"], "staff": 1}])


def test_a_called_back_call_transferred_on_counts_in_no_mean_of_transfers() -> None:
    """``mean_transfers`` is the answered calls' transfers over the answered calls: a
    called-back call transferred after its callback adds to neither (SPEC "Metrics")."""
    result = simcall.simulate(called_back_then_billing(), arrivals=[
        Arrival(0, "customers", transfer_draw=0.5), Arrival(1, "customers", transfer_draw=0.5),
        Arrival(2, "customers", transfer_draw=0.9995)])
    calls = result.records.calls
    # call 0 answered and transferred; call 1 called back and transferred; call 2 called
    # back and not transferred (its draw is past the 0.999 share)
    assert calls.outcome.tolist() == [Outcome.ANSWERED, Outcome.CALLED_BACK,
                                      Outcome.CALLED_BACK]
    assert calls.transfers.tolist() == [1, 1, 0]
    assert result.kpis["mean_transfers"] == 1.0  # call 0's one transfer over one answered
    assert result.metrics.departments["support"]["mean_transfers"] == 1.0


def test_a_called_back_caller_transferred_on_is_answered_at_the_next_queue() -> None:
    """Once called back the caller is on the line: transferred, the next department
    answers it as any transferred call (its visit there is answered, not called back)."""
    result = simcall.simulate(called_back_then_billing(), arrivals=[
        Arrival(0, "customers", transfer_draw=0.5), Arrival(1, "customers", transfer_draw=0.5)])
    visits = result.records.visits
    rows = sorted(zip(visits.call.tolist(), visits.department.tolist(),
                      visits.outcome.tolist(), strict=True))
    assert rows == [(0, 0, Outcome.ANSWERED), (0, 1, Outcome.ANSWERED),
                    (1, 0, Outcome.CALLED_BACK), (1, 1, Outcome.ANSWERED)]
    billing = result.metrics.departments["billing"]
    assert (billing["answered"], billing["called_back"]) == (2, 0)
