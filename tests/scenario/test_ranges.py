"""Every numeric key has a range, and whatever validates at its edges runs.

Two checks (issue 12, item 1):

* **the audit**: every number in the scenario schema (every field of every section and
  distribution) declares a lower and an upper bound, so a new key without a range fails
  here; the per-interval lists and the keys the audit reads are listed in :data:`KEYS`,
  which must name every numeric field the schema has;
* **the edges**: hypothesis draws scenarios from a "kitchen sink" that uses every section
  and every distribution, with one to three numeric keys set at or just beyond the edges of
  their ranges. Each must fail validation cleanly (a ``ScenarioError`` naming the key), be
  refused by the workload guard, or run one replication to the end within a time limit
  with every call accounted for (``simulate`` checks conservation on every run). A value
  just outside a range must be refused, naming the key.
"""

from __future__ import annotations

import copy
import math
import types
import typing
from collections.abc import Iterator
from typing import Any

import annotated_types as at
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import simcall
from helpers import simulate_or_fail
from simcall.experiments.workload import WorkloadError, check_workload
from simcall.scenario.limits import MAX_RATE, MAX_STAFF
from simcall.scenario.schema import Scenario

Path = tuple[Any, ...]

KITCHEN_SINK: dict[str, Any] = {
    "name": "kitchen sink",
    "interval": 1800.0,
    "intervals": 2,
    "open": "08:00",
    "ring": 6.0,
    "lines": 20,
    "warmup": 60.0,
    "seed": 3,
    "days": 1,
    "day_volume_cv": 0.1,
    "voicemail_after": 600.0,
    "voicemail_callback": {"share": 0.5, "delay": {"dist": "deterministic", "value": 300.0}},
    "targets": {
        "service_level": {"within": 20.0, "fraction": 0.8},
        "max_asa": 30.0,
        "max_abandon_rate": 0.1,
        "max_block_rate": 0.05,
        "max_mean_transfers": 1.0,
        "transfers": {"at_most": 1, "fraction": 0.9},
        "max_occupancy": 0.9,
        "max_revisit_rate": 0.02,
    },
    "callers": [
        {
            "name": "retail",
            "arrivals_per_hour": 35.0,
            "enters": {"sales": 0.7, "support": 0.3},
            "patience": {"dist": "weibull", "mean": 180.0, "shape": 0.8},
            "priority": 1,
            "value": 20.0,
            "defection": {"abandoned": 0.2, "blocked": 0.3, "voicemail": 0.1,
                          "answered_late": 0.05, "per_transfer_over": 0.1},
            "ivr": {"time": {"dist": "uniform", "low": 5.0, "high": 20.0},
                    "hang_up": 0.02, "self_serve": 0.05, "misroute": 0.05},
            "redial": {"probability": 0.4, "delay": {"dist": "exponential", "mean": 300.0},
                       "max_attempts": 3},
            "callback": {"offer_after": 120.0, "accept": 0.3},
            "talk": {"dist": "exponential", "mean": 200.0},
            "priority_credit": 60.0,
        },
    ],
    "departments": [
        {"name": "sales", "talk": {"dist": "lognormal", "mean": 240.0, "cv": 1.0},
         "wrap_up": {"dist": "gamma", "mean": 30.0, "cv": 0.5},
         "transfer": {"support": 0.2}, "max_transfers": 2, "transfer_priority_boost": 1},
        {"name": "support", "talk": {"dist": "erlang", "k": 3, "mean": 200.0},
         "transfer": {"sales": 0.1}},
    ],
    "agents": [
        {"name": "sellers", "skills": ["sales", "support"], "staff": 4,
         "shrinkage": 0.05, "talk_factor": 1.1, "cost_per_hour": 25.0,
         "pickup": {"dist": "empirical", "values": [2.0, 4.0, 7.0]},
         "rona": {"probability": 0.05, "after": 24.0, "not_ready": 30.0},
         "not_ready": {"dist": "exponential", "mean": 10.0}},
        {"name": "helpers", "skills": ["support"],
         "shifts": [{"start": "08:00", "end": "08:30", "agents": 2,
                     "breaks": [{"within": ["08:05", "08:25"], "length": 600.0}]}]},
    ],
}

# Every numeric key: the schema field it is (``Model.field``) and where the kitchen sink holds
# it. The per-interval lists carry their own bounds (their items are checked one by one).
KEYS: dict[str, list[Path]] = {
    "Scenario.interval": [("interval",)],
    "Scenario.intervals": [("intervals",)],
    "Scenario.ring": [("ring",)],
    "Scenario.lines": [("lines",)],
    "Scenario.warmup": [("warmup",)],
    "Scenario.seed": [("seed",)],
    "Scenario.days": [("days",)],
    "Scenario.day_volume_cv": [("day_volume_cv",)],
    "Scenario.voicemail_after": [("voicemail_after",)],
    "VoicemailCallback.share": [("voicemail_callback", "share")],
    "Deterministic.value": [("voicemail_callback", "delay", "value")],
    "ServiceLevelTarget.within": [("targets", "service_level", "within")],
    "ServiceLevelTarget.fraction": [("targets", "service_level", "fraction")],
    "Targets.max_asa": [("targets", "max_asa")],
    "Targets.max_abandon_rate": [("targets", "max_abandon_rate")],
    "Targets.max_block_rate": [("targets", "max_block_rate")],
    "Targets.max_mean_transfers": [("targets", "max_mean_transfers")],
    "Targets.max_occupancy": [("targets", "max_occupancy")],
    "Targets.max_revisit_rate": [("targets", "max_revisit_rate")],
    "TransferTarget.at_most": [("targets", "transfers", "at_most")],
    "TransferTarget.fraction": [("targets", "transfers", "fraction")],
    "CallerType.priority": [("callers", 0, "priority")],
    "CallerType.value": [("callers", 0, "value")],
    "Defection.abandoned": [("callers", 0, "defection", "abandoned")],
    "Defection.blocked": [("callers", 0, "defection", "blocked")],
    "Defection.voicemail": [("callers", 0, "defection", "voicemail")],
    "Defection.answered_late": [("callers", 0, "defection", "answered_late")],
    "Defection.per_transfer_over": [("callers", 0, "defection", "per_transfer_over")],
    "AgentGroup.cost_per_hour": [("agents", 0, "cost_per_hour")],
    "CallerType.enters": [("callers", 0, "enters", "sales")],
    "CallerType.priority_credit": [("callers", 0, "priority_credit")],
    "Weibull.mean": [("callers", 0, "patience", "mean")],
    "Weibull.shape": [("callers", 0, "patience", "shape")],
    "Uniform.low": [("callers", 0, "ivr", "time", "low")],
    "Uniform.high": [("callers", 0, "ivr", "time", "high")],
    "Ivr.hang_up": [("callers", 0, "ivr", "hang_up")],
    "Ivr.self_serve": [("callers", 0, "ivr", "self_serve")],
    "Ivr.misroute": [("callers", 0, "ivr", "misroute")],
    "Redial.probability": [("callers", 0, "redial", "probability")],
    "Redial.max_attempts": [("callers", 0, "redial", "max_attempts")],
    "Exponential.mean": [("callers", 0, "redial", "delay", "mean")],
    "CallbackOffer.offer_after": [("callers", 0, "callback", "offer_after")],
    "CallbackOffer.accept": [("callers", 0, "callback", "accept")],
    "LogNormal.mean": [("departments", 0, "talk", "mean")],
    "LogNormal.cv": [("departments", 0, "talk", "cv")],
    "Gamma.mean": [("departments", 0, "wrap_up", "mean")],
    "Gamma.cv": [("departments", 0, "wrap_up", "cv")],
    "Department.max_transfers": [("departments", 0, "max_transfers")],
    "Department.transfer_priority_boost": [("departments", 0, "transfer_priority_boost")],
    "Department.transfer": [("departments", 0, "transfer", "support"),
                            ("departments", 1, "transfer", "sales")],
    "Erlang.k": [("departments", 1, "talk", "k")],
    "Erlang.mean": [("departments", 1, "talk", "mean")],
    "AgentGroup.shrinkage": [("agents", 0, "shrinkage")],
    "AgentGroup.talk_factor": [("agents", 0, "talk_factor")],
    "Empirical.values": [("agents", 0, "pickup", "values", 0)],
    "Rona.probability": [("agents", 0, "rona", "probability")],
    "Rona.after": [("agents", 0, "rona", "after")],
    "Rona.not_ready": [("agents", 0, "rona", "not_ready")],
    "Shift.agents": [("agents", 1, "shifts", 0, "agents")],
    "Break.length": [("agents", 1, "shifts", 0, "breaks", 0, "length")],
    "CallerType.arrivals_per_hour": [("callers", 0, "arrivals_per_hour")],
    "AgentGroup.staff": [("agents", 0, "staff")],
}
PER_INTERVAL_BOUNDS = {  # items checked by the list's own validator
    "CallerType.arrivals_per_hour": (0.0, MAX_RATE, False),
    "AgentGroup.staff": (0, MAX_STAFF, True),
}
MOST_CALLS = 3_000  # a bigger edge (a 10,000-hour day) is the workload guard's to refuse
SECONDS = 60  # a hang detector: most edges run in well under a second, the largest
# (a shift of 100,000 agents with breaks) in about 8 s on an idle core


# -- the audit -----------------------------------------------------------------------------

def _unwrap(annotation: Any) -> tuple[list[type], list[Any]]:
    """The plain types an annotation allows and the constraints attached on the way."""
    if typing.get_origin(annotation) is typing.Annotated:
        inner, *metadata = typing.get_args(annotation)
        types_, more = _unwrap(inner)
        return types_, [*metadata, *more]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        found: tuple[list[type], list[Any]] = ([], [])
        for arg in typing.get_args(annotation):
            types_, more = _unwrap(arg)
            found[0].extend(types_)
            found[1].extend(more)
        return found
    if typing.get_origin(annotation) in (tuple, dict):
        return _unwrap(typing.get_args(annotation)[-1 if typing.get_origin(annotation) is dict
                                                    else 0])
    return [annotation], []


def _constraints(metadata: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in metadata:
        out.extend(getattr(item, "metadata", [item]))  # a FieldInfo carries a list of them
    return out


def _bounds(metadata: list[Any]) -> tuple[float | None, float | None, bool, bool]:
    """The tightest (lower, upper) bounds and whether each is strict."""
    low: float | None = None
    high: float | None = None
    low_strict = high_strict = False
    for c in _constraints(metadata):
        if isinstance(c, at.Ge | at.Gt):
            value = c.ge if isinstance(c, at.Ge) else c.gt
            if low is None or value > low or (value == low and isinstance(c, at.Gt)):
                low, low_strict = value, isinstance(c, at.Gt)
        if isinstance(c, at.Le | at.Lt):
            value = c.le if isinstance(c, at.Le) else c.lt
            if high is None or value < high or (value == high and isinstance(c, at.Lt)):
                high, high_strict = value, isinstance(c, at.Lt)
    return low, high, low_strict, high_strict


def _numeric_fields() -> Iterator[tuple[str, tuple[float | None, float | None, bool, bool]]]:
    seen: set[type] = set()

    def walk(model: type[BaseModel]) -> Iterator[tuple[str, Any]]:
        if model in seen:
            return
        seen.add(model)
        for name, field in model.model_fields.items():
            types_, metadata = _unwrap(field.annotation)
            if any(t in (int, float) for t in types_):
                yield f"{model.__name__}.{name}", _bounds([*field.metadata, *metadata])
            for t in types_:
                if isinstance(t, type) and issubclass(t, BaseModel):
                    yield from walk(t)

    yield from walk(Scenario)


NUMERIC = dict(_numeric_fields())


def test_every_numeric_key_has_a_lower_and_an_upper_bound() -> None:
    unbounded = {name: bounds for name, bounds in NUMERIC.items()
                 if name not in PER_INTERVAL_BOUNDS and (bounds[0] is None or bounds[1] is None)}
    assert not unbounded, f"numeric keys without a full range: {unbounded}"


def test_the_edges_below_cover_every_numeric_key() -> None:
    assert set(NUMERIC) == set(KEYS)


def test_the_kitchen_sink_runs_as_it_is() -> None:
    result = simcall.simulate(simcall.from_dict(KITCHEN_SINK), seed=1, keep_records=False)
    assert result.kpis["offered"] > 0


# -- the edges -----------------------------------------------------------------------------

def _range(key: str) -> tuple[float, float, bool, bool, bool]:
    """(low, high, low strict, high strict, whole numbers) of a key."""
    if key in PER_INTERVAL_BOUNDS:
        low, high, whole = PER_INTERVAL_BOUNDS[key]
        return float(low), float(high), False, False, whole
    low, high, low_strict, high_strict = NUMERIC[key]
    assert low is not None and high is not None
    whole = key in {"Scenario.intervals", "Scenario.lines", "Scenario.seed", "Scenario.days",
                    "TransferTarget.at_most", "CallerType.priority", "Redial.max_attempts",
                    "Department.max_transfers", "Department.transfer_priority_boost",
                    "Erlang.k", "Shift.agents"}
    return low, high, low_strict, high_strict, whole


def _edge(key: str, kind: str) -> tuple[float | int, bool]:
    """A value at an edge of ``key``'s range, and whether it lies inside the range."""
    low, high, low_strict, high_strict, whole = _range(key)
    if whole:
        values = {"low": (int(low), True), "high": (int(high), True),
                  "below": (int(low) - 1, False), "above": (int(high) + 1, False)}
        return values[kind]
    inside_low = math.nextafter(low, math.inf) if low_strict else low
    inside_high = math.nextafter(high, -math.inf) if high_strict else high
    floats = {"low": (inside_low, True), "high": (inside_high, True),
              "below": (math.nextafter(inside_low, -math.inf), False),
              "above": (math.nextafter(inside_high, math.inf), False)}
    return floats[kind]


def _key_path(path: Path) -> str:
    """A kitchen-sink path as simcall's messages write it: ``callers[0].ivr.hang_up``."""
    return "".join(f"[{step}]" if isinstance(step, int) else f".{step}"
                   for step in path).lstrip(".")


def _put(data: dict[str, Any], path: Path, value: Any) -> None:
    parent: Any = data
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value


EDGE_KINDS = ("low", "high", "below", "above")
changes = st.lists(st.tuples(st.sampled_from(sorted(KEYS)), st.sampled_from(EDGE_KINDS)),
                   min_size=1, max_size=3, unique_by=lambda change: change[0])



def _outcome(data: dict[str, Any], said: str) -> str:
    try:
        scenario = simcall.from_dict(data)
    except simcall.ScenarioError as error:
        return f"refused: {error}"
    try:
        check_workload([scenario], 1, MOST_CALLS)
    except WorkloadError:
        return "guarded"
    simulate_or_fail(scenario, said, SECONDS)
    return "ran"


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(changes)
def test_scenarios_at_the_edges_fail_cleanly_or_run(change: list[tuple[str, str]]) -> None:
    data = copy.deepcopy(KITCHEN_SINK)
    said = []
    outside = []
    for key, kind in change:
        value, inside = _edge(key, kind)
        for path in KEYS[key]:
            _put(data, path, value)
        said.append(f"{key} = {value!r}")
        if not inside:
            outside.append(key)
    outcome = _outcome(data, "; ".join(said))
    if outside:
        assert outcome.startswith("refused"), f"{'; '.join(said)}: outside a range, validated"


@pytest.mark.parametrize("key", sorted(KEYS))
@pytest.mark.parametrize("kind", EDGE_KINDS)
def test_each_edge_alone(key: str, kind: str) -> None:
    """Every key at every edge, once each: the exhaustive companion of the random draws."""
    data = copy.deepcopy(KITCHEN_SINK)
    value, inside = _edge(key, kind)
    for path in KEYS[key]:
        _put(data, path, value)
    outcome = _outcome(data, f"{key} = {value!r}")
    if not inside:
        assert outcome.startswith("refused"), f"{key} = {value!r} is outside its range, validated"
        assert any(_key_path(path) in outcome for path in KEYS[key]), outcome  # names the key
    else:  # a cross-check may refuse it (a warm-up longer than the day), its own range never
        for path in KEYS[key]:
            assert f"{_key_path(path)}: input should be" not in outcome, outcome


def test_transfer_rows_that_nearly_loop_are_refused_with_the_expected_visits() -> None:
    """A loop a call leaves once in 10,000 transfers passes the trap check (it can leave)
    but would pass one call around for ever: refused, naming the visits: from support,
    v = 1 + 0.9999 (1 + v), so v = 1.9999 / 0.0001 = 19,999."""
    data = copy.deepcopy(KITCHEN_SINK)
    data["departments"][0].pop("max_transfers")
    data["departments"][0]["transfer"] = {"support": 1.0}
    data["departments"][1]["transfer"] = {"sales": 0.9999}
    with pytest.raises(simcall.ScenarioError, match=r"departments\[1\]\.transfer: calls in "
                       r"'support' would visit about 19,999 queues"):
        simcall.from_dict(data)
    data["departments"][0]["max_transfers"] = 3  # a cap is a way out: it runs
    simcall.simulate(simcall.from_dict(data), seed=1, keep_records=False)
