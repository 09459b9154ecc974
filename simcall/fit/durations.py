"""Talk times: lognormal with the observed mean and cv when that fits, else empirical.

The rule: the lognormal with the sample's mean and cv is compared with the observed times
by the Kolmogorov-Smirnov distance D between the log-times and the normal it implies
(sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2). When D <= :data:`MAX_KS` the
lognormal is used; otherwise the times are written as an empirical distribution of
:data:`QUANTILES` quantiles (D measures the fit's worst gap in probability, so it does
not shrink to "always reject" with tens of thousands of calls as a p-value would).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from simcall.errors import needs_pandas

MAX_KS = 0.05
"""The largest KS distance (on log-times) at which the lognormal is accepted."""
QUANTILES = 200
"""Values written for an empirical distribution: the (i + 1/2)/200 quantiles."""
MIN_CALLS = 30
"""Fewer calls than this: the fit falls back to all caller types pooled (stated)."""


@dataclass(frozen=True)
class DurationFit:
    """Observed times and the distribution chosen for them, with the evidence."""

    key: str  # the caller type (and department) it is for
    n: int  # positive times used
    zeros: int  # times of 0 s left out (a lognormal has none)
    mean: float
    mean_ci95: tuple[float, float]  # normal approximation, mean +- 1.96 sd / sqrt(n)
    cv: float
    ks: float  # Kolmogorov-Smirnov distance of the log-times to the implied normal
    kind: str  # "lognormal" or "empirical"
    values: tuple[float, ...]  # the empirical quantiles (also kept for a lognormal)
    pooled: bool = False  # too few calls of its own: all caller types pooled

    def distribution(self) -> dict[str, Any]:
        """The scenario-file distribution (``{dist = "lognormal", ...}`` or empirical)."""
        if self.kind == "lognormal":
            return {"dist": "lognormal", "mean": round(self.mean, 2), "cv": round(self.cv, 4)}
        return {"dist": "empirical", "values": [round(v, 1) for v in self.values]}

    def source(self) -> str:
        """Where the figure comes from, in words (for the scenario's comments)."""
        rule = (f"KS {self.ks:.3f} <= {MAX_KS}: lognormal" if self.kind == "lognormal"
                else f"KS {self.ks:.3f} > {MAX_KS}: empirical, {QUANTILES} quantiles")
        pooled = ", all caller types pooled (too few calls)" if self.pooled else ""
        return (f"{self.n:,} calls{pooled}: mean {self.mean:.1f} s (95% CI "
                f"{self.mean_ci95[0]:.1f}-{self.mean_ci95[1]:.1f}), cv {self.cv:.2f}; {rule}")


def fit_duration(key: str, times: np.ndarray, pooled: bool = False,
                 max_ks: float = MAX_KS) -> DurationFit | None:
    """Fit positive times (``None`` when there are none)."""
    times = times[np.isfinite(times)]
    zeros = int((times <= 0).sum())
    positive = np.sort(times[times > 0])
    n = int(positive.size)
    if n == 0:
        return None
    mean = float(positive.mean())
    sd = float(positive.std(ddof=1)) if n > 1 else 0.0
    cv = max(sd / mean, 1e-3)
    half = 1.96 * sd / math.sqrt(n)
    sigma = math.sqrt(math.log1p(cv**2))
    mu = math.log(mean) - sigma**2 / 2
    from scipy import stats

    ks = float(stats.kstest(np.log(positive), "norm", args=(mu, sigma)).statistic) if n > 1 \
        else 1.0
    probabilities = (np.arange(QUANTILES) + 0.5) / QUANTILES
    values = tuple(float(v) for v in np.quantile(positive, probabilities))
    kind = "lognormal" if ks <= max_ks else "empirical"
    return DurationFit(key, n, zeros, mean, (mean - half, mean + half), cv, ks, kind, values,
                       pooled)


def frame(fits: list[DurationFit]) -> Any:
    """One row per fit (for ``to_frame``)."""
    with needs_pandas("TalkTimes.to_frame()"):
        import pandas as pd

    return pd.DataFrame([{
        "key": f.key, "calls": f.n, "zeros": f.zeros, "mean_s": f.mean,
        "mean_ci95_low": f.mean_ci95[0], "mean_ci95_high": f.mean_ci95[1], "cv": f.cv,
        "ks": f.ks, "kind": f.kind, "pooled": f.pooled} for f in fits])


@dataclass(frozen=True)
class TalkTimes:
    """Talk time per caller type (and department when the log has more than one)."""

    fits: tuple[DurationFit, ...]
    overall: DurationFit | None  # all caller types pooled: the departments' own talk

    def for_key(self, key: str) -> DurationFit | None:
        """The fit for one caller type (or ``"type / department"``)."""
        return next((f for f in self.fits if f.key == key), None)

    def to_frame(self) -> Any:
        """One row per caller type (and department)."""
        return frame(list(self.fits) + ([self.overall] if self.overall else []))
