"""M/M/n/K(+M): a finite number of trunk lines, optionally with abandonment.

Why: a real ACD has a finite number of trunk lines, and a caller who finds them
all in use gets a busy signal.  This model interpolates between the others of
the wing -- Erlang B (``K = n``), Erlang C (``K -> inf``) and Erlang A
(``K -> inf`` with patience) -- which is also how the tests check it against
them from an independent derivation.

How it is evaluated: the number in system is a finite birth-death chain, solved
in log space; the waiting time of a tagged caller comes from the absorbing
chain of "callers ahead of her", through one sparse matrix exponential
(:func:`scipy.sparse.linalg.expm_multiply`), or a Poisson tail when nobody
abandons.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse, special, stats
from scipy.sparse.linalg import expm_multiply

from simcall.erlang.base import (
    SECONDS_PER_HOUR,
    FloatArray,
    QueueMetrics,
    as_int,
    check_within,
    nonneg_array,
    positive_array,
)


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
    n = as_int(agents, "agents", 1)
    k_max = as_int(lines, "lines", 1)
    lam_h = float(nonneg_array(calls_per_hour, "calls_per_hour"))
    h = float(positive_array(aht, "aht"))
    theta = 0.0 if patience is None else 1.0 / float(positive_array(patience, "patience"))
    t = check_within(within)
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
    # scipy-stubs type ``diagonals`` as one array or a Sequence of Sequences, so they
    # reject the list of 1-d arrays of different lengths that scipy documents ("sequence
    # of array_like"); the annotation states what diags returns here.
    q: sparse.csr_matrix[np.float64] = sparse.diags(  # type: ignore[call-overload]
        [diag, sub], [0, -1], shape=(m, m), format="csr"
    )
    late: FloatArray = np.asarray(expm_multiply(q * t, served_j), dtype=float)
    return np.clip(late, 0.0, 1.0)
