"""Where a sweep keeps its rows: a CSV journal written as runs finish, resumable.

Why a journal: a sweep can run for hours; Ctrl-C or a killed process must
lose nothing that finished. Each finished run is appended as one CSV line
and flushed. On ``resume`` the journal is read back (a half-written last
line is dropped) and only the missing runs are simulated. Numbers are
written with ``repr``, which reads back to the identical float, so a
resumed sweep gives exactly the rows of an uninterrupted one. When the sweep
completes, the file is rewritten in (point, replication) order, so it does
not depend on which worker finished first; a ``.parquet`` output is written
then, from the journal.

The metadata (simcall version, seed, scenario hash, the command, the
sweep's points) sits beside the results and is checked on resume, so a
journal is never continued with a different sweep.

Text cells (varied values given as text, errors) that a spreadsheet would run
as formulas are written with an apostrophe in front
(:mod:`simcall.results.csv_cells`) and read back without it.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from simcall.errors import SimcallError
from simcall.files import (
    folder_problem,
    output_problem,
    write_atomically,
    write_json,
    write_text,
)
from simcall.results.csv_cells import spreadsheet_safe, unescaped

Row = dict[str, Any]
_INTEGER_COLUMNS = ("point", "replication", "seed")


class SweepStore:
    """The results file of one sweep, its journal and its metadata."""

    def __init__(self, out: Path, text_columns: Sequence[str] = ("error",)) -> None:
        self.out = out
        self.text_columns = frozenset(text_columns)
        self.folder_mode = out.suffix not in (".csv", ".parquet")
        if self.folder_mode:
            self.results = out / "results.csv"
            self.metadata = out / "metadata.json"
        else:
            self.results = out
            self.metadata = out.with_name(out.name + ".meta.json")
        self.parquet = not self.folder_mode and out.suffix == ".parquet"
        # rows go to a CSV journal; for Parquet it sits beside the final file
        self.journal = out.with_name(out.name + ".partial.csv") if self.parquet else self.results
        self._stream: IO[str] | None = None
        self._writer: Any = None

    def check_writable(self, resume: bool) -> None:
        """Refuse before simulating: a missing or read-only folder, a special file in the
        way (a FIFO, a device), or results a new sweep would overwrite."""
        parent = self.out.parent if str(self.out.parent) else Path(".")
        if not parent.is_dir():
            raise SimcallError(f"--out {self.out}: folder '{parent}' does not exist")
        if self.folder_mode and self.out.exists() and not self.out.is_dir():
            raise SimcallError(f"--out {self.out}: is a file; give a .csv or .parquet file "
                               "name, or a folder name")
        if not self.folder_mode and self.out.is_dir():
            raise SimcallError(f"--out {self.out}: is a folder; give a .csv or .parquet file")
        problem = folder_problem(self.out if self.out.is_dir() else parent)
        for file in (self.results, self.journal, self.metadata):
            if problem is None and file.parent.is_dir():
                problem = output_problem(file)
                where = "" if file == self.out else f"{file.name} "
                problem = problem and f"{where}{problem}"
        if problem is not None:
            raise SimcallError(f"--out {self.out}: {problem}")
        exists = self.journal.exists() or self.results.exists()
        if exists and not resume:
            raise SimcallError(f"--out {self.out}: results already exist; add --resume to "
                               "finish them, or choose another name")
        if self.parquet:
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise SimcallError(f"--out {self.out}: .parquet needs pyarrow: pip install "
                                   "'simcall[parquet]' (or give a .csv file)") from None

    def load(self, metadata: Mapping[str, Any], columns: Sequence[str]) -> list[Row]:
        """Rows already finished (resume), after checking they belong to this sweep."""
        if not (self.journal.exists() or self.results.exists()):
            return []
        try:
            saved = json.loads(self.metadata.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise SimcallError(f"--resume: {self.metadata} is missing or unreadable, so "
                               f"{self.out} cannot be checked against this sweep") from None
        for key in ("scenario_sha256", "seed", "vary"):
            if saved.get(key) != metadata[key]:
                raise SimcallError(
                    f"--resume: {self.out} was made by another sweep ({key} differs: "
                    f"{saved.get(key)!r} there, {metadata[key]!r} now); choose another --out")
        if self.parquet and not self.journal.exists():
            import pyarrow.parquet as pq

            rows = pq.read_table(self.results).to_pylist()
            return [_typed(row, self.text_columns) for row in rows]
        return _read_journal(self.journal, columns, self.text_columns)

    def open(self, columns: Sequence[str], rows: Sequence[Row], metadata: Mapping[str, Any]
             ) -> None:
        """Start the journal with the rows kept so far, ready to append."""
        if self.folder_mode:
            self.out.mkdir(exist_ok=True)
        write_json(self.metadata, dict(metadata))
        write_text(self.journal, _csv_text(columns, rows, self.text_columns))
        self._stream = open(self.journal, "a", newline="", encoding="utf-8")  # noqa: SIM115
        self._writer = csv.DictWriter(self._stream, fieldnames=list(columns))

    def append(self, row: Row) -> None:
        """One finished run, on disk before the next is waited for."""
        assert self._writer is not None and self._stream is not None
        self._writer.writerow(_plain(row, self.text_columns))
        self._stream.flush()

    def close(self) -> None:
        """Stop appending (after an interruption too: what is written stays)."""
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def finish(self, columns: Sequence[str], rows: Sequence[Row]) -> None:
        """All runs done: the file in (point, replication) order, Parquet if asked."""
        self.close()
        if self.parquet:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.table({c: [_parquet_value(r.get(c), c in self.text_columns)
                                  for r in rows] for c in columns})
            write_atomically(self.results, lambda path: pq.write_table(table, path))
            self.journal.unlink(missing_ok=True)
        else:
            write_text(self.results, _csv_text(columns, rows, self.text_columns))


def _csv_text(columns: Sequence[str], rows: Sequence[Row], text_columns: frozenset[str]
              ) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(_plain(row, text_columns) for row in rows)
    return buffer.getvalue()


def _plain(row: Row, text_columns: frozenset[str]) -> Row:
    """A row as CSV cells.

    Floats as ``repr`` (exact when read back), missing values as empty cells.
    A text column (a varied value, an error) holds text as it is, escaped
    where a spreadsheet would run it as a formula, and any other value as
    JSON (``9``, ``true``, ``[1, 2]``): the escape is decided on the value as
    given, so a varied number such as -1 is written as a number.
    """
    return {k: _cell(v, k in text_columns) for k, v in row.items()}


def _cell(value: Any, text: bool) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return spreadsheet_safe(value)
    if text:
        return json.dumps(value)
    return repr(value) if isinstance(value, float) else value


def _parquet_value(value: Any, text: bool) -> Any:
    """Parquet keeps values as typed (no spreadsheet escape); a text column stays text."""
    if value is None or value == "":
        return None
    return json.dumps(value) if text and not isinstance(value, str) else value


def _read_journal(path: Path, columns: Sequence[str], text_columns: frozenset[str]
                  ) -> list[Row]:
    text = path.read_text(encoding="utf-8")
    if text and not text.endswith("\n"):
        text = text[:text.rfind("\n") + 1]  # the process died in the middle of a line
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is not None and list(reader.fieldnames) != list(columns):
        raise SimcallError(f"--resume: {path} has other columns than this sweep writes; "
                           "choose another --out")
    return [_typed(row, text_columns) for row in reader if None not in row.values()]


def _typed(row: Mapping[str, Any], text_columns: frozenset[str]) -> Row:
    """A row read back: integers, floats and error text as they were written."""
    typed: Row = {}
    for key, value in row.items():
        if key in _INTEGER_COLUMNS:
            typed[key] = int(value)
        elif key in text_columns:
            typed[key] = unescaped(value) if value not in ("", None) else None
        else:
            typed[key] = math.nan if value in ("", None) else float(value)
    return typed
