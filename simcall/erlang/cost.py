"""The cost-optimal head count of a stationary Erlang A (M/M/n+M) queue.

Why a module of its own: the staffing search of :mod:`~simcall.erlang.required`
answers "how many agents meet the targets?"; this one answers "how many agents
cost least?", when an agent costs a wage and a caller who has a bad experience
(she hangs up, or she is answered late) may take her business elsewhere.  The
trade-off is priced per hour::

    cost(n) = wage * n + lambda * (P(Ab) * d_ab + P(late) * d_late) * value

with ``lambda`` in calls per hour, ``P(Ab)`` the share of callers who abandon,
``P(late)`` the share answered after waiting ``within`` seconds or more,
``d_ab`` and ``d_late`` the probabilities that such a caller defects, and
``value`` what a defecting caller is worth.  The first term is the wage bill,
the second the value lost per hour.  In this single queue a caller has at most
one bad experience (she abandons, or is answered late, or neither), so the
value lost is at most ``lambda * value * max(d_ab, d_late)``.

The figures of each pool size come from the exact Erlang A formulas of
:mod:`~simcall.erlang.erlang_a`; the search walks the pool sizes upwards,
carrying the Erlang B recursion from one to the next, so ``n`` in the
thousands takes well under a second per thousand agents.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from simcall.erlang.base import (
    SECONDS_PER_HOUR,
    as_float,
    as_int,
    check_within,
    nonneg_array,
    positive_array,
    probability_array,
)
from simcall.erlang.erlang_a import erlang_a_scalar, erlang_a_upward


class _Terms(NamedTuple):
    """The cost of one pool size and its parts."""

    total: float
    wage: float
    lost: float
    p_abandon: float
    p_late: float  # nan without ``within``


@dataclass(frozen=True)
class _Prices:
    """The checked arguments of the cost (``lam``: the arrival rate per second)."""

    calls_per_hour: float
    aht: float
    patience: float
    wage: float
    value: float
    d_ab: float
    d_late: float
    within: float | None

    @property
    def lam(self) -> float:
        return self.calls_per_hour / SECONDS_PER_HOUR

    def terms(self, n: int, row: tuple[float, ...] | None) -> _Terms:
        """The cost of ``n`` agents; ``row`` is the Erlang A tuple for ``n >= 1``.

        With no agents nobody is answered: every caller abandons (and none is
        answered late).  Whatever the load, the probabilities are per caller, so
        ``P(Ab) = 1`` even when no one calls (the cost is then 0 anyway).
        """
        if n == 0 or row is None:
            p_ab, p_late = 1.0, 0.0
        else:
            p_ab = row[1]
            # 1 - P(Ab) - SL = P(W > 0) min(tail, P(served | W > 0)) >= 0; rounding may
            # leave -1e-17
            p_late = min(max(1.0 - p_ab - row[3], 0.0), 1.0) if self.within is not None else 0.0
        lost = self.calls_per_hour * (p_ab * self.d_ab + p_late * self.d_late) * self.value
        wage = self.wage * n
        p_late_shown = p_late if self.within is not None else math.nan
        return _Terms(wage + lost, wage, lost, p_ab, p_late_shown)

    def rows(self) -> Iterator[tuple[float, ...] | None]:
        """The Erlang A tuple of ``n = 0, 1, 2, ...`` agents (``None`` for 0)."""
        yield None
        yield from erlang_a_upward(self.lam, self.aht, self.patience, self.within)


def _prices(
    calls_per_hour: float,
    aht: float,
    patience: float,
    wage_per_hour: float,
    value: float,
    defection_abandoned: float,
    defection_late: float,
    within: float | None,
) -> _Prices:
    d_late = as_float(defection_late, "defection_late", probability_array)
    t = check_within(within)
    if d_late > 0.0 and t is None:
        raise ValueError(
            f"defection_late={defection_late!r} needs within (seconds): "
            "'answered late' means answered with a wait of within or more"
        )
    return _Prices(
        calls_per_hour=as_float(calls_per_hour, "calls_per_hour", nonneg_array),
        aht=as_float(aht, "aht", positive_array),
        patience=as_float(patience, "patience", positive_array),
        wage=as_float(wage_per_hour, "wage_per_hour", nonneg_array),
        value=as_float(value, "value", nonneg_array),
        d_ab=as_float(defection_abandoned, "defection_abandoned", probability_array),
        d_late=d_late,
        within=t,
    )


def hourly_cost(
    agents: int,
    calls_per_hour: float,
    aht: float,
    patience: float,
    wage_per_hour: float,
    value: float,
    defection_abandoned: float,
    defection_late: float = 0.0,
    within: float | None = None,
) -> float:
    """Expected cost per hour of an Erlang A queue with ``agents`` agents, in steady state.

    Why: the price of a head count, wages and lost custom together, so that
    head counts can be compared on one scale (and the simulator checked
    against it).

    Parameters
    ----------
    agents : int
        Number of agents ``n >= 0``.  With none, every caller abandons.
    calls_per_hour : float
        Arrival rate in calls per hour.
    aht : float
        Mean handle time in seconds (``> 0``).
    patience : float
        Mean (exponential) patience in seconds (``> 0``, finite).
    wage_per_hour : float
        What one agent costs per hour (``>= 0``, finite).
    value : float
        What a caller who defects is worth, in the same money (``>= 0``, finite),
        e.g. the margin of her remaining custom.
    defection_abandoned : float
        Probability that a caller who abandons defects, in ``[0, 1]``.
    defection_late : float
        Probability that a caller answered late defects, in ``[0, 1]``; needs
        ``within`` when above 0.
    within : float, optional
        Service-level threshold in seconds: a caller answered after waiting
        ``within`` seconds or more was answered late.  (The complement of the
        service level of :func:`~simcall.erlang.erlang_a_metrics`, which counts
        no wait at all as within 0 s: with ``within = 0``, late means answered
        after any wait.  For ``within > 0`` the boundary has probability 0.)

    Returns
    -------
    float
        ``wage_per_hour * n + calls_per_hour * (P(Ab) * defection_abandoned
        + P(late) * defection_late) * value``, with ``P(Ab)`` and
        ``P(late) = 1 - P(Ab) - service_level`` as
        :func:`~simcall.erlang.erlang_a_metrics` defines them.

    Raises
    ------
    ValueError
        For an argument out of range (naming it and its value), an array, or
        ``defection_late > 0`` without ``within``.
    """
    n = as_int(agents, "agents", 0)
    p = _prices(calls_per_hour, aht, patience, wage_per_hour, value,
                defection_abandoned, defection_late, within)
    row = erlang_a_scalar(n, p.lam, p.aht, p.patience, p.within) if n > 0 else None
    return p.terms(n, row).total


@dataclass(frozen=True)
class CostOptimum:
    """The head count of least hourly cost, its cost and the costs around it.

    Attributes
    ----------
    agents : int
        The cost-optimal number of agents (the smallest, if several tie).
    hourly_cost : float
        Its expected cost per hour, ``wage_cost_per_hour + lost_value_per_hour``.
    wage_cost_per_hour : float
        ``wage_per_hour * agents``.
    lost_value_per_hour : float
        Expected value of the callers lost per hour.
    p_abandon : float
        Share of callers who abandon with ``agents`` agents (1 with none).
    p_answered_late : float
        Share answered after waiting ``within`` or more; ``nan`` without ``within``.
    curve : tuple of (int, float)
        ``(n, hourly_cost(n))`` for ``n`` from ``max(0, agents - 2)`` to
        ``agents + 2``: the cost curve around the optimum.
    """

    agents: int
    hourly_cost: float
    wage_cost_per_hour: float
    lost_value_per_hour: float
    p_abandon: float
    p_answered_late: float
    curve: tuple[tuple[int, float], ...]

    def to_json(self) -> dict[str, Any]:
        """Plain numbers; an undefined share as null."""
        return {
            "agents": self.agents,
            "hourly_cost": self.hourly_cost,
            "wage_cost_per_hour": self.wage_cost_per_hour,
            "lost_value_per_hour": self.lost_value_per_hour,
            "p_abandon": self.p_abandon,
            "p_answered_late": (self.p_answered_late if math.isfinite(self.p_answered_late)
                                else None),
            "curve": [{"agents": n, "hourly_cost": cost} for n, cost in self.curve],
        }


def cost_optimal_agents(
    calls_per_hour: float,
    aht: float,
    patience: float,
    wage_per_hour: float,
    value: float,
    defection_abandoned: float,
    defection_late: float = 0.0,
    within: float | None = None,
    *,
    max_agents: int = 100_000,
) -> CostOptimum:
    """The number of agents ``n >= 0`` of least :func:`hourly_cost`, found exactly.

    Why: "how many agents pay for themselves?" -- staffing by price rather
    than by a service target.

    Parameters
    ----------
    calls_per_hour, aht, patience, wage_per_hour, value, defection_abandoned, \
defection_late, within
        As for :func:`hourly_cost`, except that ``wage_per_hour`` must be ``> 0``.
    max_agents : int
        Search limit: the search refuses to look at more pool sizes than this.

    Returns
    -------
    CostOptimum
        The optimum (the smallest ``n`` among ties), its cost and its parts, and
        the cost curve around it.  Every cost in it is the float that
        :func:`hourly_cost` returns for that ``n``.

    Raises
    ------
    ValueError
        For the arguments :func:`hourly_cost` refuses; for ``wage_per_hour == 0``
        (free agents: more are never worse, and the lost value may only tend to
        0, so there is no optimum); when the optimum may lie above ``max_agents``.

    Notes
    -----
    The search evaluates ``n = 0, 1, 2, ...`` in turn and stops at the first
    ``n`` with ``wage_per_hour * n >= best``, ``best`` being the least cost
    seen so far.  That is exact: the lost value is never negative, so every
    ``m >= n`` costs at least ``wage_per_hour * m >= best`` and cannot beat
    (only tie, and ties go to the smaller ``n``) the best pool already seen.
    The argument holds for the computed floats too: the cost is computed as
    ``wage * m + lost`` with ``lost >= 0``, and rounding is monotone.  Because
    ``best <= cost(0) = calls_per_hour * defection_abandoned * value``, the
    search never looks beyond ``cost(0) / wage`` agents; in practice it stops
    at the optimum plus its lost value in wages, a few agents above it.

    The rule needs nothing of the shape of the curve, and the curve has no
    convenient shape in general: with ``defection_late > defection_abandoned``
    the lost value can *rise* with ``n`` (callers who would have hung up are
    now answered, late, and defect more often), so the cost may have several
    local minima and no search that stops at the first one would be exact.
    """
    n_max = as_int(max_agents, "max_agents", 0)
    p = _prices(calls_per_hour, aht, patience, wage_per_hour, value,
                defection_abandoned, defection_late, within)
    if p.wage == 0.0:
        raise ValueError(
            "wage_per_hour must be > 0 to find a cost-optimal head count, got "
            f"{wage_per_hour!r}: with free agents more are never worse and there is no optimum"
        )
    rows = p.rows()
    seen: list[_Terms] = []
    best_n = 0
    while True:
        n = len(seen)
        if seen and p.wage * n >= seen[best_n].total:
            break
        if n > n_max:
            raise ValueError(
                f"the cost-optimal head count may exceed max_agents={n_max}: the best pool "
                f"up to it ({best_n} agents) costs {seen[best_n].total:g} per hour, more "
                f"than the wages of {n} agents ({p.wage * n:g}); raise max_agents"
            )
        seen.append(p.terms(n, next(rows)))
        if seen[n].total < seen[best_n].total:
            best_n = n
    while len(seen) <= best_n + 2:  # the curve's right end
        seen.append(p.terms(len(seen), next(rows)))
    best = seen[best_n]
    return CostOptimum(
        agents=best_n,
        hourly_cost=best.total,
        wage_cost_per_hour=best.wage,
        lost_value_per_hour=best.lost,
        p_abandon=best.p_abandon,
        p_answered_late=best.p_late,
        curve=tuple((k, seen[k].total) for k in range(max(0, best_n - 2), best_n + 3)),
    )
