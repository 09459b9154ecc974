"""Bad input never gets past the door: a clear message, exit code 2, no traceback.

Every file under ``tests/scenario/bad_scenarios/`` is a small scenario (mostly
``scenarios/helpdesk.toml`` with one thing broken) whose leading comment lines

    # expect: <text the error message must contain>

say what a planner must be told: the key path, the offending value and what is
allowed. Two files have no room for such a comment (a zero-byte file and one
saved as UTF-16); their expectations are in ``NO_ROOM_FOR_A_COMMENT`` below.

Where simcall does not yet say what it should, a case can be listed in
``XFAIL`` (run as ``xfail(strict=True)``) with the message it gives today: the
test keeps asserting the message a planner needs, so fixing the loader turns
it into an XPASS and the entry must then be removed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import simcall
from helpers import SCENARIOS
from simcall.cli import app

BAD = Path(__file__).resolve().parent / "bad_scenarios"
FILES = sorted(path for path in BAD.iterdir() if path.is_file())
HELPDESK = SCENARIOS / "helpdesk.toml"
runner = CliRunner()

NO_ROOM_FOR_A_COMMENT: dict[str, list[str]] = {
    "empty.toml": [
        "name: is required but missing", "interval: is required but missing",
        "intervals: is required but missing", "callers: is required but missing",
        "departments: is required but missing", "agents: is required but missing",
    ],
    "utf16_notepad.toml": [
        "utf16_notepad.toml: is not a UTF-8 text file", "UTF-16", "saved as UTF-8",
    ],
}

# file name -> why it is expected to fail; empty while simcall handles every case
XFAIL: dict[str, str] = {}
XFAIL_RUN: dict[str, str] = {}


def expectations(path: Path) -> list[str]:
    """The ``# expect:`` lines of the file's leading comment block."""
    if path.name in NO_ROOM_FOR_A_COMMENT:
        return NO_ROOM_FOR_A_COMMENT[path.name]
    fragments = []
    for line in path.read_bytes().splitlines():
        if not line.startswith(b"#"):
            break
        if line.startswith(b"# expect: "):
            fragments.append(line.removeprefix(b"# expect: ").decode("utf-8"))
    return fragments


def _cases(command: str) -> list[object]:
    params = []
    for path in FILES:
        reason = XFAIL.get(path.name) or (XFAIL_RUN.get(path.name) if command == "run" else None)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(path, id=path.stem, marks=marks))
    return params


def _assert_refused(output: str, exit_code: int, path: Path) -> None:
    assert "Traceback" not in output, output
    assert exit_code == 2, output
    missing = [fragment for fragment in expectations(path) if fragment not in output]
    assert not missing, f"missing {missing} in:\n{output}"


def test_the_corpus_is_complete() -> None:
    assert len(FILES) >= 30
    names = {path.name for path in FILES}
    assert set(XFAIL) | set(XFAIL_RUN) | set(NO_ROOM_FOR_A_COMMENT) <= names
    assert [path.name for path in FILES if not expectations(path)] == []


@pytest.mark.parametrize("path", _cases("run"))
def test_run_refuses_a_bad_scenario(path: Path, tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    result = runner.invoke(app, ["run", str(path), "--json", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception))
    _assert_refused(result.output, result.exit_code, path)
    assert not out.exists()


@pytest.mark.parametrize("path", _cases("validate"))
def test_validate_refuses_a_bad_scenario(path: Path) -> None:
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception))
    _assert_refused(result.output, result.exit_code, path)


def test_validate_every_file_at_once_in_a_real_process() -> None:
    """One process, every file that is reported well today; each file's own report checked."""
    paths = [path for path in FILES if path.name not in XFAIL]
    done = subprocess.run([sys.executable, "-m", "simcall", "validate", *map(str, paths)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    starts = []
    position = 0
    for path in paths:  # reports come in the order the files were given
        position = done.stderr.find(f"{path}: ", position)
        assert position >= 0, f"no report for {path.name} in:\n{done.stderr}"
        starts.append(position)
    for path, start, end in zip(paths, starts, [*starts[1:], None], strict=True):
        report = done.stderr[start:end]
        missing = [fragment for fragment in expectations(path) if fragment not in report]
        assert not missing, f"{path.name}: missing {missing} in:\n{report}"


@pytest.mark.parametrize(
    "name", ["toml_double_equals.toml", "misspelt_transfer.toml", "three_mistakes.toml",
             "empty.toml"],
)
def test_run_in_a_real_process(name: str, tmp_path: Path) -> None:
    path = BAD / name
    out = tmp_path / "result.json"
    done = subprocess.run([sys.executable, "-m", "simcall", "run", str(path), "--json", str(out)],
                          capture_output=True, text=True, timeout=120)
    _assert_refused(done.stderr, done.returncode, path)
    assert not out.exists()


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["run", str(HELPDESK), "--replications", "0"], "--replications"),
        (["run", str(HELPDESK), "--replications", "abc"], "--replications"),
        (["run", str(HELPDESK), "--seed", "-1"], "--seed"),
        (["run"], "Missing argument"),
        (["run", "--replications", "2"], "Missing argument"),
        (["run", str(HELPDESK), "--frobnicate"], "No such option: --frobnicate"),
        (["validate"], "Missing argument"),
    ],
    ids=["replications-0", "replications-abc", "seed-negative", "no-scenario",
         "no-scenario-with-option", "unknown-option", "validate-no-file"],
)
def test_command_line_mistakes(arguments: list[str], expected: str, tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    if arguments[0] == "run":
        arguments = [*arguments, "--json", str(out)]
    result = runner.invoke(app, arguments)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert expected in result.output
    assert not out.exists()


def test_rings_are_fine_in_every_duration_but_the_ring_itself(tmp_path: Path) -> None:
    """The good side of ``ring_in_rings.toml``: these must keep loading."""
    text = HELPDESK.read_text().replace('ring = "6s"', 'ring = "5s"\nwarmup = "10 rings"\n'
                                        'voicemail_after = "12 rings"').replace(
        'mean = "3min"', 'mean = "30 rings"').replace(
        "max_abandon_rate = 0.05", 'max_abandon_rate = 0.05\nmax_asa = "4 rings"')
    path = tmp_path / "rings.toml"
    path.write_text(text)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    scenario = simcall.load(path)
    assert scenario.callers[0].patience.mean_value == 150.0
    assert (scenario.warmup, scenario.voicemail_after, scenario.targets.max_asa) == (50, 60, 20)
    assert scenario.targets.service_level.within == 10.0


def test_utf8_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + HELPDESK.read_bytes())
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output


def test_validate_prints_no_console_markup() -> None:
    result = runner.invoke(app, ["validate", str(BAD / "misspelt_enters.toml")])
    assert result.exit_code == 2
    assert "[red]" not in result.output and "[/red]" not in result.output
