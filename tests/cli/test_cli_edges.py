"""The rough edges of issue 16: --version, the help text, mistyped options, one default
replication count, --variant keys with spaces, bare numbers, and a plan piped to a file.

Each through Typer's CliRunner and, once per feature, as a real ``python -m simcall``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from helpers import SCENARIOS
from simcall.cli import app
from simcall.cli.common import REPLICATIONS
from simcall.cli.compare import parse_variant
from simcall.cli.parsing import abbreviated, suggestions
from simcall.errors import SimcallError
from simcall.version import __version__

runner = CliRunner()
HELPDESK = str(SCENARIOS / "helpdesk.toml")
WIDE = {"COLUMNS": "250", "TERMINAL_WIDTH": "250"}
COMMANDS = [c.name for c in app.registered_commands if c.name]


def simcall(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "simcall", *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})


# -- 1. --version ------------------------------------------------------------------------


def test_version_prints_the_version_and_exits_0() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"simcall {__version__}"


def test_version_in_a_real_process_loads_no_wing() -> None:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "simcall", "--version"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == f"simcall {__version__}"
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "simcall.cli.main" in imported  # the probe sees simcall's imports
    assert imported.isdisjoint({"numpy", "pydantic", "simpy", "simcall.scenario"})


# -- 2. the help text ---------------------------------------------------------------------

WITH_DASK = {"run", "compare", "sweep", "staff", "marginal", "report", "plot"}


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_shows_the_extras_name_and_no_bool_value_type(command: str) -> None:
    result = runner.invoke(app, [command, "--help"] if command else ["--help"], env=WIDE)
    assert result.exit_code == 0, result.output
    text = result.output
    assert "<bool>" not in text
    assert "pip install 'simcall'" not in text  # the extra's name eaten as markup
    assert ("pip install 'simcall[dask]'" in text) == (command in WITH_DASK)
    assert "SOURCE" not in text  # an argument no command has


def test_no_help_text_holds_a_bracket_rich_would_take_for_markup() -> None:
    """``[dask]`` in a help text is a rich style tag and vanishes; write ``\\[dask]``."""
    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        texts = [command.help or "", *(getattr(p, "help", None) or "" for p in command.params)]
        for text in texts:
            assert not re.search(r"(?<!\\)\[[a-z#/@][^\[]*?\]", text), (name, text)


def test_help_flags_have_no_value_type_while_valued_options_keep_theirs() -> None:
    text = runner.invoke(app, ["run", "--help"], env=WIDE).output
    check = next(line for line in text.splitlines() if "--check" in line)
    replications = next(line for line in text.splitlines() if "--replications" in line)
    assert check.split("--check")[1].split()[0] == "Exit"  # the help follows the flag
    assert "<int>" in replications or "INTEGER" in replications


def test_help_of_a_real_process_is_the_same() -> None:
    done = simcall("plot", "--help", env=WIDE)
    assert done.returncode == 0, done.stderr
    assert "<bool>" not in done.stdout and "'simcall[dask]'" in done.stdout
    assert "beside the SCENARIO argument" in done.stdout
    assert f"[default: {REPLICATIONS}]" in done.stdout


# -- 5. a mistyped option -----------------------------------------------------------------


@pytest.mark.parametrize(("typed", "wanted"), [
    ("--reps", ["--replications"]), ("--rep", ["--replications"]),
    ("--res", ["--resume"]), ("--replicatons", ["--replications"]),
    ("--vers", ["--version"]), ("--mx-calls", ["--max-calls"]), ("--zzz", []),
])
def test_suggestions_prefer_what_the_typing_begins_or_abbreviates(typed: str,
                                                                  wanted: list[str]) -> None:
    names = ["--help", "--records", "--replications", "--resume", "--workers", "--set",
             "--version", "--max-calls"]
    assert suggestions(typed, names) == wanted


def test_an_abbreviation_keeps_its_letters_in_order_from_the_first() -> None:
    assert abbreviated("--reps", "--replications")
    assert not abbreviated("--eps", "--replications")
    assert not abbreviated("--spr", "--replications")
    assert not abbreviated("-r", "--replications")


def test_reps_suggests_replications_and_nothing_else() -> None:
    result = runner.invoke(app, ["run", HELPDESK, "--reps", "5"])
    assert result.exit_code == 2
    assert "--replications" in result.output
    assert "--records" not in result.output and "--workers" not in result.output
    done = simcall("sweep", HELPDESK, "--reps", "5")
    assert done.returncode == 2 and "--replications" in done.stderr
    assert "--records" not in done.stderr and "Traceback" not in done.stderr


# -- 6. one default replication count ------------------------------------------------------


def test_every_command_with_replications_defaults_to_the_same_number() -> None:
    group = typer.main.get_command(app)
    defaults = {}
    for name, command in group.commands.items():
        for param in command.params:
            if "--replications" in getattr(param, "opts", ()):
                defaults[name] = param.default
    assert set(defaults) >= {"run", "plot", "report", "compare", "sweep", "marginal", "staff"}
    assert set(defaults.values()) == {REPLICATIONS}


def test_the_python_sweep_defaults_to_the_commands_count() -> None:
    import inspect

    import simcall

    assert inspect.signature(simcall.sweep).parameters["replications"].default == REPLICATIONS


# -- 4. --variant -------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "name", "changes"), [
    ("more: agents.support team.staff=12", "more", ["agents.support team.staff=12"]),
    ("+1 agent: 'agents.support team.staff=11'", "+1 agent", ["agents.support team.staff=11"]),
    ("08:30 +1: agents.support team.staff=[8, 9] lines=40", "08:30 +1",
     ["agents.support team.staff=[8, 9]", "lines=40"]),
    ('slow: \'departments.support.talk={ dist = "exponential", mean = "5min" }\'', "slow",
     ['departments.support.talk={ dist = "exponential", mean = "5min" }']),
    ("late: 'agents.team 08:00.staff=3'", "late", ["agents.team 08:00.staff=3"]),
    ('x: targets.service_level.within="3 rings"', "x",
     ["targets.service_level.within=3 rings"]),
])
def test_variant_keys_with_spaces_need_no_quotes(text: str, name: str,
                                                 changes: list[str]) -> None:
    assert parse_variant(text) == (name, changes)


@pytest.mark.parametrize(("text", "said"), [
    ("no colon here", 'expected "NAME: KEY=VALUE'),
    (": lines=2", 'expected "NAME: KEY=VALUE'),
    ("x: lines=2 staff", "got 'staff' without '=VALUE'"),
    ("x: 'lines=2", "No closing quotation"),
])
def test_a_bad_variant_is_named_in_the_error(text: str, said: str) -> None:
    with pytest.raises(SimcallError, match=said):
        parse_variant(text)


VARIANTS = ["--variant", "more: agents.support team.staff=12",
            "--variant", "08:30 +1: agents.support team.staff=11", "-r", "2",
            "--set", "intervals=1", "--workers", "1"]


def test_compare_takes_the_issues_variant_as_typed() -> None:
    result = runner.invoke(app, ["compare", HELPDESK, *VARIANTS], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "more" in result.output and "08:30 +1" in result.output
    assert "warning" not in result.stderr  # the ready scenario's units are all written


# -- 3. bare numbers ----------------------------------------------------------------------


def _scenario(tmp_path: Path, talk: str, name: str = "bare.toml") -> Path:
    text = Path(HELPDESK).read_text().replace('mean = "4min" }', f"mean = {talk} }}")
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_bare_talk_mean_is_warned_about_on_stderr_naming_key_and_unit(
        tmp_path: Path) -> None:
    path = _scenario(tmp_path, "4")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.stderr and "departments[0].talk.mean" in result.stderr
    rows = path.read_text().splitlines()
    line = next(k for k, row in enumerate(rows, 1) if "mean = 4 }" in row)
    assert '"4min"' in result.stderr and f"line {line}" in result.stderr
    assert "warning" not in result.stdout


def test_a_unit_or_a_plausible_number_is_never_warned_about(tmp_path: Path) -> None:
    for talk in ('"4s"', '"4min"', "240"):
        result = runner.invoke(app, ["validate", str(_scenario(tmp_path, talk))])
        assert result.exit_code == 0 and "warning" not in result.stderr, talk


def test_variants_of_one_file_share_its_warning(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "4")
    result = runner.invoke(app, ["compare", str(path), "--variant", "b: lines=99", "-r", "2",
                                 "--set", "intervals=1", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert result.stderr.count("warning:") == 1


def test_a_real_process_warns_once_and_compares_the_variants_as_typed(tmp_path: Path) -> None:
    done = simcall("compare", str(_scenario(tmp_path, "4")), *VARIANTS, env=WIDE)
    assert done.returncode == 0, done.stderr
    assert "more" in done.stdout and "08:30 +1" in done.stdout
    assert done.stderr.count("warning:") == 1, done.stderr
    assert "departments[0].talk.mean" in done.stderr and '"4min"' in done.stderr
    assert "warning" not in done.stdout and "Traceback" not in done.stderr


def test_erlang_aht_as_a_bare_small_number_is_warned_about() -> None:
    args = ["erlang", "--calls-per-hour", "100", "--aht", "4", "--agents", "3"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert "--aht 4min" in result.stderr and "handle time" in result.stderr
    assert "warning" not in runner.invoke(app, [*args[:4], "4s", *args[5:]]).stderr


# -- 7. a plan piped to a file; the planner's file kept -------------------------------------

DESK = """\
# a planner's tiny desk
name = "tiny desk"
interval = "30min"          # half hours
intervals = 1
open = "08:00"

[targets]
service_level = { within = "20s", fraction = 0.8 }   # 80/20
max_abandon_rate = 0.05

[[callers]]
name = "customers"
arrivals_per_hour = 30      # quiet
patience = { dist = "exponential", mean = "3min" }
enters = "support"

[[departments]]
name = "support"
talk = { dist = "exponential", mean = "4min" }   # four minutes
wrap_up = { dist = "deterministic", value = "30s" }

[[agents]]
name = "support team"
skills = ["support"]
staff = 3                   # to be planned
"""
STAFF = ["-r", "4", "--verify", "4", "--confidence", "0.6", "--workers", "1"]


def _no_row_cut(output: str) -> None:
    rows = [line for line in output.splitlines() if line.startswith(("│", "┃"))]
    assert rows and not any("…" in row for row in rows), output
    assert any("abandon_rate" in row for row in rows)
    assert any("(" in row and "%)" in row for row in rows)  # the interval's bounds, whole


def test_a_plan_piped_to_a_file_is_not_cut_and_the_plan_file_keeps_the_planners_text(
        tmp_path: Path) -> None:
    scenario = tmp_path / "desk.toml"
    scenario.write_text(DESK)
    plan = tmp_path / "plan.toml"
    done = simcall("staff", str(scenario), *STAFF, "--out", str(plan), env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    _no_row_cut(done.stdout)
    written = plan.read_text()
    for line in DESK.splitlines():
        if not line.startswith("staff ="):
            assert line in written  # comments and units as the planner wrote them
    assert "# to be planned" in written


def test_a_plan_through_the_runner_is_not_cut(tmp_path: Path) -> None:
    scenario = tmp_path / "desk.toml"
    scenario.write_text(DESK)
    result = runner.invoke(app, ["staff", str(scenario), *STAFF], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    _no_row_cut(result.stdout)
