"""Money KPIs (``simcall.results.money``) against a hand computation from a run's records.

The run uses every way a caller can have a bad experience (busy signals on few lines,
abandonment with redials, voicemail, late answers, transfers beyond the target) and every
way wages are paid (staff per interval, shifts with breaks and shrinkage, a warm-up, two
days). The expected figures are worked out here with plain Python loops over the call and
visit rows and the duty roster, independently of the vectorised code:

* wages: each group's scheduled agent-seconds within each counted interval (from the
  scenario's staff and shift rows, not from the records), times ``cost_per_hour``;
* defection: for each caller (a first call and its redials), one minus the product of
  ``1 - p`` over every bad experience of every attempt (``docs/money.md``);
* lost value: that chance times the caller type's value; counted in the interval and
  caller type of the first attempt, warm-up excluded.
"""

from __future__ import annotations

import copy
import math
from collections import defaultdict
from typing import Any

import pytest

import simcall
from simcall.model.records import Outcome
from simcall.scenario.durations import parse_clock

DEFECTION = {
    "gold": {"abandoned": 0.3, "blocked": 0.5, "voicemail": 0.2, "answered_late": 0.1,
             "per_transfer_over": 0.25},
    "basic": {"abandoned": 0.1, "blocked": 0.2, "answered_late": 0.05},
}
VALUES = {"gold": 800.0, "basic": 40.0}
WAGES = {"desk": 22.0, "pool": 31.5}
SCENARIO: dict[str, Any] = {
    "name": "money",
    "interval": "30min",
    "intervals": 3,
    "open": "09:00",
    "ring": "6s",
    "lines": 7,
    "warmup": "10min",
    "days": 2,
    "voicemail_after": "3min",
    "targets": {"service_level": {"within": "30s", "fraction": 0.8},
                "transfers": {"at_most": 0, "fraction": 0.9}},
    "callers": [
        {"name": "gold", "arrivals_per_hour": [30, 50, 20], "enters": "sales",
         "patience": {"dist": "exponential", "mean": "1min"}, "value": VALUES["gold"],
         "defection": DEFECTION["gold"],
         "redial": {"probability": 0.6, "delay": {"dist": "exponential", "mean": "2min"}}},
        {"name": "basic", "arrivals_per_hour": 40, "enters": {"sales": 0.5, "support": 0.5},
         "patience": {"dist": "exponential", "mean": "4min"}, "value": VALUES["basic"],
         "defection": DEFECTION["basic"]},
    ],
    "departments": [
        {"name": "sales", "talk": {"dist": "exponential", "mean": "3min"},
         "transfer": {"support": 0.4}},
        {"name": "support", "talk": {"dist": "exponential", "mean": "4min"},
         "transfer": {"sales": 0.3}},
    ],
    "agents": [
        {"name": "desk", "skills": ["sales", "support"], "staff": [2, 3, 1],
         "cost_per_hour": WAGES["desk"]},
        {"name": "pool", "skills": ["support"], "shrinkage": 0.2,
         "cost_per_hour": WAGES["pool"],
         "shifts": [{"start": "09:00", "end": "10:00", "agents": 2,
                     "breaks": [{"within": ["09:20", "09:40"], "length": "10min"}]},
                    {"start": "09:45", "end": "10:30", "agents": 1}]},
    ],
}
KEYS = ("abandoned", "blocked", "voicemail", "answered_late", "per_transfer_over")


def _scheduled_seconds(begin: float, end: float) -> dict[str, float]:
    """Agent-seconds each group is scheduled (paid) in ``[begin, end)`` of one day, from the
    scenario's own rows (seconds from the opening)."""
    opening = parse_clock(SCENARIO["open"])
    out = {"desk": 0.0, "pool": 0.0}
    for k, heads in enumerate(SCENARIO["agents"][0]["staff"]):
        out["desk"] += heads * max(0.0, min(end, (k + 1) * 1800) - max(begin, k * 1800))
    for shift in SCENARIO["agents"][1]["shifts"]:
        start = parse_clock(shift["start"]) - opening
        finish = parse_clock(shift["end"]) - opening
        out["pool"] += shift["agents"] * max(0.0, min(end, finish) - max(begin, start))
    return out


def _hand_money(result: Any, defection: dict[str, dict[str, float]] = DEFECTION) -> dict[str, Any]:
    """Every money figure of one run, by loops over its rows."""
    scenario = result.scenario
    records = result.records
    calls, visits = records.calls, records.visits
    names = [c.name for c in scenario.callers]
    threshold = scenario.service_level_threshold
    at_most = SCENARIO["targets"]["transfers"]["at_most"]
    bad: dict[int, list[str]] = defaultdict(list)  # call row -> its bad experiences
    for row in range(visits.call.size):
        call, outcome = int(visits.call[row]), int(visits.outcome[row])
        if outcome == Outcome.ABANDONED:
            bad[call].append("abandoned")
        elif outcome == Outcome.VOICEMAIL:
            bad[call].append("voicemail")
        elif outcome == Outcome.ANSWERED and not visits.wait[row] < threshold:
            bad[call].append("answered_late")
    for call in range(calls.arrival.size):
        if calls.outcome[call] == Outcome.BLOCKED:
            bad[call].append("blocked")
        bad[call] += ["per_transfer_over"] * max(0, int(calls.transfers[call]) - at_most)
    stays: dict[int, float] = defaultdict(lambda: 1.0)  # first call -> chance its caller stays
    for call in range(calls.arrival.size):
        chances = defection[names[int(calls.caller[call])]]
        for kind in bad[call]:
            stays[int(calls.first_call[call])] *= 1.0 - chances.get(kind, 0.0)
    lost = {"overall": 0.0, "defections": 0.0}
    by_interval = [0.0] * scenario.intervals
    by_caller = dict.fromkeys(names, 0.0)
    defections_by_caller = dict.fromkeys(names, 0.0)
    for call in range(calls.arrival.size):
        arrival = float(calls.arrival[call])
        if calls.attempt[call] != 1 or arrival < scenario.warmup:
            continue
        chance = 1.0 - stays[call]
        name = names[int(calls.caller[call])]
        value = chance * VALUES[name]
        lost["overall"] += value
        lost["defections"] += chance
        by_interval[int((arrival % scenario.day_period) // scenario.interval)] += value
        by_caller[name] += value
        defections_by_caller[name] += chance
    wages_by_interval = [0.0] * scenario.intervals
    wages_by_group = dict.fromkeys(WAGES, 0.0)
    for day in range(scenario.days):
        for k in range(scenario.intervals):
            begin = k * scenario.interval
            if day == 0:
                begin = max(begin, scenario.warmup)
            for group, seconds in _scheduled_seconds(begin, (k + 1) * scenario.interval).items():
                wages_by_interval[k] += seconds / 3600 * WAGES[group]
                wages_by_group[group] += seconds / 3600 * WAGES[group]
    return {"lost": lost, "by_interval": by_interval, "by_caller": by_caller,
            "defections_by_caller": defections_by_caller,
            "wages_by_interval": wages_by_interval, "wages_by_group": wages_by_group}


@pytest.mark.parametrize("replication", [0, 1, 2])
def test_money_kpis_equal_a_hand_computation_from_the_records(replication: int) -> None:
    result = simcall.simulate(simcall.from_dict(SCENARIO), seed=5, replication=replication)
    hand = _hand_money(result)
    metrics = result.metrics
    calls = result.records.calls
    # the run must hold every kind of bad experience, or the test would check less than it says
    assert {Outcome.BLOCKED, Outcome.ABANDONED, Outcome.ANSWERED} <= set(calls.outcome.tolist())
    assert (calls.attempt > 1).any() and (calls.transfers >= 1).any()
    assert (result.records.visits.outcome == Outcome.VOICEMAIL).any()

    close = pytest.approx
    overall = metrics.overall
    assert overall["lost_value"] == close(hand["lost"]["overall"], rel=1e-12)
    assert overall["defections"] == close(hand["lost"]["defections"], rel=1e-12)
    assert overall["wage_cost"] == close(sum(hand["wages_by_interval"]), rel=1e-12)
    assert overall["total_cost"] == close(overall["wage_cost"] + overall["lost_value"])
    for k, kpis in enumerate(metrics.intervals):
        assert kpis["lost_value"] == close(hand["by_interval"][k], rel=1e-12, abs=1e-9)
        assert kpis["wage_cost"] == close(hand["wages_by_interval"][k], rel=1e-12)
        assert kpis["total_cost"] == close(kpis["wage_cost"] + kpis["lost_value"])
    for name, kpis in metrics.callers.items():
        assert kpis["lost_value"] == close(hand["by_caller"][name], rel=1e-12, abs=1e-9)
        assert kpis["defections"] == close(hand["defections_by_caller"][name], abs=1e-9)
    for name, kpis in metrics.agent_groups.items():
        assert kpis["wage_cost"] == close(hand["wages_by_group"][name], rel=1e-12)
    assert sum(d["wage_cost"] for d in metrics.days) == close(overall["wage_cost"])
    assert 0 < overall["defections"] < overall["callers"]


def test_a_centre_without_money_keys_costs_nothing() -> None:
    data = {**SCENARIO, "callers": [{k: v for k, v in c.items() if k not in ("value",
                                                                             "defection")}
                                    for c in SCENARIO["callers"]],
            "agents": [{k: v for k, v in g.items() if k != "cost_per_hour"}
                       for g in SCENARIO["agents"]]}
    kpis = simcall.simulate(simcall.from_dict(data), seed=5).metrics.overall
    assert [kpis[k] for k in ("wage_cost", "lost_value", "total_cost", "defections")] == [0] * 4


def test_certain_defection_loses_every_caller_with_a_bad_experience() -> None:
    """With every chance at 1, a caller defects exactly when it had any bad experience: the
    product rule's edge, where ``0 ** 0`` must stay 1 for callers who had none."""
    sure = dict.fromkeys(KEYS, 1.0)
    data = {**SCENARIO, "callers": [{**c, "defection": sure} for c in SCENARIO["callers"]]}
    result = simcall.simulate(simcall.from_dict(data), seed=5)
    hand = _hand_money(result, {"gold": sure, "basic": sure})
    defections = result.metrics.overall["defections"]
    assert defections == hand["lost"]["defections"]
    assert defections == math.floor(defections)  # every chance is 0 or 1
    assert 0 < defections < result.metrics.overall["callers"]


@pytest.mark.parametrize(("where", "value", "said"), [
    (("callers", 0, "defection", "abandonned"), 0.2, "did you mean 'abandoned'"),
    (("callers", 0, "defection", "blocked"), 1.5, "less than or equal to 1, got 1.5"),
    (("callers", 0, "value"), -5.0, ">= 0, got -5.0"),
    (("callers", 0, "value"), math.nan, "finite number, got nan"),
    (("agents", 0, "cost_per_hour"), -1.0, ">= 0, got -1.0"),
    (("agents", 0, "cost_per_hour"), math.inf, "finite number, got inf"),
])
def test_bad_money_keys_are_refused_naming_the_key(where: tuple[Any, ...], value: float,
                                                   said: str) -> None:
    data = copy.deepcopy(SCENARIO)
    node: Any = data
    for part in where[:-1]:
        node = node[part]
    node[where[-1]] = value
    with pytest.raises(simcall.ScenarioError) as caught:
        simcall.from_dict(data)
    path = f"{where[0]}[0]." + ".".join(str(part) for part in where[2:])
    assert f"{path}: " in str(caught.value) and said in str(caught.value)


def test_money_rows_reach_the_tidy_table() -> None:
    pytest.importorskip("pandas")
    summary = simcall.replicate(simcall.from_dict(SCENARIO), replications=2, seed=5)
    frame = summary.to_frame()
    groups = frame[(frame.scope == "agent_group") & (frame.kpi == "wage_cost")]
    assert sorted(groups.name) == sorted(WAGES)
    for name, kpis in summary.agent_groups.items():
        assert float(groups[groups.name == name]["mean"].iloc[0]) == kpis["wage_cost"].mean
    callers = frame[(frame.scope == "caller") & (frame.kpi == "lost_value")]
    assert sorted(callers.name) == sorted(VALUES)
