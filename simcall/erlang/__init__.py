"""Exact steady-state formulas for call-centre queues.

Why this module exists
----------------------
The discrete-event simulator in :mod:`simcall` is only trustworthy if, in the
special cases where the queueing theory is exact, it reproduces the exact
answers.  This module is that yardstick: closed forms (or exactly summed
series) for the classical Markovian call-centre models

* Erlang B  -- M/M/n/n, blocked calls cleared (:func:`erlang_b`, :func:`carried_load`);
* Erlang C  -- M/M/n, infinitely patient callers (:func:`erlang_c`,
  :func:`erlang_c_metrics`);
* Erlang A  -- M/M/n+M, exponentially distributed patience
  (:func:`erlang_a_metrics`);
* M/M/n/K(+M) -- a finite number of trunk lines, optionally with abandonment
  (:func:`mmck_metrics`);
* open Jackson networks of Erlang C departments with cold transfers
  (:func:`jackson_network`);

plus a staffing search (:func:`agents_required`).  It is deliberately *pure*:
it imports nothing from :mod:`simcall`, so it can be used to check the
simulator without sharing any of its code.

Model assumptions (common to everything here)
---------------------------------------------
Calls arrive as a Poisson process, talk (handle) times are exponential and
independent of everything else, agents are statistically identical, service is
first-come first-served and the system is in steady state.  Where patience is
modelled it is exponential, independent across callers, and a caller abandons
as soon as her wait exceeds her patience (an agent never picks up a caller who
has already hung up).

Units
-----
* times (``aht``, ``patience``, ``within``, ``asa`` ...): **seconds**;
* arrival rates: **calls per hour** (parameter ``calls_per_hour``);
* offered load: **Erlangs** (``calls_per_hour * aht / 3600``).

Numerics
--------
Pools of thousands of agents are routine, so nothing here evaluates ``a**n`` or
``n!``: Erlang B uses its bounded recursion, other quantities are formed in log
space, and infinite sums are summed around their largest term with explicit
truncation checks.  Scalars in give Python floats out; array inputs broadcast
and give :class:`numpy.ndarray` out.

References
----------
* A. K. Erlang (1917); the recursion for Erlang B is standard, see e.g.
  Cooper, *Introduction to Queueing Theory*, 1981.
* O. Garnett, A. Mandelbaum, M. Reiman, "Designing a call center with impatient
  customers", *M&SOM* 4(3), 2002 (exact M/M/n+M formulas, Appendix).
* A. Mandelbaum, S. Zeltyn, "Service engineering in action: the Palm/Erlang-A
  queue, with applications to call centers", 2004/2007 (the ``A(x, y)``
  function and P{W>0}, P{Ab|W>0}).
* J. R. Jackson, "Networks of waiting lines", *Operations Research* 5, 1957.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import optimize, sparse, special, stats
from scipy.sparse.linalg import expm_multiply

__all__ = [
    "SECONDS_PER_HOUR",
    "JacksonNode",
    "JacksonResult",
    "QueueMetrics",
    "agents_required",
    "carried_load",
    "erlang_a_metrics",
    "erlang_b",
    "erlang_c",
    "erlang_c_metrics",
    "jackson_network",
    "mmck_metrics",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]
FloatOrArray: TypeAlias = float | FloatArray

SECONDS_PER_HOUR = 3600.0
"""Conversion between the per-hour arrival rates of the API and per-second rates."""

_LOG_2PI = math.log(2.0 * math.pi)
_TRUNCATION_LOG = -60.0  # series terms below exp(-60) ~ 1e-26 of the largest are dropped


# --------------------------------------------------------------------------------------
# small validation / conversion helpers
# --------------------------------------------------------------------------------------


def _is_scalar(*values: object) -> bool:
    return all(np.ndim(v) == 0 for v in values)


def _out(value: npt.ArrayLike, scalar: bool) -> FloatOrArray:
    """Return a Python float for scalar calls, a float ndarray otherwise."""
    arr = np.asarray(value, dtype=float)
    return float(arr) if scalar else arr


def _agents_array(agents: npt.ArrayLike, name: str = "agents", minimum: int = 0) -> FloatArray:
    arr = np.asarray(agents, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr != np.floor(arr)):
        raise ValueError(f"{name} must be whole numbers, got {agents!r}")
    if np.any(arr < minimum):
        raise ValueError(f"{name} must be >= {minimum}, got {agents!r}")
    return arr


def _nonneg_array(value: npt.ArrayLike, name: str) -> FloatArray:
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
    return arr


def _positive_array(value: npt.ArrayLike, name: str) -> FloatArray:
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return arr


def _check_within(within: float | None) -> float | None:
    if within is None:
        return None
    w = float(within)
    if not math.isfinite(w) or w < 0:
        raise ValueError(f"within must be finite and >= 0 seconds, got {within!r}")
    return w


def _as_int(value: float, name: str, minimum: int) -> int:
    if np.ndim(value) != 0:
        raise ValueError(f"{name} must be a scalar here, got an array")
    return int(_agents_array(value, name, minimum))


# --------------------------------------------------------------------------------------
# Erlang B and C
# --------------------------------------------------------------------------------------


def _erlang_b_scalar(n: int, a: float) -> float:
    b = 1.0
    for k in range(1, n + 1):
        ab = a * b
        b = ab / (k + ab)
    return b


def erlang_b(agents: npt.ArrayLike, load: npt.ArrayLike) -> FloatOrArray:
    """Blocking probability of the Erlang loss system M/M/n/n.

    Why: with ``n`` trunk lines (or agents) and no waiting room, this is the
    share of calls that get a busy signal.  It is also the building block of
    Erlang C and Erlang A below.

    Model: Poisson arrivals, ``n`` servers, no queue, blocked calls are lost.
    The result is insensitive to the holding-time distribution (only its mean
    enters, through ``load``).

    Parameters
    ----------
    agents : int or array_like of int
        Number of servers/lines ``n >= 0``.  Non-integer values raise.
    load : float or array_like
        Offered load ``a = arrival rate * mean holding time`` in Erlangs, ``>= 0``.

    Returns
    -------
    float or numpy.ndarray
        ``B(n, a) = (a^n/n!) / sum_{k<=n} a^k/k!``, broadcast over the inputs.

    Notes
    -----
    Uses the recursion ``B(0) = 1``, ``B(k) = a B(k-1) / (k + a B(k-1))``,
    which stays in ``[0, 1]`` and is stable for any ``n`` (no factorials or
    powers).  Cost is ``O(max n)`` vectorised steps.

    Raises
    ------
    ValueError
        If ``agents`` is negative or not a whole number, or ``load`` is negative
        or not finite.
    """
    n = _agents_array(agents)
    a = _nonneg_array(load, "load")
    if _is_scalar(agents, load):
        return _erlang_b_scalar(int(n), float(a))
    n_b, a_b = np.broadcast_arrays(n, a)
    b = np.ones(a_b.shape, dtype=float)
    n_max = int(n_b.max()) if n_b.size else 0
    for k in range(1, n_max + 1):
        ab = a_b * b
        b = np.where(n_b >= k, ab / (k + ab), b)
    return b


def _erlang_b_log_odds(n: int, a: float) -> float:
    """``log(1/B(n, a) - 1)`` computed in log space (never under/overflows).

    With ``R_k = 1/B(k) - 1`` the Erlang B recursion reads
    ``R_k = (k/a) (1 + R_{k-1})``, ``R_0 = 0``.  Erlang A needs ``R`` when it
    is astronomically large (``B`` underflows) or when ``1 - B`` is tiny.
    """
    if n == 0:
        return -math.inf
    if a == 0.0:
        return math.inf
    log_a = math.log(a)
    lr = -math.inf
    for k in range(1, n + 1):
        # softplus(lr) = log(1 + exp(lr)) without overflow
        sp = lr + math.log1p(math.exp(-lr)) if lr > 0 else math.log1p(math.exp(lr))
        lr = math.log(k) - log_a + sp
    return lr


def erlang_c(agents: npt.ArrayLike, load: npt.ArrayLike) -> FloatOrArray:
    """Probability that a call has to wait in the Erlang delay system M/M/n.

    Why: the classical staffing formula; "probability of waiting" in every WFM
    tool is this number.

    Model: Poisson arrivals, ``n`` identical agents, exponential handle times,
    unlimited waiting room, callers never abandon.

    Parameters
    ----------
    agents : int or array_like of int
        Number of agents ``n >= 0``.
    load : float or array_like
        Offered load ``a`` in Erlangs.

    Returns
    -------
    float or numpy.ndarray
        ``C(n, a) = n B / (n - a (1 - B))`` with ``B = erlang_b(n, a)``; ``1.0``
        when ``a >= n`` (the queue is unstable and every call eventually waits).
    """
    n = _agents_array(agents)
    a = _nonneg_array(load, "load")
    scalar = _is_scalar(agents, load)
    b = np.asarray(erlang_b(n, a), dtype=float)
    n_b, a_b = np.broadcast_arrays(n, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = n_b * b / (n_b - a_b * (1.0 - b))
    c = np.where(a_b >= n_b, 1.0, c)
    return _out(c, scalar)


def carried_load(lines: npt.ArrayLike, blocking: npt.ArrayLike) -> FloatOrArray:
    """Offered load (Erlangs) that ``lines`` trunks can take at a given grade of service.

    Why: trunk sizing is usually stated the other way round -- "how much
    traffic can 15 lines carry at 1 % blocking?"  This inverts
    :func:`erlang_b` in its load argument.  (The name follows the brief of
    the project; strictly, the returned value is the *offered* load ``a``; the
    load actually carried is ``a (1 - blocking)``.)

    Parameters
    ----------
    lines : int or array_like of int
        Number of lines ``n >= 1``.
    blocking : float or array_like
        Target blocking probability in ``(0, 1)``.

    Returns
    -------
    float or numpy.ndarray
        The unique ``a`` with ``erlang_b(lines, a) == blocking`` (``B`` is
        strictly increasing in ``a``), found with :func:`scipy.optimize.brentq`.
        For 15 lines at 1 % this is 8.108 Erlangs, as in published Erlang B tables.
    """
    n_arr = _agents_array(lines, "lines", minimum=1)
    p_arr = np.asarray(blocking, dtype=float)
    if not np.all((p_arr > 0) & (p_arr < 1)):
        raise ValueError(f"blocking must lie strictly between 0 and 1, got {blocking!r}")
    scalar = _is_scalar(lines, blocking)
    n_b, p_b = np.broadcast_arrays(n_arr, p_arr)
    out = np.empty(n_b.shape, dtype=float)
    for idx in np.ndindex(n_b.shape):
        n = int(n_b[idx])
        target = float(p_b[idx])

        def gap(a: float, n: int = n, target: float = target) -> float:
            return _erlang_b_scalar(n, a) - target

        hi = float(max(n, 1))
        while gap(hi) < 0:
            hi *= 2.0
        out[idx] = optimize.brentq(gap, 0.0, hi, xtol=1e-13, rtol=4 * np.finfo(float).eps)
    return _out(out, scalar)


# --------------------------------------------------------------------------------------
# Results container
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueMetrics:
    """Steady-state performance of a single call queue.

    All probabilities are per *call* (PASTA: Poisson arrivals see time
    averages).  Vectorised calls return arrays in the fields.

    Attributes
    ----------
    p_wait : float or numpy.ndarray
        Probability that an arriving, non-blocked call finds no free agent.
    p_abandon : float or numpy.ndarray
        Share of non-blocked calls that hang up before being answered (0 when
        callers are infinitely patient).
    p_block : float or numpy.ndarray
        Share of all arriving calls that are blocked because every line is in
        use (0 with unlimited lines).
    service_level : float or numpy.ndarray
        ``answered with wait < within / (answered + abandoned)``, i.e. among
        non-blocked calls, abandoned calls count against the service level.
        ``nan`` when no ``within`` was given.
    asa : float or numpy.ndarray
        Average speed of answer: mean wait, in seconds, of *answered* calls
        (zero waits included).
    mean_wait_all : float or numpy.ndarray
        Mean wait in seconds of all non-blocked calls, abandoned ones counted
        until they hang up (``= mean_queue / admitted rate``, Little's law).
    occupancy : float or numpy.ndarray
        Busy agent time / agent time = carried load / agents.
    mean_queue : float or numpy.ndarray
        Time-average number of callers waiting (not yet talking).
    """

    p_wait: FloatOrArray
    p_abandon: FloatOrArray
    p_block: FloatOrArray
    service_level: FloatOrArray
    asa: FloatOrArray
    mean_wait_all: FloatOrArray
    occupancy: FloatOrArray
    mean_queue: FloatOrArray


# --------------------------------------------------------------------------------------
# Erlang C metrics
# --------------------------------------------------------------------------------------


def erlang_c_metrics(
    agents: npt.ArrayLike,
    calls_per_hour: npt.ArrayLike,
    aht: npt.ArrayLike,
    within: float | None = None,
) -> QueueMetrics:
    """Performance of the Erlang C (M/M/n) queue.

    Why: the textbook staffing model, and the reference the simulator must hit
    when abandonment and line limits are switched off.

    Model: Poisson arrivals at ``calls_per_hour``, ``agents`` identical agents,
    exponential handle times with mean ``aht`` seconds, unlimited waiting
    room, nobody abandons, FCFS.  Then ``P(W > t) = C exp(-(n - a) t / aht)``,
    ``ASA = C aht / (n - a)`` and ``E[Q] = C a / (n - a)``.

    Parameters
    ----------
    agents : int or array_like of int
        Number of agents ``n >= 1``.
    calls_per_hour : float or array_like
        Arrival rate in calls per hour.
    aht : float or array_like
        Mean handle time in seconds.
    within : float, optional
        Service-level threshold in seconds (``service_level`` is ``nan`` if
        omitted).

    Returns
    -------
    QueueMetrics
        ``p_abandon = p_block = 0``; ``mean_wait_all == asa``.  If the load is
        at least the number of agents the queue is unstable: ``p_wait = 1``,
        ``service_level = 0``, ``asa = mean_wait_all = mean_queue = inf`` and
        ``occupancy = 1``.
    """
    scalar = _is_scalar(agents, calls_per_hour, aht)
    n = _agents_array(agents, minimum=1)
    lam_h = _nonneg_array(calls_per_hour, "calls_per_hour")
    h = _positive_array(aht, "aht")
    t = _check_within(within)
    n, lam_h, h = np.broadcast_arrays(n, lam_h, h)
    a = lam_h * h / SECONDS_PER_HOUR
    c = np.asarray(erlang_c(n, a), dtype=float)
    stable = a < n
    gap = np.where(stable, n - a, 1.0)
    asa = np.where(stable, c * h / gap, np.inf)
    mean_queue = np.where(stable, c * a / gap, np.inf)
    occupancy = np.where(stable, a / n, 1.0)
    if t is None:
        sl = np.full(n.shape, np.nan)
    else:
        sl = np.where(stable, 1.0 - c * np.exp(-gap * t / h), 0.0)
    zeros = np.zeros(n.shape)
    return QueueMetrics(
        p_wait=_out(c, scalar),
        p_abandon=_out(zeros, scalar),
        p_block=_out(zeros, scalar),
        service_level=_out(sl, scalar),
        asa=_out(asa, scalar),
        mean_wait_all=_out(asa, scalar),
        occupancy=_out(occupancy, scalar),
        mean_queue=_out(mean_queue, scalar),
    )


# --------------------------------------------------------------------------------------
# Erlang A (M/M/n+M)
# --------------------------------------------------------------------------------------
#
# Notation (Mandelbaum & Zeltyn): lambda arrival rate, mu = 1/aht, theta = 1/patience,
# s = n mu / theta, x = lambda / theta.  Relative to the probability of the state
# "n in system", the state "n + j in system" has weight
#     t_j = prod_{i=1..j} lambda / (n mu + i theta) = x^j / ((s+1)(s+2)...(s+j)),
# and their sum is
#     A(s, x) = sum_j t_j = s e^x x^{-s} gamma_lower(s, x)
#             = s e^x x^{-s} Gamma(s) P(s, x)        (P = regularised lower gamma),
# which is the A(x, y) of Mandelbaum & Zeltyn with (x, y) = (n mu/theta, lambda/theta).
# The states below n give sum_{k<=n} pi_k / pi_n = 1 / B(n, a) (Erlang B), hence
#     P(W > 0) = A / (A + R),  R = 1/B - 1.


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


def _erlang_a_scalar(
    n: int, lam: float, aht: float, patience: float, within: float | None
) -> tuple[float, ...]:
    """Erlang A metrics for scalar inputs; ``lam`` in calls per second."""
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


def _metrics_from_rows(
    rows: list[tuple[float, ...]], shape: tuple[int, ...], scalar: bool
) -> QueueMetrics:
    data = np.array(rows, dtype=float).reshape((*shape, 8)) if rows else np.zeros((*shape, 8))
    fields = [_out(data[..., i], scalar) for i in range(8)]
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
    scalar = _is_scalar(agents, calls_per_hour, aht, patience)
    n = _agents_array(agents, minimum=1)
    lam_h = _nonneg_array(calls_per_hour, "calls_per_hour")
    h = _positive_array(aht, "aht")
    pat = _positive_array(patience, "patience")
    t = _check_within(within)
    n, lam_h, h, pat = np.broadcast_arrays(n, lam_h, h, pat)
    rows = [
        _erlang_a_scalar(
            int(n[idx]), float(lam_h[idx]) / SECONDS_PER_HOUR, float(h[idx]), float(pat[idx]), t
        )
        for idx in np.ndindex(n.shape)
    ]
    return _metrics_from_rows(rows, n.shape, scalar)


# --------------------------------------------------------------------------------------
# M/M/n/K (+M)
# --------------------------------------------------------------------------------------


def mmck_metrics(
    agents: int,
    lines: int,
    calls_per_hour: float,
    aht: float,
    patience: float | None = None,
    within: float | None = None,
) -> QueueMetrics:
    """Exact performance of M/M/n/K, optionally with exponential abandonment (M/M/n/K+M).

    Why: a real ACD has a finite number of trunk lines; a caller who finds all
    ``K`` lines occupied (talking or queued) gets a busy signal.  This
    interpolates between Erlang B (``K = n``), Erlang C (``K -> inf``) and
    Erlang A (``K -> inf`` with patience).

    Model: Poisson arrivals, ``n`` agents with exponential handle times (mean
    ``aht`` s), at most ``K = lines`` calls in the system; arrivals finding
    ``K`` are blocked and lost (PASTA: the blocking probability is the
    time-stationary ``pi_K``); FCFS; optionally exponential patience with mean
    ``patience`` s.  The number in system is a finite birth-death chain with
    birth rate ``lambda`` and death rate
    ``min(k, n)/aht + max(k - n, 0)/patience``, solved in log space.

    Parameters
    ----------
    agents : int
        Number of agents ``n >= 1``.
    lines : int
        Maximum number of calls in the system ``K >= 1`` (waiting + talking).
        ``K < n`` is allowed (then at most ``K`` agents can be busy).
    calls_per_hour : float
        Arrival rate in calls per hour.
    aht : float
        Mean handle time in seconds.
    patience : float, optional
        Mean patience in seconds; ``None`` means nobody abandons.
    within : float, optional
        Service-level threshold in seconds.

    Returns
    -------
    QueueMetrics
        ``p_block`` among all arrivals; ``p_wait``, ``p_abandon``,
        ``service_level`` and ``asa`` among non-blocked arrivals;
        ``mean_queue`` time-average; ``mean_wait_all`` by Little's law over
        admitted calls.

    Notes
    -----
    A tagged admitted caller who finds ``j`` others waiting: with ``theta``
    the abandonment rate and ``c = n mu``, the queue ahead shrinks at rate
    ``c + k theta`` while she herself abandons at rate ``theta``.  Hence
    ``P(answered | j) = c / (c + (j + 1) theta)`` and
    ``E[W; answered | j] = c / (c + (j + 1) theta) * sum_{i=1..j+1} 1/(c + i theta)``
    (Laplace-transform derivative).  ``P(answered, W > t | j)`` is computed
    exactly as ``exp(Q t) f`` for the absorbing chain of "callers ahead"
    (``scipy.sparse.linalg.expm_multiply``), or as a Poisson tail when nobody
    abandons.  Scalar inputs only.
    """
    n = _as_int(agents, "agents", 1)
    k_max = _as_int(lines, "lines", 1)
    lam_h = float(_nonneg_array(calls_per_hour, "calls_per_hour"))
    h = float(_positive_array(aht, "aht"))
    theta = 0.0 if patience is None else 1.0 / float(_positive_array(patience, "patience"))
    t = _check_within(within)
    lam = lam_h / SECONDS_PER_HOUR
    mu = 1.0 / h
    c = n * mu

    k = np.arange(k_max + 1, dtype=float)
    if lam == 0.0:
        log_w = np.where(k == 0, 0.0, -np.inf)
    else:
        death = np.minimum(k[1:], n) * mu + np.maximum(k[1:] - n, 0.0) * theta
        log_w = np.concatenate([[0.0], np.cumsum(math.log(lam) - np.log(death))])
    log_z = float(special.logsumexp(log_w))
    pi = np.exp(log_w - log_z)
    p_block = float(pi[-1])
    # distribution seen by admitted arrivals (states 0..K-1), normalised without 1 - pi_K
    arr = np.exp(log_w[:-1] - special.logsumexp(log_w[:-1]))
    idle = float(np.sum(arr[:n]))
    m = max(k_max - n, 0)  # possible numbers waiting ahead: j = 0..m-1
    wait_dist = arr[n:] if m > 0 else np.zeros(0)
    j = np.arange(m, dtype=float)
    served_j = c / (c + (j + 1.0) * theta)
    harmonic = np.cumsum(1.0 / (c + (j + 1.0) * theta))  # sum_{i=1..j+1} 1/(c + i theta)
    served_wait_j = served_j * harmonic

    p_wait = float(np.sum(wait_dist))
    p_ab = float(np.sum(wait_dist * ((j + 1.0) * theta / (c + (j + 1.0) * theta))))
    p_served = idle + float(np.sum(wait_dist * served_j))
    asa = float(np.sum(wait_dist * served_wait_j)) / p_served if p_served > 0 else math.nan
    mean_queue = float(np.sum(pi * np.maximum(k - n, 0.0)))
    busy = float(np.sum(pi * np.minimum(k, n)))
    admitted_rate = lam * (1.0 - p_block)
    mean_wait_all = mean_queue / admitted_rate if admitted_rate > 0 else 0.0

    if t is None:
        sl = math.nan
    elif m == 0:
        sl = idle
    else:
        if t == 0.0:
            late = served_j
        elif theta == 0.0:
            # no abandonment: W > t iff fewer than j + 1 service completions (rate c) by t
            late = stats.poisson.cdf(j, c * t)
        else:
            late = _served_late_ctmc(c, theta, m, t, served_j)
        sl = idle + float(np.sum(wait_dist * np.clip(served_j - late, 0.0, None)))
    if lam == 0.0:
        sl = math.nan if t is None else 1.0
    sl = min(max(sl, 0.0), 1.0) if t is not None else sl
    return QueueMetrics(
        p_wait=p_wait,
        p_abandon=p_ab,
        p_block=p_block,
        service_level=sl,
        asa=asa,
        mean_wait_all=mean_wait_all,
        occupancy=busy / n,
        mean_queue=mean_queue,
    )


def _served_late_ctmc(c: float, theta: float, m: int, t: float, served_j: FloatArray) -> FloatArray:
    """``P(answered and W > t | j ahead)`` for ``j = 0..m-1`` via one sparse ``expm``.

    Transient states are "k callers ahead" (k = 0..m-1).  From ``k`` the queue
    ahead shrinks at rate ``c + k theta``; the tagged caller leaves the queue
    at total rate ``c + (k + 1) theta`` (reaches an agent from 0 at rate ``c``
    or abandons at rate ``theta``).  Being in state ``k`` at time ``t`` and
    then being answered has probability ``(exp(Q t))_{jk} * served_k``.
    """
    kk = np.arange(m, dtype=float)
    diag = -(c + (kk + 1.0) * theta)
    sub = c + kk[1:] * theta
    q = sparse.diags([diag, sub], [0, -1], shape=(m, m), format="csr")
    late = np.asarray(expm_multiply(q * t, served_j), dtype=float)
    return np.clip(late, 0.0, 1.0)


# --------------------------------------------------------------------------------------
# Staffing
# --------------------------------------------------------------------------------------


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
    t = _check_within(within)
    lam_h = float(_nonneg_array(calls_per_hour, "calls_per_hour"))
    h = float(_positive_array(aht, "aht"))
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
        b = _erlang_b_scalar(n, a)
        while n <= max_agents:
            c = n * b / (n - a * (1.0 - b))
            sl = 1.0 - c * math.exp(-(n - a) * t / h) if t is not None else math.nan
            if meets(sl, c * h / (n - a), 0.0):
                return n
            n += 1
            b = a * b / (n + a * b)
        raise ValueError(f"targets not reachable with max_agents={max_agents}")

    pat = float(_positive_array(patience, "patience"))

    def ok(n: int) -> bool:
        m = _erlang_a_scalar(n, lam_h / SECONDS_PER_HOUR, h, pat, t)
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


# --------------------------------------------------------------------------------------
# Jackson networks
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JacksonNode:
    """One department of an open Jackson network, analysed as an M/M/c queue.

    Attributes
    ----------
    arrival_rate : float
        Calls per hour entering this department's queue (external arrivals plus
        transfers in).
    load : float
        Offered load in Erlangs.
    p_wait : float
        Erlang C probability that an entering call waits.
    asa : float
        Mean wait in seconds of all entries (Erlang C ASA).
    service_level : float
        ``P(wait < within)`` per entry, ``nan`` when ``within`` is ``None``.
    occupancy : float
        load / agents.
    """

    arrival_rate: float
    load: float
    p_wait: float
    asa: float
    service_level: float
    occupancy: float


@dataclass(frozen=True)
class JacksonResult:
    """Solution of an open Jackson network of call-centre departments.

    Attributes
    ----------
    nodes : tuple of JacksonNode
        Per-department results, in input order.
    mean_visits : float
        Expected number of queue entries per external call (``>= 1``).
    mean_transfers : float
        Expected transfers per external call, ``mean_visits - 1`` (no call is
        lost in an Erlang C network).
    entry_distribution : tuple of float
        Probability that an external call first enters each department.
    transfer_matrix : tuple of tuple of float
        The routing matrix ``P`` as given.
    """

    nodes: tuple[JacksonNode, ...]
    mean_visits: float
    mean_transfers: float
    entry_distribution: tuple[float, ...]
    transfer_matrix: tuple[tuple[float, ...], ...]

    def transfer_distribution(self, k: npt.ArrayLike) -> FloatOrArray:
        """Probability that an external call is transferred exactly ``k`` times.

        Routing is Markov, so the number of transfers is discrete phase-type:
        ``P(N = k) = alpha P^k (1 - P 1)``, with ``alpha`` the entry
        distribution and ``1 - P 1`` the per-department probability of
        leaving after talk.
        """
        k_arr = np.asarray(k)
        if np.any(k_arr < 0) or np.any(k_arr != np.floor(k_arr)):
            raise ValueError(f"k must be non-negative whole numbers, got {k!r}")
        p = np.asarray(self.transfer_matrix, dtype=float)
        exit_prob = 1.0 - p.sum(axis=1)
        vec = np.asarray(self.entry_distribution, dtype=float)
        k_max = int(k_arr.max()) if k_arr.size else 0
        probs = np.empty(k_max + 1)
        for i in range(k_max + 1):
            probs[i] = float(vec @ exit_prob)
            vec = vec @ p
        return _out(probs[k_arr.astype(int)], k_arr.ndim == 0)


def jackson_network(
    external_calls_per_hour: npt.ArrayLike,
    transfer: npt.ArrayLike,
    agents: npt.ArrayLike,
    aht: npt.ArrayLike,
    within: float | None = None,
) -> JacksonResult:
    """Steady state of an open Jackson network of Erlang C departments.

    Why: calls transferred between departments (sales -> billing -> sales ...)
    make each department's arrival stream the sum of fresh calls and
    transfers.  For Markovian routing Jackson's theorem says the joint
    stationary law is the product of independent M/M/c_i marginals, each fed
    at the rate solving the traffic equations.

    Model: external Poisson arrivals ``gamma_i`` (calls per hour) to department
    ``i``; ``agents[i]`` agents with exponential talk times (mean ``aht[i]``
    s); infinite patience and waiting room; after talk in ``i`` a call is
    cold-transferred into the queue of ``j`` with probability
    ``transfer[i][j]`` (self-transfer allowed) and leaves with probability
    ``1 - sum_j transfer[i][j]``.

    Parameters
    ----------
    external_calls_per_hour : array_like, shape (m,)
        Fresh arrival rates per department, calls per hour (total > 0).
    transfer : array_like, shape (m, m)
        Routing probabilities, non-negative, row sums ``<= 1``, and every call
        must eventually leave (spectral radius ``< 1``).
    agents : array_like of int, shape (m,)
        Agents per department.
    aht : array_like, shape (m,)
        Mean talk time per department, seconds.
    within : float, optional
        Service-level threshold in seconds for each department.

    Returns
    -------
    JacksonResult

    Raises
    ------
    ValueError
        Bad shapes or probabilities, a routing in which calls can circulate for
        ever, or an unstable department (``load >= agents``).
    """
    gamma = _nonneg_array(external_calls_per_hour, "external_calls_per_hour").reshape(-1)
    m = gamma.size
    p = np.asarray(transfer, dtype=float)
    if p.shape != (m, m):
        raise ValueError(f"transfer must have shape ({m}, {m}), got {p.shape}")
    if not np.all(np.isfinite(p)) or np.any(p < 0) or np.any(p.sum(axis=1) > 1.0 + 1e-12):
        raise ValueError("transfer must be non-negative with row sums <= 1")
    if gamma.sum() <= 0:
        raise ValueError("total external arrival rate must be > 0")
    c = _agents_array(agents, minimum=1).reshape(-1)
    h = _positive_array(aht, "aht").reshape(-1)
    c, h = np.broadcast_to(c, (m,)), np.broadcast_to(h, (m,))
    if m and np.max(np.abs(np.linalg.eigvals(p))) >= 1.0 - 1e-12:
        raise ValueError("transfer routing never lets some calls leave (spectral radius >= 1)")
    lam = np.linalg.solve(np.eye(m) - p.T, gamma)  # lambda = gamma + P^T lambda
    lam = np.maximum(lam, 0.0)
    load = lam * h / SECONDS_PER_HOUR
    unstable = np.flatnonzero(load >= c)
    if unstable.size:
        raise ValueError(
            f"department(s) {unstable.tolist()} unstable: load {load[unstable].tolist()} "
            f">= agents {c[unstable].tolist()}"
        )
    metrics = erlang_c_metrics(c, lam, h, within)
    arrays = [
        np.asarray(getattr(metrics, f), dtype=float).reshape(-1)
        for f in ("p_wait", "asa", "service_level")
    ]
    nodes = tuple(
        JacksonNode(
            arrival_rate=float(lam[i]),
            load=float(load[i]),
            p_wait=float(arrays[0][i]),
            asa=float(arrays[1][i]),
            service_level=float(arrays[2][i]),
            occupancy=float(load[i] / c[i]),
        )
        for i in range(m)
    )
    visits = float(lam.sum() / gamma.sum())
    return JacksonResult(
        nodes=nodes,
        mean_visits=visits,
        mean_transfers=visits - 1.0,
        entry_distribution=tuple(float(g) for g in gamma / gamma.sum()),
        transfer_matrix=tuple(tuple(float(v) for v in row) for row in p),
    )
