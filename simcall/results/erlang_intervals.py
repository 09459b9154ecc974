"""Erlang beside every interval: each department's closed-form figures, or why there are none.

Why: a planner trusts a simulation more when she sees where it agrees with the textbook
formulas, and learns most where it does not. So every interval of a result carries, per
department, the steady-state figures of the queueing model that fits the department (Erlang C,
Erlang A, Erlang B or M/M/n/K(+M), from :mod:`simcall.erlang`), marked **exact**,
**approximate** (with the reason) or **none** (with the reason). The rules, decided once here
and documented in ``docs/metrics.md``:

* **Steady state per interval.** Each interval is taken on its own: its arrival rate and its
  agents on duty as if they held forever. Even an exact figure is that steady state; the
  simulation carries queues over from one interval to the next, which is one reason the two
  part ways at the start of a peak.
* **exact** -- the department is one queue served by agents of its own (every group with its
  skill has that skill only), calls arrive as a Poisson process (a voice menu's hang-ups and
  self-service thin it, and a menu of independent length delays it, which keeps it Poisson),
  handle time is exponential (exponential talk, no wrap-up, pickup or not-ready time), patience
  is exponential with one mean or nobody hangs up, the head count is whole, callers are served
  first come, first served; transfers only when nobody hangs up anywhere (an open Jackson
  network: each department is then exactly an M/M/n queue with its total arrival rate); trunk
  lines only with one department and no voice menu (M/M/n/K: a line is held from arrival to
  the end of talk).
* **approximate** -- one queue with its own agents, but an input the formula does not model:
  talk not exponential, wrap-up, pickup, not-ready time, caller types with different talk or
  patience, patience not exponential, priorities, transfers with abandonment, misrouting,
  shrinkage, shift breaks, day-to-day volume variation, a head count that changes within the
  interval. The formula is fed the means (:mod:`simcall.results.traffic`).
* **none** -- no single-queue formula is honest: agents shared with other departments,
  voicemail, ring-no-answer, redials, callbacks, warm transfers out, trunk lines shared between
  departments or held in the voice menu; per interval also no calls, no agents, or an Erlang C
  queue with load at or above its agents (no steady state).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from simcall.results.stats import Estimate
from simcall.results.traffic import caller_flows, department_traffic, present_agents, staff_of
from simcall.scenario.schema import AgentGroup, CallerType, Department, Scenario

if TYPE_CHECKING:  # the erlang wing loads scipy: imported when figures are computed
    from simcall.erlang.base import QueueMetrics

ERLANG_FIGURES = ("service_level", "p_wait", "abandon_rate", "block_rate", "asa_s", "occupancy")
"""The figures given beside each interval, by the simulation's KPI names (docs/metrics.md)."""

_FIELDS = {"service_level": "service_level", "p_wait": "p_wait", "abandon_rate": "p_abandon",
           "block_rate": "p_block", "asa_s": "asa", "occupancy": "occupancy"}


@dataclass(frozen=True)
class ErlangFigures:
    """One department in one interval: the closed form's inputs and figures, or why none."""

    department: str
    status: str  # "exact", "approximate" or "none"
    reason: str | None  # why approximate or none; None when exact
    model: str | None = None  # "Erlang C", "Erlang A", "Erlang B", "M/M/n/K", "M/M/n/K+M"
    agents: float | None = None  # mean agents on duty, net of shrinkage
    calls_per_hour: float | None = None
    aht_s: float | None = None
    patience_s: float | None = None  # None: nobody hangs up
    lines: int | None = None
    metrics: QueueMetrics | None = None

    @property
    def figures(self) -> dict[str, float]:
        """The figures by KPI name (``nan`` where there are none)."""
        if self.metrics is None:
            return dict.fromkeys(ERLANG_FIGURES, math.nan)
        return {kpi: float(getattr(self.metrics, name)) for kpi, name in _FIELDS.items()}

    def to_json(self) -> dict[str, Any]:
        """Plain values; undefined or infinite figures as null."""
        def number(value: float | None) -> float | None:
            return value if value is not None and math.isfinite(value) else None

        load = (self.calls_per_hour * self.aht_s / 3600.0
                if self.calls_per_hour is not None and self.aht_s is not None else None)
        return {"status": self.status, "model": self.model, "reason": self.reason,
                "agents": number(self.agents), "calls_per_hour": number(self.calls_per_hour),
                "aht_s": number(self.aht_s), "patience_s": number(self.patience_s),
                "lines": self.lines, "load_erlangs": number(load),
                **{kpi: number(value) for kpi, value in self.figures.items()}}


def outside(estimate: Estimate | None, figure: float) -> bool:
    """Whether an Erlang figure lies outside the simulated mean's 95% interval: where the
    simulation and the formula part ways beyond the simulation's own noise (``False`` when
    either is missing, e.g. one replication)."""
    if estimate is None or estimate.ci95 is None or not math.isfinite(figure):
        return False
    return not estimate.ci95.low <= figure <= estimate.ci95.high


@dataclass(frozen=True)
class _Verdict:
    """A department's standing for the whole scenario: why none, why approximate."""

    groups: tuple[AgentGroup, ...]
    none: tuple[str, ...]
    approximate: tuple[str, ...]


def erlang_intervals(scenario: Scenario) -> tuple[dict[str, ErlangFigures], ...]:
    """Per interval, every department's Erlang figures (by department name, scenario order)."""
    flows = [caller_flows(scenario, k) for k in range(scenario.intervals)]
    verdicts = [_verdict(scenario, i, d, flows) for i, d in enumerate(scenario.departments)]
    serving = {d.name: [g.name for g in v.groups]
               for d, v in zip(scenario.departments, verdicts, strict=True)}
    staff = {g.name: staff_of(scenario, g) for g in scenario.agents}
    present = {g.name: _on_duty(scenario, g) for g in scenario.agents}
    out = []
    for k in range(scenario.intervals):
        traffic = department_traffic(scenario, k, serving, staff)
        row = {}
        for department, verdict, load in zip(scenario.departments, verdicts, traffic,
                                             strict=True):
            if verdict.none:
                row[department.name] = ErlangFigures(department.name, "none",
                                                     "; ".join(verdict.none))
                continue
            agents = float(sum(present[g.name][k] for g in verdict.groups))
            figures = _figures(scenario, department.name, verdict, agents,
                               load.calls_per_hour, load.aht, load.patience)
            if figures.status == "exact" and _changes_within(scenario, verdict.groups, k):
                figures = replace(figures, status="approximate", reason=(
                    f"agents on duty change within the interval ({agents:g} on average)"))
            row[department.name] = figures
        out.append(row)
    return tuple(out)


def _figures(scenario: Scenario, name: str, verdict: _Verdict, agents: float, rate: float,
             aht: float, patience: float | None) -> ErlangFigures:
    """One interval of one department: the model the inputs call for, at ``agents``."""
    from simcall.erlang.question import ErlangQuestion, metrics, model_name

    lines = scenario.lines
    base = ErlangFigures(name, "none", None, None, agents, rate, aht, patience, lines)
    if rate <= 0:
        return replace(base, reason="no calls offered in this interval")
    if agents < 1.0 - 1e-9:
        return replace(base, reason="no agents on duty in this interval")
    low, high = math.floor(agents + 1e-9), math.ceil(agents - 1e-9)
    if lines is not None:
        low, high = min(low, lines), min(high, lines)
    question = ErlangQuestion(rate, aht, scenario.service_level_threshold, patience=patience,
                              lines=lines)
    model = model_name(replace(question, agents=high))
    if patience is None and lines is None and rate * aht / 3600.0 >= low:
        return replace(base, model=model, reason=f"load {rate * aht / 3600.0:.1f} Erlangs >= "
                       f"{low} agents: nobody hangs up, so no steady state")
    reasons = list(verdict.approximate)
    figures = metrics(question, low)
    if high != low:
        share = high - agents  # of the time at ``low`` agents, in the mean
        figures = _blend(figures, metrics(question, high), share)
        reasons.append(f"{agents:.1f} agents on duty on average: figures interpolated "
                       f"between {low} and {high}")
    status = "approximate" if reasons else "exact"
    return replace(base, status=status, model=model, reason="; ".join(reasons) or None,
                   metrics=figures)


def _changes_within(scenario: Scenario, groups: Sequence[AgentGroup], k: int) -> bool:
    """Whether a shift starts or ends, or a break may fall, inside interval ``k``."""
    low, high = k * scenario.interval, (k + 1) * scenario.interval
    for group in groups:
        for shift in group.shifts or ():
            start, end = shift.period(scenario.open_s)
            if low < start < high or low < end < high:
                return True
            if any(a < high and b > low for a, b in (b.window(scenario.open_s)
                                                     for b in shift.breaks)):
                return True
    return False


def _on_duty(scenario: Scenario, group: AgentGroup) -> list[float]:
    """Mean agents of a group on duty in each interval: scheduled, less the expected share of
    their breaks (a break drawn in a window starts uniformly in it), less shrinkage."""
    present = present_agents(scenario, group)
    if not any(shift.breaks for shift in group.shifts or ()):
        return present
    width, open_s = scenario.interval, scenario.open_s
    off = np.zeros(scenario.intervals)
    for shift in group.shifts or ():
        start, end = shift.period(open_s)
        for item in shift.breaks:
            low, high = item.window(open_s)
            starts = low + (np.arange(64) + 0.5) / 64 * (high - low - item.length)
            for k in range(scenario.intervals):
                a, c = max(k * width, start), min((k + 1) * width, end)
                overlap = np.clip(np.minimum(starts + item.length, c) - np.maximum(starts, a),
                                  0.0, None)
                off[k] += shift.agents * float(overlap.mean()) / width
    return [max(p - o * (1.0 - group.shrinkage), 0.0) for p, o in zip(present, off.tolist(),
                                                                        strict=True)]


def _blend(low: QueueMetrics, high: QueueMetrics, share: float) -> QueueMetrics:
    """``share`` of ``low`` and the rest of ``high``, field by field."""
    from simcall.erlang.base import QueueMetrics

    return QueueMetrics(**{f.name: share * float(getattr(low, f.name))
                           + (1.0 - share) * float(getattr(high, f.name))
                           for f in fields(QueueMetrics)})


def _reaching(scenario: Scenario, index: int,
              flows: Sequence[Sequence[np.ndarray]]) -> list[CallerType]:
    """The caller types whose calls reach department ``index`` in some interval
    (``flows``: :func:`~simcall.results.traffic.caller_flows` of every interval)."""
    reach = np.zeros(len(scenario.callers), dtype=bool)
    for per_caller in flows:
        reach |= np.array([flow[index] > 0 for flow in per_caller])
    return [c for c, r in zip(scenario.callers, reach.tolist(), strict=True) if r]


def _handle_time(scenario: Scenario, department: Department, callers: Sequence[CallerType],
                 groups: Sequence[AgentGroup]) -> list[str]:
    """Why the department's handle time is not one exponential (empty: it is)."""
    talks = [c.talk if c.talk is not None else department.talk for c in callers] \
        or [department.talk]
    shapes = sorted({t.dist for t in talks if t.dist != "exponential"})
    out = [f"talk time not exponential ({', '.join(shapes)})"] if shapes else []
    if len({round(t.mean_value, 9) for t in talks}) > 1:
        out.append("caller types with different talk times")
    if len({g.talk_factor for g in groups}) > 1:
        out.append("agent groups that talk at different speeds")
    extra = [("wrap-up", department.wrap_up is not None),
             ("pickup (ringing)", any(g.pickup is not None for g in groups)),
             ("not-ready time after calls", any(g.not_ready is not None for g in groups))]
    out += [what for what, present in extra if present]
    return out


def _patience(callers: Sequence[CallerType]) -> list[str]:
    """Why the department's callers' patience is not one exponential (empty: it is)."""
    patience = [c.patience for c in callers]
    if all(p is None for p in patience):
        return []
    shapes = sorted({p.dist for p in patience if p is not None and p.dist != "exponential"})
    if shapes:
        return [f"patience not exponential ({', '.join(shapes)})"]
    if any(p is None for p in patience) or len({round(p.mean_value, 9) for p in patience
                                                if p is not None}) > 1:
        return ["caller types with different patience"]
    return []


def _verdict(scenario: Scenario, index: int, department: Department,
             flows: Sequence[Sequence[np.ndarray]]) -> _Verdict:
    """Which reasons rule out a closed form for the department, which make it approximate."""
    name = department.name
    groups = tuple(g for g in scenario.agents if name in g.skills)
    callers = _reaching(scenario, index, flows)
    none: list[str] = []
    if not groups:
        none.append("no agent group has this skill")
    shared = [g for g in groups if len(g.skills) > 1]
    if shared:
        others = ", ".join(sorted({s for g in shared for s in g.skills if s != name}))
        none.append(f"agents shared between departments (also serving {others})")
    if scenario.voicemail_after is not None:
        none.append(f"voicemail after {scenario.voicemail_after:g} s")
    if any(g.rona is not None for g in groups):
        none.append("ring-no-answer")
    if any(c.redial is not None for c in callers):
        none.append("redials")
    if any(c.callback is not None for c in callers):
        none.append("callbacks")
    if department.warm_transfer and department.transfer:
        none.append("warm transfers (the agent stays on the line)")
    if scenario.lines is not None and len(scenario.departments) > 1:
        none.append("trunk lines shared between departments")
    elif scenario.lines is not None and any(c.ivr is not None for c in callers):
        none.append("the voice menu holds trunk lines")
    return _Verdict(groups, tuple(none), tuple(_approximations(scenario, department, callers,
                                                               groups)))


def _approximations(scenario: Scenario, department: Department,
                    callers: Sequence[CallerType], groups: Sequence[AgentGroup]) -> list[str]:
    """What the formula does not model for this department (empty: exact)."""
    name = department.name
    out = _handle_time(scenario, department, callers, groups) + _patience(callers)
    if len(callers) > 1 and len({(c.priority, c.priority_credit or 0.0) for c in callers}) > 1:
        out.append("caller priorities (the formulas serve first come, first served)")
    feeders = [d for d in scenario.departments if d.transfer.get(name, 0.0) > 0]
    if department.transfer or feeders:
        out += _transfer_reasons(scenario, feeders)
    if any(c.ivr is not None and c.ivr.misroute > 0 for c in scenario.callers):
        out.append("misrouting by the voice menu")
    if any(g.shrinkage > 0 for g in groups):
        out.append("shrinkage (agents absent at random)")
    if any(b.within is not None for g in groups for s in g.shifts or () for b in s.breaks):
        out.append("breaks at random times (their expected share taken off)")
    if scenario.day_volume_cv > 0:
        out.append("day-to-day volume variation (arrivals not Poisson)")
    return out


def _transfer_reasons(scenario: Scenario, feeders: Sequence[Department]) -> list[str]:
    """Transfers are exact (Jackson) only if nobody hangs up and every department that
    transfers or is transferred to is an M/M/n queue of its own (exponential handle time,
    its own agents); otherwise the transferred-in rate is an approximation."""
    out = []
    if any(c.patience is not None for c in scenario.callers):
        out.append("transfers with abandonment (not a Jackson network)")
    if any(d.max_transfers is not None or d.resolution_desk is not None
           or d.transfer_priority_boost > 0 for d in scenario.departments):
        out.append("transfer limits or priority boosts")
    others = [(d, [g for g in scenario.agents if d.name in g.skills])
              for d in scenario.departments if d.transfer or d in feeders]
    if any(_handle_time(scenario, d, scenario.callers, groups) for d, groups in others):
        out.append("transfers between departments whose handle time is not exponential")
    if any(len(g.skills) > 1 or g.rona is not None for _, groups in others for g in groups):
        out.append("transfers between departments whose agents are shared or ring out")
    return out

