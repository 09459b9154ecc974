"""Money KPIs: wages paid, and the expected value of callers who take their business elsewhere.

Why a module of its own: the other KPIs count what happened to calls; these put a price on
it, from three scenario keys (``cost_per_hour`` per agent group, ``value`` and ``defection``
per caller type), with the rules of ``docs/money.md``:

* ``wage_cost`` = scheduled agent-hours x ``cost_per_hour``, over the counted intervals
  (warm-up excluded); scheduled means the plan (``staff`` or shifts, breaks and shrinkage
  included: they are paid); time spent finishing calls after the close is not paid.
* ``defections`` = the expected number of callers who defect. One rule for a caller (a first
  call and its redials): every bad experience on any attempt is an independent chance to
  defect, so the caller stays with probability ``prod(1 - p)`` over them. The bad
  experiences: a busy signal (``blocked``); in every queue the call enters, hanging up
  (``abandoned``), voicemail (``voicemail``) or an answer at or after the service-level
  threshold (``answered_late``); and each transfer beyond ``transfers.at_most``
  (``per_transfer_over``). An expectation computed from each caller's outcomes, not a draw,
  so it adds no noise of its own.
* ``lost_value`` = sum over callers of P(defect) x the caller type's ``value``.
* ``total_cost`` = ``wage_cost`` + ``lost_value``.

A caller counts in the interval (and day, and caller type) of its first attempt, like the
other caller KPIs; wages count in the interval they are paid for.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simcall.model.records import CallTable, Outcome, Periods, VisitTable
from simcall.results.agent_time import in_windows
from simcall.scenario.schema import Scenario

MONEY_KPIS = ("wage_cost", "lost_value", "total_cost", "defections")
BAD_EXPERIENCES = ("abandoned", "blocked", "voicemail", "answered_late", "per_transfer_over")
SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class Prices:
    """What the scenario says money is, as arrays the metrics index by number."""

    wage_per_hour: np.ndarray  # per agent group
    value: np.ndarray  # per caller type
    defection: np.ndarray  # (caller types, BAD_EXPERIENCES): chance of defecting after each

    @classmethod
    def of(cls, scenario: Scenario) -> Prices:
        """The scenario's ``cost_per_hour``, ``value`` and ``defection`` keys."""
        defection = np.zeros((len(scenario.callers), len(BAD_EXPERIENCES)))
        for c, caller in enumerate(scenario.callers):
            if caller.defection is not None:
                defection[c] = [getattr(caller.defection, key) for key in BAD_EXPERIENCES]
        return cls(np.array([g.cost_per_hour for g in scenario.agents], dtype=float),
                   np.array([c.value for c in scenario.callers], dtype=float), defection)

    @classmethod
    def free(cls, callers: int, groups: int) -> Prices:
        """No wages, no values: every money KPI is zero."""
        return cls(np.zeros(groups), np.zeros(callers), np.zeros((callers, len(BAD_EXPERIENCES))))

    @property
    def has_wages(self) -> bool:
        return bool(np.any(self.wage_per_hour > 0))

    @property
    def has_losses(self) -> bool:
        """Some caller type has a value and a chance of defecting."""
        return bool(np.any((self.value > 0) & self.defection.any(axis=1)))


def has_money(scenario: Scenario) -> bool:
    """Whether the scenario prices anything: a wage or a caller worth keeping."""
    prices = Prices.of(scenario)
    return prices.has_wages or prices.has_losses


def bad_experiences(calls: CallTable, visits: VisitTable, threshold: float,
                    transfers_at_most: int) -> np.ndarray:
    """How many bad experiences of each kind each call had: shape (calls, BAD_EXPERIENCES)."""
    n = calls.arrival.size
    counts = np.zeros((n, len(BAD_EXPERIENCES)), dtype=np.int64)

    def per_call(mask: np.ndarray) -> np.ndarray:
        return np.bincount(visits.call[mask], minlength=n)

    answered = visits.outcome == Outcome.ANSWERED
    late = answered & ~(visits.wait < threshold)
    counts[:, 0] = per_call(visits.outcome == Outcome.ABANDONED)
    counts[:, 1] = calls.outcome == Outcome.BLOCKED
    counts[:, 2] = per_call(visits.outcome == Outcome.VOICEMAIL)
    counts[:, 3] = per_call(late)
    counts[:, 4] = np.maximum(calls.transfers - transfers_at_most, 0)
    return counts


def stay_chances(calls: CallTable, visits: VisitTable, prices: Prices, threshold: float,
                 transfers_at_most: int, stays: np.ndarray) -> None:
    """Multiply into ``stays`` (one a call, by the caller's first call) the chance that the
    caller stays after each of ``calls``' experiences (a run's calls, or a block's: see
    :class:`~simcall.model.records.CallBlock`). Starting from ones, after every call the
    first call's entry is the chance its caller stays with every attempt's experiences."""
    counts = bad_experiences(calls, visits, threshold, transfers_at_most)
    stay = np.prod(np.power(1.0 - prices.defection[calls.caller], counts), axis=1)
    np.multiply.at(stays, calls.first_call, stay)


def wage_seconds(scheduled: Periods, begin: np.ndarray, finish: np.ndarray,
                 groups: int) -> np.ndarray:
    """Scheduled agent-seconds of each group in each window: shape (groups, *begin.shape)."""
    return np.stack([in_windows(scheduled, begin, finish, np.array([g]))
                     for g in range(groups)]) if groups else np.zeros((0, *begin.shape))


def wage_costs(scheduled: Periods, prices: Prices, begin: np.ndarray,
               finish: np.ndarray) -> np.ndarray:
    """Wages of each group in each window (days x intervals), from the ``scheduled``
    periods (the plan): shape (groups, days, intervals)."""
    seconds = wage_seconds(scheduled, begin, finish, prices.wage_per_hour.size)
    costs: np.ndarray = seconds * (prices.wage_per_hour / SECONDS_PER_HOUR)[:, None, None]
    return costs


@dataclass(frozen=True)
class Losses:
    """Each call row's expected defection and lost value (non-zero on first attempts only)."""

    defections: np.ndarray
    lost_value: np.ndarray

    @classmethod
    def of(cls, calls: CallTable, first: int, stays: np.ndarray | None,
           prices: Prices) -> Losses:
        """The losses of ``calls``, the run's from call ``first`` on, from :func:`stay_chances`
        of the run (``None`` when no caller type can defect: every chance is 0, and no table
        of each call's experiences is made)."""
        n = calls.arrival.size
        if stays is None:  # a broadcast zero: no memory, however long the run
            none = np.broadcast_to(0.0, (n,))
            return cls(none, none)
        chance: np.ndarray = np.where(calls.attempt == 1, 1.0 - stays[first:first + n], 0.0)
        return cls(chance, chance * prices.value[calls.caller])


def with_wages(kpis: dict[str, float], wage_cost: float) -> None:
    """Add ``wage_cost`` and ``total_cost`` to KPIs that hold ``lost_value``."""
    kpis["wage_cost"] = wage_cost
    kpis["total_cost"] = wage_cost + kpis["lost_value"]
