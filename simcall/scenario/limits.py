"""The range of every numeric scenario key: where sampling and arithmetic stay finite.

Why a module of its own: a scenario that validates must run (issue 12), so every number a
planner writes has a lower and an upper bound, chosen far outside any real call centre and
inside what the engine's floats, clocks and memory can hold. The bounds are declared on the
fields (pydantic ``Field(ge=..., le=...)``), so that the schema itself shows them and
``tests/scenario/test_ranges.py`` can check that no numeric key lacks one and run
scenarios at every edge. ``docs/scenario-reference.md`` lists them for planners.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BeforeValidator

from simcall.scenario.durations import MAX_DURATION_S

MAX_STAFF = 100_000  # agents in one group: beyond any real centre, and bounded memory
MAX_VALUE = 1e9  # money at stake per caller: far beyond any account, and sums stay finite
MAX_PRIORITY = 1_000_000  # priority levels and boosts: any real ranking fits
MAX_REPEATS = 1_000  # redial attempts, transfers in a policy or a target
MAX_BOUNCE = 0.999
"""The largest redial or ring-no-answer probability: at 0.999 a caller tries 1,000 times on
average (or a call rings 1,000 agents before one answers); nearer 1 a run would not end."""
MAX_TALK_FACTOR = 100.0  # an agent a hundred times slower (or faster, at 0.01) than usual
MAX_VISITS = 1_000.0
"""The most department queues a call may visit on average (transfer rows that nearly loop):
beyond it a run would spend its time passing one call around."""
MAX_RATE = 1_000_000.0  # calls per hour for one caller type
MAX_INTERVALS = 100_000
MAX_HORIZON_S = MAX_DURATION_S
"""The longest horizon (``interval`` x ``intervals``) and interval: 10,000 hours, beyond the
400-hour steady-state validation runs and a year of days, and far inside what clock labels,
times and per-second arrays can hold (``interval = 1e308`` used to crash ``validate``)."""
MIN_RING_S, MAX_RING_S = 1.0, 3600.0
"""A ring cycle from a second to an hour: answer times are counted in rings, and a ring of
5e-324 s made the ring counts overflow."""


def per_interval(integer: bool) -> BeforeValidator:
    """Accept one number or a list with one number per interval; store a tuple."""
    kind = "a whole number" if integer else "a number"
    limit = MAX_STAFF if integer else MAX_RATE

    def check(value: object) -> tuple[float, ...] | tuple[int, ...]:
        items = list(value) if isinstance(value, list | tuple) else [value]
        if not items:
            raise ValueError(f"expected {kind} or a list of one per interval, got an empty list")
        out: list[Any] = []
        for position, item in enumerate(items):
            where = f"item {position + 1}: " if len(items) > 1 else ""
            if isinstance(item, bool) or not isinstance(item, int | float):
                raise ValueError(
                    f"{where}expected {kind} or a list of one per interval, got {item!r}"
                )
            if not math.isfinite(item) or item < 0:
                raise ValueError(f"{where}must be finite and >= 0, got {item!r}")
            if item > limit:
                raise ValueError(f"{where}must be at most {limit:,g}, got {item!r}")
            if integer:
                if float(item) != int(item):
                    raise ValueError(f"{where}must be a whole number of agents, got {item!r}")
                item = int(item)
            out.append(float(item) if not integer else item)
        return tuple(out)

    return BeforeValidator(check)


