"""Shared test helpers: small scenarios built from dictionaries, and reference formulas."""

from __future__ import annotations

import copy
import math
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import simcall

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"

BASE: dict[str, Any] = {
    "name": "tiny",
    "interval": "1h",
    "intervals": 1,
    "ring": "6s",
    "callers": [{"name": "customers", "arrivals_per_hour": 60, "enters": "support"}],
    "departments": [{"name": "support", "talk": {"dist": "deterministic", "value": 100}}],
    "agents": [{"name": "team", "skills": ["support"], "staff": 1}],
}


ERLANG_RATES, ERLANG_STAFF = [60.0, 150.0, 90.0], [3, 6, 4]
ERLANG_CENTRE: dict[str, Any] = {
    "name": "centre", "interval": "15min", "intervals": 3, "open": "09:00",
    "targets": {"service_level": {"within": "15s", "fraction": 0.8}},
    "callers": [{"name": "customers", "arrivals_per_hour": ERLANG_RATES, "enters": "support",
                 "patience": {"dist": "exponential", "mean": 90}}],
    "departments": [{"name": "support", "talk": {"dist": "exponential", "mean": 120}}],
    "agents": [{"name": "team", "skills": ["support"], "staff": ERLANG_STAFF}],
}
"""One department, exponential talk and patience, a head count per quarter-hour: Erlang A
in every interval (the Erlang-figure tests change one key at a time from here)."""


def scenario_from(**changes: Any) -> simcall.Scenario:
    """The tiny base scenario with top-level keys replaced."""
    data = copy.deepcopy(BASE)
    data.update(changes)
    return simcall.from_dict(data)


def erlang_c_textbook(n: int, a: float) -> float:
    """Erlang C from the textbook factorial formula.

    Independent of the recursion in :mod:`simcall.erlang`, so it can check it
    (small pools only: ``a**n`` and ``n!`` overflow beyond a few hundred agents).
    """
    top = a**n / math.factorial(n) * n / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


def run_json_without_provenance(folder: Path, name: str, *options: str) -> dict[str, Any]:
    """``simcall run`` with ``options``, its ``--json`` document less the provenance block
    (which records the time and command): what must match between executors."""
    import json

    from typer.testing import CliRunner

    from simcall.cli import app

    path = folder / f"{name}.json"
    result = CliRunner().invoke(app, ["run", *options, "--json", str(path)])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(path.read_text())
    document.pop("provenance")
    return document


def pollaczek_khinchine_wait(rate_per_hour: float, mean_s: float, second_moment_s2: float) -> float:
    """Mean wait in queue of M/G/1 (Pollaczek-Khinchine): ``lambda E[S^2] / (2 (1 - rho))``.

    Written out here, independent of :mod:`simcall.erlang`, as the tests' yardstick for
    one agent whose service time is not exponential.
    """
    rate = rate_per_hour / 3600.0
    rho = rate * mean_s
    assert rho < 1.0, "an overloaded queue has no steady state"
    return rate * second_moment_s2 / (2.0 * (1.0 - rho))


class _Hang(Exception):
    pass


def _alarm(_signum: int, _frame: object) -> None:
    raise _Hang


def simulate_or_fail(scenario: simcall.Scenario, said: str, seconds: int) -> None:
    """Simulate one replication; a traceback or a run past ``seconds`` fails the test,
    naming ``said`` (what was done to the scenario). For the fuzz and range tests, where
    any exception after validation is the finding."""
    import signal

    import pytest

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        simcall.simulate(scenario, seed=1, keep_records=False)
    except _Hang:
        pytest.fail(f"{said} ran longer than {seconds} s")
    except Exception as exc:  # any other exception is the finding
        pytest.fail(f"{said} validated, then {type(exc).__name__}: {exc}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def same_records(a: Any, b: Any, where: str = "records") -> None:
    """Field by field equality of two (nested) record dataclasses, dtypes included, nan
    equal to nan."""
    import dataclasses

    import numpy as np

    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if dataclasses.is_dataclass(x):
            same_records(x, y, f"{where}.{f.name}")
        elif isinstance(x, np.ndarray):
            assert x.dtype == y.dtype, f"{where}.{f.name}"
            np.testing.assert_array_equal(x, y, err_msg=f"{where}.{f.name}")
        else:
            assert x == y, f"{where}.{f.name}"


class Page(HTMLParser):
    """What the tests look at: section ids, images, links, scripts, classes of cells and cards."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.images: list[str] = []
        self.links: list[str] = []
        self.scripts = 0
        self.cards: list[str] = []
        self.rows: list[list[tuple[str, str]]] = []  # per table row: (tag class, text)
        self._row: list[tuple[str, str]] | None = None
        self._cell: tuple[str, list[str]] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "section":
            self.sections.append(found.get("id", ""))
        elif tag == "img":
            self.images.append(found.get("src", ""))
        elif tag in ("a", "link"):
            self.links.append(found.get("href", ""))
        elif tag == "script":
            self.scripts += 1
        elif tag == "div" and "card" in found.get("class", "").split():
            self.cards.append(found["class"])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = (found.get("class", ""), [])

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append((self._cell[0], "".join(self._cell[1]).strip()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
