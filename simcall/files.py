"""Writing result files so that a file is either complete or absent.

An interrupted run (Ctrl-C, a killed process) must never leave half a result
that looks whole: every file is written beside its destination and renamed
into place, which is atomic on one file system.

A rename replaces whatever has the name, so the destination is looked at
first: a device, a FIFO or a socket is never a result file (renaming over
``/dev/full`` would swap the device node for a regular file), and a symlink
is written through, at its target, so the link stays a link. The same
checks are offered to the commands (:func:`output_problem`,
:func:`folder_problem`), which run them before simulating: a mistake in an
output path must cost no waiting. This module is the shared base and imports
nothing of simcall, so the checks return the reason as text and the callers
raise their own errors with the option's name in front.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_KINDS = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"))


def write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write`` on a temporary file beside ``path``, then rename it to ``path``.

    A symlink at ``path`` is written through: the temporary file goes beside
    the link's target and is renamed onto the target. Anything there that is
    not a regular file is refused (``FileExistsError``), so a device node or
    a FIFO is never replaced.
    """
    target = destination(path)
    problem = _not_regular(target)
    if problem is not None:
        raise FileExistsError(f"{path}: {problem}")
    folder = _folder(target)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(Path(temporary))
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it private; a result is not
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)


@contextmanager
def together(paths: Sequence[Path]) -> Iterator[dict[Path, Path]]:
    """Files that must appear together or not at all (``--json`` with ``--records``).

    Yields, for each path, a hidden name beside where it will land (the same suffix, so
    a writer that picks its format by suffix still can) to write it to. When every file is
    written they are renamed into place one after the other, within microseconds; on any
    failure or Ctrl-C the hidden files are removed and nothing lands. A symlink is written
    through, as by :func:`write_atomically`.
    """
    staged = {path: _staged(destination(path)) for path in paths}
    try:
        yield staged
    except BaseException:
        for hidden in staged.values():
            hidden.unlink(missing_ok=True)
        raise
    for path, hidden in staged.items():
        os.replace(hidden, destination(path))


def _staged(target: Path) -> Path:
    return target.with_name(f".{target.stem}.partial{target.suffix}")


def write_text(path: Path, text: str) -> None:
    """Write a text file atomically (UTF-8)."""
    write_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def write_json(path: Path, document: dict[str, Any]) -> None:
    """Write a JSON document atomically, indented for people to read."""
    write_text(path, json.dumps(document, indent=2) + "\n")


def destination(path: Path) -> Path:
    """Where a write to ``path`` lands: the target of a symlink, else ``path`` itself.

    Why resolve only symlinks: an ordinary path keeps its own spelling, so
    messages and temporary names stay as the user wrote them.
    """
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def output_problem(path: Path) -> str | None:
    """Why a result file cannot be written at ``path`` (``None``: it can).

    Checks the destination (through a symlink) and its folder: the folder
    must exist and be writable, and whatever already has the name must be a
    regular file, which the write will replace.
    """
    target = destination(path)
    if target.is_dir():
        return "is a directory; give a file name"
    problem = _not_regular(target)
    if problem is not None:
        return f"{problem}; give a file path"
    return folder_problem(_folder(target))


def folder_problem(folder: Path) -> str | None:
    """Why no file can be created in ``folder`` (``None``: one can).

    ``os.access`` answers for the permission bits; creating and removing a
    temporary file is the sure test (a read-only mount, an ACL, a full
    quota), and costs nothing next to a simulation.
    """
    if not folder.is_dir():
        return f"folder '{folder}' does not exist"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"folder '{folder}' is not writable"
    try:
        handle, probe = tempfile.mkstemp(dir=folder, prefix=".simcall-probe.", suffix=".tmp")
    except OSError as exc:
        return f"folder '{folder}' is not writable ({exc.strerror or exc})"
    os.close(handle)
    Path(probe).unlink(missing_ok=True)
    return None


def _not_regular(path: Path) -> str | None:
    """``exists and is not a regular file (a FIFO)`` for a special file, else ``None``."""
    try:
        mode = path.stat().st_mode
    except OSError:  # nothing there yet (or a dangling link): a new file is made
        return None
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)),
                "a directory" if stat.S_ISDIR(mode) else "not a file")
    return f"exists and is not a regular file ({kind})"


def _folder(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def _umask() -> int:
    """The process's file-creation mask (reading it means setting it, so set it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
