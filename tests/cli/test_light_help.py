"""``simcall --help`` stays light: the commands import the library when they run.

Why: every ``simcall`` invocation, ``--help`` and ``--version`` included, pays for what
the command line imports (issue 15: ``simcall --help`` within 0.4 s). Each command module
imports the wings it calls inside its function, so listing the commands loads no wing, no
numpy and no pydantic. The check runs in a fresh interpreter, since this test process has
long imported them all.
"""

from __future__ import annotations

import json
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


def test_the_staff_commands_default_confidence_is_the_searchs() -> None:
    """``simcall staff --confidence`` writes the default out instead of importing it."""
    assert simcall.cli.staff.CONFIDENCE_WANTED == CONFIDENCE_WANTED
