"""The Erlang line: each interval's closed-form value, where a closed form applies.

Why only sometimes: Erlang A (M/M/n+M) is exact for one queue served by one
pool of identical agents, with Poisson arrivals, exponential handle times and
exponential patience, in steady state. A simulated interval differs from that
(queues carry over from the previous interval; talk times need not be
exponential), and the gap between the two lines is exactly what the
simulation adds. But for several departments with transfers, multi-skilled
groups, line limits, redials, callbacks or ring-no-answer, no single
per-interval formula is honest, so no line is drawn and the legend says why.
"""

from __future__ import annotations

import math

import numpy as np

from simcall.scenario.schema import Scenario

# KPI -> field of simcall.erlang.QueueMetrics
ERLANG_FIELDS = {"service_level": "service_level", "asa_s": "asa", "abandon_rate": "p_abandon",
                 "p_wait": "p_wait", "occupancy": "occupancy"}


def why_not(scenario: Scenario, kpi: str) -> str | None:
    """Why the scenario has no per-interval Erlang line for ``kpi`` (``None``: it has one)."""
    if kpi not in ERLANG_FIELDS:
        return f"no closed form for {kpi}"
    if len(scenario.departments) != 1 or len(scenario.agents) != 1:
        return "several departments or agent groups"
    department = scenario.departments[0]
    if department.transfer:
        return "transfers"
    if scenario.lines is not None:
        return "a line limit"
    if scenario.voicemail_after is not None:
        return "voicemail"
    if scenario.agents[0].rona is not None:
        return "ring-no-answer"
    if any(c.redial is not None or c.callback is not None for c in scenario.callers):
        return "redials or callbacks"
    patience = [c.patience for c in scenario.callers]
    if any(p is not None for p in patience) and not all(
            p is not None and p.dist == "exponential" for p in patience):
        return "patience not exponential"
    return None


def erlang_values(scenario: Scenario, kpi: str) -> tuple[np.ndarray, str]:
    """Erlang A (or C, when nobody hangs up) per interval, and the model's name.

    Rates, handle time (talk x talk factor + pickup + wrap-up) and mean patience
    per interval are :func:`simcall.staffing.closed_form.department_traffic`'s, the
    agents are the plan's agents present (net of shrinkage, breaks taken off);
    an interval with no agents or a fractional head count (part-time breaks)
    gets ``nan``.

    Raises
    ------
    ValueError
        When :func:`why_not` finds no closed form for this scenario.
    """
    reason = why_not(scenario, kpi)
    if reason is not None:
        raise ValueError(f"no Erlang line: {reason}")
    from simcall.erlang import erlang_a_metrics, erlang_c_metrics
    from simcall.results.traffic import department_traffic, present_agents, staff_of

    group = scenario.agents[0]
    department = scenario.departments[0].name
    agents = present_agents(scenario, group)
    staff = {group.name: staff_of(scenario, group)}
    patient = all(c.patience is None for c in scenario.callers)
    threshold = scenario.service_level_threshold
    values = np.full(scenario.intervals, math.nan)
    for k in range(scenario.intervals):
        n = agents[k]
        if n < 1 or abs(n - round(n)) > 1e-9:
            continue
        (traffic,) = department_traffic(scenario, k, {department: [group.name]}, staff)
        if traffic.calls_per_hour <= 0:
            continue
        try:
            if patient or traffic.patience is None:
                metrics = erlang_c_metrics(round(n), traffic.calls_per_hour, traffic.aht,
                                           within=threshold)
            else:
                metrics = erlang_a_metrics(round(n), traffic.calls_per_hour, traffic.aht,
                                           traffic.patience, within=threshold)
        except ValueError:  # Erlang C with load >= agents: no steady state
            continue
        value = float(getattr(metrics, ERLANG_FIELDS[kpi]))
        values[k] = value if math.isfinite(value) else math.nan
    return values, "Erlang C" if patient else "Erlang A"
