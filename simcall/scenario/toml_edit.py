"""Editing a scenario file in place: the planner's file stays theirs.

``simcall staff --out`` writes a plan into the scenario it was found for.
Writing the whole scenario anew (:mod:`simcall.scenario.toml_writer`) would lose
what makes the file the planner's: the comments, the units as written
(``"30min"``, ``"2 rings"``), blank lines and the order of keys. So the file's
own text is edited with tomlkit, which keeps all of that: only the keys named in
``changes`` are touched, each where it stands, and every other line stays as it
was, byte for byte.

Keys are addressed as ``--set`` addresses them (:mod:`simcall.scenario.overrides`
finds the table that holds a key, here in the tomlkit document): an edit can
reach exactly what a ``--set`` can.

How new values are laid out, and why
------------------------------------
- A list of numbers stays on one line while ``key = [...]`` fits in :data:`LINE_WIDTH`
  columns (a kept end-of-line comment may run past: it is the planner's, and a list
  broken for its sake would read worse). A longer one (40 half-hours of ``staff`` with
  three-digit counts) is written :data:`ROW` values to a row, right-aligned in
  columns; when it has one value per interval, each row ends with the clock time of
  its first interval (``# 12:00``), so that a planner finds 14:30 without counting
  commas. Eight values make rows that start on the hour for 7.5, 15, 30 and
  60-minute intervals (in a day that opens on the hour).
- A list of tables (``shifts``, their ``breaks``) is written as an array of inline
  tables, one shift per line, as the ready scenarios and the scenario reference
  write shifts. It then stands where ``staff`` stood, inside its ``[[agents]]``
  entry; ``[[agents.shifts]]`` sub-tables would have to follow every other key of
  the group and read like entries of their own. A shift too long for one line
  gets its breaks one per line.
- A key added to a table takes the place of a key that an earlier change removed
  from the same table (``staff`` swapped for ``shifts`` keeps its place in the
  group), else it goes at the end of the table. The removed key's end-of-line
  comment goes with it: it was about the old key.
- A replaced value keeps the end-of-line comment, at its column when the new value
  leaves room for it.
- The header (provenance) is a block of ``#`` lines between :data:`HEADER_BEGIN` and
  :data:`HEADER_END` at the top of the file; the next edit replaces that block
  instead of stacking another one on it.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from simcall.errors import Problem, ScenarioError, did_you_mean
from simcall.scenario.durations import format_clock, parse_clock, parse_duration
from simcall.scenario.overrides import OverrideError, table_of
from simcall.scenario.schema import Scenario


class _Remove:
    """The type of :data:`REMOVE` (one instance, compared by identity)."""

    def __repr__(self) -> str:
        return "REMOVE"


REMOVE: Final = _Remove()
"""A value in ``changes`` that deletes its key (a group switched between ``staff`` and
``shifts`` must lose the other one)."""

HEADER_BEGIN: Final = "# ==== written by simcall: this block is replaced on every save ===="
HEADER_END: Final = "# ==== end of the simcall block: the file below is yours ===="
LINE_WIDTH: Final = 100  # the project's own line length
ROW: Final = 8  # numbers per row of a wrapped list
INDENT: Final = "  "  # as the ready scenarios indent shifts


def edit_scenario_text(original: str, changes: Mapping[str, Any], header: str = "") -> str:
    """The scenario text ``original`` with ``changes`` made and ``header`` on top.

    Parameters
    ----------
    original
        A scenario file's text (TOML). Its comments, spelling of values, blank
        lines and key order are kept wherever ``changes`` do not reach.
    changes
        Dotted keys, addressed as ``--set`` addresses them (entries of
        ``[[callers]]``, ``[[departments]]`` and ``[[agents]]`` by name, e.g.
        ``"agents.support team.staff"``), to Python values: numbers, strings,
        lists, mappings, lists of mappings (``shifts``), or :data:`REMOVE` to
        delete the key. Made in order, as ``--set`` options are.
    header
        Lines written as ``#`` comments at the top, between marker lines; a
        header an earlier edit wrote is replaced, not stacked. An empty header
        removes an earlier one (it described another file).

    Raises
    ------
    OverrideError
        For a key that addresses nothing: a section the scenario format does not
        have, an entry name no entry has, a value taken for a table, a key to
        remove that is not there (the message names the key).
    ScenarioError
        When ``original`` is not valid TOML.
    """
    import tomlkit
    from tomlkit.exceptions import ParseError

    mark = "\ufeff" if original.startswith("\ufeff") else ""
    newline = "\r\n" if "\r\n" in original else "\n"
    try:
        document = tomlkit.parse(strip_header(original.removeprefix("\ufeff")))
    except ParseError as exc:
        raise ScenarioError([Problem("", f"not valid TOML: {exc}", exc.line)]) from None
    layout = _Layout(newline, _Intervals.of(document, changes))
    vacated: list[tuple[Any, str, str]] = []  # (table, key in it, the dotted key)
    for key, value in changes.items():
        where = f"key '{key}'"
        inside = [dotted for _, _, dotted in vacated if key.startswith(dotted + ".")]
        if inside:
            raise OverrideError(f"{where}: is inside '{inside[0]}', which an earlier change "
                                "removes")
        if value is REMOVE:
            table, last = table_of(document, key, where, new_table=None)
            if last not in table:
                raise OverrideError(f"{where}: nothing to remove, '{last}' is not set here"
                                    f"{did_you_mean(last, map(str, table))}")
            vacated.append((table, last, key))
        else:
            _set(document, key, value, where, layout, vacated)
    for table, last, _ in vacated:
        del table[last]
    return mark + _header_block(header, newline) + tomlkit.dumps(document)


def strip_header(text: str) -> str:
    """``text`` without the header block an earlier edit wrote at its top (if any).

    The block runs from :data:`HEADER_BEGIN` to :data:`HEADER_END`, and the blank
    line written after it. Should a planner have deleted the closing marker, the
    block ends at the first line that is not a comment.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != HEADER_BEGIN:
        return text
    end = len(lines)
    for n, line in enumerate(lines[1:], start=1):
        if line.rstrip() == HEADER_END:
            end = n + 1
            break
        if not line.lstrip().startswith("#"):
            end = n
            break
    if end < len(lines) and not lines[end].strip():
        end += 1
    return "".join(lines[end:])


def _header_block(header: str, newline: str) -> str:
    if not header:
        return ""
    lines = [HEADER_BEGIN, *(f"# {line}".rstrip() for line in header.splitlines()),
             HEADER_END, ""]
    return newline.join(lines) + newline


# -- setting one key -----------------------------------------------------------------------


def _set(document: Any, key: str, value: Any, where: str, layout: _Layout,
         vacated: list[tuple[Any, str, str]]) -> None:
    """Set ``key`` to ``value``: in place, in a vacated place, or at the end of its table."""
    import tomlkit
    from tomlkit.container import Container
    from tomlkit.items import Table

    _check_section(document, key, where)
    table, last = table_of(document, key, where, new_table=tomlkit.inline_table)
    old = _item_of(table, last)
    indent = old.trivia.indent if old is not None else ""
    if isinstance(value, Mapping) and isinstance(old, Table):
        item = tomlkit.item(dict(value))  # a [section] stays a section
    else:
        text = layout.value(last, value, indent)
        item = tomlkit.parse(f"v = {text}{layout.newline}").item("v")
    if last in table:
        if old is not None:
            _keep_comment_column(old, item)
        table[last] = item
        return
    slot = next((n for n, (t, _, _) in enumerate(vacated) if t is table), None)
    container = table if isinstance(table, Container) else getattr(table, "value", None)
    if slot is None or not isinstance(container, Container):
        table[last] = item
        return
    _, gone, _ = vacated.pop(slot)
    container._replace(gone, last, item)  # tomlkit has no public "put it here"
    item.trivia.comment_ws = item.trivia.comment = ""  # that comment was about the old key


def _item_of(table: Any, key: str) -> Any:
    """The tomlkit item under ``key`` (with its trivia: indent, comment), or None."""
    if key not in table:
        return None
    item = getattr(table, "item", None)
    return item(key) if callable(item) else None


def _check_section(document: Any, key: str, where: str) -> None:
    """A section the file lacks must be one of the format's; entries are never made up."""
    import tomlkit

    first, _, below = key.partition(".")
    if first in document:
        return
    fields = Scenario.model_fields
    if first not in fields:
        raise OverrideError(f"{where}: a scenario has no '{first}'"
                            f"{did_you_mean(first, fields)}")
    if below and typing.get_origin(fields[first].annotation) is tuple:
        raise OverrideError(f"{where}: the file has no [[{first}]] entries to address")
    if below:
        document[first] = tomlkit.table()  # a new [section] at the end, as a planner adds one


def _keep_comment_column(old: Any, new: Any) -> None:
    """Keep an end-of-line comment at its column (two spaces from a longer value)."""
    if not old.trivia.comment or not hasattr(new, "trivia"):
        return
    before, after = old.as_string(), new.as_string()
    least = min(2, len(old.trivia.comment_ws))
    spaces = least  # after the closing bracket of a list that spans lines
    if "\n" not in before and "\n" not in after:
        spaces = max(least, len(old.trivia.comment_ws) + len(before) - len(after))
    new.trivia.comment_ws = " " * spaces


# -- laying out values ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Intervals:
    """The file's day (after the changes), to label the rows of per-interval lists."""

    opens: float  # seconds after midnight
    width: float  # seconds
    count: int

    @staticmethod
    def of(document: Any, changes: Mapping[str, Any]) -> _Intervals | None:
        def setting(name: str) -> Any:
            value = changes.get(name, document.get(name))
            if value is None or value is REMOVE:
                default = Scenario.model_fields[name].default
                return default if isinstance(default, str | int | float) else None
            return value

        count = setting("intervals")
        try:
            opens = parse_clock(str(setting("open")))
            width = parse_duration(setting("interval"))
        except ValueError:
            return None
        if isinstance(count, bool) or not isinstance(count, int) or width <= 0:
            return None
        return _Intervals(opens, width, int(count))

    def label(self, k: int) -> str:
        return format_clock(self.opens + k * self.width)


@dataclass(frozen=True)
class _Layout:
    """How new values are written (see the module's docstring for why)."""

    newline: str
    intervals: _Intervals | None

    def value(self, key: str, value: Any, indent: str) -> str:
        """The TOML text of ``value`` for ``key = ...`` at ``indent``."""
        if _is_entries(value):
            return self._entries(value, indent)
        one_line = _inline(value)
        if (isinstance(value, list | tuple) and value
                and not any(isinstance(v, Mapping | list | tuple) for v in value)
                and len(f"{indent}{_key(key)} = {one_line}") > LINE_WIDTH):
            return self._rows(value, indent)
        return one_line

    def _rows(self, values: Sequence[Any], indent: str) -> str:
        cells = [_inline(v) for v in values]
        width = max(len(c) for c in cells)
        starts = range(0, len(cells), ROW)
        rows = [indent + INDENT + ", ".join(c.rjust(width) for c in cells[s:s + ROW]) + ","
                for s in starts]
        if self.intervals is not None and len(values) == self.intervals.count:
            pad = max(len(r) for r in rows)
            rows = [f"{row.ljust(pad)}  # {self.intervals.label(start)}"
                    for row, start in zip(rows, starts, strict=True)]
        return self._block(rows, indent)

    def _entries(self, entries: Sequence[Mapping[str, Any]], indent: str) -> str:
        inner = indent + INDENT
        rows = []
        for entry in entries:
            row = f"{inner}{_inline(entry)},"
            if len(row) > LINE_WIDTH:
                row = f"{inner}{self._wrapped(entry, inner)},"
            rows.append(row)
        return self._block(rows, indent)

    def _wrapped(self, entry: Mapping[str, Any], indent: str) -> str:
        """An inline table whose lists of tables (breaks) have one table per line."""
        pairs = []
        for key, value in entry.items():
            if _is_entries(value):
                rows = [f"{indent}{INDENT * 2}{_inline(v)}," for v in value]
                pairs.append(f"{_key(key)} = {self._block(rows, indent)}")
            else:
                pairs.append(f"{_key(key)} = {_inline(value)}")
        return "{ " + ", ".join(pairs) + " }"

    def _block(self, rows: Sequence[str], indent: str) -> str:
        return self.newline.join(["[", *rows, f"{indent}]"])


def _is_entries(value: Any) -> bool:
    """A list of tables (``shifts``, ``breaks``)."""
    return isinstance(value, list | tuple) and bool(value) and all(
        isinstance(v, Mapping) for v in value)


def _inline(value: Any) -> str:
    """``value`` as TOML on one line; tomlkit spells the numbers and strings."""
    import tomlkit

    if isinstance(value, Mapping):
        pairs = ", ".join(f"{_key(k)} = {_inline(v)}" for k, v in value.items())
        return "{ " + pairs + " }" if pairs else "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    text: str = tomlkit.item(value).as_string()
    return text


def _key(key: str) -> str:
    """A key as TOML spells it: bare when it can be, quoted otherwise."""
    from tomlkit.items import SingleKey

    return SingleKey(str(key)).as_string()
