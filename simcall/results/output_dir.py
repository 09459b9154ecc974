"""``--out DIR``: a result folder that says everything needed to make it again.

A folder holds the scenario as simulated (after ``--set``, as TOML), the
results, and ``metadata.json`` (simcall version, seed, scenario hash, the
command). Each file is written atomically, the metadata last, so a folder
with ``metadata.json`` is complete.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from simcall.errors import SimcallError
from simcall.files import folder_problem, output_problem, write_json, write_text
from simcall.results.provenance import scenario_data, scenario_hash
from simcall.scenario.schema import Scenario
from simcall.scenario.toml_writer import dumps


def check_folder(folder: Path, files: Iterable[str] = (), option: str = "--out") -> None:
    """Refuse a folder that cannot take the results, before anything is simulated.

    Why before: the folder is written after the simulation, and a missing or
    read-only folder found then would throw the run away. An existing folder
    must be writable and each file to be written (``files``) must be a regular
    file if it is there already; a new folder needs a writable parent.
    """
    if folder.exists() and not folder.is_dir():
        what = "is a file" if folder.is_file() else "exists and is not a folder"
        raise SimcallError(f"{option} {folder}: {what}; give a folder name")
    if not folder.exists():
        problem = folder_problem(folder.parent if str(folder.parent) else Path("."))
        if problem is not None:
            raise SimcallError(f"{option} {folder}: {problem}")
        return
    problem = folder_problem(folder)
    if problem is not None:
        raise SimcallError(f"{option} {folder}: {problem}")
    for name in files:
        problem = output_problem(folder / name)
        if problem is not None:
            raise SimcallError(f"{option} {folder}: {name} {problem}")


def prepare(folder: Path, option: str = "--out") -> Path:
    """Create the folder (its parent must exist); refuse a file in the way."""
    check_folder(folder, option=option)
    folder.mkdir(exist_ok=True)
    return folder


def slug(name: str) -> str:
    """A file-name-safe form of a scenario or variant name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "scenario"


def write_scenario(path: Path, scenario: Scenario, meta: Mapping[str, Any]) -> None:
    """The scenario as simulated, as TOML that ``simcall run`` reads back."""
    header = (f"{scenario.name}: as simulated by simcall {meta['simcall']}\n"
              f"command: {meta['command']}\n{scenario_hash(scenario)}")
    write_text(path, dumps(scenario_data(scenario), header=header))


def finish(folder: Path, meta: Mapping[str, Any], files: list[str]) -> None:
    """Write ``metadata.json`` last, listing the files beside it."""
    write_json(folder / "metadata.json", dict(meta) | {"files": sorted(files)})
