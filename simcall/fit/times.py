"""Timestamps and days of a call log: parsing a column of times, and choosing days.

A timestamp becomes seconds after the midnight of the call's own date (so a call that
ends after midnight has an end over 86,400). Formats: ``"clock"`` (``H:MM`` or
``H:MM:SS[.fff]``, with a ``date`` column), ``"iso"`` (``1999-08-01 07:16:39`` or with a
``T``), ``"seconds"`` (a number of seconds after the date's midnight, or after the first
day's midnight when there is no ``date`` column), or a ``strptime`` pattern with a date.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence

import numpy as np

from simcall.fit.columns import CallLogError

DAY = 86_400.0
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FORMATS = ("clock", "iso", "seconds")

Parsed = tuple[dt.date | None, float]
"""A timestamp: its date when it carries one, and seconds after that date's midnight."""


def _clock(text: str) -> Parsed:
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise ValueError(text)
    hours, minutes = int(parts[0]), int(parts[1])
    seconds = float(parts[2]) if len(parts) == 3 else 0.0
    if hours < 0 or not 0 <= minutes < 60 or not 0 <= seconds < 61:
        raise ValueError(text)
    return None, hours * 3600.0 + minutes * 60.0 + seconds


def _iso(text: str) -> Parsed:
    moment = dt.datetime.fromisoformat(text)
    midnight = dt.datetime.combine(moment.date(), dt.time(), moment.tzinfo)
    return moment.date(), (moment - midnight).total_seconds()


def _seconds(text: str) -> Parsed:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return None, value


def _pattern(pattern: str) -> Callable[[str], Parsed]:
    def parse(text: str) -> Parsed:
        moment = dt.datetime.strptime(text, pattern)
        midnight = dt.datetime.combine(moment.date(), dt.time())
        return moment.date(), (moment - midnight).total_seconds()
    return parse


def detect(sample: str) -> str:
    """The format a column's first value is in (``seconds``, ``iso`` or ``clock``)."""
    try:
        float(sample)
        return "seconds"
    except ValueError:
        pass
    if re.match(r"^\d{4}-\d{2}-\d{2}", sample):
        return "iso"
    return "clock"


def parser(fmt: str) -> Callable[[str], Parsed]:
    """The function reading one timestamp of format ``fmt``."""
    if fmt == "clock":
        return _clock
    if fmt == "iso":
        return _iso
    if fmt == "seconds":
        return _seconds
    if "%" in fmt:
        return _pattern(fmt)
    raise CallLogError(f"unknown timestamp format {fmt!r}: use 'clock', 'iso', 'seconds' or a "
                       "strptime pattern such as '%d/%m/%Y %H:%M:%S'")


def parse_column(values: Sequence[str], fmt: str, lines: Sequence[int], column: str,
                 canonical: str) -> tuple[np.ndarray, list[dt.date | None]]:
    """Every cell of one column read: seconds after midnight (``nan`` for an empty cell)
    and each cell's own date (``None`` when it carries none). An unreadable cell raises
    :class:`CallLogError` naming its row and column."""
    fast = _fast(values, fmt)
    if fast is not None:
        return fast, [None] * len(values)
    read = parser(fmt)
    cache: dict[str, Parsed | None] = {"": None}
    out: list[Parsed | None] = []
    for index, text in enumerate(values):
        try:
            out.append(cache[text])
        except KeyError:
            try:
                cache[text] = value = read(text.strip())
            except (ValueError, OverflowError):
                raise CallLogError(
                    f"row {lines[index]}, column '{column}' ({canonical}): cannot read "
                    f"{text!r} as a {fmt} timestamp (give formats={{'{canonical}': ...}}: "
                    f"'clock', 'iso', 'seconds' or a strptime pattern)") from None
            out.append(value)
    seconds = np.array([np.nan if p is None else p[1] for p in out])
    return seconds, [None if p is None else p[0] for p in out]


def _fast(values: Sequence[str], fmt: str) -> np.ndarray | None:
    """Whole-column parsing in numpy for plain ``H:MM:SS`` clocks and numbers of seconds;
    ``None`` when any cell does not fit (the slow path then names the bad cell)."""
    if fmt not in ("clock", "seconds"):
        return None
    present = np.array([bool(v) for v in values], dtype=bool)
    filled = [v for v in values if v]
    out = np.full(len(values), np.nan)
    if not filled:
        return out
    try:
        if fmt == "seconds":
            numbers = np.array(filled, dtype=float)
        else:
            tokens = ":".join(filled).split(":")
            if len(tokens) != 3 * len(filled):
                return None
            parts = np.array(tokens, dtype=float).reshape(-1, 3)
            if ((parts[:, 0] < 0) | (parts[:, 1] < 0) | (parts[:, 1] >= 60) | (parts[:, 2] < 0)
                    | (parts[:, 2] >= 61)).any():
                return None
            numbers = parts @ np.array([3600.0, 60.0, 1.0])
    except ValueError:
        return None
    if not np.isfinite(numbers).all():
        return None
    out[present] = numbers
    return out


def parse_date(text: str, line: int, column: str) -> dt.date:
    """A ``date`` cell (ISO ``YYYY-MM-DD``)."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CallLogError(f"row {line}, column '{column}' (date): cannot read {text!r} as a "
                           "date (expected YYYY-MM-DD)") from None


def select_days(spec: str | Sequence[str | dt.date] | None,
                dates: Sequence[dt.date | None]) -> list[bool]:
    """Which of ``dates`` are chosen by ``spec``.

    ``None`` or ``"all"`` keeps every day; ``"sun-thu"`` (a range of weekdays, wrapping
    round the week) or ``"mon,wed,fri"`` keep weekdays; a list of dates (ISO strings or
    :class:`datetime.date`) keeps those dates. Days without a date (a log with relative
    times only) can only be kept all together.
    """
    if spec is None or (isinstance(spec, str) and spec.strip().lower() == "all"):
        return [True] * len(dates)
    if any(date is None for date in dates):
        raise CallLogError(f"days={spec!r}: the log has no dates (no 'date' column and no "
                           "dates in its timestamps), so days cannot be chosen")
    if isinstance(spec, str):
        wanted = weekdays(spec)
        return [date is not None and date.weekday() in wanted for date in dates]
    chosen: set[dt.date] = set()
    for item in spec:
        try:
            chosen.add(item if isinstance(item, dt.date) else dt.date.fromisoformat(item))
        except ValueError:
            raise CallLogError(f"days: cannot read {item!r} as a date (YYYY-MM-DD)") from None
    return [date in chosen for date in dates]


def weekdays(spec: str) -> set[int]:
    """``"sun-thu"`` -> {6, 0, 1, 2, 3}; ``"mon,wed"`` -> {0, 2} (Monday is 0)."""
    chosen: set[int] = set()
    for part in spec.lower().replace(" ", "").split(","):
        ends = part.split("-")
        names = [name[:3] for name in ends]
        if len(ends) > 2 or not all(name in WEEKDAYS for name in names) or not part:
            raise CallLogError(f"days={spec!r}: give weekdays like 'sun-thu' or 'mon,wed,fri', "
                               "'all', or a list of dates")
        first, last = WEEKDAYS.index(names[0]), WEEKDAYS.index(names[-1])
        chosen.update((first + k) % 7 for k in range((last - first) % 7 + 1))
    return chosen
