"""The crashing corpus: scenario files that validated and then crashed, kept as regressions.

Each case is a change to the help desk that once passed validation and then crashed
``run`` or ``validate`` itself (issue 12). Each must now either fail validation cleanly (a
:class:`~simcall.errors.ScenarioError` naming the key) or run and account for every call
(``simulate`` checks conservation on every run). The edges of each new range are run too:
the largest and smallest values allowed must simulate.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import simcall
from helpers import SCENARIOS
from simcall.results.provenance import scenario_data

Change = Callable[[dict[str, Any]], None]


def _talk(**talk: Any) -> Change:
    return lambda data: data["departments"][0].update(talk=talk)


def _patience(**patience: Any) -> Change:
    return lambda data: data["callers"][0].update(patience=patience)


def _set(**keys: Any) -> Change:
    return lambda data: data.update(**keys)


def _scenario(change: Change) -> simcall.Scenario:
    data = copy.deepcopy(scenario_data(simcall.load(SCENARIOS / "helpdesk.toml")))
    data["intervals"] = 2
    change(data)
    return simcall.from_dict(data)


REFUSED = [
    ("lognormal cv 1e154", _talk(dist="lognormal", mean=240, cv=1e154), "talk.cv"),
    ("gamma cv 1e308", _talk(dist="gamma", mean=240, cv=1e308), "talk.cv"),
    ("gamma cv 1e-300", _talk(dist="gamma", mean=240, cv=1e-300), "talk.cv"),
    ("weibull shape 0.005", _patience(dist="weibull", mean=180, shape=0.005),
     "patience.shape"),
    ("ring 5e-324", _set(ring=5e-324), "ring"),
    ("interval 1e308", _set(interval=1e308), "interval"),
    ("horizon over 10,000 h", _set(interval=9000 * 3600.0), "intervals"),
]

EDGES = [
    ("lognormal cv 100", _talk(dist="lognormal", mean=240, cv=100)),
    ("lognormal cv 0.001", _talk(dist="lognormal", mean=240, cv=0.001)),
    ("gamma cv 100", _talk(dist="gamma", mean=240, cv=100)),
    ("gamma cv 0.001", _talk(dist="gamma", mean=240, cv=0.001)),
    ("weibull shape 0.05", _patience(dist="weibull", mean=180, shape=0.05)),
    ("weibull shape 100", _patience(dist="weibull", mean=180, shape=100)),
    ("ring 1 s", _set(ring=1.0)),
    ("ring 1 h", _set(ring=3600.0)),
]


@pytest.mark.parametrize(("name", "change", "key"), REFUSED, ids=[c[0] for c in REFUSED])
def test_what_crashed_is_now_refused_naming_the_key(name: str, change: Change,
                                                    key: str) -> None:
    with pytest.raises(simcall.ScenarioError, match=rf"{key}: "):
        _scenario(change)


@pytest.mark.parametrize(("name", "change"), EDGES, ids=[c[0] for c in EDGES])
def test_the_edges_of_each_range_run_and_account_for_every_call(name: str,
                                                                change: Change) -> None:
    result = simcall.simulate(_scenario(change), seed=3)  # checks conservation itself
    assert result.kpis["offered"] > 0


@pytest.mark.parametrize("opening, closing", [("[", "]"), ("{a = ", "}")])
def test_deep_nesting_is_a_clean_error(opening: str, closing: str) -> None:
    text = "x = " + opening * 2000 + "1" + closing * 2000
    with pytest.raises(simcall.ScenarioError, match="nested too deeply"):
        simcall.loads(text)


# -- empirical files: regular files in the scenario's folder only ----------------------------


def _empirical(folder: Path, name: str) -> simcall.Scenario:
    text = (SCENARIOS / "helpdesk.toml").read_text().replace(
        'talk = { dist = "exponential", mean = "4min" }',
        f'talk = {{ dist = "empirical", file = "{name}" }}')
    path = folder / "scenario.toml"
    path.write_text(text)
    return simcall.load(path)


def test_an_empirical_file_in_the_folder_is_read(tmp_path: Path) -> None:
    (tmp_path / "times").mkdir()
    (tmp_path / "times" / "talk.txt").write_text("60, 120\n180")
    talk = _empirical(tmp_path, "times/talk.txt").departments[0].talk
    assert talk.mean_value == 120


@pytest.mark.parametrize(("name", "message"), [
    ("/etc/hostname", "relative to the scenario file's folder, not an absolute one"),
    ("../outside.txt", "lies outside the scenario file's folder"),
    ("link_to_zero", "lies outside the scenario file's folder"),
    ("fifo", "is a FIFO"),
    ("folder", "is a directory"),
])
def test_an_empirical_file_that_is_not_a_file_here_is_refused_by_name(
        tmp_path: Path, name: str, message: str) -> None:
    inside = tmp_path / "scenario"
    inside.mkdir()
    (tmp_path / "outside.txt").write_text("60")
    (inside / "link_to_zero").symlink_to("/dev/zero")
    os.mkfifo(inside / "fifo")  # opening it would block forever: it must not be opened
    (inside / "folder").mkdir()
    with pytest.raises(simcall.ScenarioError, match=message):
        _empirical(inside, name)


def test_an_empirical_file_too_large_is_refused(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from simcall.scenario import distributions

    monkeypatch.setattr(distributions, "MAX_TIMES_FILE_BYTES", 10)
    (tmp_path / "talk.txt").write_text("60 120 180 240 300")
    with pytest.raises(simcall.ScenarioError, match="more than the 10 allowed"):
        _empirical(tmp_path, "talk.txt")
