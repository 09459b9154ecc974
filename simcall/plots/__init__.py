"""The plots wing: figures of simcall results, honest pictures for planners and trainers.

Every function takes a result and an optional matplotlib ``Axes`` (``ax=``;
a new figure when ``None``), draws on it and returns it; none calls
``show()``. Simulated values come with their 95% confidence band where there
are replications, targets as dashed lines, Erlang closed forms where one
applies, all in the colours of :mod:`simcall.plots.style` (shared with the
report). matplotlib is imported only when a figure is drawn: ``import simcall``
(and ``import simcall.plots``) stays light.

==================  ================================================================
module              holds
==================  ================================================================
``per_interval``    :func:`interval_kpi`: a KPI per interval with its band, the
                    target and the Erlang value
``workload``        :func:`staffing`: calls offered, agents on duty and required;
                    :func:`requirement`: a staffing plan's requirement against
                    the agents its roster puts on duty
``day``             :func:`through_the_day`: the queue and busy agents minute by
                    minute; the records and bands other figures share
``answer_times``    :func:`waiting` (share not yet answered after t seconds) and
                    :func:`rings` (the ring calls were answered on)
``transfer_flows``  :func:`transfer_matrix` and :func:`transfers_per_caller`
``variants``        :func:`comparison` and :func:`sweep`: several variants on one
                    figure
``backtesting``     :func:`backtest`: a fitted scenario's back-test, the call log's
                    days beside the simulated ones in four panels; :func:`read_backtest`
                    reads one from a fit's JSON
``marginals``       :func:`marginal_net`: where the next hour of staff pays most, the
                    net change in the day's cost of one agent more and fewer per
                    interval; :func:`read_marginal` reads one from the JSON of
                    ``simcall marginal``
``money``           :func:`cost_per_interval`: wages and value lost to defection per
                    interval, stacked, with the total's 95% interval
``facts``           what a figure needs from a result, run here or read from
                    ``simcall run --json``: :class:`ResultDocument`,
                    :func:`from_json`, :func:`read_result`
``theory``          the Erlang line: each interval's closed-form value, or why there
                    is none (scipy on first use)
``style``           colours, axes, bands and target lines every figure (and the
                    report) shares
``kinds``           :data:`KINDS`: each figure by its ``simcall plot --kind`` name
==================  ================================================================

Imports: staffing, fit (a type only), experiments, results, model, scenario, erlang (on
first use), :mod:`simcall.errors`; matplotlib on first use.
"""

from __future__ import annotations

from simcall.plots.answer_times import rings, waiting
from simcall.plots.backtesting import backtest, read_backtest
from simcall.plots.day import through_the_day
from simcall.plots.facts import ResultDocument, from_json, read_result
from simcall.plots.kinds import KINDS
from simcall.plots.marginals import marginal_net, read_marginal
from simcall.plots.money import cost_per_interval
from simcall.plots.per_interval import interval_kpi
from simcall.plots.transfer_flows import transfer_matrix, transfers_per_caller
from simcall.plots.variants import comparison, sweep
from simcall.plots.workload import requirement, staffing

__all__ = [
    "KINDS", "ResultDocument", "backtest", "comparison", "cost_per_interval", "from_json",
    "interval_kpi",
    "marginal_net", "read_backtest", "read_marginal", "read_result", "requirement", "rings",
    "staffing", "sweep", "through_the_day", "transfer_matrix", "transfers_per_caller",
    "waiting",
]
