"""The shared base's file writing: complete or absent, never over a device, through a link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from simcall.files import folder_problem, output_problem, write_text


def test_a_fifo_is_refused_and_stays_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    assert output_problem(fifo) == "exists and is not a regular file (a FIFO); give a file path"
    with pytest.raises(FileExistsError, match="a FIFO"):
        write_text(fifo, "{}")  # the last guard, for callers that skipped the check
    assert fifo.is_fifo()


def test_a_device_is_refused() -> None:
    assert output_problem(Path("/dev/null")) == (
        "exists and is not a regular file (a character device); give a file path")
    with pytest.raises(FileExistsError):
        write_text(Path("/dev/null"), "x")
    assert Path("/dev/null").is_char_device()


def test_a_symlink_is_written_through_at_its_target(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "result.json"
    link = tmp_path / "link.json"
    link.symlink_to(target)  # dangling at first: the first write creates the target
    write_text(link, "one")
    write_text(link, "two")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "two" and not target.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real"]
    assert [p.name for p in (tmp_path / "real").iterdir()] == ["result.json"]  # no leftovers


def test_a_symlink_to_a_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "null.json"
    link.symlink_to("/dev/null")
    assert "character device" in (output_problem(link) or "")


def test_an_ordinary_file_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text("old")
    assert output_problem(path) is None
    write_text(path, "new")
    assert path.read_text() == "new"


def test_a_folder_without_write_permission_is_refused(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # root writes anywhere, so the permission bits are simulated through os.access
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: (
        False if Path(path) == tmp_path and mode & os.W_OK else real_access(path, mode, **kw)))
    assert folder_problem(tmp_path) == f"folder '{tmp_path}' is not writable"
    assert output_problem(tmp_path / "r.json") == f"folder '{tmp_path}' is not writable"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        assert "is not writable" in (output_problem(folder / "r.json") or "")
    finally:
        folder.chmod(0o700)
