"""Random streams (``simcall.model.streams``): the basis of reproducibility and of common
random numbers (SPEC "Reproducibility").

Checked here:

* a stream is a pure function of (seed, replication, input, owner, index), and changing any
  one of them gives other numbers;
* the order of :data:`INPUTS` and the values of :class:`Owner` (both part of every stream's
  key) are pinned literally, as change detectors;
* :class:`Streams` hands each stream out once per replication and refuses unknown inputs;
* ``sampler`` / ``uniforms`` return exactly the generator's draws, in order, across their
  internal blocks, and ``sampler(None, ...)`` returns the missing value without drawing;
* scripted demand draws patience and wrap-up from their own streams, so fixing one attribute
  of a scripted call leaves every other draw where it was, and the drawn patience is the
  caller type's own patience stream;
* Poisson demand of one caller type does not move when the staffing or another caller type
  changes (common random numbers), and a whole replication depends on (seed, replication)
  only.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import simcall
from helpers import scenario_from
from simcall.model import run_replication
from simcall.model.demand import draw_demand, scripted_demand
from simcall.model.streams import INPUTS, Owner, Streams, generator, sampler, uniforms

SEED = 20240601

# two caller types with patience, a department with random talk and wrap-up
CALLERS = [
    {"name": "retail", "arrivals_per_hour": 40, "enters": "support",
     "patience": {"dist": "exponential", "mean": "2min"}},
    {"name": "business", "arrivals_per_hour": 20, "enters": "support",
     "patience": {"dist": "gamma", "mean": "5min", "cv": 0.5}},
]
DEPARTMENTS = [{"name": "support", "talk": {"dist": "exponential", "mean": "3min"},
                "wrap_up": {"dist": "exponential", "mean": "30s"}}]


def _scenario(**changes: object) -> simcall.Scenario:
    data: dict[str, object] = {"callers": CALLERS, "departments": DEPARTMENTS}
    data.update(changes)
    return scenario_from(**data)


def _draws(rng: np.random.Generator, n: int = 5) -> list[float]:
    return rng.random(n).tolist()


# -- generator: a pure function of its key --------------------------------------------------


def test_the_same_key_gives_the_same_numbers() -> None:
    a = generator(SEED, 3, "talk", Owner.DEPARTMENT_LATER_VISITS, 2)
    b = generator(SEED, 3, "talk", Owner.DEPARTMENT_LATER_VISITS, 2)
    assert _draws(a) == _draws(b)


@pytest.mark.parametrize("changed", [
    (SEED + 1, 3, "talk", Owner.DEPARTMENT_LATER_VISITS, 2),  # seed
    (SEED, 4, "talk", Owner.DEPARTMENT_LATER_VISITS, 2),  # replication
    (SEED, 3, "wrap_up", Owner.DEPARTMENT_LATER_VISITS, 2),  # input
    (SEED, 3, "talk", Owner.CALLER_LATER_VISITS, 2),  # owner kind
    (SEED, 3, "talk", Owner.DEPARTMENT_LATER_VISITS, 1),  # owner index
])
def test_any_other_key_gives_other_numbers(changed: tuple[int, int, str, Owner, int]) -> None:
    reference = _draws(generator(SEED, 3, "talk", Owner.DEPARTMENT_LATER_VISITS, 2))
    assert _draws(generator(*changed)) != reference


def test_all_keys_of_a_replication_are_distinct_streams() -> None:
    # every (input, owner, index) of a small replication starts differently: no two inputs
    # share their numbers (a shared stream would correlate, e.g., talk with patience)
    firsts = {
        generator(SEED, 0, name, owner, index).random()
        for name in INPUTS for owner in Owner for index in range(3)
    }
    assert len(firsts) == len(INPUTS) * len(Owner) * 3


def test_inputs_are_append_only() -> None:
    # Deliberate change detector. A stream's key holds the *position* of its input in
    # INPUTS, so reordering, renaming-in-place or inserting an input moves existing streams
    # and silently changes every published result for a given seed. New inputs go at the
    # END of the tuple; when one is added, extend this literal (never reorder it).
    assert INPUTS == ("arrivals", "patience", "talk", "wrap_up", "pickup", "routing", "redial",
                      "ivr", "rona", "breaks", "callback", "days", "not_ready")


def test_owner_values_are_fixed() -> None:
    # Deliberate change detector, for the same reason: the owner's integer value is part of
    # every stream's key. New owner kinds take new values; existing ones never change.
    assert {owner.name: int(owner) for owner in Owner} == {
        "CALLER_AT_ARRIVAL": 0, "DEPARTMENT_LATER_VISITS": 1, "CALLER_LATER_VISITS": 2,
        "AGENT_GROUP": 3}


# -- Streams: one replication's streams, each handed out once --------------------------------


def test_take_is_the_keyed_generator_whatever_was_taken_before() -> None:
    expected = _draws(generator(SEED, 2, "patience", Owner.CALLER_AT_ARRIVAL, 1))
    streams = Streams(SEED, 2)
    # taking (and drawing from) other streams first must not shift this one
    _draws(streams.take("talk", Owner.CALLER_AT_ARRIVAL, 1))
    _draws(streams.take("patience", Owner.CALLER_AT_ARRIVAL, 0))
    assert _draws(streams.take("patience", Owner.CALLER_AT_ARRIVAL, 1)) == expected
    # and a fresh Streams of another order gives the same numbers
    assert _draws(Streams(SEED, 2).take("patience", Owner.CALLER_AT_ARRIVAL, 1)) == expected


def test_a_stream_is_handed_out_once() -> None:
    streams = Streams(SEED, 0)
    streams.take("talk", Owner.AGENT_GROUP, 0)
    with pytest.raises(ValueError, match="already taken"):
        streams.take("talk", Owner.AGENT_GROUP, 0)
    # neighbours of the same input are different streams and still available
    streams.take("talk", Owner.AGENT_GROUP, 1)
    streams.take("talk", Owner.CALLER_AT_ARRIVAL, 0)
    # another replication's Streams starts with nothing handed out
    Streams(SEED, 1).take("talk", Owner.AGENT_GROUP, 0)


def test_an_unknown_input_is_refused() -> None:
    streams = Streams(SEED, 0)
    with pytest.raises(ValueError, match="no random input named 'talk_time'"):
        streams.take("talk_time", Owner.CALLER_AT_ARRIVAL, 0)
    with pytest.raises(ValueError):  # the bare generator refuses it too (tuple.index)
        generator(SEED, 0, "talk_time", Owner.CALLER_AT_ARRIVAL, 0)


# -- sampler and uniforms: block drawing is invisible ----------------------------------------


@pytest.mark.parametrize("block", [1, 7, 256])
def test_sampler_returns_the_generator_draws_in_order(block: int) -> None:
    scenario = _scenario()
    distribution = scenario.callers[1].patience  # gamma: a rejection sampler
    assert distribution is not None
    n = 3 * block + 5  # crosses several block boundaries and ends inside a block
    draw = sampler(distribution, generator(SEED, 0, "patience", Owner.CALLER_LATER_VISITS, 1),
                   block=block)
    twin = generator(SEED, 0, "patience", Owner.CALLER_LATER_VISITS, 1)
    direct = distribution.sample(twin, n)
    assert [draw() for _ in range(n)] == direct.tolist()


@pytest.mark.parametrize("block", [1, 7, 256])
def test_uniforms_return_the_generator_draws_in_order(block: int) -> None:
    n = 3 * block + 5
    draw = uniforms(generator(SEED, 0, "routing", Owner.DEPARTMENT_LATER_VISITS, 0), block)
    twin = generator(SEED, 0, "routing", Owner.DEPARTMENT_LATER_VISITS, 0)
    values = [draw() for _ in range(n)]
    assert values == twin.random(n).tolist()
    assert all(0.0 <= v < 1.0 for v in values)


def test_sampler_without_a_distribution_returns_the_missing_value_and_draws_nothing() -> None:
    rng = generator(SEED, 0, "pickup", Owner.AGENT_GROUP, 0)
    twin = generator(SEED, 0, "pickup", Owner.AGENT_GROUP, 0)
    no_pickup = sampler(None, rng)
    never = sampler(None, rng, missing=math.inf)
    assert [no_pickup(), no_pickup(), never()] == [0.0, 0.0, math.inf]
    assert rng.random() == twin.random()  # the generator was not touched


def test_a_claimed_stream_counts_as_handed_out() -> None:
    """``Streams.sampler`` without a distribution claims its stream without making it: the
    missing value comes back, and the stream cannot be handed out again."""
    streams = Streams(SEED, 0)
    no_pickup = streams.sampler(None, "pickup", Owner.AGENT_GROUP, 0, missing=2.5)
    assert [no_pickup(), no_pickup()] == [2.5, 2.5]
    with pytest.raises(ValueError, match="already taken"):
        streams.take("pickup", Owner.AGENT_GROUP, 0)
    with pytest.raises(ValueError, match="already taken"):
        streams.claim("pickup", Owner.AGENT_GROUP, 0)
    with pytest.raises(ValueError, match="no random input named 'pick_up'"):
        streams.claim("pick_up", Owner.AGENT_GROUP, 0)


def test_streams_sampler_draws_the_keyed_stream() -> None:
    distribution = _scenario().callers[1].patience
    assert distribution is not None
    draw = Streams(SEED, 2).sampler(distribution, "patience", Owner.CALLER_LATER_VISITS, 1)
    twin = generator(SEED, 2, "patience", Owner.CALLER_LATER_VISITS, 1)
    assert [draw() for _ in range(5)] == distribution.sample(twin, 5).tolist()


# -- scripted demand: each attribute has its own stream --------------------------------------


def _script(talk_of_second: float | None = None,
            patience_of_third: float | None = None) -> list[simcall.Arrival]:
    return [
        simcall.Arrival(at=10.0, caller="retail"),
        simcall.Arrival(at=20.0, caller="business", talk=talk_of_second),
        simcall.Arrival(at=30.0, caller="retail", patience=patience_of_third),
        simcall.Arrival(at=40.0, caller="business"),
        simcall.Arrival(at=50.0, caller="retail"),
    ]


def test_fixing_talk_leaves_every_patience_and_wrap_up_unchanged() -> None:
    scenario = _scenario()
    free = scripted_demand(scenario, _script(), Streams(SEED, 0))
    fixed = scripted_demand(scenario, _script(talk_of_second=123.0), Streams(SEED, 0))
    assert fixed.talk[1] == 123.0 != free.talk[1]
    np.testing.assert_array_equal(fixed.patience, free.patience)
    np.testing.assert_array_equal(fixed.wrap_up, free.wrap_up)
    np.testing.assert_array_equal(fixed.transfer_draw, free.transfer_draw)
    # the talk times of the other calls did not move either (the fixed one is drawn anyway)
    np.testing.assert_array_equal(np.delete(fixed.talk, 1), np.delete(free.talk, 1))


def test_fixing_patience_leaves_the_other_draws_unchanged() -> None:
    scenario = _scenario()
    free = scripted_demand(scenario, _script(), Streams(SEED, 0))
    fixed = scripted_demand(scenario, _script(patience_of_third=math.inf), Streams(SEED, 0))
    assert fixed.patience[2] == math.inf
    np.testing.assert_array_equal(np.delete(fixed.patience, 2), np.delete(free.patience, 2))
    np.testing.assert_array_equal(fixed.talk, free.talk)
    np.testing.assert_array_equal(fixed.wrap_up, free.wrap_up)


def test_scripted_patience_is_the_caller_types_own_patience_stream() -> None:
    scenario = _scenario()
    demand = scripted_demand(scenario, _script(), Streams(SEED, 4))
    for index, spec in enumerate(scenario.callers):
        assert spec.patience is not None
        mine = demand.caller == index
        # the calls of this type, in arrival order, take the first draws of its stream
        rng = Streams(SEED, 4).take("patience", Owner.CALLER_AT_ARRIVAL, index)
        expected = spec.patience.sample(rng, int(mine.sum()))
        np.testing.assert_array_equal(demand.patience[mine], expected)


def test_scripted_wrap_up_is_the_caller_types_own_wrap_up_stream() -> None:
    scenario = _scenario()
    demand = scripted_demand(scenario, _script(talk_of_second=5.0), Streams(SEED, 0))
    wrap_up = scenario.departments[0].wrap_up
    assert wrap_up is not None
    for index in range(len(scenario.callers)):
        rng = Streams(SEED, 0).take("wrap_up", Owner.CALLER_AT_ARRIVAL, index)
        mine = demand.caller == index
        np.testing.assert_array_equal(demand.wrap_up[mine], wrap_up.sample(rng, int(mine.sum())))


def test_a_scripted_run_uses_the_scripted_demand() -> None:
    # the engine's scripted run is fed exactly this demand: its first visits' talk and
    # wrap-up are the drawn ones (talk_factor 1; callers that never hang up, so every call
    # is answered at its first queue)
    patient = [{k: v for k, v in c.items() if k != "patience"} for c in CALLERS]
    scenario = _scenario(callers=patient,
                         agents=[{"name": "team", "skills": ["support"], "staff": 3}])
    script = _script()
    records = run_replication(scenario, SEED, 0, script=script)
    demand = scripted_demand(scenario, script, Streams(SEED, 0))
    first = np.unique(records.visits.call, return_index=True)[1]
    np.testing.assert_allclose(records.visits.talk[first], demand.talk)
    np.testing.assert_allclose(records.visits.wrap_up[first], demand.wrap_up)


# -- Poisson demand and whole replications ---------------------------------------------------


def test_demand_does_not_depend_on_staffing() -> None:
    # common random numbers: two staffing plans see the very same calls
    few = draw_demand(_scenario(agents=[{"name": "t", "skills": ["support"], "staff": 1}]),
                      Streams(SEED, 0))
    many = draw_demand(_scenario(agents=[{"name": "t", "skills": ["support"], "staff": 9}]),
                       Streams(SEED, 0))
    assert len(few) > 0
    for column in ("arrival", "caller", "patience", "talk", "wrap_up", "transfer_draw"):
        np.testing.assert_array_equal(getattr(few, column), getattr(many, column))


def test_adding_a_caller_type_leaves_the_others_calls_alone() -> None:
    alone = draw_demand(_scenario(callers=CALLERS[:1]), Streams(SEED, 0))
    both = draw_demand(_scenario(), Streams(SEED, 0))
    retail = both.caller == 0
    assert 0 < int(retail.sum()) < len(both)
    for column in ("arrival", "patience", "talk", "wrap_up", "transfer_draw"):
        np.testing.assert_array_equal(getattr(both, column)[retail], getattr(alone, column))


def test_poisson_patience_is_the_caller_types_own_patience_stream() -> None:
    scenario = _scenario()
    demand = draw_demand(scenario, Streams(SEED, 1))
    for index, spec in enumerate(scenario.callers):
        assert spec.patience is not None
        mine = demand.caller == index
        rng = Streams(SEED, 1).take("patience", Owner.CALLER_AT_ARRIVAL, index)
        np.testing.assert_array_equal(demand.patience[mine],
                                      spec.patience.sample(rng, int(mine.sum())))


def test_a_replication_depends_on_seed_and_replication_only() -> None:
    scenario = _scenario()
    first = run_replication(scenario, SEED, 1)
    run_replication(scenario, SEED, 0)  # something else ran in between
    again = run_replication(scenario, SEED, 1)
    np.testing.assert_array_equal(first.calls.arrival, again.calls.arrival)
    np.testing.assert_array_equal(first.calls.outcome, again.calls.outcome)
    np.testing.assert_array_equal(first.visits.wait, again.visits.wait)
    other_replication = run_replication(scenario, SEED, 2)
    other_seed = run_replication(scenario, SEED + 1, 1)
    assert not np.array_equal(first.calls.arrival, other_replication.calls.arrival)
    assert not np.array_equal(first.calls.arrival, other_seed.calls.arrival)


def test_columns_the_scenario_never_reads_are_one_value_held_once() -> None:
    # no menu, no transfers: the menu columns and the transfer draw are constants in the
    # memory of one value (a long run's demand is about half the size); wrap-up is drawn
    demand = draw_demand(_scenario(), Streams(SEED, 0))
    assert len(demand) > 20
    for column, value in (("ivr_time", 0.0), ("ivr_draw", 1.0), ("transfer_draw", 1.0)):
        held = getattr(demand, column)
        assert held.strides == (0,) and held.shape == (len(demand),)
        assert set(held.tolist()) == {value}
    assert demand.wrap_up.strides == (8,) and np.all(demand.wrap_up > 0)
    # with a transfer the draw is the routing stream's, after the department choices
    transferring = [dict(DEPARTMENTS[0], transfer={"support": 0.1})]
    drawn = draw_demand(_scenario(departments=transferring), Streams(SEED, 0))
    assert drawn.transfer_draw.strides == (8,)
    for column in ("arrival", "caller", "department", "patience", "talk", "wrap_up"):
        np.testing.assert_array_equal(getattr(drawn, column), getattr(demand, column))
    retail = drawn.caller == 0
    routing = Streams(SEED, 0).take("routing", Owner.CALLER_AT_ARRIVAL, 0)
    count = int(retail.sum())
    routing.random(count)  # the department choices come first
    np.testing.assert_array_equal(drawn.transfer_draw[retail], routing.random(count))


def test_without_wrap_up_the_wrap_up_column_is_zero_held_once() -> None:
    departments = [{"name": "support", "talk": {"dist": "exponential", "mean": "3min"}}]
    demand = draw_demand(_scenario(departments=departments), Streams(SEED, 0))
    assert demand.wrap_up.strides == (0,) and set(demand.wrap_up.tolist()) == {0.0}
