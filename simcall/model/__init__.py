"""The model wing: the discrete-event engine of one replication, on SimPy.

:func:`run_replication` wires one replication together (demand, random streams,
queues, agents, the duty roster and the call flow), runs it until the centre has
drained, and returns its :class:`Records`. Nothing here computes a KPI.

=================  =================================================================
module             holds
=================  =================================================================
``replication``    :func:`run_replication`: one replication, wired and run
``calls``          the call flow: a call's life as a chain of SimPy events
``transfers``      where a call goes after talk: transfer rows and the limit
``agents``         the agent pool: who is idle, which agent takes which call
``queues``         a department's queue (priority, then arrival)
``parties``        the call and the agent: the state the flow moves around
``demand``         every call of a run, drawn before the run, in arrival order
``draws``          every random attribute of a call, and its stream
``roster``         the duty roster: the staffing plan in time, carried out
``streams``        one random generator per stochastic input and replication
``records``        append-only call records, packed into numpy columns
=================  =================================================================

Imports: the scenario wing and :mod:`simcall.errors`; never results, experiments
or anything above.
"""

from __future__ import annotations

from simcall.model.demand import Arrival, ArrivalRow
from simcall.model.records import CallTable, Outcome, Periods, Records
from simcall.model.replication import Trace, run_replication

__all__ = [
    "Arrival", "ArrivalRow", "CallTable", "Outcome", "Periods", "Records", "Trace",
    "run_replication",
]
