"""The version of simcall, in one place: the package, the CLI and every saved result read it.

A module of its own so that the modules that stamp results with it need not import the
``simcall`` package itself (which would make every wing depend on the top of the tree).
"""

from __future__ import annotations

__version__ = "0.1.0"
