"""The model wing: the discrete-event engine of one replication, on SimPy.

:func:`run_replication` wires one replication together (random streams, demand,
queues, the agent pool, the per-call draws, the call flow and the duty roster), runs
it until the centre has drained, and returns its :class:`Records`. Nothing here
computes a KPI: that is the results wing's job.

=================  =================================================================
module             holds
=================  =================================================================
``replication``    :func:`run_replication`: one replication, wired and run; its
                   optional event log (:data:`Trace`)
``clock``          SimPy's environment with the pre-drawn arrivals merged into its
                   event order: no event per arrival
``calls``          the call flow: a call's life as a chain of SimPy events
``express``        the express lane: the call flow of a centre without menus, lines,
                   rings, callbacks, voicemail or warm transfers, with lazy
                   abandonment; the same records
``notes``          what the express lane notes per call, kept as the run's records
                   (``LaneRecords``): visits and busy spells derived when asked for
``later_visits``   cold transfers in the express lane: a call's visits after its first
``lane_redials``   redials in the express lane: hang-ups that may call again, and the
                   redials that arrive
``transfers``      where a call goes after talk: transfer rows and the limit
``redials``        callers who call again: redial attempts and whose they are
``readiness``      agents on duty but not ready (after a ring-no-answer, after each
                   call with ``not_ready``), and when they are ready again
``agents``         the agent pool: who is idle, which agent takes which call
``queues``         a department's queue (priority, then arrival)
``parties``        the call and the agent: the state the flow moves around
``demand``         every call of a run, drawn before the run and fed in arrival
                   order (:class:`ArrivalRow`); scripted calls (:class:`Arrival`)
``draws``          every random attribute of a call, and the stream it comes from
``roster``         the duty roster: the staffing plan in time
                   (:func:`scheduled_periods`), carried out during the run
``streams``        one random generator per stochastic input and replication
                   (:class:`Streams`, :class:`Owner`)
``records``        append-only records packed into numpy columns (:class:`Records`,
                   :class:`CallTable`, :class:`Periods`, :class:`Outcome`); the calls in
                   blocks (``CallBlock``), what the metrics read (``RunRecords``)
=================  =================================================================

Imports: the scenario wing and the shared base; never results or anything above.
"""

from __future__ import annotations

from simcall.model.demand import Arrival, ArrivalRow
from simcall.model.records import CallTable, Outcome, Periods, Records
from simcall.model.replication import Trace, run_replication
from simcall.model.roster import scheduled_periods
from simcall.model.streams import Owner, Streams

__all__ = [
    "Arrival", "ArrivalRow", "CallTable", "Outcome", "Owner", "Periods", "Records", "Streams",
    "Trace", "run_replication", "scheduled_periods",
]
