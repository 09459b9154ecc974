"""Open Jackson networks of Erlang C departments, with cold transfers between them.

Why: calls transferred between departments (sales -> billing -> sales ...) make
each department's arrival stream the sum of fresh calls and transfers.  For
Markovian routing Jackson's theorem says the joint stationary law is the
product of independent M/M/c marginals, each fed at the rate that solves the
traffic equations, so the network reduces to one Erlang C queue per department
(:func:`simcall.erlang.erlang_c_metrics`).

Reference: J. R. Jackson, "Networks of waiting lines", *Operations Research* 5,
1957.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from simcall.erlang.base import (
    SECONDS_PER_HOUR,
    FloatOrArray,
    agents_array,
    float_or_array,
    nonneg_array,
    positive_array,
)
from simcall.erlang.erlang_bc import erlang_c_metrics


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
        return float_or_array(probs[k_arr.astype(int)], k_arr.ndim == 0)


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
    gamma = nonneg_array(external_calls_per_hour, "external_calls_per_hour").reshape(-1)
    m = gamma.size
    p = np.asarray(transfer, dtype=float)
    if p.shape != (m, m):
        raise ValueError(f"transfer must have shape ({m}, {m}), got {p.shape}")
    if not np.all(np.isfinite(p)) or np.any(p < 0) or np.any(p.sum(axis=1) > 1.0 + 1e-12):
        raise ValueError("transfer must be non-negative with row sums <= 1")
    if gamma.sum() <= 0:
        raise ValueError("total external arrival rate must be > 0")
    c = agents_array(agents, minimum=1).reshape(-1)
    h = positive_array(aht, "aht").reshape(-1)
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
