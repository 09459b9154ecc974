"""The experiments wing: every way of running scenarios, above the model.

=================  =================================================================
module             holds
=================  =================================================================
``runner``         :func:`simulate` (one replication), :func:`replicate` (several,
                   with confidence intervals), :func:`simulate_many` (a flat list
                   of :class:`Job` on any executor)
``executors``      in process, local worker processes, or Dask
                   (:func:`executor_for`; :class:`TlsFiles`, the certificates
                   for a ``tls://`` scheduler)
``comparison``     variants on common random numbers, paired differences
                   (:func:`compare`, :class:`Comparison`, :class:`Difference`)
``sweeps``         every combination of values, replicated, as one tidy table
                   (:func:`sweep`, :class:`SweepResult`)
``sweep_store``    the sweep's CSV journal, written as runs finish, resumable
``workload``       the calls and memory a run will take, estimated before it starts
                   (:func:`check_workload`)
``validation``     reference centres whose exact answer is known, for the tests and
                   ``docs/validation.md`` (needs scipy, so not imported here)
=================  =================================================================

A result depends only on (scenario, seed, replication index): the executor changes
how long a run takes, never its numbers.

Imports: results, model, scenario, the shared base (and erlang, in ``validation``).
"""

from __future__ import annotations

from simcall.experiments.comparison import Comparison, Difference, compare
from simcall.experiments.executors import TlsFiles, executor_for
from simcall.experiments.runner import Job, replicate, simulate, simulate_many
from simcall.experiments.sweeps import SweepResult, sweep
from simcall.experiments.workload import check_workload

__all__ = [
    "Comparison", "Difference", "Job", "SweepResult", "TlsFiles", "check_workload", "compare",
    "executor_for", "replicate", "simulate", "simulate_many", "sweep",
]
