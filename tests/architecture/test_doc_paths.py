"""Every source, test or benchmark path the docs name exists.

Why: a newcomer follows the docs to the code. After a module moves, a doc that still
names its old path sends them nowhere; this keeps the docs and the tree in step.
"""

from __future__ import annotations

import re

from helpers import ROOT

DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
PATH = re.compile(r"(?<![\w/.])((?:simcall|tests|benchmarks|scenarios)/[\w/.-]*\w)")


def named_paths() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for doc in DOCS:
        for path in PATH.findall(doc.read_text(encoding="utf-8")):
            found.setdefault(path, []).append(doc.name)
    return found


def test_the_docs_name_paths_at_all() -> None:
    assert "simcall/model/streams.py" in named_paths()


def test_every_path_the_docs_name_exists() -> None:
    missing = {path: docs for path, docs in named_paths().items()
               if not (ROOT / path).exists()
               and "/." not in path}  # made on first use (benchmarks/.venv-ciw)
    assert missing == {}
