"""Erlang A (Palm, M/M/n+M): the Erlang C queue with exponentially impatient callers.

Why a model of its own: real callers hang up.  Erlang C ignores that and
overstates both waits and required staff; Erlang A is the simplest model with
abandonment and is always stable, so it also covers overload.

Notation (Mandelbaum & Zeltyn)
------------------------------
``lambda`` arrival rate, ``mu = 1/aht``, ``theta = 1/patience``,
``s = n mu / theta``, ``x = lambda / theta``.  Relative to the probability of
the state "n in system", the state "n + j in system" has weight ::

    t_j = prod_{i=1..j} lambda / (n mu + i theta) = x^j / ((s+1)(s+2)...(s+j)),

and their sum is ::

    A(s, x) = sum_j t_j = s e^x x^{-s} gamma_lower(s, x)
            = s e^x x^{-s} Gamma(s) P(s, x)        (P = regularised lower gamma),

which is the ``A(x, y)`` of Mandelbaum & Zeltyn with
``(x, y) = (n mu/theta, lambda/theta)``.  The states below ``n`` give
``sum_{k<=n} pi_k / pi_n = 1 / B(n, a)`` (Erlang B), hence ::

    P(W > 0) = A / (A + R),  R = 1/B - 1.

How it is evaluated
-------------------
Nothing here evaluates ``a**n`` or ``n!``.  ``log A`` comes from the regularised
incomplete gamma function regrouped with Stirling's series where that is well
conditioned, and from the positive series ``sum_j t_j`` where the incomplete
gamma underflows (:func:`_log_a`); ``R`` comes from the Erlang B recursion in
log space (:func:`_erlang_b_log_odds`).  The conditional-on-waiting moments are
exact positive series, summed around their largest term until both ends fall
below ``exp(-60)`` of it (:func:`_a_window`, :func:`_erlang_a_series`), so
``n = 2000`` at 95 % load is routine.

References
----------
* O. Garnett, A. Mandelbaum, M. Reiman, "Designing a call center with impatient
  customers", *M&SOM* 4(3), 2002 (exact M/M/n+M formulas, Appendix).
* A. Mandelbaum, S. Zeltyn, "Service engineering in action: the Palm/Erlang-A
  queue, with applications to call centers", 2004/2007 (the ``A(x, y)``
  function and P{W>0}, P{Ab|W>0}).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from scipy import special

from simcall.erlang.base import (
    SECONDS_PER_HOUR,
    FloatArray,
    QueueMetrics,
    agents_array,
    check_within,
    float_or_array,
    is_scalar,
    nonneg_array,
    positive_array,
)

_LOG_2PI = math.log(2.0 * math.pi)
_TRUNCATION_LOG = -60.0  # series terms below exp(-60) ~ 1e-26 of the largest are dropped


def _erlang_b_log_odds(n: int, a: float, known: tuple[int, float] = (0, -math.inf)) -> float:
    """``log(1/B(n, a) - 1)`` computed in log space (never under/overflows).

    With ``R_k = 1/B(k) - 1`` the Erlang B recursion reads
    ``R_k = (k/a) (1 + R_{k-1})``, ``R_0 = 0``.  Erlang A needs ``R`` when it
    is astronomically large (``B`` underflows) or when ``1 - B`` is tiny.
    ``known = (k, log R_k)`` (``k <= n``) resumes the recursion from step ``k``
    rather than from 0, with the same arithmetic, so a search that walks up
    one agent at a time pays one step per agent and gets the same bits.
    """
    if n == 0:
        return -math.inf
    if a == 0.0:
        return math.inf
    log_a = math.log(a)
    start, lr = known
    for k in range(start + 1, n + 1):
        # softplus(lr) = log(1 + exp(lr)) without overflow
        sp = lr + math.log1p(math.exp(-lr)) if lr > 0 else math.log1p(math.exp(lr))
        lr = math.log(k) - log_a + sp
    return lr


def _phi(x: float, s: float) -> float:
    """``r - 1 - log r`` with ``r = x / s`` (``>= 0``), accurate near ``r = 1`` and for tiny ``r``.

    ``s * _phi(x, s)`` is the large-deviation exponent that separates ``log A``
    from ``log P(s, x)``.
    """
    d = (x - s) / s
    if abs(d) < 0.1:
        # r - 1 - log(1 + d) = sum_{k>=2} (-1)^k d^k / k; 24 terms reach full precision
        total = 0.0
        power = d * d
        for k in range(2, 26):
            total += (power / k) if k % 2 == 0 else (-power / k)
            power *= d
        return total
    log_r = math.log1p(d) if d > -0.5 else math.log(x) - math.log(s)
    return d - log_r


def _stirling_corr(s: float) -> float:
    """``log Gamma(s) - [(s - 1/2) log s - s + log(2 pi)/2]`` without cancellation."""
    if s >= 10.0:
        inv = 1.0 / s
        inv2 = inv * inv
        return inv * (
            1.0 / 12.0
            - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 * (1.0 / 1680.0 - inv2 / 1188.0)))
        )
    return float(special.gammaln(s)) - ((s - 0.5) * math.log(s) - s + 0.5 * _LOG_2PI)


def _log_a_gamma(s: float, x: float) -> float:
    """``log A(s, x)`` via the regularised incomplete gamma function.

    ``log A = log s + x - s log x + log Gamma(s) + log P(s, x)``, regrouped with
    Stirling's formula as ``0.5 log(2 pi s) + s (r - 1 - log r) + corr(s) + log P``
    (``r = x/s``) so that no two large numbers are subtracted.  Returns ``nan``
    if ``P(s, x)`` underflows.
    """
    if x <= 0.0:
        return 0.0
    phi = _phi(x, s)
    p = float(special.gammainc(s, x))
    if not p > 0.0:
        return math.nan
    return 0.5 * (_LOG_2PI + math.log(s)) + s * phi + _stirling_corr(s) + math.log(p)


def _log_ratio(s: float, x: float, j: npt.NDArray[np.int64]) -> FloatArray:
    """``log(t_j / t_{j-1}) = log(x / (s + j))`` without cancellation near 1."""
    sj = s + j.astype(float)
    d = (x - sj) / sj
    with np.errstate(divide="ignore"):
        return np.where(d > -0.5, np.log1p(np.maximum(d, -0.5)), np.log(x) - np.log(sj))


class _Window(NamedTuple):
    j: npt.NDArray[np.int64]  # indices j of the retained terms (consecutive)
    log_t: FloatArray  # log(t_j / t_jstar), max 0
    log_t_star: float  # log t_jstar (absolute)


def _a_window(s: float, x: float) -> _Window:
    """Terms of ``A(s, x) = sum_j t_j`` that matter, around the largest one.

    ``t_j`` is log-concave in ``j`` with its maximum at ``j* = max(0, floor(x - s))``;
    the window is widened until both ends are below ``exp(-60)`` of the maximum
    (or the left end reaches 0).
    """
    if x <= 0.0:
        return _Window(np.zeros(1, dtype=np.int64), np.zeros(1), 0.0)
    jstar = max(0, math.floor(x - s))
    # right tail
    r1 = x / (s + jstar + 1.0)
    guess = 12.0 * math.sqrt(x) + 10.0
    if r1 < 1.0:
        guess = min(guess, -_TRUNCATION_LOG / -math.log(r1) + 10.0)
    m = max(math.ceil(guess), 16)
    while True:
        jr = np.arange(jstar + 1, jstar + m + 1, dtype=np.int64)
        log_right = np.cumsum(_log_ratio(s, x, jr))
        if log_right[-1] < _TRUNCATION_LOG:
            break
        m *= 2
    # left tail
    if jstar > 0:
        ml = min(jstar, max(math.ceil(12.0 * math.sqrt(x) + 10.0), 16))
        while True:
            jl = np.arange(jstar - ml + 1, jstar + 1, dtype=np.int64)
            # log t_{j-1} - log t_jstar = -sum_{i=j}^{jstar} log(x / (s + i))
            log_left = -np.cumsum(_log_ratio(s, x, jl)[::-1])[::-1]
            if jstar - ml == 0 or log_left[0] < _TRUNCATION_LOG:
                break
            ml = min(jstar, 2 * ml)
        lo = jstar - ml
    else:
        log_left = np.zeros(0)
        lo = 0
    j = np.arange(lo, jr[-1] + 1, dtype=np.int64)
    log_t = np.concatenate([log_left, [0.0], log_right])
    if jstar == 0:
        log_t_star = 0.0
    elif jstar <= 2_000_000:
        log_t_star = float(np.sum(_log_ratio(s, x, np.arange(1, jstar + 1, dtype=np.int64))))
    else:
        log_t_star = jstar * math.log(x) - float(
            special.gammaln(s + jstar + 1.0) - special.gammaln(s + 1.0)
        )
    return _Window(j, log_t, log_t_star)


def _log_a_series(s: float, x: float) -> float:
    """``log A(s, x)`` by direct summation of its (positive) series."""
    w = _a_window(s, x)
    return w.log_t_star + float(special.logsumexp(w.log_t))


def _log_a(s: float, x: float) -> float:
    """Robust ``log A(s, x)``: incomplete gamma where well conditioned, else the series.

    The incomplete-gamma route is accurate to ~1e-16 when ``x >= s`` (then
    ``P(s, x) >~ 1/2``) or when ``P(s, x)`` is not small, i.e. ``s (r - 1 - log r)``
    is moderate.  Deeper in light traffic ``P`` becomes tiny (relative error of
    ``gammainc`` grows to ~1e-13, then it underflows), while the series
    ``sum_j t_j`` decreases at least geometrically (ratio ``< r``), so it is
    summed directly instead (exact positive terms, ~1e-16).
    """
    if x <= 0.0:
        return 0.0
    exponent = s * _phi(x, s)
    if x >= s or exponent < 20.0:
        return _log_a_gamma(s, x)
    n_terms = min(-_TRUNCATION_LOG / -math.log(x / (s + 1.0)), 12.0 * math.sqrt(x))
    if n_terms > 2e6:  # only for absurdly large s near r = 1; gammainc is then still fine
        value = _log_a_gamma(s, x)
        if math.isfinite(value):
            return value
    return _log_a_series(s, x)


def _digamma_diff(a: float, b: float) -> float:
    """``psi(b) - psi(a)`` for ``b >= a > 0`` without cancellation for huge ``a``."""
    if b == a:
        return 0.0
    if a < 1e4:
        return float(special.digamma(b) - special.digamma(a))
    ia, ib = 1.0 / a, 1.0 / b
    return (
        math.log1p((b - a) / a)
        - 0.5 * (ib - ia)
        - (ib**2 - ia**2) / 12.0
        + (ib**4 - ia**4) / 120.0
        - (ib**6 - ia**6) / 252.0
    )


class _ASeries(NamedTuple):
    log_a: float  # log A(s, x) from the series (cross-check of the gamma route)
    p_abandon_given_wait: float  # P(Ab | W > 0)
    queue_given_wait: float  # E[Q | N >= n]
    served_wait_given_wait: float  # E[W ; served | W > 0] in seconds


def _erlang_a_series(s: float, x: float, theta: float) -> _ASeries:
    """Conditional-on-waiting moments of Erlang A as exact positive series.

    A caller who finds ``j`` others waiting ahead sees the queue ahead shrink at
    rates ``n mu + k theta`` (k still ahead) while she abandons at rate
    ``theta``.  Her offered wait ``V_j`` is hypo-exponential with rates
    ``n mu + i theta`` (i = 0..j) and her patience ``tau ~ Exp(theta)``, so

    * ``P(served | j) = E[exp(-theta V_j)] = s / (s + j + 1)`` (telescoping product),
    * ``E[W ; served | j] = E[V_j exp(-theta V_j)]
      = s / (s + j + 1) * (1/theta) * sum_{i=1..j+1} 1 / (s + i)``
      (derivative of the Laplace transform).

    Weighting with ``t_j`` gives the conditional quantities.
    """
    win = _a_window(s, x)
    j = win.j.astype(float)
    w = np.exp(win.log_t)
    total = float(np.sum(w))
    log_a = win.log_t_star + math.log(total)
    frac_served = s / (s + j + 1.0)
    frac_ab = (j + 1.0) / (s + j + 1.0)
    lo = int(win.j[0])
    head = _digamma_diff(s + 1.0, s + lo + 1.0)  # sum_{i=1..lo} 1/(s+i)
    harmonic = head + np.cumsum(1.0 / (s + j + 1.0))  # sum_{i=1..j+1} 1/(s+i)
    return _ASeries(
        log_a=log_a,
        p_abandon_given_wait=float(np.sum(w * frac_ab)) / total,
        queue_given_wait=float(np.sum(w * j)) / total,
        served_wait_given_wait=float(np.sum(w * frac_served * harmonic)) / total / theta,
    )


def _erlang_a_served_tail(
    s: float, x: float, theta: float, c: float, t: float, log_a: float
) -> float:
    """``P(served and W > t | W > 0)`` in Erlang A (closed form, incomplete gamma).

    Derivation (generating function of the backward equations of ``V_j``):
    ``sum_j t_j P(V_j > t) = A(s, x e^{-theta t}) exp(x (1 - e^{-theta t}) - n mu t)``;
    integrating ``E[exp(-theta V); V > t]`` by parts then gives
    ``sum_j t_j P(served, V_j > t) = s e^x x^{-(s+1)} gamma_lower(s+1, x e^{-theta t})``,
    i.e. ``P(served, W > t | W > 0) = P(s+1, x e^{-theta t}) / (rho P(s, x))``
    with ``rho = x/s``.  That ratio of regularised incomplete gammas is evaluated
    directly when ``P(s, x)`` is not small (no large exponents, so the difference
    ``P(served | W > 0) - tail`` keeps full absolute precision).  Otherwise (light
    traffic, where ``P`` may underflow) the equivalent form in terms of ``A``,
    ``s/(s+1) * A(s+1, y) / A(s, x) * exp(-(n mu + theta) t + x (1 - e^{-theta t}))``
    with ``y = x e^{-theta t}``, is evaluated in log space.
    """
    y = x * math.exp(-theta * t)
    p_sx = float(special.gammainc(s, x))
    if p_sx >= 1e-3:
        return float(special.gammainc(s + 1.0, y)) * s / (x * p_sx)
    log_tail = (
        -math.log1p(1.0 / s)
        + _log_a(s + 1.0, y)
        - log_a
        - (c + theta) * t
        - x * math.expm1(-theta * t)
    )
    return math.exp(log_tail)


def erlang_a_scalar(
    n: int,
    lam: float,
    aht: float,
    patience: float,
    within: float | None,
    log_r: float | None = None,
) -> tuple[float, ...]:
    """Erlang A metrics for scalar inputs; ``lam`` in calls per second.

    The figures come back as a plain tuple in the field order of
    :class:`~simcall.erlang.QueueMetrics`: the staffing search calls this once
    per candidate pool and reads the fields it needs by position.  ``log_r``
    is ``log(1/B(n, a) - 1)`` if the caller already has it
    (:func:`erlang_a_upward`); otherwise it is computed here.
    """
    if lam == 0.0:
        sl = math.nan if within is None else 1.0
        return (0.0, 0.0, 0.0, sl, 0.0, 0.0, 0.0, 0.0)
    mu = 1.0 / aht
    theta = 1.0 / patience
    c = n * mu
    a = lam * aht
    rho = a / n
    s = n * patience / aht  # n mu / theta
    x = lam * patience  # lambda / theta
    log_a = _log_a(s, x)
    if log_r is None:
        log_r = _erlang_b_log_odds(n, a)
    p_wait = float(special.expit(log_a - log_r))  # A / (A + R)
    series = _erlang_a_series(s, x, theta)
    # P(Ab | W > 0): Mandelbaum & Zeltyn's closed form 1/(rho A) + 1 - 1/rho has only
    # non-negative terms when rho >= 1; for rho < 1 it cancels badly (A ~ 1/(1 - rho) when
    # patience is long), so there the exact positive series is used instead.
    q_ab = series.p_abandon_given_wait if rho < 1.0 else math.exp(-log_a) / rho + 1.0 - 1.0 / rho
    q_ab = min(max(q_ab, 0.0), 1.0)
    p_ab = p_wait * q_ab
    mean_queue = p_wait * series.queue_given_wait
    mean_wait_all = mean_queue / lam
    p_served = 1.0 - p_ab
    asa = p_wait * series.served_wait_given_wait / p_served if p_served > 0 else math.nan
    if within is None:
        sl = math.nan
    else:
        tail = _erlang_a_served_tail(s, x, theta, c, within, log_a)
        sl = (1.0 - p_wait) + p_wait * max((1.0 - q_ab) - tail, 0.0)
    occupancy = min(a * p_served / n, 1.0)
    return (p_wait, p_ab, 0.0, sl, asa, mean_wait_all, occupancy, mean_queue)


def erlang_a_upward(
    lam: float, aht: float, patience: float, within: float | None
) -> Iterator[tuple[float, ...]]:
    """``erlang_a_scalar(n, ...)`` for ``n = 1, 2, 3, ...``, without end.

    For searches that must look at every pool size in turn (the cost-optimal
    head count): the Erlang B recursion is carried from one ``n`` to the next,
    so each step costs one recursion step instead of ``n``, and every row is
    bit for bit the one :func:`erlang_a_scalar` gives for that ``n`` alone.
    """
    a = lam * aht
    n, log_r = 0, -math.inf
    while True:
        log_r = _erlang_b_log_odds(n + 1, a, (n, log_r))
        n += 1
        yield erlang_a_scalar(n, lam, aht, patience, within, log_r=log_r)


def _metrics_from_rows(
    rows: list[tuple[float, ...]], shape: tuple[int, ...], scalar: bool
) -> QueueMetrics:
    data = np.array(rows, dtype=float).reshape((*shape, 8)) if rows else np.zeros((*shape, 8))
    fields = [float_or_array(data[..., i], scalar) for i in range(8)]
    return QueueMetrics(*fields)


def erlang_a_metrics(
    agents: npt.ArrayLike,
    calls_per_hour: npt.ArrayLike,
    aht: npt.ArrayLike,
    patience: npt.ArrayLike,
    within: float | None = None,
) -> QueueMetrics:
    """Exact performance of the Erlang A (Palm, M/M/n+M) queue.

    Why: real callers hang up.  Erlang C ignores that and overstates both
    waits and required staff; Erlang A is the simplest model with
    abandonment and is always stable, so it also covers overload.

    Model: Poisson arrivals at ``calls_per_hour``; ``agents`` identical agents
    with exponential handle times (mean ``aht`` s); unlimited waiting room,
    FCFS; every caller has an independent exponential patience with mean
    ``patience`` s and abandons when her wait reaches it; no blocking.

    Parameters
    ----------
    agents : int or array_like of int
        Number of agents ``n >= 1``.
    calls_per_hour : float or array_like
        Arrival rate in calls per hour.
    aht : float or array_like
        Mean handle time in seconds.
    patience : float or array_like
        Mean patience in seconds (``> 0``, finite; use :func:`erlang_c_metrics`
        for infinitely patient callers).
    within : float, optional
        Service-level threshold in seconds.

    Returns
    -------
    QueueMetrics
        ``p_block = 0``.  ``service_level = P(answered and wait < within)``
        (abandoned calls count as failures); ``asa = E[W | answered]``;
        ``mean_wait_all = E[min(V, patience)] = p_abandon * patience``.

    Notes
    -----
    With ``s = n mu/theta``, ``x = lambda/theta``, ``rho = x/s`` and
    ``A(s, x) = s e^x x^{-s} gamma_lower(s, x)`` (Mandelbaum & Zeltyn's
    ``A(n mu/theta, lambda/theta)``):

    * ``P(W > 0) = A B / (1 + (A - 1) B)``, ``B`` = Erlang B(n, a);
    * ``P(Ab | W > 0) = 1/(rho A) + 1 - 1/rho``;
    * ``P(answered, W > t | W > 0) = P(s+1, x e^{-theta t}) / (rho P(s, x))``
      (``P`` regularised lower incomplete gamma; derived in the module source);
    * ``E[Q] = lambda P(Ab) / theta``; the conditional means
      ``E[Q | W > 0]`` and ``E[W; answered | W > 0]`` are evaluated as exact
      positive series (see :func:`_erlang_a_series`).

    Everything is evaluated in log space (``log A`` via ``gammainc``/``gammaln``
    regrouped with Stirling's series, or via the positive series where the
    incomplete gamma underflows), so ``n = 2000`` at 95 % load is routine.
    ``theta == mu`` needs no special case (then the number in system is
    Poisson(a), which the tests check).  Array inputs are broadcast and
    evaluated element by element.
    """
    scalar = is_scalar(agents, calls_per_hour, aht, patience)
    n = agents_array(agents, minimum=1)
    lam_h = nonneg_array(calls_per_hour, "calls_per_hour")
    h = positive_array(aht, "aht")
    pat = positive_array(patience, "patience")
    t = check_within(within)
    n, lam_h, h, pat = np.broadcast_arrays(n, lam_h, h, pat)
    rows = [
        erlang_a_scalar(
            int(n[idx]), float(lam_h[idx]) / SECONDS_PER_HOUR, float(h[idx]), float(pat[idx]), t
        )
        for idx in np.ndindex(n.shape)
    ]
    return _metrics_from_rows(rows, n.shape, scalar)
