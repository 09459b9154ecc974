"""``--out DIR``: a result folder that says everything needed to make it again.

A folder holds the scenario as simulated (after ``--set``, as TOML), the
results, and ``metadata.json`` (simcall version, seed, scenario hash, the
command). The files are written into a hidden folder beside the target and
moved into place only when all of them are there (:func:`building`): a new
folder appears whole or not at all, and in an existing one each file is
replaced whole, the metadata last, so a folder with ``metadata.json`` is
complete.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
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


@contextmanager
def building(folder: Path, option: str = "--out") -> Iterator[Path]:
    """A hidden folder beside ``folder`` to write the results into; on success its files
    move into ``folder``, on any failure or Ctrl-C it is removed and ``folder`` is left as
    it was.

    Why: an interrupted ``--out`` used to leave a folder with ``result.json`` and
    ``scenario.toml`` but no records or metadata. A new folder is renamed into place in
    one step; into an existing one (an earlier result of the same command) the files move
    one by one with ``os.replace``, ``metadata.json`` last.
    """
    check_folder(folder, option=option)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial",
                                    dir=folder.parent if str(folder.parent) else "."))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if not folder.exists():
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp made it private; a result is not
        os.rename(staging, folder)
        return
    names = sorted(p.name for p in staging.iterdir())
    for name in [n for n in names if n != "metadata.json"] + (
            ["metadata.json"] if "metadata.json" in names else []):
        os.replace(staging / name, folder / name)
    staging.rmdir()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


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
