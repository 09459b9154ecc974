"""The package's shape: wings in layers, imports one way, no loops, small modules.

``docs/architecture.md`` draws the layers; these tests hold the code to the drawing.
Imports are read from the source with ``ast``, wherever they stand (at module top,
inside a function, or under ``if TYPE_CHECKING:``): a lazy or type-only import is
still a dependency, and a loop through one is still a loop.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import simcall
from helpers import ROOT

PACKAGE = Path(simcall.__file__).parent

# Lower layers never import higher ones; wings on the same layer never import each other.
LAYERS: dict[str, int] = {
    "errors": 0, "files": 0, "version": 0,  # the shared base
    "erlang": 1, "scenario": 1,
    "model": 2,
    "results": 3,
    "experiments": 4,
    "staffing": 5, "fit": 5,
    "plots": 6,
    "report": 7, "animate": 7,
    "cli": 8,
    "__init__": 9, "__main__": 9,  # the package's front door
}
MAX_LINES = 500
MAX_TOP_LEVEL_MODULES = 6  # besides __init__ and __main__


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = modules()


def imported(name: str, path: Path) -> Iterator[str]:
    """The simcall modules a module imports (``from simcall.x import y`` gives
    ``simcall.x.y`` when that is a module, else ``simcall.x``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                       for alias in node.names]
        else:
            continue
        yield from (t for t in targets if t in MODULES and t != name)


GRAPH = {name: sorted(set(imported(name, path))) for name, path in MODULES.items()}


def wing(name: str) -> str:
    """``simcall.model.calls`` -> ``model``; the package itself -> ``__init__``."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_module_belongs_to_a_known_wing_or_the_base() -> None:
    unknown = sorted({wing(name) for name in MODULES} - set(LAYERS))
    assert not unknown, f"add these to LAYERS and to docs/architecture.md: {unknown}"


def test_imports_go_down_the_layers_only() -> None:
    wrong = [
        f"{name} ({wing(name)}, layer {LAYERS[wing(name)]}) imports {target} "
        f"({wing(target)}, layer {LAYERS[wing(target)]})"
        for name, targets in GRAPH.items() for target in targets
        if wing(target) != wing(name) and LAYERS[wing(target)] >= LAYERS[wing(name)]
        and target != "simcall"  # a submodule's parent package is imported with it
    ]
    assert not wrong, "\n".join(wrong)


def test_no_module_imports_the_top_level_package() -> None:
    """``from simcall import __version__`` inside a wing would make every wing depend on
    the front door (which imports the wings): read the version from simcall.version."""
    offenders = [name for name, targets in GRAPH.items() if "simcall" in targets
                 and wing(name) not in ("__init__", "__main__")]
    assert not offenders


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_loops_type_only_and_lazy_imports_included() -> None:
    """A module importing its own wing's ``__init__`` (which imports the module) is a loop
    too: inside a wing, import from the module that defines a name."""
    assert _cycles(GRAPH) == []


def test_the_loop_finder_finds_a_loop() -> None:
    assert _cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c"]]


def test_no_module_over_500_lines() -> None:
    long = {name: n for name, path in MODULES.items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long


def test_few_modules_directly_in_the_package() -> None:
    top = [p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__")]
    assert len(top) <= MAX_TOP_LEVEL_MODULES, sorted(top)
    assert all(LAYERS[stem] == 0 for stem in top), "top-level modules are the shared base"


def test_the_layers_are_the_ones_drawn_in_the_architecture_doc() -> None:
    """docs/architecture.md draws the layers; the drawing and LAYERS must say the same."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    drawn: dict[str, int] = {}
    for layer, names in re.findall(r"^ +layer (\d+) +(\S.*?)(?: {2,}\S.*)?$", doc, re.M):
        for word in re.split(r"[ |]+", names.strip()):
            drawn["__init__" if word == "simcall/__init__.py" else word] = int(layer)
    expected = {name: layer for name, layer in LAYERS.items() if name != "__main__"}
    assert drawn == expected
