"""``simcall --help`` stays light: the commands import the library when they run.

Why: every ``simcall`` invocation, ``--help`` and ``--version`` included, pays for what
the command line imports (issue 15: ``simcall --help`` within 0.4 s). Each command module
imports the wings it calls inside its function, so listing the commands loads no wing, no
numpy and no pydantic. The check runs in a fresh interpreter, since this test process has
long imported them all.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys

import simcall.cli.staff
from simcall.cli.main import app
from simcall.staffing.plan import CONFIDENCE_WANTED

PROBE = (
    "import json, sys\n"
    "from simcall.cli.main import app\n"
    "try:\n"
    "    app(['--help'], prog_name='simcall')\n"
    "except SystemExit:\n"
    "    pass\n"
    "print(json.dumps(sorted(sys.modules)))\n"
)
LIGHT = {"simcall", "simcall.errors", "simcall.files", "simcall.version"}


def test_help_lists_every_command_and_loads_no_wing() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], check=True, capture_output=True,
                         text=True).stdout
    help_text, loaded = out.rsplit("\n", 2)[0], set(json.loads(out.strip().splitlines()[-1]))
    for command in app.registered_commands:
        assert command.name and command.name in help_text
    ours = {m for m in loaded if m.split(".")[0] == "simcall"}
    assert ours - LIGHT == {m for m in ours if m.startswith("simcall.cli")}
    assert loaded.isdisjoint({"numpy", "pydantic", "simpy"})
    assert "rich.progress" not in loaded  # the bars load when a command shows one
    # Typer's help renderer loaded with stand-ins for what simcall's help never uses
    assert "typer.rich_utils" in loaded
    assert loaded.isdisjoint({"rich.markdown", "markdown_it", "rich.traceback", "pygments"})


STAND_INS = (
    "import sys\n"
    "from simcall.cli.parsing import load_help_renderer\n"
    "load_help_renderer()\n"
    "import typer.rich_utils as help\n"
    "import rich.markdown, rich.traceback\n"
    "made = help.Markdown('*a*')\n"
    "try:\n"
    "    raise ValueError('x')\n"
    "except ValueError as exc:\n"
    "    shown = help.Traceback.from_exception(type(exc), exc, exc.__traceback__)\n"
    "print(type(made) is rich.markdown.Markdown, type(shown) is rich.traceback.Traceback,\n"
    "      rich.markdown.Markdown.__module__, rich.traceback.Traceback.__module__)\n"
)


def test_the_help_renderers_stand_ins_hand_over_to_the_real_rich_classes() -> None:
    """After the help renderer is loaded, importing ``rich.markdown`` gets the real module,
    and the renderer's stand-ins build real objects, by call or by class method."""
    out = subprocess.run([sys.executable, "-c", STAND_INS], check=True, capture_output=True,
                         text=True).stdout.split()
    assert out == ["True", "True", "rich.markdown", "rich.traceback"]


def test_registered_commands_carry_evaluated_annotations() -> None:
    """Typer would otherwise evaluate every annotation string four times a start."""
    for command in app.registered_commands:
        assert command.callback is not None
        annotations = command.callback.__annotations__
        assert annotations and not any(isinstance(a, str) for a in annotations.values())


def test_the_staff_commands_default_confidence_is_the_searchs() -> None:
    """``simcall staff --confidence`` writes the default out instead of importing it."""
    assert simcall.cli.staff.CONFIDENCE_WANTED == CONFIDENCE_WANTED


def test_the_command_list_shows_each_summary_on_one_line() -> None:
    """On a wide terminal every command's summary (its docstring's first paragraph) is one
    line: Typer's rich markup would keep the docstring's own line breaks."""
    wide = {**os.environ, "COLUMNS": "400"}
    out = subprocess.run([sys.executable, "-m", "simcall", "--help"], check=True,
                         capture_output=True, text=True, env=wide).stdout
    for command in app.registered_commands:
        assert command.callback is not None and command.callback.__doc__
        first = inspect.cleandoc(command.callback.__doc__).split("\n\n")[0]
        assert " ".join(first.split()) in out
