"""The erlang wing stays pure: it imports nothing of simcall but ``simcall.errors``.

The closed forms are the yardstick the simulator is checked against, so they must not
share its code. (That its public surface is its documented map is checked for every
wing in ``tests/architecture/test_surfaces.py``.)
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from simcall import erlang

WING = Path(erlang.__file__).parent
MODULES = sorted(p.stem for p in WING.glob("*.py") if p.stem != "__init__")
_ROLE = re.compile(r":(?:func|class|data):`~?([\w.]+)`")


def _simcall_imports(source: str, package: str = "simcall.erlang") -> set[str]:
    """Every ``simcall`` module a source file imports (``from simcall import x``
    counts as ``simcall.x``: ``x`` may be a module), wherever the import statement is."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return {name for name in found if name == "simcall" or name.startswith("simcall.")}


def _allowed(name: str) -> bool:
    return any(name == root or name.startswith(f"{root}.")
               for root in ("simcall.errors", "simcall.erlang"))


@pytest.mark.parametrize("path", sorted(WING.glob("*.py")), ids=lambda p: p.name)
def test_the_wing_imports_nothing_of_simcall_but_errors(path: Path) -> None:
    imported = _simcall_imports(path.read_text(encoding="utf-8"))
    assert not {name for name in imported if not _allowed(name)}


def test_the_import_check_can_fail() -> None:
    source = (
        "import simcall\n"
        "from simcall.model import Arrival\n"
        "from simcall import scenario, erlang\n"
        "from .. import results\n"
        "from simcall.erlang.base import QueueMetrics\n"
        "def later():\n"
        "    from simcall.errors import SimcallError\n"
    )
    rejected = {name for name in _simcall_imports(source) if not _allowed(name)}
    assert rejected == {
        "simcall", "simcall.model.Arrival", "simcall.scenario", "simcall.results",
    }
