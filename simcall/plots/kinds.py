"""Each figure by its ``simcall plot --kind`` name, for the command line and the report.

A module of its own (not the wing's ``__init__``) so that the catalogue is one concept
with one home, and the wing's ``__init__`` only re-exports.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from simcall.plots.answer_times import rings, waiting
from simcall.plots.backtesting import backtest
from simcall.plots.day import through_the_day
from simcall.plots.marginals import marginal_net
from simcall.plots.money import cost_per_interval
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
    "money": cost_per_interval,
    "day": through_the_day,
    "waiting": waiting,
    "rings": rings,
    "transfer-matrix": transfer_matrix,
    "transfers": transfers_per_caller,
    "compare": comparison,
    "sweep": sweep,
    "backtest": backtest,  # a fit's back-test, from its JSON (read_backtest)
    "marginal": marginal_net,  # a marginal analysis, from its JSON (read_marginal)
}
"""Plot kinds by their command-line name. ``interval``, ``compare`` and ``sweep`` take
``kpi=``; the other kinds take the result only (and ``ax=``). ``backtest`` takes a
back-test (:func:`simcall.plots.backtesting.read_backtest`) and returns its four panels;
``marginal`` a marginal analysis (:func:`simcall.plots.marginals.read_marginal`) and returns
one panel per agent group."""
