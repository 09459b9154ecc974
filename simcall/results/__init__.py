"""The results wing: what a replication's records mean, and how sure we are of it.

Pure functions and frozen objects over the model's records: KPIs with SPEC.md's
definitions, confidence intervals, targets met or missed, provenance, and the files
a result is saved as. Nothing here runs a simulation.

================  ==================================================================
module            holds
================  ==================================================================
``metrics``       KPIs from call records (overall, per interval, department,
                  caller type), the conservation check
``summary``       :class:`RunResult` (one replication) and :class:`Summary`
                  (several, with confidence intervals): ``.kpis``, ``.to_json()``
``stats``         Student t confidence intervals: :class:`Estimate`
``targets``       each goal of ``[targets]``, judged overall and per interval
``provenance``    version, seed, scenario hash and command of a saved result
``export``        per-call records as CSV or Parquet
``output_dir``    ``--out DIR``: a result folder that says how to make it again
``stories``       call stories from one replication's trace, in clock time
``timeline``      the trace's timeline per bucket, and :class:`TraceReport`
================  ==================================================================

Imports: the model and scenario wings, :mod:`simcall.errors` and
:mod:`simcall.files`.
"""

from __future__ import annotations

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
from simcall.results.provenance import api_call, provenance, scenario_data, scenario_hash
from simcall.results.stats import ConfidenceInterval, Estimate, t_interval
from simcall.results.summary import RunResult, Summary
from simcall.results.targets import Goal, TargetResult, goals, judge

__all__ = [
    "COUNT_KPIS", "KPI_NAMES", "RATE_KPIS", "SHARE_KPIS", "ConfidenceInterval",
    "ConservationError", "Estimate", "Goal", "RunMetrics", "RunResult", "Summary",
    "TargetResult", "Window", "api_call", "check_conservation", "goals", "judge",
    "provenance", "run_metrics", "scenario_data", "scenario_hash", "t_interval",
]
