"""Properties over random valid scenarios (hypothesis).

* every run conserves every call (checked inside every run; here on
  scenarios nobody wrote by hand);
* the same (scenario, seed, replication) gives identical records;
* more agents never raise the mean answer time on common random numbers, in
  the setting where that is a theorem: one FCFS queue, callers who never hang
  up, handle times that belong to the call (Wolff 1989, ch. 5 on the
  monotonicity of multi-server FCFS queues).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import simcall
from simcall.model.records import Outcome

DURATION = st.floats(min_value=5, max_value=400)


@st.composite
def distributions(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["exponential", "deterministic", "uniform", "lognormal",
                                 "gamma", "erlang", "weibull", "empirical"]))
    mean = draw(DURATION)
    if kind == "deterministic":
        return {"dist": kind, "value": mean}
    if kind == "uniform":
        return {"dist": kind, "low": mean / 2, "high": mean * 1.5}
    if kind in ("lognormal", "gamma"):
        return {"dist": kind, "mean": mean, "cv": draw(st.floats(0.2, 2.0))}
    if kind == "erlang":
        return {"dist": kind, "k": draw(st.integers(1, 4)), "mean": mean}
    if kind == "weibull":
        return {"dist": kind, "shape": draw(st.floats(0.5, 3.0)), "mean": mean}
    if kind == "empirical":
        return {"dist": kind, "values": draw(st.lists(DURATION, min_size=1, max_size=5))}
    return {"dist": kind, "mean": mean}


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def shifts(draw: st.DrawFn, horizon: int) -> list[dict[str, Any]]:
    """One to three shifts inside ``[0, horizon]`` minutes, with a fixed and a window break."""
    out = []
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, horizon - 1))
        end = draw(st.integers(start + 1, horizon))
        shift: dict[str, Any] = {"start": _clock(start), "end": _clock(end),
                                 "agents": draw(st.integers(1, 3)), "breaks": []}
        if draw(st.booleans()):
            at = draw(st.integers(start, end - 1))
            shift["breaks"].append({"at": _clock(at),
                                    "length": f"{draw(st.integers(1, end - at))}min"})
        if end - start >= 2 and draw(st.booleans()):
            low = draw(st.integers(start, end - 1))
            high = draw(st.integers(low + 1, end))
            shift["breaks"].append({"within": [_clock(low), _clock(high)],
                                    "length": f"{draw(st.integers(1, high - low))}min"})
        out.append(shift)
    return out


@st.composite
def scenarios(draw: st.DrawFn) -> simcall.Scenario:
    n_departments = draw(st.integers(1, 3))
    intervals = draw(st.integers(1, 4))
    minutes = draw(st.integers(10, 30))
    names = [f"d{i}" for i in range(n_departments)]

    def per_interval(values: st.SearchStrategy) -> Any:
        return draw(st.one_of(values, st.lists(values, min_size=intervals, max_size=intervals)))

    departments = []
    for name in names:
        department: dict[str, Any] = {"name": name, "talk": draw(distributions())}
        if draw(st.booleans()):
            department["wrap_up"] = draw(distributions())
        shares = draw(st.lists(st.floats(0, 0.3), min_size=n_departments,
                               max_size=n_departments))
        department["transfer"] = {t: s for t, s in zip(names, shares, strict=True) if s > 0}
        if draw(st.booleans()):
            department["max_transfers"] = draw(st.integers(0, 2))
            if n_departments > 1 and draw(st.booleans()):
                department["resolution_desk"] = names[-1]
        department["transfer_priority_boost"] = draw(st.integers(0, 2))
        department["warm_transfer"] = draw(st.booleans())
        departments.append(department)
    callers = []
    for i in range(draw(st.integers(1, 3))):
        caller: dict[str, Any] = {
            "name": f"c{i}", "arrivals_per_hour": per_interval(st.floats(0, 60)),
            "enters": draw(st.sampled_from(names)), "priority": draw(st.integers(0, 2)),
        }
        if draw(st.booleans()):
            caller["patience"] = draw(distributions())
        if draw(st.booleans()):
            shares = draw(st.lists(st.floats(0, 0.3), min_size=3, max_size=3))
            caller["ivr"] = {"time": draw(distributions()), "hang_up": shares[0],
                             "self_serve": shares[1],
                             "misroute": shares[2] if n_departments > 1 else 0.0}
        if draw(st.booleans()):
            caller["redial"] = {"probability": draw(st.floats(0, 0.9)),
                                "delay": draw(distributions())}
        if draw(st.booleans()):
            caller["callback"] = {"offer_after": draw(DURATION),
                                  "accept": draw(st.floats(0, 1))}
        if draw(st.booleans()):
            caller["talk"] = draw(distributions())
        if draw(st.booleans()):
            caller["priority_credit"] = draw(st.floats(0, 600))
        callers.append(caller)
    agents = []
    for i in range(draw(st.integers(1, 3))):
        skills = draw(st.permutations(names))[: draw(st.integers(1, n_departments))]
        group: dict[str, Any] = {"name": f"g{i}", "skills": skills}
        if draw(st.booleans()):
            group["shifts"] = draw(shifts(minutes * intervals))
        else:
            group["staff"] = per_interval(st.integers(0, 4))
        if draw(st.booleans()):
            group["shrinkage"] = draw(st.floats(0, 0.6))
        if draw(st.booleans()):
            group["pickup"] = draw(distributions())
        if draw(st.booleans()):
            group["talk_factor"] = draw(st.floats(0.5, 2.0))
        if draw(st.booleans()):
            group["rona"] = {"probability": draw(st.floats(0, 0.5)),
                             "after": draw(st.floats(1, 30)), "not_ready": draw(DURATION)}
        if draw(st.booleans()):
            group["not_ready"] = draw(distributions())
        agents.append(group)
    served = {s for g in agents for s in g["skills"]}
    agents.append({"name": "cover", "skills": [n for n in names if n not in served] or names,
                   "staff": 1})
    data: dict[str, Any] = {
        "name": "random", "interval": f"{minutes}min", "intervals": intervals,
        "callers": callers, "departments": departments, "agents": agents,
    }
    if draw(st.booleans()):
        data["lines"] = draw(st.integers(1, 8))
    if draw(st.booleans()):
        data["voicemail_after"] = f"{draw(st.integers(1, 10))} rings"
        if draw(st.booleans()):
            data["voicemail_callback"] = {"share": draw(st.floats(0, 1)),
                                          "delay": draw(distributions())}
    if draw(st.booleans()):
        data["warmup"] = "5min"
    if draw(st.booleans()):
        data["days"] = draw(st.integers(2, 3))
        data["day_volume_cv"] = draw(st.floats(0, 0.5))
    return simcall.from_dict(data)


SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scenarios(), st.integers(0, 2**32 - 1))
def test_random_scenarios_conserve_every_call(scenario: simcall.Scenario, seed: int) -> None:
    result = simcall.simulate(scenario, seed=seed)  # raises ConservationError if not
    records = result.records
    counts = np.bincount(records.calls.outcome, minlength=8)
    assert counts.sum() == records.counters.arrived == records.calls.arrival.size
    # in system (by first queue) = still at the first queue; a transferred call may also be
    # stranded in a later queue, where it counts in that department, not here
    assert counts[5] <= records.counters.waiting_at_end
    assert counts[4] + counts[6] == records.counters.ivr_ended  # self-served, hung up in menu
    kpis = result.kpis
    assert kpis["offered"] == sum(kpis[k] for k in (
        "answered", "abandoned", "blocked", "voicemail", "self_served", "ivr_hang_ups",
        "called_back", "in_system"))
    # a voicemail callback never goes to voicemail itself: a call leaves at most one
    # voicemail per queue it entered as a caller (its first and one per transfer)
    voicemails = np.bincount(records.visits.call[records.visits.outcome == Outcome.VOICEMAIL],
                             minlength=records.calls.arrival.size)
    assert (voicemails <= 1 + records.calls.transfers).all()
    # a call reaches another department only by a transfer (find_revisits skips its sort
    # when nothing was transferred): a call's visits without transfers share a department
    moved = np.zeros(records.calls.arrival.size, dtype=bool)
    for call in np.unique(records.visits.call):
        rows = records.visits.call == call
        moved[call] = np.unique(records.visits.department[rows]).size > 1
    assert not (moved & (records.calls.transfers == 0)).any()
    # every answered visit was talked to by an agent who was on duty
    answered = records.visits.outcome == 0
    assert (records.visits.agent[answered] > 0).all()
    # agents are never busy for longer than they are staffed, in any group (breaks and
    # absences are not staffed time)
    for group in range(len(scenario.agents)):
        busy, staffed = records.busy.group == group, records.staffed.group == group
        assert (records.busy.end[busy] - records.busy.start[busy]).sum() <= (
            records.staffed.end[staffed] - records.staffed.start[staffed]).sum() + 1e-6
    # nor busy and not ready together for longer than they are staffed
    for group in range(len(scenario.agents)):
        spells = [(p.end[p.group == group] - p.start[p.group == group]).sum()
                  for p in (records.busy, records.not_ready, records.staffed)]
        assert spells[0] + spells[1] <= spells[2] + 1e-6
    for kpis in result.metrics.agent_groups.values():
        assert np.isnan(kpis["not_ready_share"]) or (
            0 <= kpis["not_ready_share"] <= 1 - kpis["occupancy"] + 1e-9)
    # the plan stays within the day; head counts are time averages, never negative
    assert (records.scheduled.start >= 0).all()
    assert (records.scheduled.end <= scenario.run_horizon + 1e-9).all()
    for kpis in result.metrics.intervals:
        assert kpis["scheduled_agents"] >= 0 and kpis["staffed_agents"] >= 0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(0, 2**32 - 1), st.integers(0, 5))
def test_same_seed_same_result(scenario: simcall.Scenario, seed: int, replication: int) -> None:
    first = simcall.simulate(scenario, seed=seed, replication=replication)
    again = simcall.simulate(scenario, seed=seed, replication=replication)
    for table in ("calls", "visits", "busy", "staffed", "scheduled"):
        a, b = getattr(first.records, table), getattr(again.records, table)
        for name in a.__dataclass_fields__:
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert first.to_json() == again.to_json()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    talk=distributions(), wrap=st.one_of(st.none(), distributions()),
    rate=st.floats(10, 120), agents=st.integers(1, 6), seed=st.integers(0, 2**32 - 1),
    intervals=st.integers(1, 3),
)
def test_more_agents_never_raise_mean_answer_time(
    talk: dict, wrap: dict | None, rate: float, agents: int, seed: int, intervals: int,
) -> None:
    department: dict[str, Any] = {"name": "support", "talk": talk}
    if wrap is not None:
        department["wrap_up"] = wrap
    data: dict[str, Any] = {
        "name": "crn", "interval": "30min", "intervals": intervals,
        "callers": [{"name": "c", "arrivals_per_hour": rate, "enters": "support"}],
        "departments": [department],
        "agents": [{"name": "team", "skills": ["support"], "staff": agents}],
    }
    fewer = simcall.simulate(simcall.from_dict(data), seed=seed)
    data["agents"][0]["staff"] = agents + 1
    more = simcall.simulate(simcall.from_dict(data), seed=seed)
    if fewer.kpis["answered"] == 0:
        return
    # the same callers bring the same talk times (common random numbers) ...
    np.testing.assert_array_equal(fewer.records.calls.arrival, more.records.calls.arrival)
    # ... and none of them waits longer with one more agent, so neither does the mean
    waits_fewer, waits_more = fewer.records.calls.wait, more.records.calls.wait
    assert (waits_more <= waits_fewer + 1e-9).all()
    assert more.kpis["asa_s"] <= fewer.kpis["asa_s"] + 1e-9
