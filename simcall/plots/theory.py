"""The Erlang line: each interval's closed-form value, where a closed form applies.

Why it reads :mod:`simcall.results.erlang_intervals`: the JSON document, ``run --details``,
the report's interval table and this line must agree on which model fits, whether it is
exact and why not, so that decision is made once, there. The line is drawn for a scenario
with one department (the interval KPIs count each call by its first queue, so with several
departments they are not any one department's queue; the per-department Erlang figures are
in the report's interval table instead) where the department has figures; its legend says
"approximate" where the formula's assumptions do not all hold, and "no Erlang line: why"
where there are none. Intervals without a figure (no calls, no agents, overloaded Erlang C)
get no point.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from simcall.results.erlang_intervals import ERLANG_FIGURES, ErlangFigures, erlang_intervals
from simcall.scenario.schema import Scenario

Rows = Sequence[Mapping[str, ErlangFigures]]
"""Per interval, each department's Erlang figures (``Summary.erlang``)."""


def why_not(scenario: Scenario, kpi: str, rows: Rows | None = None) -> str | None:
    """Why the scenario has no per-interval Erlang line for ``kpi`` (``None``: it has one).

    ``rows`` are the scenario's Erlang figures when already at hand (``Summary.erlang``).
    """
    if kpi not in ERLANG_FIGURES:
        return f"no closed form for {kpi}"
    if len(scenario.departments) != 1:
        return "several departments (see the Erlang columns per department)"
    column = _column(scenario, rows)
    if all(f.metrics is None for f in column):
        return "; ".join(dict.fromkeys(f.reason or "" for f in column))
    return None


def erlang_values(scenario: Scenario, kpi: str,
                  rows: Rows | None = None) -> tuple[np.ndarray, str]:
    """The closed form per interval (``nan`` where it has no figure), and the model's name
    ("Erlang A", or "Erlang A, approximate" where the assumptions do not all hold).

    Raises
    ------
    ValueError
        When :func:`why_not` finds no closed form for this scenario.
    """
    reason = why_not(scenario, kpi, rows)
    if reason is not None:
        raise ValueError(f"no Erlang line: {reason}")
    column = _column(scenario, rows)
    values = np.array([f.figures[kpi] for f in column], dtype=float)
    values[~np.isfinite(values)] = math.nan
    shown = [f for f in column if f.metrics is not None]
    model = " / ".join(dict.fromkeys(f.model or "" for f in shown))
    if any(f.status == "approximate" for f in shown):
        model += ", approximate"
    return values, model


def _column(scenario: Scenario, rows: Rows | None) -> list[ErlangFigures]:
    """The one department's figures, interval by interval."""
    name = scenario.departments[0].name
    return [row[name] for row in (rows if rows is not None else erlang_intervals(scenario))]
