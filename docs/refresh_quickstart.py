"""Rerun the quick start's commands and rewrite its transcripts in place.

Usage, from the repository root with simcall importable (``pip install -e .`` or
``PYTHONPATH=.``)::

    python docs/refresh_quickstart.py           # rewrite docs/quickstart.md
    python docs/refresh_quickstart.py --check   # only say which transcripts are stale (exit 1)

Why: ``docs/quickstart.md`` shows real output, copied from real runs. When a table changes
(a KPI row added or dropped, a column added) its transcripts go stale; this makes the refresh
one command, and ``git diff docs/quickstart.md`` then shows what changed. The prose around the
transcripts is not touched: read it again after a refresh, in case a number it quotes moved.

How the quick start marks what to run (``tests/cli/test_quickstart.py`` reads the same marks,
through this module, and runs every command):

- a transcript is a ```` ```console ```` block whose first line starts with ``$ simcall``;
  each ``$ simcall ...`` line in it is a command (split like a POSIX shell would), and the
  lines after it, up to the next ``$`` line, are what it printed;
- ```` ```console exit=2 ```` says the block's commands are meant to fail with exit code 2
  (the default is 0);
- a line ``...`` marks output left out. A refreshed transcript keeps the new output's lines
  whose label (:func:`line_id`) a line shown before had, with ``...`` for each run of lines
  left out; a transcript without ``...`` is replaced whole;
- the ```` ```json ```` block after the line ``<!-- excerpt of helpdesk.json -->`` is rewritten
  from the file that the quick start's ``--json helpdesk.json`` command wrote.

The commands run in a temporary folder holding a copy of ``scenarios/`` and the files the
reader makes by hand in the quick start (:data:`EDITS`), through typer's ``CliRunner`` at a
fixed terminal width of :data:`WIDTH` columns, without colour.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import shlex
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "docs" / "quickstart.md"
WIDTH = 100
ENV = {"COLUMNS": str(WIDTH), "LINES": "50", "FORCE_COLOR": None, "TTY_COMPATIBLE": None,
       "NO_COLOR": "1"}

# the files the reader makes by hand: (file, copied from, [(text, replaced by)]); the quick
# start says each replacement in words, and the test checks that it does
EDITS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("my_helpdesk.toml", "scenarios/helpdesk.toml", [("staff = 10", "staff = 11")]),
    ("my_typo.toml", "scenarios/helpdesk.toml",
     [("staff = 10", "staf = 10"), ("fraction = 0.80", "fraction = 80")]),
]

BLOCK = re.compile(r"^```console(?P<info>[^\n]*)\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)
EXCERPT = re.compile(r"(<!-- excerpt of (?P<file>[\w.-]+) -->\n```json\n)(?P<body>.*?)(^```)",
                     re.M | re.S)
# a number that may change from run to run; clock labels (08:30) are not numbers here
NUMBER = re.compile(r"(?<![\w:.])[-+]?\d[\d,]*(?:\.\d+)?(?![\d:])")
CLOCK = re.compile(r"\d\d:\d\d")
BARS = "│┃"
RULE = re.compile(r"^[\s━─┏┓┗┛┡┩├┤└┘┳┻╇┼╈┿╋┠┨┯┷┃│═╪╤╧]*$")


@dataclass
class Step:
    """One ``$ simcall ...`` command of a transcript and the lines shown after it."""

    command: str
    shown: list[str]

    @property
    def args(self) -> list[str]:
        """The command's arguments after ``simcall``, split as a POSIX shell would."""
        words = shlex.split(self.command)
        assert words[0] == "simcall", self.command
        return words[1:]


@dataclass
class Block:
    """A transcript block: where it is in the document, the exit code wanted, its steps."""

    start: int
    end: int
    exit_code: int
    steps: list[Step]


def blocks(text: str) -> list[Block]:
    """The transcript blocks of a Markdown document, in order."""
    found = []
    for match in BLOCK.finditer(text):
        body = match.group("body")
        if not body.startswith("$ simcall "):
            continue
        code = re.search(r"\bexit=(\d+)", match.group("info"))
        steps: list[Step] = []
        for line in body.rstrip("\n").split("\n"):
            if line.startswith("$ "):
                steps.append(Step(line[2:].strip(), []))
            else:
                steps[-1].shown.append(line)
        found.append(Block(match.start("body"), match.end("body"),
                           int(code.group(1)) if code else 0, steps))
    return found


def prepare(folder: Path) -> None:
    """Put in ``folder`` what the quick start's reader has: ``scenarios/`` and the files
    made by hand (:data:`EDITS`)."""
    shutil.copytree(ROOT / "scenarios", folder / "scenarios")
    for name, source, replacements in EDITS:
        text = (ROOT / source).read_text(encoding="utf-8")
        for old, new in replacements:
            found = re.compile(rf"(?<![\w.]){re.escape(old)}\b")
            assert len(found.findall(text)) == 1, f"{source}: {old!r} must occur once"
            text = found.sub(new, text)
        (folder / name).write_text(text, encoding="utf-8")


def run(step: Step) -> tuple[int, str]:
    """Run one command in the current folder; its exit code and what it printed."""
    from unittest import mock

    from typer.testing import CliRunner

    from simcall.cli import app, common

    with contextlib.ExitStack() as fixed:
        # a console made while COLUMNS was set (pytest-xdist workers set it to 80) keeps that
        # width whatever the environment says later: fix both consoles' width for this call
        for console in (common.out, common.err):
            fixed.enter_context(mock.patch.object(console, "_width", WIDTH))
        result = CliRunner().invoke(app, step.args, env=ENV)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise RuntimeError(f"{step.command} raised {result.exception!r}\n"
                           f"{result.output}") from result.exception
    return result.exit_code, result.output


def _cells(line: str) -> list[str]:
    text = line.strip()
    if text[:1] in BARS:
        text = text[1:]
    if text[-1:] in BARS:
        text = text[:-1]
    return [cell.strip() for cell in re.split(f"[{BARS}]", text)]


def _stable(text: str) -> str:
    """The words of ``text`` before its first number or clock time (those may change)."""
    cut = min((m.start() for m in (NUMBER.search(text), CLOCK.search(text)) if m),
              default=len(text))
    prefix = text[:cut].strip()
    return prefix if re.search(r"[A-Za-z]", prefix) else ""


def line_id(line: str) -> str | None:
    """What names a line whatever the numbers in it: a table row's first cell (a KPI, an
    interval's clock time), a table header's first cell, or a plain line's words before its
    first number. None for rules, blank lines, ``...`` and a wrapped row's continuation (empty
    first cell), which belong to the line above."""
    if not line.strip() or line.strip() == "..." or RULE.match(line):
        return None
    if any(bar in line for bar in BARS):
        first = _cells(line)[0]
        return first or None
    return _stable(line) or None


def labels(line: str) -> list[str]:
    """The parts of a shown line that must appear in today's output: a header's column
    names, a row's first cell, a plain line's words before its first number."""
    if "┃" in line:
        return [cell for cell in _cells(line) if cell]
    found = line_id(line)
    return [found] if found else []


def trim(output: list[str], shown: list[str]) -> list[str]:
    """Today's output as the transcript shows it: all of it when the transcript left nothing
    out, else the lines whose :func:`line_id` the shown lines had, in the same order (with
    their rules and continuation lines), and ``...`` for each run of lines left out. A shown
    line whose label is gone (a row dropped from a table) is skipped."""
    if "..." not in (line.strip() for line in shown):
        return output
    wanted = [name for name in map(line_id, shown) if name is not None]
    kept: list[str] = []
    keeping = False
    for line in output:
        name = line_id(line)
        if name is not None:
            keeping = name in wanted
            if keeping:
                wanted = wanted[wanted.index(name) + 1:]
        if keeping:
            kept.append(line)
        elif not kept or kept[-1] != "...":
            kept.append("...")
    return kept


def _packed(items: list[str], indent: int, width: int = WIDTH - 4) -> str:
    """``items`` joined by ", " and broken between items so that no line ends beyond column
    ``width``; the first line starts at column ``indent`` (after the caller's own text) and
    so do the continuation lines, indented by as many spaces."""
    lines = [""]
    for item in items:
        column = (indent if len(lines) == 1 else 0) + len(lines[-1])
        if lines[-1].strip() and column + len(item) + 2 > width:
            lines[-1] = lines[-1].rstrip()
            lines.append(" " * indent + item + ",")
        else:
            lines[-1] += (" " if lines[-1].strip() else "") + item + ","
    return "\n".join(lines)[:-1]


def excerpt(document: dict[str, Any]) -> str:
    """The quick start's excerpt of a ``simcall run --json`` document: the head, the overall
    service level, the first interval, the first target, and every other key by name."""
    def rounded(value: Any) -> Any:
        if isinstance(value, float):
            return round(value, 4)
        if isinstance(value, list):
            return [rounded(item) for item in value]
        if isinstance(value, dict):
            return {key: rounded(item) for key, item in value.items()}
        return value

    def dump(value: Any) -> str:
        return json.dumps(rounded(value), ensure_ascii=False)

    def pairs(mapping: dict[str, Any], indent: int = 0) -> list[str]:
        found = []
        for key, value in mapping.items():
            item = f'"{key}": {dump(value)}'
            if isinstance(value, list) and indent + len(item) > WIDTH - 4:
                start = f'"{key}": ['
                item = start + _packed([dump(v) for v in value], indent + len(start)) + "]"
                # continuation lines of the list line up under its first item
            found.append(item)
        return found

    head = ["simcall", "scenario", "seed", "replications"]
    first = document["intervals"][0]
    detailed = {*head, "kpis", "intervals", "targets"}
    level = dump(document["kpis"]["service_level"])
    lines = [
        "{",
        "  " + _packed(pairs({key: document[key] for key in head}), 2) + ",",
        f'  "kpis": {{"service_level": {level}, ...}},',
        f'  "intervals": [{{"start": {dump(first["start"])},',
        f'                 "kpis": {{"service_level": {dump(first["kpis"]["service_level"])},'
        " ...}}, ...],",
        "  " + _packed([f'"{key}": ...' for key in document if key not in detailed], 2) + ",",
        '  "targets": [{' + _packed(pairs(document["targets"][0], 14), 14) + "}, ...]",
        "}",
    ]
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def reader_folder() -> Iterator[Path]:
    """A temporary folder set up as the quick start's reader has it, made the current one."""
    import os

    here = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="simcall-quickstart-") as name:
        folder = Path(name)
        prepare(folder)
        os.chdir(folder)
        try:
            yield folder
        finally:
            os.chdir(here)


def refresh(text: str, say: Callable[[str], None] = print) -> str:
    """``text`` (the quick start) with every transcript and excerpt rerun; the commands run
    in the current folder, which :func:`reader_folder` sets up."""
    parts: list[str] = []
    done = 0
    for block in blocks(text):
        body: list[str] = []
        for step in block.steps:
            say(f"$ {step.command}")
            code, printed = run(step)
            if code != block.exit_code:
                raise RuntimeError(f"{step.command}: exit code {code}, "
                                   f"{block.exit_code} wanted\n{printed}")
            output = [line.rstrip() for line in printed.rstrip("\n").split("\n")]
            body += [f"$ {step.command}", *trim(output, step.shown)]
        parts += [text[done:block.start], "\n".join(body) + "\n"]
        done = block.end
    parts.append(text[done:])
    text = "".join(parts)

    def rewrite(match: re.Match[str]) -> str:
        document = json.loads(Path(match.group("file")).read_text(encoding="utf-8"))
        return match.group(1) + excerpt(document) + match.group(4)

    return EXCERPT.sub(rewrite, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="rewrite nothing; exit 1 when a transcript would change")
    parser.add_argument("path", nargs="?", type=Path, default=QUICKSTART,
                        help="the Markdown file (default: docs/quickstart.md)")
    options = parser.parse_args(argv)
    path = options.path.resolve()
    old = path.read_text(encoding="utf-8")
    with reader_folder():
        new = refresh(old, say=lambda line: print(line, file=sys.stderr))
    if new == old:
        print(f"{path}: every transcript is current")
        return 0
    if options.check:
        print(f"{path}: transcripts are stale; run python docs/refresh_quickstart.py")
        return 1
    path.write_text(new, encoding="utf-8")
    print(f"rewrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
