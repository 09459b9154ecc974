"""The erlang wing as a whole: its public surface is its documented map, and it stays pure.

The package docstring's table is the map of the wing (module -> what it holds).
These tests hold the code to it, so the surface and its documentation cannot
drift apart, and they keep the wing free of the simulator: the closed forms are
the yardstick the simulator is checked against, so they must not share its code.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from simcall import erlang

WING = Path(erlang.__file__).parent
MODULES = sorted(p.stem for p in WING.glob("*.py") if p.stem != "__init__")
_ROLE = re.compile(r":(?:func|class|data):`~?([\w.]+)`")


def _map() -> dict[str, set[str]]:
    """Module -> public names, read from the table in the package docstring."""
    lines = (erlang.__doc__ or "").splitlines()
    rules = [i for i, line in enumerate(lines) if re.fullmatch(r"=+ +=+", line)]
    assert len(rules) == 3, "the package docstring must hold one module table"
    rows: dict[str, set[str]] = {}
    module = ""
    for line in lines[rules[1] + 1 : rules[2]]:
        start = re.match(r"``(\w+)``", line)
        if start:
            module = start.group(1)
            rows[module] = set()
        rows[module] |= set(_ROLE.findall(line))
    return rows


def test_all_is_exactly_the_names_in_the_docstring_map() -> None:
    documented = set().union(*_map().values())
    assert len(erlang.__all__) == len(set(erlang.__all__))
    assert set(erlang.__all__) == documented
    missing = [name for name in erlang.__all__ if not hasattr(erlang, name)]
    assert not missing


def test_every_public_name_exists_where_the_map_says() -> None:
    for module_name, names in _map().items():
        module = importlib.import_module(f"simcall.erlang.{module_name}")
        for name in names:
            obj = getattr(erlang, name)
            assert obj is getattr(module, name), f"{name} is not the one in {module_name}"
            if callable(obj):
                assert obj.__module__ == module.__name__, f"{name} defined outside {module_name}"


def test_the_map_lists_every_module_and_no_module_shadows_a_public_name() -> None:
    assert sorted(_map()) == MODULES
    # the package re-exports the functions: a module named like one would hide it
    # behind ``simcall.erlang.<module>`` once the module has been imported
    assert not set(MODULES) & set(erlang.__all__)


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
