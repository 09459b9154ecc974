"""The quick start runs: every ``$ simcall ...`` command in docs/quickstart.md exits as the page
says and prints the labels its transcript shows.

Why: the quick start is the first thing a user follows; a command that fails or a table row that
no longer exists there loses them at once. Only what does not change with the random numbers is
checked (the exit code, row labels, column names, the words before a line's first number), so
the test survives a change of numbers; a change of tables (a row dropped, a column renamed)
fails it, and ``python docs/refresh_quickstart.py`` rewrites the transcripts. The commands, the
files the reader makes by hand and the way they are run come from that script, so the page,
the refresh and this test cannot drift apart.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from helpers import ROOT

SCRIPT = ROOT / "docs" / "refresh_quickstart.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("refresh_quickstart", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


quickstart = _load()
TEXT = quickstart.QUICKSTART.read_text(encoding="utf-8")


def test_the_quick_start_walks_from_a_first_run_to_a_report() -> None:
    commands = [step.args[0] for block in quickstart.blocks(TEXT) for step in block.steps]
    assert commands[0] == "run"
    # a planner's path, in this order: compare two plans, find one, report it
    path = [name for name in commands if name in ("compare", "staff", "report")]
    assert path == ["compare", "staff", "report"]
    for name in ("validate", "erlang"):
        assert name in commands
    # every command asks for few replications, so that the page (and this test) runs fast
    for block in quickstart.blocks(TEXT):
        for step in block.steps:
            if step.args[0] in ("run", "compare", "staff", "report"):
                assert "-r" in step.args, step.command


def test_the_files_made_by_hand_are_described_on_the_page() -> None:
    for name, source, replacements in quickstart.EDITS:
        assert name in TEXT and source in TEXT
        for old, new in replacements:
            assert f"`{old}`" in TEXT and f"`{new}`" in TEXT, (name, old, new)


def test_labels_ignore_numbers_but_keep_row_names() -> None:
    label = quickstart.labels
    assert label(" service level (answered < 12 s)       │  78.1% │   74.0% .. 82.1%") == [
        "service level (answered < 12 s)"]
    assert label(" KPI   ┃   mean ┃   95% CI") == ["KPI", "mean", "95% CI"]
    assert label(" 08:30    │  55.6 │ 80.1%") == ["08:30"]
    assert label("Plan: 96.5 agent-hours, 8.5 more than Erlang A (88); Erlang C 96.") == ["Plan:"]
    assert label("helpdesk: 16 intervals of 30 min from 08:00, seed 1") == ["helpdesk:"]
    assert label("━━━━━╇━━━━") == [] and label("...") == []
    assert label("                                 │          │       │     │ 11:00") == []


def test_a_trimmed_transcript_keeps_its_rows_in_order() -> None:
    output = ["head: 1 thing", " KPI ┃ mean", "━━━╇━━", " a │ 1", " b │ 2", " c │ 3",
              "tail: 4"]
    assert quickstart.trim(output, ["head: 9 things", " a │ 7", "..."]) == [
        "head: 1 thing", "...", " a │ 1", "..."]
    assert quickstart.trim(output, [" KPI ┃ mean", " c │ 0", "..."]) == [
        "...", " KPI ┃ mean", "━━━╇━━", "...", " c │ 3", "..."]
    assert quickstart.trim(output, ["anything"]) == output  # nothing left out: all of it


OUTPUTS = ("--out", "--json")


def written(args: list[str]) -> list[str]:
    """The files a command says it writes (``--out F``, ``--json F``)."""
    return [args[k + 1] for k, word in enumerate(args[:-1]) if word in OUTPUTS]


def chains() -> list[list[object]]:
    """The transcript blocks, grouped so that a block runs after the blocks whose files it
    reads (the report reads the plan that staff wrote) and independent groups can run on
    different test workers."""
    groups: list[list[object]] = []
    makers: dict[str, list[object]] = {}
    for block in quickstart.blocks(TEXT):
        args = [word for step in block.steps for word in step.args]
        group = next((makers[word] for word in args if word in makers
                      and word not in written(args)), None)
        if group is None:
            group = []
            groups.append(group)
        group.append(block)
        for name in written(args):
            makers[name] = group
    return groups


CHAINS = chains()


def test_the_report_runs_after_the_plan_it_reads() -> None:
    (with_plan,) = [chain for chain in CHAINS
                    if any(step.args[0] == "staff" for block in chain for step in block.steps)]
    assert [step.args[0] for block in with_plan for step in block.steps] == ["staff", "report"]


@pytest.mark.parametrize("chain", CHAINS,
                         ids=lambda chain: chain[0].steps[0].command.split(" -")[0])
def test_every_command_of_the_quick_start_runs_and_prints_what_it_shows(
        chain: list[object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    quickstart.prepare(tmp_path)
    monkeypatch.chdir(tmp_path)
    for block in chain:
        for step in block.steps:
            code, printed = quickstart.run(step)
            assert code == block.exit_code, f"{step.command}\n{printed}"
            for line in step.shown:
                for label in quickstart.labels(line):
                    assert label in printed, (
                        f"`{step.command}` no longer prints {label!r}; if the table changed "
                        f"on purpose, run python docs/refresh_quickstart.py\n{printed}")
            for name in written(step.args):
                assert (tmp_path / name).stat().st_size > 0, name
                if step.args[0] == "staff":  # the planner's file, with the plan in it
                    assert "staff = [" in (tmp_path / name).read_text(encoding="utf-8")
    # the JSON excerpt names every key of the document the page's command wrote
    shown = quickstart.EXCERPT.search(TEXT)
    assert shown is not None
    path = tmp_path / shown.group("file")
    if path.exists():
        document = json.loads(path.read_text(encoding="utf-8"))
        named = set(re.findall(r'"(\w+)": ', shown.group("body")))
        assert set(document) <= named, set(document) - named


def test_the_commands_are_all_there() -> None:
    steps = [step for chain in CHAINS for block in chain for step in block.steps]
    assert len(steps) == sum(len(block.steps) for block in quickstart.blocks(TEXT)) >= 10
    assert quickstart.EXCERPT.search(TEXT).group("file") in [  # type: ignore[union-attr]
        name for step in steps for name in written(step.args)]


def test_the_refresh_script_runs_as_a_program() -> None:
    """Its command line, in a real process (the transcripts themselves are not rerun here:
    --help is enough to show that it starts and finds the page)."""
    done = subprocess.run([sys.executable, str(SCRIPT), "--help"], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "--check" in done.stdout
