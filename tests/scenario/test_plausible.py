"""Bare numbers too short for what they measure: warned about at load, never for a unit."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import simcall
from helpers import SCENARIOS
from simcall.errors import SimcallWarning
from simcall.scenario import BareSecondsWarning, loads
from simcall.scenario.plausible import LEAST, bare_seconds_problems

HELPDESK = (SCENARIOS / "helpdesk.toml").read_text()


def _with(old: str, new: str, text: str = HELPDESK) -> str:
    assert old in text
    return text.replace(old, new)


def test_the_ready_scenarios_load_without_a_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", SimcallWarning)
        for path in sorted(SCENARIOS.glob("*.toml")):
            simcall.load(path)


def test_the_issues_talk_mean_warns_naming_key_line_and_unit() -> None:
    text = _with('talk = { dist = "exponential", mean = "4min" }',
                 'talk = { dist = "exponential", mean = 4 }')
    with pytest.warns(BareSecondsWarning) as caught:
        loads(text, source="desk.toml")
    assert len(caught) == 1
    message = str(caught[0].message)
    line = text.splitlines().index(next(row for row in text.splitlines()
                                        if "mean = 4 }" in row)) + 1
    assert message.startswith(f"desk.toml: line {line}: departments[0].talk.mean: 4 has no unit")
    assert '"4min"' in message and '"4s"' in message
    assert caught[0].filename == __file__  # attributed to the caller, not simcall


@pytest.mark.parametrize("written", ['"4s"', '"4min"', "240", "15", '"0.1min"'])
def test_no_warning_with_a_unit_or_a_plausible_number(written: str) -> None:
    text = _with('mean = "4min" }', f"mean = {written} }}")
    with warnings.catch_warnings():
        warnings.simplefilter("error", SimcallWarning)
        loads(text)


@pytest.mark.parametrize(("old", "new", "key"), [
    ('interval = "30min"', "interval = 30", "interval"),
    ('patience = { dist = "exponential", mean = "3min" }',
     'patience = { dist = "exponential", mean = 3 }', "callers[0].patience.mean"),
    ('talk = { dist = "exponential", mean = "4min" }',
     'talk = { dist = "uniform", low = 2, high = 6 }', "departments[0].talk"),
    ('talk = { dist = "exponential", mean = "4min" }',
     'talk = { dist = "empirical", values = [1, 2, 30] }', "departments[0].talk.values"),
    ('talk = { dist = "exponential", mean = "4min" }',
     'talk = { dist = "exponential", mean = "4min" }\nwrap_up = { dist = "deterministic", '
     "value = 2 }", "departments[0].wrap_up.value"),
])
def test_each_measure_warns_under_its_least(old: str, new: str, key: str) -> None:
    with pytest.warns(BareSecondsWarning, match=key.replace("[", r"\[").replace(".", r"\.")):
        loads(_with(old, new))


def test_zero_and_partly_united_values_are_taken_as_meant() -> None:
    data = {"departments": [
        {"talk": {"dist": "uniform", "low": 1, "high": "2min"},
         "wrap_up": {"dist": "deterministic", "value": 0}}]}
    assert bare_seconds_problems(data) == []


def test_set_changes_are_checked_and_a_dictionary_is_not(tmp_path: Path) -> None:
    path = tmp_path / "desk.toml"
    path.write_text(HELPDESK)
    with pytest.warns(BareSecondsWarning, match="with --set"):
        simcall.load(path, ["departments.support.talk.mean=3"])
    dumped = simcall.load(path).model_dump()
    dumped["departments"][0]["talk"]["mean"] = 3.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", SimcallWarning)
        simcall.scenario.from_dict(dumped)


def test_every_measure_has_a_word_and_a_positive_least() -> None:
    assert all(what and least > 0 for what, least in LEAST.values())
