"""The report wing: results put into words, tables and one HTML file.

=====================  =============================================================
module                 holds
=====================  =============================================================
``build``              :func:`build_report`: everything a report shows, gathered in
                       a :class:`Report`
``html``               the report as one self-contained HTML file
``html_parts``         tables and embedded figures every section of it uses
``html_erlang``        the Erlang columns of its interval table, and the note on
                       how far to trust them
``html_staffing``      its staffing section: the plan, its verification, the roster
                       and the requirement chart
``html_backtest``      its back-test section: a fit's scenario beside its call log
``html_money``         its money section: wages and value lost per interval, per
                       caller type and per agent group (when the scenario prices any)
``html_marginal``      its marginal section: where the next agent pays most, from
                       ``simcall marginal --json``
``ping_pong``          every call sent back to a department it had left, hop by
                       hop: lines for the trace, a collapsible report section
``describe``           the scenario in words, for a manager
``terminal``           KPI and target tables for the terminal (``simcall run``)
``kpi_rows``           which KPI rows that table shows: the feature each KPI needs
``terminal_erlang``    ``run --details``: each department's Erlang figures per
                       interval, beside the simulated means (one department)
``terminal_compare``   a comparison on the terminal, with paired differences
``terminal_trace``     call stories and the timeline on the terminal
``terminal_fit``       ``simcall fit`` on the terminal: the log's account and the
                       back-test, hour by hour
``terminal_marginal``  ``simcall marginal`` on the terminal: one agent more and
                       fewer per interval, and where the next agent pays most
``terminal_cost``      ``simcall staff --objective cost`` on the terminal: the plan
                       of least cost, its neighbours, the verdict in words
=====================  =============================================================

Imports: plots (when a figure is drawn, and to read a back-test or a marginal analysis),
fit, staffing, experiments, results, scenario; the erlang wing for a type only.
"""

from __future__ import annotations

from simcall.report.build import Report, build_report

__all__ = ["Report", "build_report"]
