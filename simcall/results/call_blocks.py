"""Blocks of calls: a run's call KPIs summed block by block, in memory that does not grow.

Why a module of its own: every call KPI is a count, a sum or a ratio of those (see
:mod:`simcall.results.call_facts`), so the KPIs of a run are the sums of its blocks of
calls, and the metrics need never hold more than one block's worth of per-call columns at
once. A 2,000-hour run (two million calls) once held some hundred bytes a call of masks,
keys and facts on top of its records while the metrics worked; block by block that is a
few megabytes, whatever the length of the run.

A block is the calls ``first .. first + size - 1`` (views of the call table), with all the
queue visits of those calls -- each call's in the order they ended, as the records hold
them -- and their ring-no-answers. Inside a block, call numbers are the block's own
(``0 .. size - 1``): every per-call function works on a block as it would on a whole run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields

import numpy as np

from simcall.model.records import CallTable, Records, VisitTable

BLOCK_CALLS = 1 << 16
"""Calls per block: large enough that numpy's fixed cost per call is nothing, small enough
that a block's working columns (about 200 bytes a call) stay near ten megabytes."""


@dataclass(frozen=True)
class CallBlock:
    """Calls ``first .. first + size - 1`` of a run, with their visits and ring-no-answers."""

    first: int  # the run's number of the block's first call
    calls: CallTable  # the block's rows of the call table
    visits: VisitTable  # every visit of those calls; ``call`` counts from the block's first
    rona_calls: np.ndarray  # the block's call (from its first) of each of its ring-no-answers

    @property
    def size(self) -> int:
        """Calls in the block."""
        return int(self.calls.arrival.size)


def call_blocks(records: Records, size: int = BLOCK_CALLS) -> Iterator[CallBlock]:
    """The run's calls in blocks of ``size`` (the last one shorter), in call order.

    Visits are found by call number: directly where the records hold them in call order
    (the express lane without transfers), else through one stable sort of their call
    numbers, which keeps each call's visits in the order they ended.
    """
    if size < 1:
        raise ValueError(f"a block holds at least one call, got {size}")
    calls, visits = records.calls, records.visits
    n = int(calls.arrival.size)
    in_order = bool(np.all(visits.call[1:] >= visits.call[:-1]))
    order = None if in_order else np.argsort(visits.call, kind="stable")
    visit_call = visits.call if order is None else visits.call[order]
    rona_order = np.argsort(records.rona.call, kind="stable")
    rona_call = records.rona.call[rona_order]
    for first in range(0, max(n, 1), size):
        last = min(first + size, n)
        lo, hi = np.searchsorted(visit_call, (first, last))
        rows: slice | np.ndarray = slice(lo, hi) if order is None else order[lo:hi]
        block_visits = {f.name: getattr(visits, f.name)[rows] for f in fields(VisitTable)}
        block_visits["call"] = block_visits["call"] - first
        r_lo, r_hi = np.searchsorted(rona_call, (first, last))
        yield CallBlock(
            first=first,
            calls=CallTable(**{f.name: getattr(calls, f.name)[first:last]
                               for f in fields(CallTable)}),
            visits=VisitTable(**block_visits),
            rona_calls=rona_call[r_lo:r_hi] - first,
        )
