"""Reading scenario files: TOML in, a validated :class:`Scenario` or one clear error out.

Pydantic's error locations are turned into the key paths a planner sees in
the file (``departments[1].transfer.shiping``), with the line found in the
source text, a "did you mean" for misspellings, and the offending value.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from simcall.errors import Problem, ScenarioError, did_you_mean
from simcall.scenario import distributions as dist
from simcall.scenario.durations import parse_duration
from simcall.scenario.overrides import apply_overrides
from simcall.scenario.plausible import bare_seconds_problems, warn_bare_seconds
from simcall.scenario.references import reference_problems
from simcall.scenario.schema import (
    AgentGroup,
    CallbackOffer,
    CallerType,
    Defection,
    Department,
    Ivr,
    Redial,
    Rona,
    Scenario,
    ServiceLevelTarget,
    Targets,
    TransferTarget,
    VoicemailCallback,
)
from simcall.scenario.shifts import Break, Shift

_SECTIONS: dict[str, type[BaseModel]] = {
    "callers": CallerType,
    "departments": Department,
    "agents": AgentGroup,
    "targets": Targets,
    "ivr": Ivr,
    "rona": Rona,
    "redial": Redial,
    "callback": CallbackOffer,
    "defection": Defection,
    "voicemail_callback": VoicemailCallback,
    "service_level": ServiceLevelTarget,
    "transfers": TransferTarget,
    "shifts": Shift,
    "breaks": Break,
}
_DISTRIBUTIONS: dict[str, type[BaseModel]] = {
    "exponential": dist.Exponential, "deterministic": dist.Deterministic,
    "uniform": dist.Uniform, "lognormal": dist.LogNormal, "gamma": dist.Gamma,
    "erlang": dist.Erlang, "weibull": dist.Weibull, "empirical": dist.Empirical,
}
_DISTRIBUTION_FIELDS = {"talk", "wrap_up", "patience", "pickup", "time", "delay"}

# Keys of the scenario format (SPEC.md) that later releases implement: a file
# using them gets a plain "not implemented yet" rather than "unknown key".
_PLANNED: dict[type[BaseModel], set[str]] = {}


def load(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Read and validate a scenario file, optionally changed by ``KEY=VALUE`` overrides.

    Raises
    ------
    ScenarioError
        For a missing or unreadable file, bad TOML, or any invalid value; the
        error lists every problem with its key path and line.
    """
    path = Path(path)
    if path.is_dir():
        raise ScenarioError([Problem("", "is a directory, not a scenario file")], str(path))
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError([Problem("", "no such file")], str(path)) from None
    except OSError as exc:
        raise ScenarioError([Problem("", f"cannot read it: {exc.strerror or exc}")],
                            str(path)) from None
    return loads(_decode(raw, str(path)), source=str(path), base_dir=path.parent,
                 overrides=overrides)


def _decode(raw: bytes, source: str) -> str:
    """UTF-8 text (a byte-order mark is allowed), or an error a planner can act on."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        hint = ""
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            hint = " (it is UTF-16, what Notepad calls 'Unicode')"
        raise ScenarioError([Problem(
            "", f"is not a UTF-8 text file{hint} (byte 0x{raw[exc.start]:02x} on line {line}): "
                "a scenario must be TOML text saved as UTF-8")], source) from None


def loads(text: str, source: str = "<scenario>", base_dir: str | Path = ".",
          overrides: Sequence[str] = ()) -> Scenario:
    """Validate a scenario given as TOML text (see :func:`load`).

    A bare number too short for what it measures (``talk.mean = 4``: four seconds) is
    warned about with a :class:`~simcall.scenario.plausible.BareSecondsWarning` once the
    scenario is valid (:mod:`simcall.scenario.plausible`): only here, where the values are
    as the planner wrote them (a scenario dumped to a dictionary has lost its units).
    """
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _line_of_toml_error(str(exc))
        raise ScenarioError([Problem("", f"not valid TOML: {exc}", line)], source) from None
    except RecursionError:  # the parser recurses once per nested array or inline table
        raise ScenarioError([Problem("", "arrays or inline tables are nested too deeply to "
                                         "read (hundreds of levels); a scenario needs at "
                                         "most four")], source) from None
    file = source
    if overrides:
        data = apply_overrides(data, overrides)
        source = f"{source} with --set {' '.join(overrides)}"
    scenario = from_dict(data, source=source, text=text, base_dir=base_dir)
    doubtful = bare_seconds_problems(data)
    if doubtful:
        warn_bare_seconds([_located(p, text) for p in doubtful], source, file)
    return scenario


def from_dict(
    data: Mapping[str, Any],
    source: str = "<scenario>",
    text: str | None = None,
    base_dir: str | Path = ".",
) -> Scenario:
    """Validate a scenario given as a dictionary (as parsed from TOML)."""
    context = {"ring": _ring_of(data), "base_dir": str(base_dir)}
    try:
        return Scenario.model_validate(dict(data), context=context)
    except ValidationError as exc:
        # Field errors stop the cross-checks; name references are still checked on the raw
        # data, so a misspelt department shows up together with a bad value.
        problems = _problems(exc.errors()) + reference_problems(data)
    except ScenarioError as exc:
        problems = list(exc.problems)
    if text is not None:
        problems = [_located(p, text) for p in problems]
    raise ScenarioError(_unique(problems), source)


def _located(problem: Problem, text: str | None) -> Problem:
    """The problem with its line in ``text`` (when there is a text and the key is in it)."""
    return problem if text is None else Problem(problem.path, problem.message,
                                                problem.line or locate(text, problem.path))


def _ring_of(data: Mapping[str, Any]) -> float:
    """The ring cycle, needed before anything in rings can be read."""
    try:
        return parse_duration(data.get("ring", 6.0))
    except ValueError:
        return 6.0  # the 'ring' key's own error is reported by validation


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    out = []
    for problem in problems:
        if (problem.path, problem.message) not in seen:
            seen.add((problem.path, problem.message))
            out.append(problem)
    return out


def _path_parts(loc: tuple[int | str, ...]) -> list[int | str]:
    """Drop pydantic's union-member names so the path matches the file's keys."""
    parts: list[int | str] = []
    for position, part in enumerate(loc):
        is_tag = (
            isinstance(part, str) and part in _DISTRIBUTIONS
            and position > 0 and loc[position - 1] in _DISTRIBUTION_FIELDS
        )
        if not is_tag:
            parts.append(part)
    return parts


def format_path(parts: list[int | str]) -> str:
    """``["departments", 1, "talk"]`` -> ``departments[1].talk``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            key = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else f'"{part}"'
            out += f".{key}" if out else key
    return out


def _section_model(loc: tuple[int | str, ...]) -> type[BaseModel]:
    """The model whose keys are allowed at ``loc`` (for "did you mean")."""
    model: type[BaseModel] = Scenario
    for position, part in enumerate(loc):
        if isinstance(part, int):
            continue
        if part in _DISTRIBUTIONS and position > 0 and loc[position - 1] in _DISTRIBUTION_FIELDS:
            model = _DISTRIBUTIONS[part]
        elif part in _SECTIONS:
            model = _SECTIONS[part]
    return model


def _problem(error: Mapping[str, Any]) -> Problem:
    loc = tuple(error["loc"])
    parts = _path_parts(loc)
    path = format_path(parts)
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        section = _section_model(loc[:-1])
        if key in _PLANNED.get(section, set()):
            return Problem(path, f"'{key}' is part of the scenario format but is not "
                                 "implemented in this version of simcall yet")
        allowed = sorted(section.model_fields)
        return Problem(path, f"unknown key '{key}'{did_you_mean(key, allowed)}; "
                             f"allowed here: {', '.join(allowed)}")
    if kind == "missing":
        return Problem(path, "is required but missing")
    if kind == "union_tag_invalid":
        tag = error.get("ctx", {}).get("tag", value)
        return Problem(path, f"unknown distribution '{tag}'"
                             f"{did_you_mean(str(tag), dist.DISTRIBUTION_NAMES)}; "
                             f"allowed: {', '.join(dist.DISTRIBUTION_NAMES)}")
    if kind == "union_tag_not_found":
        return Problem(path, "needs a 'dist' key, one of: " + ", ".join(dist.DISTRIBUTION_NAMES))
    if kind in {"model_attributes_type", "model_type", "dict_type"}:
        return Problem(path, f"expected a table, got {_show(value)}")
    if kind == "tuple_type":
        return Problem(path, _list_expected(str(loc[-1]), value))
    if kind == "too_short" and isinstance(value, list | tuple):
        what = "department name" if loc[-1] == "skills" else "entry"
        return Problem(path, f"needs at least one {what}, got {_show(list(value))}")
    message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind != "value_error" and value is not None and not isinstance(value, dict | list):
        message = f"{message[0].lower()}{message[1:]}, got {_show(value)}"
    return Problem(path, message)


def _problems(errors: list[Any]) -> list[Problem]:
    """Translate pydantic's errors, dropping a list's "too short" when its items failed."""
    problems = [_problem(error) for error in errors]
    failed_items = {p.path.rsplit("[", 1)[0] for p in problems if "[" in p.path}
    return [
        p for p, e in zip(problems, errors, strict=True)
        if not (e["type"] == "too_short" and p.path in failed_items)
    ]


def _list_expected(key: str, value: Any) -> str:
    if key in ("callers", "departments", "agents"):
        got = f"a single table [{key}]" if isinstance(value, dict) else _show(value)
        return f"expected a list of tables, written [[{key}]] (double brackets), got {got}"
    if key == "skills":
        return f'expected a list of department names, e.g. ["support"], got {_show(value)}'
    return f"expected a list, got {_show(value)}"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _line_of_toml_error(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


_HEADER = re.compile(r"^\s*\[")


def locate(text: str, path: str) -> int | None:
    """Best-effort line number (1-based) of a key path in TOML source text.

    TOML parsers do not report positions, so this finds the table that holds
    the key (``[[departments]]`` number i, ``[targets]``, or the top level)
    and then the deepest key of the path inside it.
    """
    if not path:
        return None
    lines = text.splitlines()
    parts: list[int | str] = [
        int(p) if p.isdigit() else p.strip('"')
        for p in re.findall(r'"[^"]*"|[^.\[\]]+', path)
    ]
    start, end = 0, len(lines)
    keys = parts
    first = parts[0]
    array_header = re.compile(rf"^\s*\[\[\s*{re.escape(str(first))}\s*\]\]")
    table_header = re.compile(rf"^\s*\[\s*{re.escape(str(first))}\s*\]")
    if len(parts) > 1 and isinstance(parts[1], int):
        hits = [i for i, line in enumerate(lines) if array_header.match(line)]
        if parts[1] >= len(hits):
            return None
        start, keys = hits[parts[1]], parts[2:]
    else:
        hits = [i for i, line in enumerate(lines) if table_header.match(line)]
        if hits:
            start, keys = hits[0], parts[1:]
        else:
            end = next((i for i, line in enumerate(lines) if _HEADER.match(line)), len(lines))
    end = next((i for i in range(start + 1, end) if _HEADER.match(lines[i])), end)
    for key in reversed([k for k in keys if isinstance(k, str)]):
        pattern = re.compile(rf'(^|[{{,\s])"?{re.escape(key)}"?\s*=')
        for i in range(start, end):
            if pattern.search(lines[i].split("#", 1)[0]):
                return i + 1
    return start + 1 if start or keys is not parts else None
