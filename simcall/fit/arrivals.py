"""Arrivals: calls reaching the agents per caller type and interval, day-to-day variation,
and a trend over the days."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from simcall.errors import needs_pandas
from simcall.fit.calllog import CallLog

TREND_ALPHA = 0.05
"""A trend over the days is reported as significant when its slope's two-sided p-value
(ordinary least squares on the daily totals) is below this."""


@dataclass(frozen=True)
class Trend:
    """A straight line through the daily totals against the day's date (or number)."""

    slope_per_day: float  # calls per day, per day
    relative_per_day: float  # the slope over the mean daily total
    p_value: float
    significant: bool


@dataclass(frozen=True)
class ArrivalProfile:
    """Calls that reached the agents (queued, or answered at once), per caller type and
    interval: the mean per day as a rate per hour and its standard error across days.

    ``day_volume_cv`` is the coefficient of variation of the daily total beyond what
    Poisson arrivals give by themselves: with a day factor F (mean 1, cv c) multiplying a
    Poisson day of mean m, Var(total) = m + c^2 m^2, so c = sqrt(max(0, var - m)) / m
    (this is how the engine draws ``day_volume_cv``).
    """

    caller_types: tuple[str, ...]
    labels: tuple[str, ...]  # the intervals' clock labels
    rate_per_hour: np.ndarray  # [caller type, interval]
    se_per_hour: np.ndarray  # [caller type, interval]: standard error across days
    counts: np.ndarray  # [day, caller type, interval]
    daily_totals: np.ndarray  # [day]
    day_volume_cv: float
    day_volume_cv_detrended: float  # the same on the residuals around the trend line
    trend: Trend | None  # None with fewer than three days

    @property
    def days(self) -> int:
        """Days the profile averages over."""
        return int(self.daily_totals.size)

    def to_frame(self) -> Any:
        """One row per caller type and interval: rate per hour, its standard error, calls."""
        with needs_pandas("ArrivalProfile.to_frame()"):
            import pandas as pd

        rows = [{"caller_type": name, "interval": label,
                 "rate_per_hour": float(self.rate_per_hour[c, i]),
                 "se_per_hour": float(self.se_per_hour[c, i]),
                 "calls": int(self.counts[:, c, i].sum())}
                for c, name in enumerate(self.caller_types)
                for i, label in enumerate(self.labels)]
        return pd.DataFrame(rows)


def volume_cv(totals: np.ndarray, mean: float | None = None) -> float:
    """sqrt(max(0, var - mean)) / mean of daily totals (0 for fewer than two days)."""
    if totals.size < 2:
        return 0.0
    m = float(totals.mean()) if mean is None else mean
    if m <= 0:
        return 0.0
    return math.sqrt(max(0.0, float(totals.var(ddof=1)) - m)) / m


def fit_arrivals(log: CallLog, labels: tuple[str, ...]) -> ArrivalProfile:
    """The arrival profile of the calls in ``log`` that reached the agents."""
    days, types, intervals = len(log.dates), len(log.caller_types), log.intervals
    reached = log.reached
    counts = np.zeros((days, types, intervals))
    np.add.at(counts, (log.day[reached], log.caller[reached], log.interval[reached]), 1)
    per_hour = 3600.0 / log.interval_s
    rate = counts.mean(axis=0) * per_hour
    se = (counts.std(axis=0, ddof=1) / math.sqrt(days) * per_hour if days > 1
          else np.full(rate.shape, np.nan))
    totals = counts.sum(axis=(1, 2))
    trend = None
    detrended = volume_cv(totals)
    if days >= 3:
        from scipy import stats

        x = np.array([d.toordinal() if d is not None else i
                      for i, d in enumerate(log.dates)], dtype=float)
        line = stats.linregress(x, totals)
        mean = float(totals.mean())
        trend = Trend(float(line.slope), float(line.slope) / mean if mean else math.nan,
                      float(line.pvalue), bool(line.pvalue < TREND_ALPHA))
        residual = totals - (line.intercept + line.slope * x)
        # the residuals' variance, with the two fitted parameters taken off
        var = float((residual**2).sum()) / (days - 2)
        detrended = math.sqrt(max(0.0, var - mean)) / mean if mean > 0 else 0.0
    return ArrivalProfile(log.caller_types, labels, rate, se, counts, totals,
                          volume_cv(totals), detrended, trend)
