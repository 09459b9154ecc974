"""What every model of the wing shares: units, argument checks and the result record.

Every public function of :mod:`simcall.erlang` takes arrival rates in calls per
hour and times in seconds, accepts scalars or arrays, and answers a scalar call
with Python floats and an array call with :class:`numpy.ndarray` (broadcast over
the inputs).  The checks live here, once, so that every model rejects the same
mistakes with the same message -- naming the argument and the value -- instead
of letting half an agent or a negative load turn into a ``nan`` deep inside a
recursion.  They are shared by the modules of the wing but not re-exported by
the package: they are not part of its public surface.

:class:`QueueMetrics` is the one result record of the single-queue models
(Erlang C, Erlang A, M/M/n/K(+M)), so that a caller can switch models without
changing how she reads the figures.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

FloatArray: TypeAlias = npt.NDArray[np.float64]
FloatOrArray: TypeAlias = float | FloatArray


SECONDS_PER_HOUR = 3600.0
"""Conversion between the per-hour arrival rates of the API and per-second rates."""


def is_scalar(*values: npt.ArrayLike) -> bool:
    """Whether every argument is 0-d: then the caller gets floats back, not arrays."""
    return all(np.ndim(v) == 0 for v in values)


def float_or_array(value: npt.ArrayLike, scalar: bool) -> FloatOrArray:
    """Return a Python float for scalar calls, a float ndarray otherwise."""
    arr = np.asarray(value, dtype=float)
    return float(arr) if scalar else arr


def agents_array(agents: npt.ArrayLike, name: str = "agents", minimum: int = 0) -> FloatArray:
    """Agents (or lines) as floats, refusing fractions: 2.5 agents is a typo, not a model."""
    arr = np.asarray(agents, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr != np.floor(arr)):
        raise ValueError(f"{name} must be whole numbers, got {agents!r}")
    if np.any(arr < minimum):
        raise ValueError(f"{name} must be >= {minimum}, got {agents!r}")
    return arr


def nonneg_array(value: npt.ArrayLike, name: str) -> FloatArray:
    """``value`` as floats, refusing negative, infinite and ``nan`` entries."""
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
    return arr


def positive_array(value: npt.ArrayLike, name: str) -> FloatArray:
    """``value`` as floats, refusing zero too (a handle time or patience of 0 s)."""
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return arr


def probability_array(value: npt.ArrayLike, name: str) -> FloatArray:
    """``value`` as floats, refusing anything outside ``[0, 1]`` (``nan`` included)."""
    arr = np.asarray(value, dtype=float)
    if not np.all((arr >= 0.0) & (arr <= 1.0)):
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")
    return arr


def as_float(
    value: npt.ArrayLike, name: str, check: Callable[[npt.ArrayLike, str], FloatArray]
) -> float:
    """A checked float for the functions that take scalars only (refuses arrays by name)."""
    if np.ndim(value) != 0:
        raise ValueError(f"{name} must be a scalar here, got an array")
    return float(check(value, name))


def check_within(within: float | None) -> float | None:
    """The service-level threshold in seconds; ``None`` (no threshold) passes through."""
    if within is None:
        return None
    w = float(within)
    if not math.isfinite(w) or w < 0:
        raise ValueError(f"within must be finite and >= 0 seconds, got {within!r}")
    return w


def as_int(value: float, name: str, minimum: int) -> int:
    """A whole number for the models that take scalars only (refuses arrays by name)."""
    if np.ndim(value) != 0:
        raise ValueError(f"{name} must be a scalar here, got an array")
    return int(agents_array(value, name, minimum))


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
