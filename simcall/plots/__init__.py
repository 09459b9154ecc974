"""Figures of simcall results: honest pictures for planners and trainers.

Every function takes a result and an optional matplotlib ``Axes`` (``ax=``;
a new figure when ``None``), draws on it and returns it; none calls
``show()``. Simulated values come with their 95% confidence band where there
are replications, targets as dashed lines, Erlang closed forms where one
applies, all in the colours of :mod:`simcall.plots.style` (shared with the
report). matplotlib is imported here only: ``import simcall`` stays light.

``KINDS`` names each plot for ``simcall plot --kind``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from simcall.plots.answer_times import rings, waiting
from simcall.plots.day import through_the_day
from simcall.plots.facts import ResultDocument, from_json, read_result
from simcall.plots.per_interval import interval_kpi
from simcall.plots.transfer_flows import transfer_matrix, transfers_per_caller
from simcall.plots.variants import comparison, sweep
from simcall.plots.workload import staffing

KINDS: dict[str, Callable[..., Any]] = {
    "service-level": partial(interval_kpi, kpi="service_level"),
    "asa": partial(interval_kpi, kpi="asa_s"),
    "abandonment": partial(interval_kpi, kpi="abandon_rate"),
    "interval": interval_kpi,  # any per-interval KPI: interval_kpi(summary, kpi)
    "staffing": staffing,
    "day": through_the_day,
    "waiting": waiting,
    "rings": rings,
    "transfer-matrix": transfer_matrix,
    "transfers": transfers_per_caller,
    "compare": comparison,
    "sweep": sweep,
}
"""Plot kinds by their command-line name. ``interval``, ``compare`` and ``sweep`` take
``kpi=``; the other kinds take the result only (and ``ax=``)."""

__all__ = [
    "KINDS", "ResultDocument", "comparison", "from_json", "interval_kpi", "read_result",
    "rings", "staffing", "sweep", "through_the_day", "transfer_matrix",
    "transfers_per_caller", "waiting",
]
