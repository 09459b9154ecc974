"""``--out DIR`` is whole or absent: built in a hidden folder beside it, moved in at the end."""

from __future__ import annotations

from pathlib import Path

import pytest

from simcall.results.output_dir import building


def test_a_new_folder_appears_only_when_every_file_is_in_it(tmp_path: Path) -> None:
    target = tmp_path / "result"
    with building(target) as staging:
        (staging / "result.json").write_text("{}")
        assert not target.exists()  # nothing there while it is being built
        (staging / "metadata.json").write_text("{}")
    assert sorted(p.name for p in target.iterdir()) == ["metadata.json", "result.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["result"]  # no staging folder left


def test_an_interrupted_build_leaves_nothing_and_keeps_an_earlier_result(
        tmp_path: Path) -> None:
    target = tmp_path / "result"
    target.mkdir()
    (target / "result.json").write_text("earlier")
    with pytest.raises(KeyboardInterrupt), building(target) as staging:
        (staging / "result.json").write_text("half")
        raise KeyboardInterrupt
    assert (target / "result.json").read_text() == "earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["result"]


def test_an_existing_folder_gets_every_file_replaced_metadata_last(tmp_path: Path) -> None:
    target = tmp_path / "result"
    target.mkdir()
    (target / "metadata.json").write_text("old")
    (target / "notes.txt").write_text("the planner's own")
    with building(target) as staging:
        (staging / "result.json").write_text("new")
        (staging / "metadata.json").write_text("new")
    assert (target / "metadata.json").read_text() == "new"
    assert (target / "notes.txt").read_text() == "the planner's own"
    assert (target / "result.json").read_text() == "new"


def test_json_and_records_land_together_or_not_at_all(tmp_path: Path) -> None:
    from simcall.files import together

    json_path, records = tmp_path / "r.json", tmp_path / "calls.csv"
    with pytest.raises(KeyboardInterrupt), together([json_path, records]) as staged:
        staged[json_path].write_text("{}")
        assert staged[records].suffix == ".csv"  # a writer that picks its format by suffix
        raise KeyboardInterrupt  # after one file is written, before the other
    assert list(tmp_path.iterdir()) == []
    with together([json_path, records]) as staged:
        staged[json_path].write_text("{}")
        staged[records].write_text("call\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calls.csv", "r.json"]
