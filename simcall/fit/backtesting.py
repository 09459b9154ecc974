"""The back-test: a scenario simulated day after day, set beside the log interval by interval.

Why: a fitted scenario is only as good as its match to the log it came from. Both sides are
reduced to the same per-day, per-interval tallies with SPEC's definitions (abandon rate =
abandoned / (answered + abandoned), ASA over answered calls, service level = answered within
the threshold / (answered + abandoned)); each call counts in the interval it reached the
agent queue (its first queue, in a simulation). The log gives each figure's day-to-day mean,
its standard error and its 10th-90th percentiles; the simulation gives its mean over many
simulated days. A figure *matches* in an interval when the simulated mean lies inside the
log's mean ± 2 standard errors (a model that were exactly right would miss about one
interval in twenty by chance); arrivals are also judged by their relative difference.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np

from simcall.errors import needs_pandas
from simcall.experiments.runner import Job, simulate_many
from simcall.fit.calllog import ABANDONED, ANSWERED, CallLog
from simcall.model.records import Outcome, Records
from simcall.scenario.durations import format_clock
from simcall.scenario.schema import Scenario

SL_THRESHOLD_S = 20.0
FIGURES = ("arrivals", "abandon_rate", "asa_s", "service_level")
"""The figures compared, per interval: calls reaching the agent queue per interval, and
the three KPIs with SPEC's definitions."""
ARRIVALS_TOLERANCE = 0.05  # simulated arrivals within 5% of the log's
CHUNK = 25  # replications simulated at once: their records are reduced, then dropped


@dataclass(frozen=True)
class Tallies:
    """Per-day, per-interval counts: ``(days, intervals)`` arrays."""

    arrivals: np.ndarray
    answered: np.ndarray
    abandoned: np.ndarray
    within: np.ndarray  # answered with an answer time below the threshold
    answer_time: np.ndarray  # sum of the answer times of answered calls

    @classmethod
    def count(cls, day: np.ndarray, interval: np.ndarray, outcome: np.ndarray,
              answer_time: np.ndarray, shape: tuple[int, int], threshold: float) -> Tallies:
        """Tally calls that reached the agent queue; ``outcome`` holds log codes."""
        def add(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
            out = np.zeros(shape)
            np.add.at(out, (day[mask], interval[mask]),
                      1.0 if weights is None else weights[mask])
            return out

        everything = np.ones(day.size, dtype=bool)
        answered = outcome == ANSWERED
        times = np.where(answered, answer_time, 0.0)
        return cls(add(everything), add(answered), add(outcome == ABANDONED),
                   add(answered & (times < threshold)), add(answered, times))

    def per_day(self, figure: str) -> np.ndarray:
        """One figure for every day and interval (``nan`` where it is undefined)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            if figure == "arrivals":
                return self.arrivals
            handled = self.answered + self.abandoned
            if figure == "abandon_rate":
                return np.where(handled > 0, self.abandoned / handled, np.nan)
            if figure == "service_level":
                return np.where(handled > 0, self.within / handled, np.nan)
            if figure == "asa_s":
                return np.where(self.answered > 0, self.answer_time / self.answered, np.nan)
        raise ValueError(f"unknown figure {figure!r}; allowed: {', '.join(FIGURES)}")

    @staticmethod
    def join(parts: Sequence[Tallies]) -> Tallies:
        return Tallies(*(np.concatenate([getattr(p, f) for p in parts])
                         for f in ("arrivals", "answered", "abandoned", "within",
                                   "answer_time")))


def log_tallies(log: CallLog, threshold: float = SL_THRESHOLD_S) -> Tallies:
    """The log's calls that reached the agents, by day and by the interval of queue entry."""
    reached = log.reached
    wait = log.wait
    return Tallies.count(log.day[reached], log.interval[reached], log.outcome[reached],
                         wait[reached], (len(log.dates), log.intervals), threshold)


def run_tallies(records: Records, scenario: Scenario,
                threshold: float = SL_THRESHOLD_S) -> Tallies:
    """One simulated day: calls by the interval of their first queue entry."""
    visits, calls = records.visits, records.calls
    _, first = np.unique(visits.call, return_index=True)  # visits are in time order
    call = visits.call[first]
    interval = np.floor(visits.entered[first] / scenario.interval).astype(np.int64)
    inside = (interval >= 0) & (interval < scenario.intervals)
    kind = visits.outcome[first]
    outcome = np.where(kind == Outcome.ANSWERED, ANSWERED,
                       np.where(kind == Outcome.ABANDONED, ABANDONED, -1))
    answer_time = calls.answer_time[call]
    return Tallies.count(np.zeros(int(inside.sum()), dtype=np.int64), interval[inside],
                         outcome[inside], answer_time[inside], (1, scenario.intervals),
                         threshold)


def simulated_tallies(scenario: Scenario, days: int, seed: int,
                      executor: Executor | None = None, threshold: float = SL_THRESHOLD_S,
                      progress: Callable[[int], None] | None = None) -> Tallies:
    """``days`` one-day replications of ``scenario`` (replications 0 .. days-1 of ``seed``)."""
    one_day = scenario.model_copy(update={"days": 1}) if scenario.days != 1 else scenario
    parts: list[Tallies] = []
    for start in range(0, days, CHUNK):
        jobs = [Job(one_day, seed, r) for r in range(start, min(days, start + CHUNK))]
        runs = simulate_many(jobs, executor, keep_records=True, progress=progress)
        parts += [run_tallies(run.records, one_day, threshold)  # type: ignore[arg-type]
                  for run in runs]
    return Tallies.join(parts)


@dataclass(frozen=True)
class Row:
    """One figure in one interval: the log's spread and the simulated mean."""

    figure: str
    interval: int
    clock: str
    log_mean: float
    log_se: float
    log_p10: float
    log_p90: float
    log_days: int  # days on which the figure is defined
    simulated: float
    simulated_se: float

    @property
    def inside(self) -> bool:
        """The simulated mean lies inside the log's mean ± 2 standard errors."""
        return bool(abs(self.simulated - self.log_mean) <= 2 * self.log_se)

    @property
    def relative(self) -> float:
        """(simulated - log) / log."""
        return (self.simulated - self.log_mean) / self.log_mean if self.log_mean else math.nan


def _spread(values: np.ndarray) -> tuple[float, float, float, float, int]:
    values = values[~np.isnan(values)]
    if values.size == 0:
        return (math.nan,) * 4 + (0,)
    se = float(values.std(ddof=1) / math.sqrt(values.size)) if values.size > 1 else math.nan
    p10, p90 = np.percentile(values, [10, 90])
    return float(values.mean()), se, float(p10), float(p90), int(values.size)


@dataclass(frozen=True)
class Backtest:
    """The log beside the simulation, figure by figure and interval by interval."""

    rows: tuple[Row, ...]
    log_days: int
    simulated_days: int
    seed: int
    threshold: float

    @classmethod
    def compare(cls, log: Tallies, simulated: Tallies, open_s: float, interval_s: float,
                seed: int, threshold: float = SL_THRESHOLD_S) -> Backtest:
        rows = []
        for figure in FIGURES:
            log_values, sim_values = log.per_day(figure), simulated.per_day(figure)
            for k in range(log_values.shape[1]):
                mean, se, p10, p90, n = _spread(log_values[:, k])
                sim_mean, sim_se, *_ = _spread(sim_values[:, k])
                rows.append(Row(figure, k, format_clock(open_s + k * interval_s), mean, se,
                                p10, p90, n, sim_mean, sim_se))
        return cls(tuple(rows), log.arrivals.shape[0], simulated.arrivals.shape[0], seed,
                   threshold)

    def of(self, figure: str) -> list[Row]:
        return [row for row in self.rows if row.figure == figure]

    def matches(self, figure: str) -> int:
        """Intervals in which the figure lies inside the log's mean ± 2 standard errors."""
        return sum(row.inside for row in self.of(figure))

    def arrivals_within(self, tolerance: float = ARRIVALS_TOLERANCE) -> int:
        """Intervals whose simulated arrivals are within ``tolerance`` of the log's."""
        return sum(abs(row.relative) <= tolerance for row in self.of("arrivals"))

    @property
    def intervals(self) -> int:
        return len(self.of("arrivals"))

    def verdict(self) -> list[str]:
        """The back-test in plain words, one line per figure."""
        n = self.intervals
        lines = [f"arrivals: within {ARRIVALS_TOLERANCE:.0%} of the log's in "
                 f"{self.arrivals_within()} of {n} intervals, inside its mean ± 2 SE in "
                 f"{self.matches('arrivals')}"]
        names = {"abandon_rate": "abandonment", "asa_s": "ASA",
                 "service_level": f"service level ({self.threshold:g} s)"}
        for f in FIGURES[1:]:
            above = self.above(f)
            lines.append(f"{names[f]}: inside the log's mean ± 2 SE in {self.matches(f)} of "
                         f"{n} intervals; the simulation above the log's mean in {above} of "
                         f"{n}{self._bias(above)}")
        return lines

    def _bias(self, above: int) -> str:
        """Words for a lean to one side more often than chance (two-sided binomial test)."""
        from scipy.stats import binomtest

        n = self.intervals
        if n == 0 or binomtest(above, n).pvalue >= 0.05:
            return ""
        side = "above" if above > n / 2 else "below"
        return f" (a bias: {side} more often than chance would put it, p < 0.05)"

    def above(self, figure: str) -> int:
        """Intervals where the simulated mean is above the log's: a model that were right
        would be above in about half; far from half is a bias, even inside the bands."""
        return sum(row.simulated > row.log_mean for row in self.of(figure))

    def to_dict(self) -> dict[str, Any]:
        """For ``--json``: the settings, the counts of matches and every row."""
        def number(x: float) -> float | None:
            return None if math.isnan(x) else x

        return {
            "log_days": self.log_days, "simulated_days": self.simulated_days,
            "seed": self.seed, "service_level_threshold_s": self.threshold,
            "intervals": self.intervals,
            "arrivals_within_5_percent": self.arrivals_within(),
            "matches": {f: self.matches(f) for f in FIGURES},
            "verdict": self.verdict(),
            "rows": [{"figure": r.figure, "interval": r.interval, "clock": r.clock,
                      "log_mean": number(r.log_mean), "log_se": number(r.log_se),
                      "log_p10": number(r.log_p10), "log_p90": number(r.log_p90),
                      "log_days": r.log_days, "simulated": number(r.simulated),
                      "simulated_se": number(r.simulated_se), "inside": r.inside}
                     for r in self.rows],
        }

    def to_frame(self) -> Any:
        """The rows as a pandas DataFrame (pandas imported here)."""
        with needs_pandas("Backtest.to_frame()"):
            import pandas as pd

        return pd.DataFrame([{**r.__dict__, "inside": r.inside} for r in self.rows])


def backtest(scenario: Scenario, log: CallLog, days: int = 300, seed: int = 1,
             executor: Executor | None = None, threshold: float = SL_THRESHOLD_S,
             progress: Callable[[int], None] | None = None) -> Backtest:
    """Simulate ``days`` days of ``scenario`` and set them beside ``log``, interval by interval.

    The scenario's intervals must be the log's (the fitted scenario's are).
    """
    if scenario.intervals != log.intervals or not math.isclose(scenario.interval,
                                                               log.interval_s):
        raise ValueError(f"the scenario has {scenario.intervals} intervals of "
                         f"{scenario.interval:g} s, the log {log.intervals} of "
                         f"{log.interval_s:g} s: they must be the same")
    simulated = simulated_tallies(scenario, days, seed, executor, threshold, progress)
    return Backtest.compare(log_tallies(log, threshold), simulated, log.open_s,
                            log.interval_s, seed, threshold)
