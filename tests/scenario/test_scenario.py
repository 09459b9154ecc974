"""Scenario files: the SPEC's formats load, and every mistake names its key."""

from __future__ import annotations

import math

import pytest

import simcall
from helpers import BASE, SCENARIOS, scenario_from
from simcall.errors import ScenarioError
from simcall.scenario.durations import parse_duration


def test_helpdesk_loads_as_written_in_the_spec() -> None:
    scenario = simcall.load(SCENARIOS / "helpdesk.toml")
    assert scenario.horizon == 8 * 3600
    assert scenario.ring == 6.0
    assert scenario.targets.service_level is not None
    assert scenario.targets.service_level.within == 12.0  # "2 rings" of 6 s
    assert scenario.callers[0].patience.mean_value == 180.0
    assert scenario.departments[0].talk.mean_value == 240.0
    assert list(scenario.per_interval(scenario.agents[0].staff)) == [10] * 16
    assert scenario.interval_label(3) == "09:30"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [(45, 45.0), (2.5, 2.5), ("45s", 45.0), ("4min", 240.0), ("1.5h", 5400.0),
     ("2 rings", 12.0), ("0.5 min", 30.0), ("1e2s", 100.0)],
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text, ring=6.0) == seconds


@pytest.mark.parametrize("bad", ["45", "4 lightyears", "-3s", "rings", True, [1], "nan s"])
def test_bad_durations_name_the_value(bad: object) -> None:
    with pytest.raises(ValueError, match=r"duration|unit|not"):
        parse_duration(bad, ring=6.0)


def _problems(**changes: object) -> str:
    with pytest.raises(ScenarioError) as caught:
        scenario_from(**changes)
    return str(caught.value)


def test_unknown_key_is_an_error_with_a_suggestion() -> None:
    message = _problems(intervalls=3)
    assert "intervalls: unknown key 'intervalls' (did you mean 'intervals'?)" in message


def test_misspelt_department_gets_did_you_mean() -> None:
    departments = [{**BASE["departments"][0], "transfer": {"suport": 0.2}}]
    message = _problems(departments=departments)
    assert ("departments[0].transfer.suport: no department named 'suport' "
            "(did you mean 'support'?)") in message


def test_every_problem_is_reported_at_once() -> None:
    callers = [{"name": "customers", "arrivals_per_hour": [1, 2], "enters": "sales"}]
    agents = [{"name": "team", "skills": ["support"], "staff": -1}]
    message = _problems(callers=callers, agents=agents, intervals=3)
    assert "agents[0].staff: must be finite and >= 0, got -1" in message
    # cross-checks wait until the fields are valid; field errors come all together
    message = _problems(callers=callers, intervals=3)
    assert "callers[0].enters.sales: no department named 'sales'" in message
    assert "callers[0].arrivals_per_hour: has 2 values, but intervals = 3" in message


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"departments": [{"name": "support", "talk": {"dist": "exponential", "mean": 100},
                           "transfer": {"support": 0.7, "billing": 0.5}},
                          {"name": "billing", "talk": {"dist": "exponential", "mean": 100}}],
          "agents": [{"name": "t", "skills": ["support", "billing"], "staff": 1}]},
         "transfer probabilities add up to 1.2"),
        ({"departments": [{"name": "support", "talk": {"dist": "exponential", "mean": 100},
                           "transfer": {"billing": 1.0}},
                          {"name": "billing", "talk": {"dist": "exponential", "mean": 100},
                           "transfer": {"support": 1.0}}],
          "agents": [{"name": "t", "skills": ["support", "billing"], "staff": 1}]},
         "can never leave"),
        ({"departments": [{"name": "support", "talk": {"dist": "exponential", "mean": 100}},
                          {"name": "billing", "talk": {"dist": "exponential", "mean": 100}}]},
         "departments[1]: no agent group has the skill 'billing'"),
        ({"callers": [{"name": "a", "arrivals_per_hour": 1, "enters": "support"},
                      {"name": "a", "arrivals_per_hour": 1, "enters": "support"}]},
         "callers[1].name: duplicate name 'a' (also callers[0])"),
        ({"callers": [{"name": "a", "arrivals_per_hour": math.inf, "enters": "support"}]},
         "must be finite"),
        ({"callers": [{"name": "a", "arrivals_per_hour": 1,
                       "enters": {"support": 0.5}}]},
         "the shares add up to 0.5; they must add up to 1"),
        ({"departments": [{"name": "support", "talk": {"dist": "expo", "mean": 100}}]},
         "unknown distribution 'expo' (did you mean 'exponential'?)"),
        ({"departments": [{"name": "support", "talk": {"dist": "gamma", "mean": 100}}]},
         "departments[0].talk.cv: is required but missing"),
        ({"agents": [{"name": "t", "skills": ["support", "support"], "staff": 1}]},
         "skill 'support' is listed twice"),
        ({"warmup": "2h"}, "warmup: warm-up (7200 s) must end before"),
        ({"open": "25:00"}, "open: '25:00' is not a valid clock time"),
        ({"agents": [{"name": "t", "skills": ["support"], "staff": 1.5}]},
         "must be a whole number of agents, got 1.5"),
        ({"agents": [{"name": "t", "skills": ["support"], "staff": 1,
                      "shifts": [{"start": "00:00", "end": "01:00", "agents": 1}]}]},
         "agents[0]: give either 'staff' (agents per interval) or 'shifts', not both"),
        ({"agents": [{"name": "t", "skills": ["support"]}]},
         "agents[0]: needs 'staff' (agents per interval) or 'shifts'"),
    ],
)
def test_cross_checks(changes: dict, expected: str) -> None:
    assert expected in _problems(**changes)


def test_errors_carry_the_line_number() -> None:
    text = (SCENARIOS / "helpdesk.toml").read_text().replace(
        'talk = { dist = "exponential", mean = "4min" }',
        'talk = { dist = "exponential", mean = "4 minuts" }',
    )
    with pytest.raises(ScenarioError) as caught:
        simcall.loads(text, source="helpdesk.toml")
    (problem,) = caught.value.problems
    assert problem.path == "departments[0].talk.mean"
    assert text.splitlines()[problem.line - 1].startswith("talk =")
    assert "unknown unit 'minuts'" in str(caught.value)


def test_toml_syntax_error_gives_the_line() -> None:
    with pytest.raises(ScenarioError, match="line 2"):
        simcall.loads('name = "x"\nintervals = = 3\n')


def test_missing_file_and_directory(tmp_path) -> None:
    with pytest.raises(ScenarioError, match="no such file"):
        simcall.load(tmp_path / "absent.toml")
    with pytest.raises(ScenarioError, match="is a directory"):
        simcall.load(tmp_path)


def test_empirical_values_and_file(tmp_path) -> None:
    (tmp_path / "talk.txt").write_text("10\n20, 30\n")
    text = (SCENARIOS / "helpdesk.toml").read_text().replace(
        'talk = { dist = "exponential", mean = "4min" }',
        'talk = { dist = "empirical", file = "talk.txt" }',
    )
    (tmp_path / "s.toml").write_text(text)
    scenario = simcall.load(tmp_path / "s.toml")
    assert scenario.departments[0].talk.values == (10.0, 20.0, 30.0)
    assert scenario.departments[0].talk.mean_value == 20.0


@pytest.mark.parametrize(
    "spec",
    [
        {"dist": "exponential", "mean": 120},
        {"dist": "deterministic", "value": 120},
        {"dist": "uniform", "low": 60, "high": 180},
        {"dist": "lognormal", "mean": 120, "cv": 1.5},
        {"dist": "gamma", "mean": 120, "cv": 0.5},
        {"dist": "erlang", "k": 3, "mean": 120},
        {"dist": "weibull", "shape": 0.7, "mean": 120},
        {"dist": "empirical", "values": [60, 120, 180]},
    ],
)
def test_distributions_have_the_mean_they_are_given(spec: dict) -> None:
    import numpy as np

    departments = [{"name": "support", "talk": spec}]
    distribution = scenario_from(departments=departments).departments[0].talk
    sample = distribution.sample(np.random.default_rng(7), 200_000)
    standard_error = sample.std() / np.sqrt(sample.size)
    # 4.5 standard errors: a false alarm about once in 150,000 runs
    assert abs(sample.mean() - 120.0) <= 4.5 * standard_error + 1e-9
    assert distribution.mean_value == pytest.approx(120.0)
    assert (sample >= 0).all()
