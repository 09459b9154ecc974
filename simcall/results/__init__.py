"""The results wing: what a replication's records mean, and how sure we are of it.

Pure functions and frozen objects over the model's records: KPIs with SPEC.md's
definitions, confidence intervals, targets met or missed, provenance, the files a
result is saved as, and the stories a trace tells. Nothing here runs a simulation.

================  ==================================================================
module            holds
================  ==================================================================
``metrics``       KPIs from call records (overall, per interval, department,
                  caller type): :func:`run_metrics` into :class:`RunMetrics`, over
                  the counted :class:`Window`; the KPI names (:data:`KPI_NAMES`,
                  :data:`SHARE_KPIS`, :data:`RATE_KPIS`, :data:`COUNT_KPIS`); the
                  conservation check (:func:`check_conservation`,
                  :class:`ConservationError`)
``call_facts``    what the call KPIs read about each call (``CallFacts``), and
                  those KPIs of every interval or day at once, from per-group sums
                  and counts in one pass of ``np.bincount`` (``group_sums``,
                  ``kpis_of_sums``)
``money``         money KPIs (:data:`MONEY_KPIS`): wages of scheduled hours, and the
                  expected defections and lost value of each caller's bad
                  experiences (:class:`Prices`, the scenario's money keys)
``revisits``      ping-pong: which queue visits re-enter a department the call had
                  left (:func:`find_revisits`), and every such call hop by hop
                  (:class:`RevisitChain`, :class:`Hop`), for ``revisit_rate``
``agent_time``    agent-seconds of ``[start, end)`` periods within windows, for
                  occupancy, head counts and wages (:func:`in_windows`)
``summary``       :class:`RunResult` (one replication) and :class:`Summary`
                  (several, with confidence intervals): ``.kpis``, ``.to_json()``
``display``       how results show themselves: short reprs and Jupyter's KPI
                  tables (``_repr_html_``), every name HTML-escaped
``stats``         Student t confidence intervals: :class:`Estimate`,
                  :class:`ConfidenceInterval`, :func:`t_interval`
``targets``       each goal of ``[targets]`` (:class:`Goal`, :func:`goals`), judged
                  overall and per interval (:func:`judge`, :class:`TargetResult`)
``provenance``    what made a saved result: :func:`provenance_block` (version,
                  seed, command, scenario hash), :func:`scenario_hash`,
                  :func:`scenario_data`, :func:`api_call`
``traffic``       what each department must handle per interval: calls per hour,
                  handle time, patience, agents present (``department_traffic``,
                  ``caller_flows``, ``present_agents``, ``staff_of``), shared by
                  the Erlang figures and the staffing plans
``erlang_intervals``  Erlang beside every interval: each department's closed-form
                  figures, exact, approximate or none, with the reason
                  (``erlang_intervals``, ``ErlangFigures``; ``Summary.erlang``)
``export``        per-call records as CSV or Parquet (``write_records``)
``csv_cells``     the one rule for CSV text cells a spreadsheet would run as
                  formulas (``spreadsheet_safe``: an apostrophe in front)
``output_dir``    ``--out DIR``: a result folder that says how to make it again
``stories``       call stories from one replication's trace, in clock time
``timeline``      the trace's timeline per bucket, and ``trace_report``: the
                  stories and the timeline of a window
================  ==================================================================

``display`` serves the result objects' ``__repr__`` and ``_repr_html_`` (imported
when one is shown). The last seven are imported from their modules when needed, not here:
the traffic and the Erlang figures serve ``Summary.erlang``, the staffing plans and the
plots' Erlang line; the others the commands (``--records``, sweep tables, ``--out``,
``simcall trace``). ``import simcall`` loads this ``__init__`` and stays light.

Imports: the model, scenario and erlang wings (erlang on first use, it loads scipy) and the
shared base (:mod:`simcall.errors`,
:mod:`simcall.files`, :mod:`simcall.version`).
"""

from __future__ import annotations

from simcall.results.agent_time import in_windows
from simcall.results.metrics import (
    COUNT_KPIS,
    KPI_NAMES,
    RATE_KPIS,
    SHARE_KPIS,
    ConservationError,
    RunMetrics,
    Window,
    check_conservation,
    run_metrics,
)
from simcall.results.money import MONEY_KPIS, Prices
from simcall.results.provenance import api_call, provenance_block, scenario_data, scenario_hash
from simcall.results.revisits import Hop, RevisitChain, find_revisits
from simcall.results.stats import ConfidenceInterval, Estimate, t_interval
from simcall.results.summary import RunResult, Summary
from simcall.results.targets import Goal, TargetResult, goals, judge

__all__ = [
    "COUNT_KPIS", "KPI_NAMES", "MONEY_KPIS", "RATE_KPIS", "SHARE_KPIS", "ConfidenceInterval",
    "ConservationError", "Estimate", "Goal", "Hop", "Prices", "RevisitChain", "RunMetrics",
    "RunResult", "Summary", "TargetResult", "Window", "api_call", "check_conservation",
    "find_revisits", "goals", "in_windows", "judge", "provenance_block", "run_metrics",
    "scenario_data", "scenario_hash", "t_interval",
]
