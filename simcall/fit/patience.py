"""Patience by Kaplan-Meier: abandoned calls are events at their wait, answered calls are
right-censored at theirs (their patience was at least that long).

Ignoring the censoring (using only the abandoned calls' waits) mistakes "impatient among
those who had to wait long enough to hang up" for "patience", and gives patience far too
short; the tests show it.

Tail rule: beyond the last observed wait t_max the Kaplan-Meier curve says nothing, so the
survival goes on as an exponential, S(t) = S(t_max) exp(-(t - t_max) / theta), with theta
the mean of the tail: the exposure (time waited beyond t_tail, the
:data:`TAIL_QUANTILE` quantile of all observed waits) over the abandonments beyond t_tail
(a constant hazard fitted to the tail; with no abandonment there, the whole sample's
exposure over its abandonments).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from simcall.errors import needs_pandas

TAIL_QUANTILE = 0.9
"""The tail is the waits beyond this quantile of all observed waits."""
QUANTILES = 200
"""Values written for an empirical patience: quantiles at (i + 1/2)/200 of the curve."""
MIN_ABANDONED = 10
"""Fewer abandonments than this: the caller type's patience is fitted on all types pooled."""


@dataclass(frozen=True)
class PatienceFit:
    """One caller type's patience: the Kaplan-Meier curve, its 95% band, the tail, and
    fitted exponential and Weibull means."""

    key: str
    abandoned: int  # events
    censored: int  # answered calls, censored at their wait
    times: np.ndarray  # the curve's step times
    survival: np.ndarray  # S(t) just after each step time
    low: np.ndarray  # pointwise 95% band (Greenwood, log-log)
    high: np.ndarray
    t_max: float  # the last observed wait
    tail_mean: float  # theta of the exponential tail
    exponential_mean: float  # MLE with censoring: total time waited / abandonments
    weibull_shape: float  # censored MLE (nan when it does not converge)
    weibull_mean: float
    pooled: bool = False

    def sf(self, t: float | np.ndarray) -> np.ndarray:
        """The survival function: the Kaplan-Meier steps, then the exponential tail."""
        t = np.atleast_1d(np.asarray(t, dtype=float))
        position = np.searchsorted(self.times, t, side="right") - 1
        steps = np.where(position >= 0, self.survival[np.clip(position, 0, None)], 1.0)
        last = float(self.survival[-1]) if self.survival.size else 1.0
        tail = last * np.exp(-(t - self.t_max) / self.tail_mean)
        return np.where(t > self.t_max, tail, steps)

    def band(self, t: float) -> tuple[float, float]:
        """The 95% band at ``t`` (within the observed waits)."""
        position = int(np.searchsorted(self.times, t, side="right")) - 1
        if position < 0:
            return 1.0, 1.0
        return float(self.low[position]), float(self.high[position])

    def quantiles(self, count: int = QUANTILES) -> np.ndarray:
        """Patience values at probabilities (i + 1/2)/count of F = 1 - S, the tail
        inverted beyond t_max (an ``empirical`` patience resamples these)."""
        p = (np.arange(count) + 0.5) / count
        cdf = 1.0 - self.survival
        position = np.searchsorted(cdf, p, side="left")
        inside = position < cdf.size
        out = np.empty(count)
        out[inside] = self.times[position[inside]]
        last = float(self.survival[-1]) if self.survival.size else 1.0
        out[~inside] = self.t_max + self.tail_mean * np.log(last / (1.0 - p[~inside]))
        return out

    def distribution(self, kind: str = "empirical") -> dict[str, Any]:
        """As a scenario distribution: ``empirical`` (curve + tail), ``exponential`` or
        ``weibull`` (the censored fits)."""
        if kind == "exponential":
            return {"dist": "exponential", "mean": round(self.exponential_mean, 1)}
        if kind == "weibull" and math.isfinite(self.weibull_shape):
            return {"dist": "weibull", "shape": round(self.weibull_shape, 3),
                    "mean": round(self.weibull_mean, 1)}
        return {"dist": "empirical", "values": [round(max(float(v), 0.0), 1)
                                                for v in self.quantiles()]}

    def source(self) -> str:
        """Where the figure comes from, in words."""
        pooled = ", all caller types pooled (too few abandonments)" if self.pooled else ""
        return (f"Kaplan-Meier on {self.abandoned:,} abandoned and {self.censored:,} answered "
                f"(censored) calls{pooled}; exponential tail after {self.t_max:.0f} s with mean "
                f"{self.tail_mean:.0f} s; exponential MLE mean {self.exponential_mean:.0f} s, "
                f"Weibull shape {self.weibull_shape:.2f} mean {self.weibull_mean:.0f} s")


def kaplan_meier(abandon: np.ndarray, answered: np.ndarray) -> tuple[np.ndarray, ...]:
    """Step times, survival and its 95% band (scipy.stats.ecdf on censored data)."""
    from scipy import stats

    data = stats.CensoredData(uncensored=abandon, right=answered)
    result = stats.ecdf(data)
    sf = result.sf
    with warnings.catch_warnings():  # undefined at the last steps: those are left as 0 and 1
        warnings.simplefilter("ignore", RuntimeWarning)
        band = sf.confidence_interval(0.95, method="log-log")
    low = np.nan_to_num(band.low.probabilities, nan=0.0)  # type: ignore[attr-defined]
    high = np.nan_to_num(band.high.probabilities, nan=1.0)  # type: ignore[attr-defined]
    return sf.quantiles, sf.probabilities, low, high


def fit_patience(key: str, abandon: np.ndarray, answered: np.ndarray,
                 pooled: bool = False) -> PatienceFit | None:
    """Fit one caller type's patience (``None`` without any abandonment)."""
    abandon = np.maximum(abandon[np.isfinite(abandon)], 0.0)
    answered = np.maximum(answered[np.isfinite(answered)], 0.0)
    if abandon.size == 0:
        return None
    times, survival, low, high = kaplan_meier(abandon, answered)
    every = np.concatenate((abandon, answered))
    t_max = float(every.max())
    t_tail = float(np.quantile(every, TAIL_QUANTILE))
    tail_events = int((abandon > t_tail).sum())
    exposure_tail = float(np.clip(every - t_tail, 0.0, None).sum())
    total = float(every.sum())
    exponential = total / abandon.size if total > 0 else 1.0
    tail_mean = exposure_tail / tail_events if tail_events and exposure_tail > 0 else exponential
    shape, mean = _weibull(abandon, answered)
    return PatienceFit(key, int(abandon.size), int(answered.size), times, survival, low, high,
                       t_max, max(tail_mean, 1e-3), max(exponential, 1e-3), shape, mean, pooled)


def _weibull(abandon: np.ndarray, answered: np.ndarray) -> tuple[float, float]:
    """Censored Weibull maximum likelihood (waits of 0 taken as 0.5 s, half a second's
    rounding): shape and mean, ``nan`` when the optimiser fails."""
    from scipy import optimize, special

    events = np.maximum(abandon, 0.5)
    exposure = np.concatenate((events, np.maximum(answered, 0.0)))
    log_events = np.log(events)
    scale0 = float(exposure.sum() / events.size)

    def negative(params: np.ndarray) -> float:
        k, lam = math.exp(params[0]), math.exp(params[1])
        value = (events.size * (math.log(k) - k * math.log(lam))
                 + (k - 1) * float(log_events.sum()) - float(((exposure / lam) ** k).sum()))
        return float(-value)

    found = optimize.minimize(negative, np.array([0.0, math.log(scale0)]), method="Nelder-Mead")
    if not found.success:
        return math.nan, math.nan
    k, lam = math.exp(found.x[0]), math.exp(found.x[1])
    return k, lam * float(special.gamma(1.0 + 1.0 / k))


@dataclass(frozen=True)
class Patience:
    """Patience per caller type."""

    fits: tuple[PatienceFit, ...]

    def for_key(self, key: str) -> PatienceFit | None:
        """The fit for one caller type."""
        return next((f for f in self.fits if f.key == key), None)

    def to_frame(self) -> Any:
        """The curves, one row per caller type and step time, with the 95% band."""
        with needs_pandas("Patience.to_frame()"):
            import pandas as pd

        frames = [pd.DataFrame({"caller_type": f.key, "time_s": f.times, "survival": f.survival,
                                "low": f.low, "high": f.high}) for f in self.fits]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
