"""The model wing: the discrete-event engine of one replication, on SimPy.

:func:`run_replication` wires one replication together (demand, random streams,
queues, agents, the duty roster and the call flow), runs it until the centre has
drained, and returns its :class:`Records`. Nothing here computes a KPI.

=================  =================================================================
module             holds
=================  =================================================================
``replication``    :func:`run_replication`: one replication, wired and run
``calls``          the call flow: a call's life as a chain of SimPy events
``agents``         agents and the pool that routes calls to them
``queues``         a department's queue (priority, then arrival)
``demand``         every call of a run and its attributes, drawn before the run
``roster``         agents coming on duty and going off, by head count or shift
``streams``        one random generator per stochastic input and replication
``records``        append-only call records, packed into numpy columns
=================  =================================================================

Imports: the scenario wing and :mod:`simcall.errors`; never results, experiments
or anything above.
"""

from __future__ import annotations

from simcall.model.demand import Arrival
from simcall.model.records import CallTable, Outcome, Periods, Records
from simcall.model.replication import Trace, run_replication

__all__ = ["Arrival", "CallTable", "Outcome", "Periods", "Records", "Trace", "run_replication"]
