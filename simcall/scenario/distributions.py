"""Probability distributions for talk, wrap-up, patience and pickup times.

Each distribution is a small frozen pydantic model chosen by its ``dist`` key,
parametrised the way planners think (a mean and a coefficient of variation,
not numpy's shape and scale), and able to draw a block of values from a
numpy generator. Drawing blocks rather than single values keeps the per-call
cost of randomness negligible.
"""

from __future__ import annotations

import math
from math import gamma as gamma_function
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from simcall.scenario.durations import parse_duration
from simcall.scenario.units import NonNegative, Seconds, WholeNumber


class _Distribution(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @property
    def mean_value(self) -> float:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError


class _ByMean(_Distribution):
    """A distribution given by its mean (plus shape parameters in subclasses)."""

    mean: Seconds = Field(gt=0)

    @property
    def mean_value(self) -> float:
        return self.mean


class Exponential(_ByMean):
    """Memoryless times: the Erlang formulas' assumption."""

    dist: Literal["exponential"]

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.exponential(self.mean, size)


class Deterministic(_Distribution):
    """Always the same time: for exact traces and for scripted IVR menus."""

    dist: Literal["deterministic"]
    value: Seconds

    @property
    def mean_value(self) -> float:
        return self.value

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return np.full(size, self.value)


class Uniform(_Distribution):
    """Equally likely anywhere between ``low`` and ``high``."""

    dist: Literal["uniform"]
    low: Seconds
    high: Seconds

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError(f"high ({self.high:g} s) must be >= low ({self.low:g} s)")
        return self

    @property
    def mean_value(self) -> float:
        return (self.low + self.high) / 2

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, size)


MIN_CV, MAX_CV = 0.001, 100.0
"""The coefficients of variation a lognormal or gamma time may have: beyond them sampling
overflows or divides by zero (a gamma ``cv`` of 1e-300 has a shape of 1e600), and no call
centre's times are that regular or that wild (measured talk times have a CV near 1)."""
MIN_WEIBULL_SHAPE, MAX_WEIBULL_SHAPE = 0.05, 100.0
MAX_ERLANG_PHASES = 1_000_000  # a cv of 0.001: as regular as MIN_CV lets a gamma be
"""Weibull shapes whose mean can be computed: below about 0.006, ``gamma(1 + 1/shape)``
overflows; 0.05 already gives a patience with a CV of several hundred."""


class LogNormal(_ByMean):
    """Right-skewed handle times, as measured in real centres (Brown et al. 2005)."""

    dist: Literal["lognormal"]
    cv: NonNegative = Field(ge=MIN_CV, le=MAX_CV)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        sigma2 = math.log1p(self.cv**2)
        return rng.lognormal(math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2), size)


class Gamma(_ByMean):
    """A flexible positive time by mean and coefficient of variation."""

    dist: Literal["gamma"]
    cv: NonNegative = Field(ge=MIN_CV, le=MAX_CV)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        shape = 1.0 / self.cv**2
        return rng.gamma(shape, self.mean / shape, size)


class Erlang(_ByMean):
    """The sum of ``k`` exponential phases: less variable than exponential."""

    dist: Literal["erlang"]
    k: WholeNumber = Field(ge=1, le=MAX_ERLANG_PHASES)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.gamma(self.k, self.mean / self.k, size)


class Weibull(_ByMean):
    """Patience with a rising or falling hazard (``shape`` above or below 1)."""

    dist: Literal["weibull"]
    shape: NonNegative = Field(ge=MIN_WEIBULL_SHAPE, le=MAX_WEIBULL_SHAPE)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        scale = self.mean / float(gamma_function(1.0 + 1.0 / self.shape))
        return scale * rng.weibull(self.shape, size)


class Empirical(_Distribution):
    """Resample observed times, given inline (``values``) or as a file of numbers."""

    dist: Literal["empirical"]
    values: tuple[Seconds, ...] | None = None
    file: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _read_file(cls, data: object, info: object) -> object:
        if not isinstance(data, dict) or data.get("file") is None:
            return data
        if data.get("values") is not None:
            raise ValueError("give either 'values' or 'file', not both")
        base = Path((getattr(info, "context", None) or {}).get("base_dir", "."))
        text = read_times_file(base, str(data["file"]))
        tokens = text.replace(",", " ").split()
        try:
            values = [parse_duration(float(token)) for token in tokens]
        except ValueError:
            raise ValueError(f"'{data['file']}' must hold numbers of seconds only") from None
        return {**data, "values": values}

    @field_validator("values")
    @classmethod
    def _not_empty(cls, values: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if values is not None and len(values) == 0:
            raise ValueError("needs at least one value")
        return values

    @model_validator(mode="after")
    def _has_values(self) -> Empirical:
        if self.values is None:
            raise ValueError("give 'values' (a list of durations) or 'file' (a file of seconds)")
        return self

    @property
    def mean_value(self) -> float:
        assert self.values is not None
        return float(np.mean(self.values))

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.choice(np.asarray(self.values, dtype=float), size)


MAX_TIMES_FILE_BYTES = 50_000_000
"""The largest file of times an ``empirical`` distribution reads (about five million
times): enough for years of a centre's calls, small enough that a wrong path cannot fill
the memory."""


def read_times_file(base: Path, name: str) -> str:
    """The text of an ``empirical`` file, read only where a scenario may read.

    Why so strict: a scenario file may come from someone else, and ``file`` would otherwise
    open any path on the machine (``/proc``, ``/dev/zero``, which reads until memory runs
    out, or a FIFO, which blocks forever). So the path must be relative, lie inside the
    scenario file's folder (or below it), name a regular file (not a device, FIFO, socket
    or directory, refused by name) and hold at most :data:`MAX_TIMES_FILE_BYTES`.
    """
    import stat

    if Path(name).is_absolute():
        raise ValueError(f"file '{name}': give a path relative to the scenario file's folder, "
                         "not an absolute one")
    folder = base.resolve()
    path = (base / name).resolve()
    if not path.is_relative_to(folder):
        raise ValueError(f"file '{name}' lies outside the scenario file's folder ({folder}): "
                         "keep the times file in that folder or below it")
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise ValueError(f"cannot read '{base / name}': {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        kind = ("a directory" if stat.S_ISDIR(mode) else "a FIFO (named pipe)"
                if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or
                stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a file")
        raise ValueError(f"file '{name}' is {kind}: give a regular file of times")
    size = path.stat().st_size
    if size > MAX_TIMES_FILE_BYTES:
        raise ValueError(f"file '{name}' holds {size:,} bytes, more than the "
                         f"{MAX_TIMES_FILE_BYTES:,} allowed for a file of times")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read '{base / name}': "
                         f"{getattr(exc, 'strerror', None) or exc}") from None


Distribution = Annotated[
    Exponential | Deterministic | Uniform | LogNormal | Gamma | Erlang | Weibull | Empirical,
    Field(discriminator="dist"),
]
"""Any of the scenario file's distributions, chosen by its ``dist`` key."""

DISTRIBUTION_NAMES = (
    "exponential", "deterministic", "uniform", "lognormal", "gamma", "erlang", "weibull",
    "empirical",
)
