"""Fit back a known scenario: a simulated log (written by simcall itself) gives back its
arrival rates, talk mean and patience within their confidence intervals, censoring
included; ignoring the censoring fails the same check."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import simcall
from simcall.fit import CallLog, FitResult, write_log

RATES_A = [60, 80, 100, 120, 120, 100, 80, 60]
PATIENCE = {"a": 180.0, "b": 360.0}
TALK_MEAN = 240.0

SCENARIO = {
    "name": "synthetic", "interval": "1h", "intervals": 8, "open": "08:00", "days": 20,
    "callers": [
        {"name": "a", "arrivals_per_hour": RATES_A, "enters": "support",
         "patience": {"dist": "exponential", "mean": PATIENCE["a"]}},
        {"name": "b", "arrivals_per_hour": 30, "enters": "support",
         "patience": {"dist": "exponential", "mean": PATIENCE["b"]}},
    ],
    "departments": [{"name": "support",
                     "talk": {"dist": "lognormal", "mean": TALK_MEAN, "cv": 1.0}}],
    "agents": [{"name": "team", "skills": ["support"], "staff": [5, 6, 7, 8, 8, 7, 6, 5]}],
}


@pytest.fixture(scope="module")
def log_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = simcall.simulate(simcall.from_dict(SCENARIO), seed=3)
    path = tmp_path_factory.mktemp("fit") / "synthetic.csv"
    assert write_log(path, [run]) == run.records.calls.arrival.size  # type: ignore[union-attr]
    return path


@pytest.fixture(scope="module")
def fitted(log_path: Path) -> FitResult:
    return simcall.fit(log_path, preset="simcall", interval="1h", name="synthetic")


def test_every_row_is_kept_and_the_hours_and_days_are_the_scenarios(fitted: FitResult) -> None:
    log = fitted.log
    assert log.selection.kept == log.selection.rows
    assert log.selection.contradicting_rows == 0
    assert len(log.dates) == 20
    assert (log.open_s, log.intervals) == (8 * 3600, 8)


def test_arrival_rates_lie_within_their_confidence_intervals(fitted: FitResult) -> None:
    arrivals = fitted.estimates.arrivals
    truth = np.array([RATES_A, [30] * 8], dtype=float)
    z = (arrivals.rate_per_hour - truth) / arrivals.se_per_hour
    assert np.all(np.abs(z) < 3.5), z.round(2)
    assert np.mean(np.abs(z) < 1.96) >= 0.8, z.round(2)  # about 95 % expected
    assert arrivals.day_volume_cv < 0.1  # the scenario has no day-to-day variation


def test_talk_mean_lies_within_its_interval_and_the_lognormal_is_kept(fitted: FitResult) -> None:
    for name in ("a", "b"):
        talk = fitted.estimates.talk.for_key(name)
        assert talk is not None
        assert talk.mean_ci95[0] <= TALK_MEAN <= talk.mean_ci95[1]
        assert talk.kind == "lognormal"
        assert talk.distribution()["dist"] == "lognormal"


TIMES = (30.0, 60.0, 120.0, 240.0, 360.0)
LEVEL = 1 - 0.05 / len(TIMES)
"""Five times checked at once: Bonferroni bands (99 %) keep the family's level at 95 %."""


def _band(log: CallLog, name: str, censored: bool) -> tuple[np.ndarray, ...]:
    """Survival and its band at TIMES, with answered calls censored or (wrongly) dropped."""
    from scipy import stats

    mine = (log.caller == log.caller_types.index(name)) & log.reached
    abandoned = log.wait[mine & (log.outcome == 1)]
    answered = log.wait[mine & (log.outcome == 0)]
    data = (stats.CensoredData(uncensored=abandoned, right=answered) if censored
            else abandoned)
    sf = stats.ecdf(data).sf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        band = sf.confidence_interval(LEVEL, method="log-log")
    k = np.searchsorted(sf.quantiles, TIMES, side="right") - 1
    return (sf.probabilities[k], np.nan_to_num(band.low.probabilities[k], nan=0.0),
            np.nan_to_num(band.high.probabilities[k], nan=1.0))


@pytest.mark.parametrize("name", ["a", "b"])
def test_patience_survival_lies_in_the_kaplan_meier_band(fitted: FitResult, name: str) -> None:
    fit = fitted.estimates.patience.for_key(name)
    assert fit is not None and fit.censored > fit.abandoned  # most calls are censored
    survival, low, high = _band(fitted.log, name, censored=True)
    assert max(TIMES) < fit.t_max  # inside the observed waits, the fit is this curve:
    assert fit.sf(np.array(TIMES)) == pytest.approx(survival)
    truth = np.exp(-np.array(TIMES) / PATIENCE[name])
    assert np.all((low <= truth) & (truth <= high)), (truth, low, high)
    # the fitted means: exponential MLE and Weibull (shape near 1) near the truth
    assert fit.exponential_mean == pytest.approx(PATIENCE[name], rel=0.1)
    assert fit.weibull_shape == pytest.approx(1.0, abs=0.1)


@pytest.mark.parametrize("name", ["a", "b"])
def test_ignoring_censoring_is_biased_and_fails_the_same_check(fitted: FitResult,
                                                               name: str) -> None:
    """Treat answered calls as dropped: the abandoned waits alone make patience look short."""
    survival, low, high = _band(fitted.log, name, censored=False)
    truth = np.exp(-np.array(TIMES) / PATIENCE[name])
    assert np.all(survival < truth)  # biased short at every time
    assert not np.all((low <= truth) & (truth <= high))
    assert np.sum((low <= truth) & (truth <= high)) <= 1  # and far outside, not by a hair


def test_the_patience_quantiles_reproduce_the_curve_and_the_tail(fitted: FitResult) -> None:
    fit = fitted.estimates.patience.for_key("a")
    assert fit is not None
    values = np.asarray(fit.distribution("empirical")["values"])
    for t in (60.0, 180.0, 360.0):
        assert np.mean(values > t) == pytest.approx(float(fit.sf(t)[0]), abs=0.02)
    assert values.max() > fit.t_max  # the tail goes past the last observed wait
    assert fit.distribution("exponential")["mean"] == pytest.approx(fit.exponential_mean, abs=0.1)
    assert fit.distribution("weibull")["dist"] == "weibull"


def test_staffing_from_sessions_matches_the_scenarios_agents(fitted: FitResult) -> None:
    """Busy agents pick up at once, so their sessions cover the staffed hours (the first
    interval loses the idle time before each agent's first call)."""
    staffing = fitted.estimates.staffing
    assert np.abs(staffing.agents - np.array([5, 6, 7, 8, 8, 7, 6, 5]))[1:].max() < 0.2
    assert staffing.staff()[1:] == [6, 7, 8, 8, 7, 6, 5]
    assert staffing.sensitivity[300.0] <= staffing.sensitivity[900.0] <= \
        staffing.sensitivity[1800.0]


def test_no_not_ready_time_when_the_scenario_has_none(fitted: FitResult) -> None:
    not_ready = fitted.estimates.not_ready
    assert not_ready.gaps.size > 100
    assert not_ready.mean < 0.01  # no wrap-up, no not-ready: the next call is taken at once


def test_every_estimate_makes_a_table(fitted: FitResult) -> None:
    pytest.importorskip("pandas")
    estimates = fitted.estimates
    assert len(estimates.arrivals.to_frame()) == 2 * 8
    assert set(estimates.talk.to_frame()["key"]) >= {"a", "b"}
    assert set(estimates.patience.to_frame()["caller_type"]) == {"a", "b"}
    assert len(estimates.staffing.to_frame()) == 8
    assert len(estimates.not_ready.to_frame()) == estimates.not_ready.gaps.size
    assert list(estimates.priorities.to_frame()["credit_s"]) == [0.0, 0.0]


def test_a_fit_shows_itself_briefly_and_says_where_figures_came_from(
        fitted: FitResult) -> None:
    from display_check import check_display

    assert f"{len(fitted.log):,} calls" in repr(fitted)
    check_display(fitted, ["callers[0].arrivals_per_hour",
                           fitted.notes["callers[0].arrivals_per_hour"]])
