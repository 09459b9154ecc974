"""Overrides from Python (issue 16): a list of "KEY=VALUE" strings or a dict of values, and
errors that name them as the caller wrote them: ``overrides`` in Python, ``--set`` on the
command line (through typer's runner and a real process)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

import simcall
from helpers import ROOT, SCENARIOS
from simcall.cli import app
from simcall.scenario.overrides import OverrideError

HELPDESK = str(SCENARIOS / "helpdesk.toml")


def test_a_dict_of_python_values_changes_the_scenario_as_strings_do() -> None:
    as_dict = simcall.load(HELPDESK, overrides={"agents.support team.staff": 11,
                                                "callers.customers.patience": {
                                                    "dist": "exponential", "mean": "2min"}})
    as_text = simcall.load(HELPDESK, ["agents.support team.staff=11",
                                      'callers.customers.patience={ dist = "exponential", '
                                      'mean = "2min" }'])
    assert as_dict == as_text
    assert as_dict != simcall.load(HELPDESK)


@pytest.mark.parametrize(("overrides", "said"), [
    ({"agents.support teem.staff": 11}, "overrides['agents.support teem.staff']: no agents "
                                        "entry named 'support teem'"),
    (["agents.support teem.staff=11"], "overrides 'agents.support teem.staff=11': no agents "
                                       "entry named 'support teem'"),
    (["no-equals-sign"], "overrides 'no-equals-sign': expected KEY=VALUE"),
    ("agents.support team.staff=11", "overrides='agents.support team.staff=11': give a list"),
    ({"agents.support team.staff": -1}, "with overrides agents.support team.staff=-1: "),
])
def test_python_errors_name_the_argument_not_the_option(overrides: object, said: str) -> None:
    with pytest.raises(simcall.SimcallError) as raised:
        simcall.load(HELPDESK, overrides=overrides)  # type: ignore[arg-type]
    assert said in str(raised.value)
    assert "--set" not in str(raised.value)


def test_the_command_line_still_says_set() -> None:
    result = CliRunner().invoke(app, ["run", HELPDESK, "-r", "1", "--set",
                                      "agents.support teem.staff=11"])
    assert result.exit_code == 2
    assert "--set agents.support teem.staff=11: no agents entry" in result.output
    with pytest.raises(OverrideError, match="--set 'x': expected KEY=VALUE"):
        simcall.load(HELPDESK, ["x"], named="--set")


def test_the_command_line_says_set_in_a_real_process() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "simcall", "run", HELPDESK, "-r", "1", "--set",
         "agents.support team.staff=-1"], capture_output=True, text=True, env=env,
        timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert "with --set agents.support team.staff=-1" in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
