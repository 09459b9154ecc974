"""Each wing's public surface is its documented map, and the map is the wing.

Every wing's ``__init__`` docstring holds a table: one row per module of the wing,
saying what it holds and naming its public names (``:func:``, ``:class:``,
``:data:``). ``__all__`` must be exactly those names, each re-exported from the
module whose row names it, and the table must list every module of the wing: the
surface and its documentation cannot drift apart.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType

import pytest

import simcall
from helpers import ROOT

PACKAGE = Path(simcall.__file__).parent
WINGS = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
_RULE = re.compile(r"=+ +=+")
_ROW = re.compile(r"``(\w+)``")
_ROLE = re.compile(r":(?:func|class|data):`~?([\w.]+)`")


def wing_map(package: ModuleType) -> dict[str, set[str]]:
    """Module -> the public names its row mentions, from the docstring's table."""
    lines = (package.__doc__ or "").splitlines()
    rules = [i for i, line in enumerate(lines) if _RULE.fullmatch(line.strip())]
    assert len(rules) == 3, f"{package.__name__}: the docstring must hold one module table"
    rows: dict[str, set[str]] = {}
    module = ""
    for line in lines[rules[1] + 1: rules[2]]:
        start = _ROW.match(line)
        if start:
            module = start.group(1)
            rows[module] = set()
        assert module, f"{package.__name__}: the table must start with a module row"
        rows[module] |= set(_ROLE.findall(line))
    return rows


def test_the_wings_are_the_ones_in_the_architecture_doc() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\| `(\w+)/` \|", doc, flags=re.M)
    assert len(documented) == len(set(documented))
    assert sorted(documented) == WINGS


@pytest.mark.parametrize("name", WINGS)
def test_the_map_lists_every_module_of_the_wing(name: str) -> None:
    package = importlib.import_module(f"simcall.{name}")
    modules = sorted(p.stem for p in (PACKAGE / name).glob("*.py") if p.stem != "__init__")
    assert sorted(wing_map(package)) == modules


@pytest.mark.parametrize("name", WINGS)
def test_all_is_exactly_the_names_in_the_map(name: str) -> None:
    package = importlib.import_module(f"simcall.{name}")
    exported = list(getattr(package, "__all__", []))
    assert len(exported) == len(set(exported)), "a name listed twice"
    documented = set().union(*wing_map(package).values())
    assert set(exported) == documented


@pytest.mark.parametrize("name", WINGS)
def test_every_public_name_comes_from_the_module_its_row_names(name: str) -> None:
    package = importlib.import_module(f"simcall.{name}")
    for module_name, names in wing_map(package).items():
        if not names:
            continue
        module = importlib.import_module(f"simcall.{name}.{module_name}")
        for public in names:
            assert getattr(package, public) is getattr(module, public), (
                f"simcall.{name}.{public} is not the one in {module_name}")


@pytest.mark.parametrize("name", WINGS)
def test_no_module_is_named_like_a_public_name_of_its_wing(name: str) -> None:
    """A wing re-exports its names: a module named like one would hide it behind
    ``simcall.<wing>.<module>`` once that module has been imported."""
    package = importlib.import_module(f"simcall.{name}")
    modules = {p.stem for p in (PACKAGE / name).glob("*.py")}
    assert not modules & set(getattr(package, "__all__", []))


def test_the_map_reader_sees_a_drifted_surface() -> None:
    """The check can fail: a map that names a function the wing does not export."""
    fake = ModuleType("fake", "Map.\n\n====  ====\nmodule  holds\n====  ====\n"
                              "``a``  :func:`one`, :class:`Two`\n====  ====\n")
    assert wing_map(fake) == {"a": {"one", "Two"}}
