"""What the call KPIs read about each call, and those KPIs for many groups in one pass.

Why a module of its own: a run of 2,000 one-hour intervals once computed each interval's
KPIs with some thirty numpy calls over that interval's calls, a Python loop whose cost grew
with the number of intervals, not only with the calls. Every call KPI but the means is a
count or a ratio of counts, and the means (``asa_s``, ``callback_wait_s``) and the money
(``lost_value``, ``defections``) are sums over counts: so one ``np.bincount`` over the
calls, keyed by group (interval of the day, day, caller type, ...), gives one of them for
every group at once (:func:`group_sums`), and the sums of blocks of calls add up to the
sums of the run (:class:`~simcall.model.records.CallBlock`). :func:`kpis_of_sums` turns them into
SPEC.md's KPIs; a department's queue visits are counted the same way
(:meth:`CallFacts.of_rows`). ``tests/results/test_metrics_one_pass.py`` holds them to the
plain definitions, numpy's sums over each group's mask.

The sums of floats add up in another order than numpy's pairwise ``sum`` (one after the
other, per group, and block after block), so those four KPIs can differ from a plain sum
in the last bits; every count and every ratio of counts is exact.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simcall.model.records import CallTable, Outcome, VisitTable
from simcall.results.money import Losses

QUEUED = (Outcome.ANSWERED, Outcome.ABANDONED, Outcome.VOICEMAIL, Outcome.IN_SYSTEM,
          Outcome.CALLED_BACK)
QUEUED_LOOKUP = np.isin(np.arange(len(Outcome)), QUEUED)  # by outcome: joined a queue


@dataclass(frozen=True)
class CallerOutcomes:
    """Per distinct caller (a first call and its redials): was it resolved, and when.

    Resolved means answered, self-served or called back. A caller is lost when none of its
    attempts was resolved, went to voicemail or is still in the system.
    """

    first: np.ndarray  # bool per call: a first attempt
    resolved_first: np.ndarray  # bool per call: a first attempt that was resolved
    resolved_ever: np.ndarray  # bool per call: its caller was resolved on some attempt
    reached_ever: np.ndarray  # bool per call: its caller got through somehow (not lost)


RESOLVED_LOOKUP = np.isin(np.arange(len(Outcome)),
                          (Outcome.ANSWERED, Outcome.SELF_SERVED, Outcome.CALLED_BACK))
REACHED_LOOKUP = RESOLVED_LOOKUP | np.isin(np.arange(len(Outcome)),
                                           (Outcome.VOICEMAIL, Outcome.IN_SYSTEM))


@dataclass(frozen=True)
class Reach:
    """Per call number: whether the caller whose first attempt it is was resolved (reached)
    on some attempt. A redial is numbered after every drawn call, so a caller's attempts
    can lie in different blocks of calls: this is marked over the whole run first."""

    resolved: np.ndarray  # bool
    reached: np.ndarray  # bool

    @classmethod
    def none(cls, calls: int) -> Reach:
        """Nobody marked yet, of a run of ``calls`` calls."""
        return cls(np.zeros(calls, dtype=bool), np.zeros(calls, dtype=bool))

    def mark(self, calls: CallTable) -> None:
        """Mark the callers (by first call) of ``calls``' resolved (reached) attempts; the
        marks only add up, so blocks may come in any order."""
        self.resolved[calls.first_call[RESOLVED_LOOKUP[calls.outcome]]] = True
        self.reached[calls.first_call[REACHED_LOOKUP[calls.outcome]]] = True


def caller_outcomes(calls: CallTable, reach: Reach | None) -> CallerOutcomes:
    """Group attempts by caller (``first_call``, through the run's ``reach``; ``None`` when
    no call is a redial: every caller made one attempt); ``calls`` may be a block of the
    run's calls."""
    resolved = RESOLVED_LOOKUP[calls.outcome]
    first = calls.attempt == 1
    if reach is None:  # one attempt a caller
        return CallerOutcomes(first, first & resolved, resolved, REACHED_LOOKUP[calls.outcome])
    return CallerOutcomes(first, first & resolved, reach.resolved[calls.first_call],
                          reach.reached[calls.first_call])


@dataclass(frozen=True)
class CallFacts:
    """Everything a call KPI reads, one entry per call row (the call table's order)."""

    calls: CallTable
    rona: np.ndarray  # int: ring-no-answers of the call
    voicemail_callbacks: np.ndarray  # int: callbacks of the call's voicemail
    callers: CallerOutcomes
    losses: Losses
    answered: np.ndarray  # bool: answered at its first queue
    sent_back: np.ndarray  # bool: answered, and later re-entered a department it had left
    threshold: float  # service-level threshold, seconds
    transfers_at_most: int  # N of transfer_share_within

    @classmethod
    def of(cls, calls: CallTable, visits: VisitTable, rona_calls: np.ndarray,
           callers: CallerOutcomes, losses: Losses, revisits_per_call: np.ndarray,
           threshold: float, transfers_at_most: int) -> CallFacts:
        """The facts of ``calls`` (a run's, or a block's: see
        :class:`~simcall.model.records.CallBlock`), from their ``visits`` and the calls of their
        ring-no-answers (``rona_calls``), both numbered as ``calls`` are; ``callers`` from
        :func:`caller_outcomes`, ``revisits_per_call`` re-entries per call."""
        n = calls.arrival.size
        called_back = visits.call[visits.outcome == Outcome.CALLED_BACK]
        voicemail_callbacks = np.bincount(
            called_back[calls.outcome[called_back] == Outcome.VOICEMAIL], minlength=n)
        answered = calls.outcome == Outcome.ANSWERED
        return cls(calls, np.bincount(rona_calls, minlength=n), voicemail_callbacks,
                   callers, losses, answered, answered & (revisits_per_call > 0), threshold,
                   transfers_at_most)

    @classmethod
    def of_rows(cls, outcome: np.ndarray, waited: np.ndarray, wait: np.ndarray,
                transfers: np.ndarray, limited: np.ndarray, sent_back: np.ndarray,
                threshold: float, transfers_at_most: int) -> CallFacts:
        """Facts of rows that are not calls -- a department's queue visits, say -- so that
        :func:`group_sums` counts them as it counts calls: their outcome columns
        (``transfers``: 1 if sent on; ``sent_back``: answered on a re-entry), and no
        callers, ring-no-answers, callbacks or losses."""
        n = outcome.size
        none = np.zeros(n, dtype=bool)
        zeros = np.zeros(n)
        unused = np.broadcast_to(np.int32(0), (n,))
        table = CallTable(caller=unused, arrival=zeros, department=unused, outcome=outcome,
                          waited=waited, wait=wait, answer_time=zeros, transfers=transfers,
                          limited=limited, first_call=unused, attempt=unused)
        return cls(table, zeros, zeros, CallerOutcomes(none, none, none, none),
                   Losses(zeros, zeros), outcome == Outcome.ANSWERED, sent_back, threshold,
                   transfers_at_most)


# the sums and counts per group that every call KPI is made of (columns of group_sums)
SUMS = ("offered", "answered", "abandoned", "blocked", "voicemail", "self_served",
        "ivr_hang_ups", "called_back", "in_system", "within", "queued", "queued_waited",
        "transfers", "answered_within_transfers", "transfer_limited", "answered_wait",
        "callback_wait", "rona", "voicemail_callbacks", "callers", "resolved_first",
        "resolved_ever", "lost_callers", "lost_value", "defections", "sent_back")


# the SUMS added up from each call's value (the others are counts per group)
PER_CALL = frozenset({"transfers", "answered_wait", "callback_wait", "rona",
                      "voicemail_callbacks", "lost_value", "defections"})


CALL_FACTORS = (len(Outcome), 2, 2, 2, 2)  # outcome, waited, within, few transfers, limited
CALLER_FACTORS = (2, 2, 2, 2, 2)  # first, resolved first, resolved ever, lost, sent back


@dataclass(frozen=True)
class CallCodes:
    """What :func:`group_sums` reads of each call, worked out once for every grouping of
    the same calls (interval, day, caller type, the whole run): the call's yes/no facts as
    one number each, and the values of the :data:`PER_CALL` sums that are not all 0."""

    call: np.ndarray  # int64: outcome, waited, within, transfers at most N, limited
    caller: np.ndarray  # int64: first attempt, resolved first, ever, lost, sent back
    values: dict[str, np.ndarray]  # float per call, by :data:`PER_CALL` name

    @classmethod
    def of(cls, facts: CallFacts) -> CallCodes:
        calls, callers = facts.calls, facts.callers
        call = _code((calls.outcome, calls.waited, calls.wait < facts.threshold,
                      calls.transfers <= facts.transfers_at_most, calls.limited), CALL_FACTORS)
        caller = _code((callers.first, callers.resolved_first,
                        callers.first & callers.resolved_ever,
                        callers.first & ~callers.reached_ever, facts.sent_back), CALLER_FACTORS)
        answered = calls.outcome == Outcome.ANSWERED
        values = {
            # of the answered calls, as the mean's denominator (a called-back call can be
            # transferred too, but is not an answered one)
            "transfers": np.where(answered, calls.transfers, 0),
            "answered_wait": np.where(answered, calls.wait, 0.0),
            "callback_wait": np.where(calls.outcome == Outcome.CALLED_BACK, calls.wait, 0.0),
            "rona": facts.rona,
            "voicemail_callbacks": facts.voicemail_callbacks,
            "lost_value": facts.losses.lost_value,
            "defections": facts.losses.defections,
        }
        return cls(call, caller, {name: column.astype(float, copy=False)
                                  for name, column in values.items() if column.any()})


def _weights(sizes: tuple[int, ...],
             counted: dict[str, Callable[..., bool]]) -> tuple[np.ndarray, np.ndarray]:
    """Which combinations of the factors (:func:`_code`'s numbers, with ``sizes``) each
    count of :data:`SUMS` takes in: a 0/1 matrix (combinations x counts), and the counts'
    columns in :data:`SUMS`. One matrix product of the calls per group and combination
    then gives every count of every group at once."""
    combinations = list(itertools.product(*(range(size) for size in sizes)))
    matrix = np.array([[float(bool(rule(*values))) for rule in counted.values()]
                       for values in combinations])
    return matrix, np.array([SUMS.index(name) for name in counted])


def _outcome_is(kind: Outcome) -> Callable[..., bool]:
    return lambda outcome, *_: bool(outcome == kind)


def _factor(k: int) -> Callable[..., bool]:
    return lambda *values: bool(values[k])


# outcome, waited, within the threshold, transfers at most N, transfer-limited
CALL_COUNTS = _weights(CALL_FACTORS, {
    "offered": lambda *_: True,
    **{name: _outcome_is(kind) for name, kind in (
        ("answered", Outcome.ANSWERED), ("abandoned", Outcome.ABANDONED),
        ("blocked", Outcome.BLOCKED), ("voicemail", Outcome.VOICEMAIL),
        ("self_served", Outcome.SELF_SERVED), ("ivr_hang_ups", Outcome.IVR_HANG_UP),
        ("called_back", Outcome.CALLED_BACK), ("in_system", Outcome.IN_SYSTEM))},
    "within": lambda outcome, _, within, *__: outcome == Outcome.ANSWERED and within,
    "queued": lambda outcome, *_: QUEUED_LOOKUP[outcome],
    "queued_waited": lambda outcome, waited, *_: QUEUED_LOOKUP[outcome] and waited,
    "answered_within_transfers": lambda outcome, _, __, few, ___: (
        outcome == Outcome.ANSWERED and few),
    "transfer_limited": lambda *values: values[4],
})
# first attempt, resolved first, resolved ever, lost, sent back
CALLER_COUNTS = _weights(CALLER_FACTORS, {
    name: _factor(k) for k, name in enumerate(
        ("callers", "resolved_first", "resolved_ever", "lost_callers", "sent_back"))})


def group_sums(facts: CallFacts | CallCodes, group: np.ndarray, count: int,
               into: np.ndarray | None = None) -> np.ndarray:
    """The :data:`SUMS` of each group ``k`` in ``range(count)``: the calls where
    ``group == k`` (any other value belongs to no group), in one pass over the calls.

    Shape (count, len(SUMS)); counts are whole numbers (exact in floats), and sums of sums
    (several groups together) are the sums of the groups together. With ``into`` (the sums
    of the calls before these: a run's earlier blocks), the calls are added to it, and it
    is returned: the float sums add one call after another onto it (``np.add.at``, as
    ``np.bincount`` adds them), so a run summed block by block gets the very sums of one
    pass over all its calls, bit for bit, whatever the blocks. Several groupings of the
    same calls share their :class:`CallCodes`.
    """
    codes = facts if isinstance(facts, CallCodes) else CallCodes.of(facts)
    sums = np.zeros((count, len(SUMS))) if into is None else into
    # calls of no group go to one extra bin, dropped at the end: no subsetting of columns
    key = np.where((group >= 0) & (group < count), group, count).astype(np.int64)
    # calls per group and combination of facts, one bincount each, then every count of
    # every group from one matrix product (whole numbers: exact in floats, in any order)
    for code, (weights, columns) in ((codes.call, CALL_COUNTS), (codes.caller, CALLER_COUNTS)):
        per_group = _joint_counts(key, count + 1, code, weights.shape[0])
        sums[:, columns] += (per_group @ weights)[:count]
    if codes.values:
        in_group = key < count
        rows = key[in_group]
        for name, values in codes.values.items():
            np.add.at(sums[:, SUMS.index(name)], rows, values[in_group])
    return sums


# the call KPIs in their order: a ratio of SUMS (numerator, denominator's columns), a SUMS
# column as it is, or another rule (``occupancy``: agent time, not calls; ``redials``)
CALL_KPIS: dict[str, tuple[str, tuple[str, ...]] | str | None] = {
    "service_level": ("within", ("answered", "abandoned")),
    "asa_s": ("answered_wait", ("answered",)),
    "p_wait": ("queued_waited", ("queued",)),
    "abandon_rate": ("abandoned", ("answered", "abandoned")),
    "block_rate": ("blocked", ("offered",)),
    "occupancy": None,
    "mean_transfers": ("transfers", ("answered",)),
    "transfer_share_within": ("answered_within_transfers", ("answered",)),
    **{name: name for name in ("offered", "answered", "abandoned", "blocked", "voicemail",
                               "self_served", "ivr_hang_ups", "called_back")},
    "callback_wait_s": ("callback_wait", ("called_back",)),
    **{name: name for name in ("in_system", "transfer_limited", "rona",
                               "voicemail_callbacks", "callers")},
    "redials": None,
    "first_attempt_resolution": ("resolved_first", ("callers",)),
    "eventual_resolution": ("resolved_ever", ("callers",)),
    **{name: name for name in ("lost_callers", "lost_value", "defections")},
    "revisit_rate": ("sent_back", ("answered",)),
}
_RATIO_AT = [k for k, rule in enumerate(CALL_KPIS.values()) if isinstance(rule, tuple)]
_TOPS = [SUMS.index(rule[0]) for rule in CALL_KPIS.values() if isinstance(rule, tuple)]
# each denominator as two columns of the sums, a column of zeros after them (len(SUMS))
# standing in for the second of a one-column denominator
_BOTTOMS = [[SUMS.index(name) for name in rule[1]] + [len(SUMS)] * (2 - len(rule[1]))
            for rule in CALL_KPIS.values() if isinstance(rule, tuple)]
_SAME_AT = [k for k, rule in enumerate(CALL_KPIS.values()) if isinstance(rule, str)]
_SAME = [SUMS.index(rule) for rule in CALL_KPIS.values() if isinstance(rule, str)]


def kpis_of_sums(sums: np.ndarray) -> list[dict[str, float]]:
    """The call KPIs of each row of :func:`group_sums` (or of sums of its rows), in
    :data:`CALL_KPIS`' order (``occupancy`` left ``nan``: it is agent time, not calls).

    Every ratio at once: one division of the numerators by the denominators, ``nan``
    where a denominator is 0.
    """
    rows = sums.shape[0]
    padded = np.hstack((sums, np.zeros((rows, 1))))
    numerators = padded[:, _TOPS]
    denominators = padded[:, [b[0] for b in _BOTTOMS]] + padded[:, [b[1] for b in _BOTTOMS]]
    ratios = np.full(numerators.shape, math.nan)
    np.divide(numerators, denominators, out=ratios, where=denominators > 0)
    out = np.full((rows, len(CALL_KPIS)), math.nan)
    out[:, _RATIO_AT] = ratios
    out[:, _SAME_AT] = sums[:, _SAME]
    out[:, list(CALL_KPIS).index("redials")] = (sums[:, SUMS.index("offered")]
                                                 - sums[:, SUMS.index("callers")])
    names = list(CALL_KPIS)
    # every undefined ratio is the one ``math.nan``: results then compare equal with ``==``
    # (Python's containers take an object as equal to itself)
    return [{name: math.nan if value != value else value
             for name, value in zip(names, row, strict=True)} for row in out.tolist()]


def _code(factors: tuple[np.ndarray, ...], sizes: tuple[int, ...]) -> np.ndarray:
    """Each call's combination of the factors (each a column of values in
    ``range(size)``) as one number below ``prod(sizes)``, the first factor the slowest."""
    code = np.zeros(factors[0].size, dtype=np.int64)
    for values, size in zip(factors, sizes, strict=True):
        code *= size
        code += values
    return code


def _joint_counts(key: np.ndarray, bins: int, code: np.ndarray, combinations: int,
                  ) -> np.ndarray:
    """Calls per group (``key``, below ``bins``) and per combination of facts (``code``,
    below ``combinations``): shape ``(bins, combinations)``, one ``bincount``."""
    return np.bincount(key * combinations + code,
                       minlength=bins * combinations).reshape((bins, combinations))
