"""Provenance: saved results say what made them, and the saved scenario makes them again."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import simcall
from helpers import SCENARIOS
from simcall.cli import app
from simcall.results.provenance import api_call, scenario_data, scenario_hash
from simcall.scenario.toml_writer import dumps

HELPDESK = SCENARIOS / "helpdesk.toml"
READY = sorted(SCENARIOS.glob("*.toml"))


@pytest.mark.parametrize("path", READY, ids=[p.stem for p in READY])
def test_saved_scenario_loads_back_equal(path: Path) -> None:
    scenario = simcall.load(path)
    again = simcall.loads(dumps(scenario_data(scenario), header="a header\nof two lines"))
    assert again == scenario
    assert scenario_hash(again) == scenario_hash(scenario)


def test_hash_follows_meaning_not_spelling() -> None:
    text = HELPDESK.read_text()
    respelt = text.replace('mean = "4min"', 'mean = "240s"').replace("# or a list", "# or")
    assert respelt != text
    assert scenario_hash(simcall.loads(respelt)) == scenario_hash(simcall.load(HELPDESK))
    changed = simcall.load(HELPDESK, ["agents.support team.staff=11"])
    assert scenario_hash(changed) != scenario_hash(simcall.load(HELPDESK))


@given(st.dictionaries(st.text(min_size=1, max_size=12), st.one_of(
    st.text(max_size=20), st.integers(-10**6, 10**6), st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.text(max_size=5), max_size=3)), max_size=5))
def test_toml_writer_round_trips_any_keys_and_values(table: dict) -> None:
    data = {"section": table, "entries": [table, {"k": 1}], "top": "x"}
    assert tomllib.loads(dumps(data)) == data


def test_api_call_names_scenarios() -> None:
    scenario = simcall.load(HELPDESK)
    assert api_call("sweep", scenario=scenario, vary={"a": [1, 2]}, seed=3) == \
        "simcall.sweep(scenario='helpdesk', vary={'a': [1, 2]}, seed=3)"


def test_run_saves_scenario_kpis_records_and_metadata(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "result"
    change = "agents.support team.staff=11"
    result = runner.invoke(app, ["run", str(HELPDESK), "-r", "2", "-w", "1", "--set", change,
                                 "--seed", "7", "--out", str(folder),
                                 "--json", str(tmp_path / "run.json")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == [
        "metadata.json", "records.csv", "result.json", "scenario.toml"]
    meta = json.loads((folder / "metadata.json").read_text())
    scenario = simcall.load(HELPDESK, [change])
    assert meta["simcall"] == simcall.__version__
    assert meta["seed"] == 7 and meta["replications"] == 2
    assert meta["scenario_sha256"] == scenario_hash(scenario)
    assert meta["command"] == (f"simcall run {HELPDESK} --replications 2 --seed 7 --set "
                               f"'{change}' --json {tmp_path / 'run.json'} --workers 1 "
                               f"--out {folder}")
    assert simcall.load(folder / "scenario.toml") == scenario
    saved = json.loads((folder / "result.json").read_text())
    assert saved == json.loads((tmp_path / "run.json").read_text())
    assert saved["provenance"]["scenario_sha256"] == meta["scenario_sha256"]
    rerun = simcall.replicate(simcall.load(folder / "scenario.toml"), 2, seed=7)
    assert saved["kpis"]["service_level"]["mean"] == rerun.kpis["service_level"].mean
    records = (folder / "records.csv").read_text().splitlines()
    assert len(records) - 1 == sum(run.records.calls.arrival.size  # type: ignore[union-attr]
                                   for run in simcall.replicate(scenario, 2, seed=7,
                                                                keep_records=True).runs)


def test_out_refuses_a_file_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("")
    result = CliRunner().invoke(app, ["run", str(HELPDESK), "-r", "1", "--out",
                                      str(tmp_path / "taken")])
    assert result.exit_code == 2 and "is a file; give a folder name" in result.output
