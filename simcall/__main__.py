"""``python -m simcall`` is the same as the ``simcall`` command."""

from simcall.cli import app

app(prog_name="simcall")
