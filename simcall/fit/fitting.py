"""``fit``: a call log in, every estimate and a scenario built from them out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from simcall.errors import needs_pandas
from simcall.fit.arrivals import ArrivalProfile, fit_arrivals
from simcall.fit.calllog import ABANDONED, ANSWERED, CallLog
from simcall.fit.columns import CallLogError, Preset
from simcall.fit.durations import MIN_CALLS, DurationFit, TalkTimes, fit_duration
from simcall.fit.patience import MIN_ABANDONED, Patience, PatienceFit, fit_patience
from simcall.fit.reader import read_log
from simcall.fit.sessions import SESSION_GAP, NotReady, Staffing, fit_not_ready, fit_staffing
from simcall.fit.writer import scenario_toml
from simcall.scenario.durations import format_clock, parse_duration
from simcall.scenario.loader import from_dict
from simcall.scenario.schema import Scenario

NEW_KEYS = {"callers": ("talk", "priority_credit"), "agents": ("not_ready",)}
"""Keys the fitted scenario uses that the model branch adds (caller-type ``talk``,
``priority_credit``, agent-group ``not_ready``): left out by ``scenario_data(False)``."""


@dataclass(frozen=True)
class Priorities:
    """The caller types split by priority class, and each one's queue credit."""

    caller_types: tuple[str, ...]
    credit_s: tuple[float, ...]
    calls: tuple[int, ...]  # calls that reached the agents

    def to_frame(self) -> Any:
        """One row per caller type."""
        with needs_pandas("Priorities.to_frame()"):
            import pandas as pd

        return pd.DataFrame({"caller_type": self.caller_types, "credit_s": self.credit_s,
                             "calls": self.calls})


@dataclass(frozen=True)
class Estimates:
    """Everything estimated from the log, each with ``to_frame()``."""

    arrivals: ArrivalProfile
    talk: TalkTimes
    patience: Patience
    staffing: Staffing
    not_ready: NotReady
    priorities: Priorities


@dataclass(frozen=True)
class FitResult:
    """A fitted log: ``estimates``, and ``scenario`` (scenario data, as for
    :func:`simcall.from_dict`) with ``notes`` saying where each figure came from."""

    log: CallLog
    estimates: Estimates
    scenario: dict[str, Any]
    notes: dict[str, str]  # key path ("callers[0].patience") -> where its figure came from

    def __repr__(self) -> str:
        """A few lines: what was fitted from what (not every call of the log)."""
        from simcall.results.display import text_block

        return text_block(f"FitResult {self.scenario.get('name', '')!r}", self._facts())

    def _repr_html_(self) -> str:
        """Jupyter's view: the log fitted, and where each figure of the scenario came from."""
        from simcall.results.display import html_block, html_table

        notes = [(key, note) for key, note in self.notes.items() if key]
        table = html_table(("scenario key", "where its figure came from"), notes, left=2)
        return html_block(f"FitResult {self.scenario.get('name', '')!r}", self._facts(),
                          table, notes=["to_toml() writes the scenario with these notes; "
                                        "estimates.* have to_frame()."])

    def _facts(self) -> list[str]:
        from simcall.results.display import plural

        return [f"{plural(len(self.log), 'call')} on {plural(len(self.log.dates), 'day')}",
                plural(len(self.scenario.get("callers", [])), "caller type"),
                plural(len(self.scenario.get("departments", [])), "department"),
                plural(len(self.scenario.get("agents", [])), "agent group")]

    def scenario_data(self, extended: bool = True) -> dict[str, Any]:
        """The scenario data; ``extended=False`` leaves out :data:`NEW_KEYS` (the departments'
        pooled talk and no credit or not-ready time then stand in for them)."""
        if extended:
            return self.scenario
        data = dict(self.scenario)
        for section, keys in NEW_KEYS.items():
            data[section] = [{k: v for k, v in entry.items() if k not in keys}
                             for entry in data[section]]
        return data

    def validate(self, extended: bool = True) -> Scenario:
        """The scenario validated (a ``ScenarioError`` names any problem)."""
        return from_dict(self.scenario_data(extended))

    def to_toml(self, extended: bool = True, header: str = "") -> str:
        """The scenario as TOML, every figure with a comment saying where it came from;
        ``header`` (e.g. the command that made it) goes first, as comment lines."""
        notes = dict(self.notes)
        if header:
            notes[""] = "\n".join(filter(None, (header, notes.get("", ""))))
        return scenario_toml(self.scenario_data(extended), notes, extended)

    def write(self, path: str | Path, extended: bool = True) -> None:
        """Write :meth:`to_toml` to ``path``."""
        Path(path).write_text(self.to_toml(extended), encoding="utf-8")


def fit(log: str | Path | CallLog, preset: str | Preset | None = None, *,
        column: Mapping[str, str] | None = None, formats: Mapping[str, str] | None = None,
        outcomes: Mapping[str, str] | None = None,
        days: str | Sequence[str | dt.date] | None = None,
        open: str | None = None, close: str | None = None,
        interval: str | float | None = None,
        priority_credit: Mapping[str, str | float] | None = None,
        session_gap: str | float = SESSION_GAP, patience: str = "empirical",
        name: str | None = None) -> FitResult:
    """Fit a scenario to a call log.

    Parameters
    ----------
    log
        A call-log file (CSV, plain or gzip) or a :class:`CallLog` already read.
    preset, column, formats, outcomes, days, open, close, interval, priority_credit
        How to read it and which calls to use: see :func:`simcall.fit.read_log`.
    session_gap
        The longest gap between two calls of an agent inside one session (staffing).
    patience
        How patience goes into the scenario: ``"empirical"`` (the Kaplan-Meier curve with
        its exponential tail), ``"exponential"`` or ``"weibull"`` (censored fits).
    name
        The scenario's name (default: the file's name).

    Returns
    -------
    FitResult
        ``.estimates`` (each with ``to_frame()``), ``.scenario`` and ``.to_toml()``.
    """
    if patience not in ("empirical", "exponential", "weibull"):
        raise CallLogError(f"patience={patience!r}: use 'empirical', 'exponential' or 'weibull'")
    try:
        gap = parse_duration(session_gap)
    except ValueError as exc:
        raise CallLogError(f"session_gap: {exc}") from None
    if isinstance(log, CallLog):
        calls, source = log, name or "fitted"
    else:
        calls = read_log(log, preset, column=column, formats=formats, outcomes=outcomes,
                         days=days, open=open, close=close, interval=interval,
                         priority_credit=priority_credit)
        source = Path(log).name
    labels = tuple(format_clock(calls.open_s + i * calls.interval_s)
                   for i in range(calls.intervals))
    estimates = Estimates(
        arrivals=fit_arrivals(calls, labels), talk=_talk(calls), patience=_patience(calls),
        staffing=fit_staffing(calls, labels, gap), not_ready=fit_not_ready(calls, gap),
        priorities=Priorities(calls.caller_types, calls.credit, tuple(
            int(((calls.caller == c) & calls.reached).sum())
            for c in range(len(calls.caller_types)))))
    data, notes = _scenario(calls, estimates, name or _stem(source), patience)
    return FitResult(calls, estimates, data, notes)


def _stem(source: str) -> str:
    for suffix in (".gz", ".csv", ".txt"):
        source = source.removesuffix(suffix)
    return source or "fitted"


def _talk(log: CallLog) -> TalkTimes:
    talk = log.talk
    every = fit_duration("all caller types", talk)
    fits: list[DurationFit] = []
    for c, name in enumerate(log.caller_types):
        own = talk[log.caller == c]
        if np.isfinite(own).sum() >= MIN_CALLS or every is None:
            found = fit_duration(name, own)
        else:
            found = replace(every, key=name, pooled=True)
        if found is not None:
            fits.append(found)
        if len(log.departments) > 1:
            for d, department in enumerate(log.departments):
                part = fit_duration(f"{name} / {department}",
                                    talk[(log.caller == c) & (log.department == d)])
                if part is not None:
                    fits.append(part)
    if len(log.departments) > 1:
        for d, department in enumerate(log.departments):
            part = fit_duration(f"department {department}", talk[log.department == d])
            if part is not None:
                fits.append(part)
    return TalkTimes(tuple(fits), every)


def _patience(log: CallLog) -> Patience:
    wait = log.wait
    reached = log.reached
    abandon_all = wait[reached & (log.outcome == ABANDONED)]
    answered_all = wait[reached & (log.outcome == ANSWERED)]
    fits: list[PatienceFit] = []
    pooled: list[PatienceFit | None] = []  # fitted once, when a caller type first needs it
    for c, name in enumerate(log.caller_types):
        mine = reached & (log.caller == c)
        abandon = wait[mine & (log.outcome == ABANDONED)]
        answered = wait[mine & (log.outcome == ANSWERED)]
        if np.isfinite(abandon).sum() >= MIN_ABANDONED:
            found = fit_patience(name, abandon, answered)
        else:
            if not pooled:
                pooled.append(fit_patience("all caller types", abandon_all, answered_all,
                                           pooled=True))
            found = None if pooled[0] is None else replace(pooled[0], key=name)
        if found is not None:
            fits.append(found)
    return Patience(tuple(fits))


def _scenario(log: CallLog, estimates: Estimates, name: str,
              patience: str) -> tuple[dict[str, Any], dict[str, str]]:
    arrivals, selection = estimates.arrivals, log.selection
    days = arrivals.days
    span = (f"{log.dates[0]} to {log.dates[-1]}" if log.dates and log.dates[0] is not None
            else "relative times")
    notes: dict[str, str] = {
        "": "\n".join([f"fitted by simcall.fit from {name}: {days} days ({span})",
                        *selection.lines()]),
        "interval": "the interval length asked for", "open": "the opening time asked for",
        "intervals": "the opening hours over the interval length",
    }
    trend = arrivals.trend
    trend_text = ("" if trend is None else
                  f"; trend {trend.relative_per_day:+.2%} per day (p = {trend.p_value:.3g}, "
                  f"{'significant' if trend.significant else 'not significant'}; "
                  f"cv around the trend {arrivals.day_volume_cv_detrended:.3f})")
    notes["day_volume_cv"] = (f"daily totals of calls reaching the agents over {days} days: "
                              "sqrt(max(0, var - mean)) / mean" + trend_text)
    data: dict[str, Any] = {
        "name": name, "interval": f"{log.interval_s:g}s", "intervals": log.intervals,
        "open": format_clock(log.open_s),
        "day_volume_cv": round(arrivals.day_volume_cv, 4),
    }
    callers = []
    for c, caller in enumerate(log.caller_types):
        path = f"callers[{c}]"
        entry: dict[str, Any] = {"name": caller}
        entry["arrivals_per_hour"] = [round(float(r), 3) for r in arrivals.rate_per_hour[c]]
        se = float(np.nanmean(arrivals.se_per_hour[c])) if days > 1 else float("nan")
        notes[f"{path}.arrivals_per_hour"] = (
            f"calls reaching the agents per interval, mean over {days} days as a rate per "
            f"hour ({int(arrivals.counts[:, c].sum()):,} calls; mean standard error "
            f"{se:.2f} per hour)")
        mine = log.department[log.caller == c]
        shares = np.bincount(mine, minlength=len(log.departments)) / max(mine.size, 1)
        entry["enters"] = ({log.departments[int(np.argmax(shares))]: 1.0}
                           if shares.max() > 0.999 else
                           {d: round(float(s), 4) for d, s in zip(log.departments, shares,
                                                                  strict=True) if s > 0})
        if len(entry["enters"]) == 1:
            entry["enters"] = next(iter(entry["enters"]))
        notes[f"{path}.enters"] = "the departments this caller type's calls reached"
        fitted = estimates.patience.for_key(caller)
        if fitted is not None:
            entry["patience"] = fitted.distribution(patience)
            notes[f"{path}.patience"] = f"{patience}: " + fitted.source()
        else:
            notes[f"{path}.name"] = ("no patience: the log has too few abandoned calls to "
                                     f"estimate it (fewer than {MIN_ABANDONED}, all caller "
                                     "types together), so these callers never hang up here; "
                                     "add a patience if you know one")
        talk = estimates.talk.for_key(caller)
        if talk is not None:
            entry["talk"] = talk.distribution()
            notes[f"{path}.talk"] = talk.source()
        if log.credit[c] > 0:
            entry["priority_credit"] = f"{log.credit[c]:g}s"
            notes[f"{path}.priority_credit"] = "the preset's credit for this priority class"
        callers.append(entry)
    data["callers"] = callers
    departments = []
    for d, department in enumerate(log.departments):
        fits = ([estimates.talk.for_key(f"department {department}")]
                if len(log.departments) > 1 else [estimates.talk.overall])
        own = fits[0] or estimates.talk.overall
        departments.append({"name": department, "talk": own.distribution() if own else
                            {"dist": "exponential", "mean": 180.0}})
        notes[f"departments[{d}].talk"] = (own.source() if own else
                                           "no answered call with a talk time: a placeholder")
    data["departments"] = departments
    staffing = estimates.staffing
    group: dict[str, Any] = {"name": "agents", "skills": list(log.departments),
                             "staff": staffing.staff()}
    notes["agents[0].staff"] = ("the log names no agent: agents on the phones are unknown, "
                                "written as 0; give staff yourself") if not log.agents else (
        f"agents on the phones: {staffing.sessions:,} sessions (calls of one agent with gaps "
        f"up to {staffing.gap_s:g} s), time-weighted per interval, mean over days; mean agents "
        "by gap: " + ", ".join(f"{g:g} s -> {a:.2f}" for g, a in staffing.sensitivity.items()))
    not_ready = estimates.not_ready.distribution()
    if not_ready is not None:
        group["not_ready"] = not_ready
        notes["agents[0].not_ready"] = estimates.not_ready.source()
    data["agents"] = [group]
    return data, notes
