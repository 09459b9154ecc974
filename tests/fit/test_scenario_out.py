"""The fitted scenario: data that validates and runs, and TOML where every figure says where
it came from."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import simcall
from simcall.fit import FitResult, write_log

SCENARIO = {
    "name": "two types", "interval": "30min", "intervals": 4, "open": "09:00", "days": 3,
    "callers": [{"name": "gold", "arrivals_per_hour": 40, "enters": "desk",
                 "patience": {"dist": "exponential", "mean": "2min"}},
                {"name": "basic", "arrivals_per_hour": 80, "enters": "desk",
                 "patience": {"dist": "exponential", "mean": "2min"}}],
    "departments": [{"name": "desk", "talk": {"dist": "exponential", "mean": "3min"},
                     "wrap_up": {"dist": "deterministic", "value": 20}}],
    "agents": [{"name": "desk team", "skills": ["desk"], "staff": 6}],
}


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> FitResult:
    run = simcall.simulate(simcall.from_dict(SCENARIO), seed=5)
    path = tmp_path_factory.mktemp("out") / "log.csv"
    write_log(path, [run])
    return simcall.fit(path, preset="simcall", open="09:00", close="11:00")


def test_the_fitted_scenario_without_the_new_keys_validates_and_runs(fitted: FitResult) -> None:
    scenario = fitted.validate(extended=False)
    assert [c.name for c in scenario.callers] == ["basic", "gold"]
    assert scenario.intervals == 4 and scenario.open == "09:00"
    result = simcall.simulate(scenario, seed=1)
    assert result.kpis["offered"] > 0


def test_not_ready_sees_the_wrap_up_between_calls(fitted: FitResult) -> None:
    """Wrap-up (20 s) is time between an agent's calls while callers wait."""
    not_ready = fitted.estimates.not_ready
    assert not_ready.gaps.size > 20
    assert not_ready.mean == pytest.approx(20.0, abs=0.5)
    assert fitted.scenario["agents"][0]["not_ready"]["dist"] == "empirical"


def test_the_toml_reads_back_as_the_data_and_comments_every_figure(fitted: FitResult,
                                                                   tmp_path: Path) -> None:
    text = fitted.to_toml()
    assert tomllib.loads(text) == fitted.scenario
    lines = text.splitlines()
    for key in ("arrivals_per_hour", "patience", "talk", "staff", "day_volume_cv"):
        for i, line in enumerate(lines):
            if line.startswith(f"{key} = "):
                assert lines[i - 1].startswith("# "), key
    assert "rows read" in text
    fitted.write(tmp_path / "fitted.toml", extended=False)
    scenario = simcall.load(tmp_path / "fitted.toml")
    assert scenario.name == fitted.scenario["name"]


def test_the_fitted_toml_with_every_key_loads(fitted: FitResult, tmp_path: Path) -> None:
    path = tmp_path / "fitted.toml"
    fitted.write(path)
    scenario = simcall.load(path)
    assert scenario.callers[0].talk is not None
    assert scenario.agents[0].not_ready is not None


def test_import_simcall_fit_api_is_the_function_and_the_wing_is_importable() -> None:
    from simcall.fit import fit, read_log

    assert simcall.fit is fit
    assert callable(read_log)
