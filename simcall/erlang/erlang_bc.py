"""Erlang B (M/M/n/n, blocked calls cleared) and Erlang C (M/M/n, callers wait for ever).

The two classical formulas share one recursion -- Erlang C is Erlang B plus one
line, ``C = n B / (n - a (1 - B))`` -- so they live together, with the inverse
of Erlang B in its load (:func:`carried_load`, for trunk sizing) and the full
Erlang C figures of a queue (:func:`erlang_c_metrics`).

Numerics: ``B`` comes from the recursion ``B(k) = a B(k-1) / (k + a B(k-1))``,
which stays in ``[0, 1]`` for any ``n`` -- no ``a**n``, no ``n!`` -- so pools of
thousands of agents are routine.

References: A. K. Erlang (1917); the recursion for Erlang B is standard, see e.g.
Cooper, *Introduction to Queueing Theory*, 1981.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import optimize

from simcall.erlang.base import (
    SECONDS_PER_HOUR,
    FloatOrArray,
    QueueMetrics,
    agents_array,
    check_within,
    float_or_array,
    is_scalar,
    nonneg_array,
    positive_array,
)


def erlang_b_scalar(n: int, a: float) -> float:
    """Erlang B for one pool on plain floats: the loops that call it (the inverse in
    :func:`carried_load`, the staffing search) need no array overhead."""
    b = 1.0
    for k in range(1, n + 1):
        ab = a * b
        b = ab / (k + ab)
    return b


def erlang_b(agents: npt.ArrayLike, load: npt.ArrayLike) -> FloatOrArray:
    """Blocking probability of the Erlang loss system M/M/n/n.

    Why: with ``n`` trunk lines (or agents) and no waiting room, this is the
    share of calls that get a busy signal.  It is also the building block of
    Erlang C (:func:`erlang_c`) and Erlang A (:mod:`simcall.erlang.erlang_a`).

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
    n = agents_array(agents)
    a = nonneg_array(load, "load")
    if is_scalar(agents, load):
        return erlang_b_scalar(int(n), float(a))
    n_b, a_b = np.broadcast_arrays(n, a)
    b = np.ones(a_b.shape, dtype=float)
    n_max = int(n_b.max()) if n_b.size else 0
    for k in range(1, n_max + 1):
        ab = a_b * b
        b = np.where(n_b >= k, ab / (k + ab), b)
    return b


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
    n = agents_array(agents)
    a = nonneg_array(load, "load")
    scalar = is_scalar(agents, load)
    b = np.asarray(erlang_b(n, a), dtype=float)
    n_b, a_b = np.broadcast_arrays(n, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = n_b * b / (n_b - a_b * (1.0 - b))
    c = np.where(a_b >= n_b, 1.0, c)
    return float_or_array(c, scalar)


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
    n_arr = agents_array(lines, "lines", minimum=1)
    p_arr = np.asarray(blocking, dtype=float)
    if not np.all((p_arr > 0) & (p_arr < 1)):
        raise ValueError(f"blocking must lie strictly between 0 and 1, got {blocking!r}")
    scalar = is_scalar(lines, blocking)
    n_b, p_b = np.broadcast_arrays(n_arr, p_arr)
    out = np.empty(n_b.shape, dtype=float)
    for idx in np.ndindex(n_b.shape):
        n = int(n_b[idx])
        target = float(p_b[idx])

        def gap(a: float, n: int = n, target: float = target) -> float:
            return erlang_b_scalar(n, a) - target

        hi = float(max(n, 1))
        while gap(hi) < 0:
            hi *= 2.0
        out[idx] = optimize.brentq(gap, 0.0, hi, xtol=1e-13, rtol=4 * np.finfo(float).eps)
    return float_or_array(out, scalar)


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
    scalar = is_scalar(agents, calls_per_hour, aht)
    n = agents_array(agents, minimum=1)
    lam_h = nonneg_array(calls_per_hour, "calls_per_hour")
    h = positive_array(aht, "aht")
    t = check_within(within)
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
        p_wait=float_or_array(c, scalar),
        p_abandon=float_or_array(zeros, scalar),
        p_block=float_or_array(zeros, scalar),
        service_level=float_or_array(sl, scalar),
        asa=float_or_array(asa, scalar),
        mean_wait_all=float_or_array(asa, scalar),
        occupancy=float_or_array(occupancy, scalar),
        mean_queue=float_or_array(mean_queue, scalar),
    )
