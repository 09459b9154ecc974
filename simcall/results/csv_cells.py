"""CSV cells that a spreadsheet would run as formulas, written as text.

Why: caller, department and agent names come from the scenario file, and a
spreadsheet opening a CSV runs a cell that begins with ``=``, ``+``, ``-`` or
``@`` as a formula (``=HYPERLINK(...)``); a leading tab or carriage return
is read the same way by some. The usual rule (OWASP, "CSV injection") is to
put an apostrophe in front, which a spreadsheet shows as text. Every CSV
writer of simcall passes its cells through :func:`spreadsheet_safe`, so the
rule is stated once. Only text is escaped: a number, negative or not, is
written as it is.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: Any) -> Any:
    """``cell`` with an apostrophe in front when it is text a spreadsheet would run."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def unescaped(cell: str) -> str:
    """A cell read back: the apostrophe :func:`spreadsheet_safe` added, taken off again."""
    if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell
