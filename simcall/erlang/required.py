"""Staffing: the fewest agents that meet every service target.

Why a module of its own: the search asks another model many times -- Erlang C
when callers are taken to be infinitely patient (the conservative answer),
Erlang A when a mean patience is given.  Under Erlang C it walks up from the
smallest stable pool, one Erlang B recursion step per extra agent; under
Erlang A, where each evaluation sums a series, it gallops and bisects.  Both
rely on every figure being monotone in the number of agents.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from simcall.erlang.base import SECONDS_PER_HOUR, check_within, nonneg_array, positive_array
from simcall.erlang.erlang_a import erlang_a_scalar
from simcall.erlang.erlang_bc import erlang_b_scalar


def agents_required(
    calls_per_hour: float,
    aht: float,
    *,
    target_sl: float | None = None,
    within: float | None = None,
    max_asa: float | None = None,
    max_abandon: float | None = None,
    patience: float | None = None,
    max_agents: int = 100000,
) -> int:
    """Smallest number of agents meeting every given service target.

    Why: the everyday staffing question ("how many people do I need on the
    phones at 10:00?").  With ``patience=None`` the answer uses Erlang C
    (conservative: nobody gives up), otherwise Erlang A.

    Parameters
    ----------
    calls_per_hour : float
        Arrival rate in calls per hour.
    aht : float
        Mean handle time in seconds.
    target_sl : float, optional
        Minimum service level in ``(0, 1]`` (needs ``within``).
    within : float, optional
        Service-level threshold in seconds.
    max_asa : float, optional
        Maximum ASA (mean wait of answered calls) in seconds.
    max_abandon : float, optional
        Maximum share of calls abandoning, in ``[0, 1]``; needs ``patience``.
    patience : float, optional
        Mean patience in seconds; selects Erlang A.
    max_agents : int
        Search limit.

    Returns
    -------
    int
        The smallest ``n`` such that every target is met.  The metrics are
        monotone in ``n``, so ``n - 1`` misses at least one target.

    Raises
    ------
    ValueError
        If no target is given, ``target_sl`` lacks ``within``, ``max_abandon``
        is given without ``patience`` (Erlang C has no abandonment), or the
        targets cannot be met with ``max_agents`` agents.
    """
    if target_sl is None and max_asa is None and max_abandon is None:
        raise ValueError("give at least one of target_sl, max_asa, max_abandon")
    if target_sl is not None:
        if within is None:
            raise ValueError("target_sl needs within (seconds)")
        if not 0.0 < target_sl <= 1.0:
            raise ValueError(f"target_sl must lie in (0, 1], got {target_sl!r}")
    if max_asa is not None and not max_asa >= 0.0:
        raise ValueError(f"max_asa must be >= 0 seconds, got {max_asa!r}")
    if max_abandon is not None:
        if patience is None:
            raise ValueError("max_abandon needs patience (Erlang C callers never abandon)")
        if not 0.0 <= max_abandon <= 1.0:
            raise ValueError(f"max_abandon must lie in [0, 1], got {max_abandon!r}")
    t = check_within(within)
    lam_h = float(nonneg_array(calls_per_hour, "calls_per_hour"))
    h = float(positive_array(aht, "aht"))
    a = lam_h * h / SECONDS_PER_HOUR

    def meets(sl: float, asa: float, p_ab: float) -> bool:
        ok = True
        if target_sl is not None:
            ok = ok and sl >= target_sl
        if max_asa is not None:
            ok = ok and asa <= max_asa
        if max_abandon is not None:
            ok = ok and p_ab <= max_abandon
        return ok

    if patience is None:
        n = math.floor(a) + 1  # smallest stable pool
        b = erlang_b_scalar(n, a)
        while n <= max_agents:
            c = n * b / (n - a * (1.0 - b))
            sl = 1.0 - c * math.exp(-(n - a) * t / h) if t is not None else math.nan
            if meets(sl, c * h / (n - a), 0.0):
                return n
            n += 1
            b = a * b / (n + a * b)
        raise ValueError(f"targets not reachable with max_agents={max_agents}")

    pat = float(positive_array(patience, "patience"))

    def ok(n: int) -> bool:
        m = erlang_a_scalar(n, lam_h / SECONDS_PER_HOUR, h, pat, t)
        return meets(m[3], m[4], m[1])

    return _smallest_true(ok, start=max(1, math.floor(a)), limit=max_agents)


def _smallest_true(pred: Callable[[int], bool], start: int, limit: int) -> int:
    """Smallest ``n`` in ``[1, limit]`` with ``pred(n)``, for a predicate that is
    false up to some point and true from then on (galloping + bisection)."""
    start = min(max(1, start), limit)
    if pred(start):
        hi, step = start, 1
        lo = hi - step
        while lo >= 1 and pred(lo):
            hi = lo
            step *= 2
            lo = hi - step
        lo = max(lo, 0)  # pred(lo) is false, or lo == 0 (no agents: treated as false)
    else:
        lo, step = start, 1
        while True:
            hi = min(lo + step, limit)
            if pred(hi):
                break
            if hi == limit:
                raise ValueError(f"targets not reachable with max_agents={limit}")
            lo = hi
            step *= 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if pred(mid):
            hi = mid
        else:
            lo = mid
    return hi
