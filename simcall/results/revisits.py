"""Ping-pong: calls sent back to a department they had already left.

Why a module of its own: being bounced back to a queue one has already been through is
what callers hate most about transfers (SPEC.md), and a transfer count does not show it
(A -> B -> C and A -> B -> A both have two transfers). This module finds the re-entries in
the visit records and keeps every call that had one, hop by hop, for the trace and the
report.

A visit is a **re-entry** when the call had been in the same department's queue before
and its previous visit was in another department: A -> B -> A re-enters A once,
A -> A -> B (a transfer to another agent of the same team) re-enters nothing, and
A -> B -> A -> B -> A re-enters three times (A, B, A). Each attempt is its own call (a
redial starts a new path), so calling again after hanging up is never a re-entry.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simcall.model.records import Outcome, VisitTable


@dataclass(frozen=True)
class Revisits:
    """Where the re-entries are: per visit row and per call."""

    # visit rows sorted by call, each call's visits in the order they began (left unsorted
    # when nothing was transferred: there is no chain to read them for)
    order: np.ndarray
    re_entry: np.ndarray  # bool per visit row (original order): a re-entry
    per_call: np.ndarray  # int per call: its re-entries


def find_revisits(visits: VisitTable, calls: int, departments: int) -> Revisits:
    """Mark every re-entry (see the module docstring) among ``calls`` calls' visits.

    Visit rows are written as visits end, so one call's rows are already in the order it
    went through the queues (a visit ends before the call joins the next queue); a stable
    sort by call keeps that order. A call only reaches another department by a transfer,
    so without any transfer there is no re-entry, and no sort (every run pays for this).
    """
    if not visits.transferred.any():
        rows = visits.call.size
        return Revisits(np.arange(rows), np.zeros(rows, dtype=bool),
                        np.zeros(calls, dtype=np.int64))
    order = np.argsort(visits.call, kind="stable")
    call = visits.call[order]
    department = visits.department[order].astype(np.int64)
    pair = call * max(departments, 1) + department
    _, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
    seen_before = first[inverse] != np.arange(pair.size)
    moved = np.zeros(pair.size, dtype=bool)
    moved[1:] = (call[1:] == call[:-1]) & (department[1:] != department[:-1])
    sorted_re_entry = seen_before & moved
    re_entry = np.zeros(pair.size, dtype=bool)
    re_entry[order] = sorted_re_entry
    per_call = np.bincount(call[sorted_re_entry], minlength=calls).astype(np.int64)
    return Revisits(order, re_entry, per_call)


@dataclass(frozen=True)
class Hop:
    """One queue a call went through: when it joined, how long it waited, how it ended."""

    department: str
    entered: float  # seconds since opening
    wait: float  # until pickup or hang-up
    outcome: str  # "answered", "abandoned", ... (Outcome's names, lower case)
    talk: float  # seconds; nan unless answered
    transferred: bool  # sent on to another queue after talk
    re_entry: bool  # back in a department the call had left


@dataclass(frozen=True)
class RevisitChain:
    """A call that was sent back to a department it had left, hop by hop."""

    call: int
    caller: str  # caller type
    revisits: int  # re-entries
    hops: tuple[Hop, ...]

    @property
    def transfers(self) -> int:
        """Transfers along the chain."""
        return sum(hop.transferred for hop in self.hops)

    @property
    def path(self) -> tuple[str, ...]:
        """The departments in the order the call went through them."""
        return tuple(hop.department for hop in self.hops)

    def worst_first(self) -> tuple[int, int, int]:
        """Sort key: most re-entries, then the longest chain, then the call number."""
        return (-self.revisits, -len(self.hops), self.call)


def revisit_chains(visits: VisitTable, revisits: Revisits, counted: np.ndarray,
                   departments: list[str], caller_of: np.ndarray,
                   callers: list[str], first: int = 0) -> tuple[RevisitChain, ...]:
    """Every counted call with a re-entry, in full, worst first (see
    :meth:`RevisitChain.worst_first`); ``caller_of`` is each call's caller-type index.
    ``first``: the run's number of call 0 here (the calls of a block: see
    :class:`~simcall.model.records.CallBlock`)."""
    chained = np.flatnonzero((revisits.per_call > 0) & counted)
    if chained.size == 0:
        return ()
    order = revisits.order
    rows_of = order[np.isin(visits.call[order], chained)]
    by_call: dict[int, list[Hop]] = {}
    for row in rows_of.tolist():
        by_call.setdefault(int(visits.call[row]), []).append(Hop(
            department=departments[int(visits.department[row])],
            entered=float(visits.entered[row]),
            wait=float(visits.wait[row]),
            outcome=Outcome(int(visits.outcome[row])).name.lower(),
            talk=float(visits.talk[row]),
            transferred=bool(visits.transferred[row]),
            re_entry=bool(revisits.re_entry[row]),
        ))
    chains = [RevisitChain(first + call, callers[int(caller_of[call])],
                           int(revisits.per_call[call]), tuple(hops))
              for call, hops in by_call.items()]
    chains.sort(key=RevisitChain.worst_first)
    return tuple(chains)
