"""The command line wing: ``simcall COMMAND``, parse, call one library function, render, save.

============  ======================================================================
module        holds
============  ======================================================================
``main``      the Typer application (:data:`app`) and its console entry point
              (:func:`entry`: Ctrl-C anywhere ends with exit code 130), ``--version``, and the
              registration of every command below, in the order ``simcall --help``
              lists them
``common``    what every command shares: consoles, option checks, errors, progress,
              warnings on stderr
``parsing``   the click classes of the commands: flags shown without a value type,
              mistyped options answered with the options they abbreviate
``run``       ``simcall run``
``validate``  ``simcall validate``
``erlang``    ``simcall erlang``
``trace``     ``simcall trace``
``compare``   ``simcall compare``
``sweep``     ``simcall sweep``
``staff``     ``simcall staff``
``marginal``  ``simcall marginal``
``report``    ``simcall report``
``plot``      ``simcall plot``
``animate``   ``simcall animate``
``fit``       ``simcall fit``
============  ======================================================================

Imports: any wing below; nothing imports the command line.
"""

from __future__ import annotations

from simcall.cli.main import app, entry

__all__ = ["app", "entry"]
