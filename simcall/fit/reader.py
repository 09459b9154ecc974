"""Reading a call log: CSV (plain or gzip) in, a :class:`CallLog` of the chosen calls out.

Stdlib ``csv`` and numpy only. Every row is accounted for: read, left out by its outcome
(e.g. PHANTOM), left out for contradicting itself (by kind), outside the chosen days or
hours, or kept (see :class:`~simcall.fit.calllog.Selection`).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np

from simcall.errors import did_you_mean
from simcall.fit.calllog import ABANDONED, ANSWERED, CONTRADICTIONS, DAY, OTHER, CallLog, Selection
from simcall.fit.columns import CANONICAL, OUTCOMES, PRESETS, TIMESTAMPS, CallLogError, Preset
from simcall.fit.times import detect, parse_column, parse_date, select_days
from simcall.scenario.durations import parse_clock, parse_duration

_CODES = {"answered": ANSWERED, "abandoned": ABANDONED, "other": OTHER}


def _rows(path: Path) -> Iterator[list[str]]:
    try:
        with open(path, "rb") as probe:
            gzipped = probe.read(2) == b"\x1f\x8b"
        raw = gzip.open(path, "rb") if gzipped else open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise CallLogError(f"{path}: cannot read the call log ({exc.strerror or exc})") from None
    with raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        try:
            yield from csv.reader(text)
        except (UnicodeDecodeError, csv.Error, OSError, EOFError) as exc:
            raise CallLogError(f"{path}: not a readable CSV file ({exc})") from None


def preset_named(name: str | Preset | None) -> Preset | None:
    """The preset of that name (or the preset itself); unknown names are an error."""
    if name is None or isinstance(name, Preset):
        return name
    if name not in PRESETS:
        raise CallLogError(f"preset={name!r}: no such preset{did_you_mean(name, PRESETS)}; "
                           f"known: {', '.join(sorted(PRESETS))}")
    return PRESETS[name]


def _mapping(header: list[str], preset: Preset | None,
             column: Mapping[str, str] | None) -> dict[str, str]:
    """Canonical name -> the log's column name, every name checked."""
    given = dict(preset.column) if preset else {}
    for canonical, theirs in (column or {}).items():
        if canonical not in CANONICAL:
            raise CallLogError(f"column={{{canonical!r}: ...}}: {canonical!r} is not a canonical "
                               f"column{did_you_mean(canonical, CANONICAL)}; known: "
                               f"{', '.join(CANONICAL)}")
        given[canonical] = theirs
    lower = {name.strip().lower(): name for name in header}
    mapping: dict[str, str] = {}
    for canonical in CANONICAL:
        if canonical in given:
            theirs = given[canonical]
            if theirs not in header:
                if (column and canonical in column) or canonical in ("arrival",):
                    raise CallLogError(f"column {theirs!r} (for {canonical}) is not in the log"
                                       f"{did_you_mean(theirs, header)}; its columns: "
                                       f"{', '.join(header)}")
                continue  # a preset's optional column that this log lacks
            mapping[canonical] = theirs
        elif preset is None and canonical in lower:
            mapping[canonical] = lower[canonical]
    if "arrival" not in mapping:
        raise CallLogError("the log has no 'arrival' column: map one with "
                           f"column={{'arrival': ...}}; its columns: {', '.join(header)}")
    if "queued" not in mapping and "answered" not in mapping:
        raise CallLogError("the log needs a 'queued' or an 'answered' column to tell which calls "
                           f"reached the agents; its columns: {', '.join(header)}")
    return mapping


def read_log(path: str | Path, preset: str | Preset | None = None, *,
             column: Mapping[str, str] | None = None,
             formats: Mapping[str, str] | None = None,
             outcomes: Mapping[str, str] | None = None,
             days: str | Sequence[str | dt.date] | None = None,
             open: str | None = None, close: str | None = None,
             interval: str | float | None = None,
             priority_credit: Mapping[str, str | float] | None = None) -> CallLog:
    """Read a call log (CSV, plain or gzip), one row per call.

    Parameters
    ----------
    path
        The log file.
    preset
        A built-in mapping (``"anonymous-bank"``, ``"simcall"``) or a :class:`Preset`.
    column
        ``{canonical: theirs}`` for columns named differently (over the preset's).
    formats
        ``{canonical: format}`` for timestamps: ``"clock"``, ``"iso"``, ``"seconds"`` or a
        ``strptime`` pattern (default: the preset's, else detected from the first value).
    outcomes
        ``{their value: "answered" | "abandoned" | "other" | "left_out"}`` (over the
        preset's; the canonical words themselves are always understood).
    days
        ``"sun-thu"``, ``"mon,wed"``, ``"all"`` or a list of dates (default: the preset's,
        else all).
    open, close, interval
        Opening hours (clock times, ``close`` may be ``"24:00"``) and interval length;
        default: the preset's, else the whole hours spanned by the calls, in 30 min.
    priority_credit
        ``{priority class: credit}``: calls of a credited class form their own caller type
        (``"PS (priority 2)"``) with that queue credit.

    Raises
    ------
    CallLogError
        For a missing file, a missing or unknown column, an unreadable timestamp (naming
        row and column), an unknown outcome value, or an empty selection.
    """
    chosen = preset_named(preset)
    rows = _rows(Path(path))
    header = next(rows, None)
    if header is None:
        raise CallLogError(f"{path}: the call log is empty (not even a header)")
    header = [name.strip() for name in header]
    mapping = _mapping(header, chosen, column)
    index = {canonical: header.index(theirs) for canonical, theirs in mapping.items()}
    missing = {canonical: set(chosen.missing.get(canonical, ())) if chosen else set()
               for canonical in mapping}
    table = list(rows)
    width = len(header)
    numbered = [(number, row) for number, row in enumerate(table, start=2) if row]
    for number, row in numbered:
        if len(row) != width:
            raise CallLogError(f"row {number}: {len(row)} cells, but the header has {width}")
    lines = [number for number, _ in numbered]
    cells: dict[str, list[str]] = {}
    for canonical, position in index.items():
        values = [row[position] for _, row in numbered]
        never = missing[canonical]
        cells[canonical] = [("" if v in never else v) for v in values] if never else values
    if not lines:
        raise CallLogError(f"{path}: the call log has a header but no rows")
    return _build(cells, lines, mapping, chosen, formats, outcomes, days, open, close, interval,
                  priority_credit)


def _outcomes(cells: dict[str, list[str]], lines: list[int], mapping: dict[str, str],
              preset: Preset | None, extra: Mapping[str, str] | None) -> list[str]:
    """Each row's canonical outcome (inferred from its times without an outcome column)."""
    n = len(lines)
    if "outcome" not in cells:
        answered = cells.get("answered", [""] * n)
        queued = cells.get("queued", [""] * n)
        return ["answered" if a else "abandoned" if q else "other"
                for a, q in zip(answered, queued, strict=True)]
    table = {word: word for word in OUTCOMES}
    table.update(preset.outcomes if preset else {})
    for value, meaning in (extra or {}).items():
        if meaning not in OUTCOMES:
            raise CallLogError(f"outcomes={{{value!r}: {meaning!r}}}: use one of "
                               f"{', '.join(OUTCOMES)}")
        table[value] = meaning
    folded = {key.lower(): meaning for key, meaning in table.items()}
    out: list[str] = []
    for value, line in zip(cells["outcome"], lines, strict=True):
        found = table.get(value) or folded.get(value.lower())
        if found is None:
            raise CallLogError(f"row {line}, column '{mapping['outcome']}' (outcome): unknown "
                               f"outcome {value!r}: map it with outcomes={{{value!r}: ...}} to "
                               f"one of {', '.join(OUTCOMES)}")
        out.append(found)
    return out


def _build(cells: dict[str, list[str]], lines: list[int], mapping: dict[str, str],
           preset: Preset | None, formats: Mapping[str, str] | None,
           outcome_map: Mapping[str, str] | None, days: object, open_: str | None,
           close: str | None, interval: str | float | None,
           credit: Mapping[str, str | float] | None) -> CallLog:
    rows = len(lines)
    meaning = _outcomes(cells, lines, mapping, preset, outcome_map)
    left_out: dict[str, int] = {}
    keep = []
    for i, word in enumerate(meaning):
        if word == "left_out":
            raw = cells["outcome"][i] if "outcome" in cells else word
            left_out[raw] = left_out.get(raw, 0) + 1
        else:
            keep.append(i)
    lines = [lines[i] for i in keep]
    cells = {name: [values[i] for i in keep] for name, values in cells.items()}
    outcome = np.array([_CODES[meaning[i]] for i in keep], dtype=np.int8)
    n = len(lines)

    # dates and times
    fmts = {**(preset.formats if preset else {}), **(formats or {})}
    times: dict[str, np.ndarray] = {}
    stamp_dates: dict[str, list[dt.date | None]] = {}
    for name in TIMESTAMPS:
        if name not in cells:
            continue
        values = cells[name]
        fmt = fmts.get(name) or detect(next((v for v in values if v), "0"))
        times[name], stamp_dates[name] = parse_column(values, fmt, lines, mapping[name], name)
    if "date" in cells:
        cache: dict[str, dt.date] = {}
        row_dates: list[dt.date | None] = []
        for text, line in zip(cells["date"], lines, strict=True):
            if text not in cache:
                cache[text] = parse_date(text, line, mapping["date"])
            row_dates.append(cache[text])
    else:
        row_dates = list(stamp_dates["arrival"])
    after_midnight = 0
    arrival = times["arrival"]
    if any(d is None for d in row_dates):  # relative times: days from the first midnight
        whole = np.floor(arrival / DAY)
        row_dates = [None] * n
        day_number = whole.astype(np.int64)
        for name in times:
            times[name] = times[name] - whole * DAY
    else:
        for name in TIMESTAMPS:  # a later stamp's own date, when it carries one
            if name in times and name != "arrival" and "date" not in cells:
                shift = [0.0 if d is None or r is None else (d - r).days * DAY
                         for d, r in zip(stamp_dates[name], row_dates, strict=True)]
                times[name] = times[name] + np.asarray(shift)
        day_number = np.zeros(n, dtype=np.int64)
    for name in TIMESTAMPS:  # clock-only times over 12 h before arrival: the next day
        if name in times and name != "arrival":
            wrapped = times[name] < arrival - DAY / 2
            after_midnight += int(wrapped.sum())
            times[name] = np.where(wrapped, times[name] + DAY, times[name])
    nan = np.full(n, np.nan)
    queued, left = times.get("queued", nan), times.get("left_queue", nan)
    answered, ended = times.get("answered", nan), times.get("ended", nan)

    # contradictions
    checks = {
        "queued_before_arrival": queued < arrival,
        "answered_before_queued": answered < queued,
        "left_queue_before_queued": left < queued,
        "ended_before_answered": ended < answered,
        "abandoned_but_answered": (outcome == ABANDONED) & ~np.isnan(answered),
        "answered_without_answer_time": (outcome == ANSWERED) & np.isnan(answered),
        "answered_without_end": ((outcome == ANSWERED) & np.isnan(ended)
                                 if "ended" in times else np.zeros(n, bool)),
        "abandoned_without_leaving_time": (
            (outcome == ABANDONED) & ~np.isnan(queued) & np.isnan(left) & np.isnan(ended)
            if "left_queue" in times or "ended" in times else np.zeros(n, bool)),
    }
    assert set(checks) == set(CONTRADICTIONS)
    bad = np.zeros(n, dtype=bool)
    line_array = np.asarray(lines, dtype=np.int64)
    for flags in checks.values():
        bad |= flags
    contradictions = {kind: int(flags.sum()) for kind, flags in checks.items()}
    examples = {kind: tuple(line_array[flags][:5].tolist()) for kind, flags in checks.items()}

    # caller types (split by credited priority), departments, agents
    credits = {str(k): parse_duration(v) for k, v in (credit if credit is not None else
                                                       preset.priority_credit if preset
                                                       else {}).items()}
    types = cells.get("caller_type", ["callers"] * n)
    priority = cells.get("priority", [""] * n)
    names = [f"{t} (priority {p})" if p in credits else t
             for t, p in zip(types, priority, strict=True)]
    departments = cells.get("department", ["agents"] * n)
    agents = cells.get("agent", [""] * n)

    # days and hours
    if days is None and preset is not None:
        days = preset.days
    if row_dates[0] is None:
        unique_days: list[dt.date | None] = [None] * (int(day_number.max()) + 1 if n else 1)
        day_of_row = day_number
    else:
        unique = sorted({d for d in row_dates if d is not None})
        position = {d: i for i, d in enumerate(unique)}
        unique_days = list(unique)
        day_of_row = np.array([position[d] for d in row_dates], dtype=np.int64)  # type: ignore[index]
    chosen_day: np.ndarray = np.array(select_days(days, unique_days))  # type: ignore[arg-type]
    on_day: np.ndarray = chosen_day[day_of_row] if n else np.zeros(0, dtype=bool)
    entered = np.where(np.isnan(queued), answered, queued)
    moment = np.where(np.isnan(entered), arrival, entered)
    open_s, close_s, interval_s = _hours(preset, open_, close, interval,
                                         moment[on_day & ~bad], outcome[on_day & ~bad])
    in_hours = (moment >= open_s) & (moment < close_s)
    keep_mask = ~bad & on_day & in_hours
    if not keep_mask.any():
        raise CallLogError("no call left to fit: the chosen days and opening hours hold no "
                           "call (check days=, open=, close= and the contradictions: "
                           f"{ {k: v for k, v in contradictions.items() if v} })")
    kept_days = sorted(set(day_of_row[keep_mask].tolist()))
    renumber = {old: new for new, old in enumerate(kept_days)}
    selection = Selection(
        rows=rows, left_out=left_out, contradictions=contradictions,
        contradicting_rows=int(bad.sum()), examples=examples,
        outside_days=int((~bad & ~on_day).sum()),
        outside_hours=int((~bad & on_day & ~in_hours).sum()),
        kept=int(keep_mask.sum()), after_midnight=after_midnight)

    def codes(values: list[str], unknown: str | None = None) -> tuple[np.ndarray, tuple[str, ...]]:
        picked = [values[i] for i in np.flatnonzero(keep_mask)]
        labels = tuple(sorted({v for v in picked if v != unknown}))
        position = {label: i for i, label in enumerate(labels)}
        return np.array([position.get(v, -1) for v in picked], dtype=np.int64), labels

    caller, caller_types = codes(names)
    department, department_names = codes(departments)
    agent, agent_names = codes(agents, unknown="")
    type_credit = tuple(next((c for p, c in credits.items() if name.endswith(f"(priority {p})")),
                             0.0) for name in caller_types)
    return CallLog(
        dates=tuple(unique_days[d] for d in kept_days),
        day=np.array([renumber[d] for d in day_of_row[keep_mask].tolist()], dtype=np.int64),
        arrival=arrival[keep_mask], queued=queued[keep_mask], left_queue=left[keep_mask],
        answered=answered[keep_mask], ended=ended[keep_mask], outcome=outcome[keep_mask],
        caller=caller, caller_types=caller_types, credit=type_credit,
        department=department, departments=department_names, agent=agent, agents=agent_names,
        line=line_array[keep_mask], columns=frozenset(mapping), open_s=open_s,
        close_s=close_s, interval_s=interval_s, selection=selection)


def _hours(preset: Preset | None, open_: str | None, close: str | None,
           interval: str | float | None, moment: np.ndarray,
           outcome: np.ndarray) -> tuple[float, float, float]:
    """Opening, closing and interval length in seconds, checked."""
    try:
        length = parse_duration(interval if interval is not None else
                                preset.interval if preset else "30min")
        open_text = open_ if open_ is not None else preset.open if preset else None
        close_text = close if close is not None else preset.close if preset else None
        start = parse_clock(open_text) if open_text is not None else None
        end = (DAY if close_text in ("24:00", "24:00:00") else
               parse_clock(close_text) if close_text is not None else None)
    except ValueError as exc:
        raise CallLogError(f"opening hours: {exc}") from None
    if length <= 0:
        raise CallLogError(f"interval={interval!r}: must be longer than 0")
    finite = moment[~np.isnan(moment) & (outcome != OTHER)]
    if start is None:
        start = float(np.floor(finite.min() / length) * length) if finite.size else 0.0
    if end is None:
        end = float(np.floor(finite.max() / length) * length + length) if finite.size else DAY
    if end <= start:
        raise CallLogError(f"close ({end / 3600:g} h) must come after open ({start / 3600:g} h)")
    count = (end - start) / length
    if abs(count - round(count)) > 1e-9:
        raise CallLogError(f"the opening hours ({(end - start) / 3600:g} h) are not a whole "
                           f"number of intervals of {length:g} s")
    return start, end, length
