"""What each department must handle, interval by interval: calls, handle time, patience.

Why a module of its own, in the results wing: the Erlang C and A staffing plans
(:mod:`simcall.staffing.closed_form`) and the Erlang figures shown beside each
simulated interval (:mod:`simcall.results.erlang_intervals`) must read the same
traffic from a scenario, and the results wing is the lower of the two layers.

* External calls: each caller type's ``arrivals_per_hour`` split by its
  ``enters`` shares; a voice menu's hang-ups and self-service are taken out.
  Misrouting, redials, callbacks and the trunk limit (``lines``) are left out.
* Transfers: the Jackson traffic equations ``lambda = gamma + P^T lambda``,
  solved once per caller type, give each department's total arrival rate.
* Handle time: mean talk x the serving groups' ``talk_factor`` + mean wrap-up
  + mean ``pickup`` + mean ``not_ready``.
* Patience: the abandonment *rate* (1 / mean patience) averaged over the callers
  passing through the department; its inverse is the patience used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from simcall.model.roster import scheduled_periods
from simcall.scenario.schema import AgentGroup, Scenario


@dataclass(frozen=True)
class DepartmentTraffic:
    """What one department must handle in one interval."""

    calls_per_hour: float
    aht: float  # seconds
    patience: float | None  # mean patience (s) for Erlang A; None: nobody hangs up


def staff_of(scenario: Scenario, group: AgentGroup) -> list[int]:
    """A ``staff`` group's head count in every interval (a single value repeated)."""
    return [int(v) for v in scenario.per_interval(group.staff or (0,))]


def present_agents(scenario: Scenario, group: AgentGroup) -> list[float]:
    """Mean agents a group has on duty in each interval, net of shrinkage (breaks kept)."""
    counts = np.zeros(scenario.intervals)
    width = scenario.interval
    for start, end in scheduled_periods(group, scenario):
        for k in range(scenario.intervals):
            overlap = min(end, (k + 1) * width) - max(start, k * width)
            if overlap > 0:
                counts[k] += overlap / width
    present: list[float] = (counts * (1.0 - group.shrinkage)).tolist()
    return present


def caller_flows(scenario: Scenario, k: int) -> list[np.ndarray]:
    """Each caller type's calls per hour into each department in interval ``k``: fresh
    calls (less the menu's hang-ups and self-service) plus transfers, from the Jackson
    traffic equations ``lambda = gamma + P^T lambda``."""
    names = [d.name for d in scenario.departments]
    index = {name: i for i, name in enumerate(names)}
    m = len(names)
    routing = np.zeros((m, m))
    for i, department in enumerate(scenario.departments):
        for target, p in department.transfer.items():
            routing[i, index[target]] += p
    solve = np.eye(m) - routing.T
    flows = []
    for caller in scenario.callers:
        rate = float(scenario.per_interval(caller.arrivals_per_hour)[k])
        if caller.ivr is not None:
            rate *= 1.0 - caller.ivr.hang_up - caller.ivr.self_serve
        fresh = np.zeros(m)
        for name, share in caller.enters.items():
            fresh[index[name]] += rate * share
        flows.append(np.maximum(np.linalg.solve(solve, fresh), 0.0))
    return flows


def department_traffic(scenario: Scenario, k: int, serving: Mapping[str, Sequence[str]],
                       staff: Mapping[str, Sequence[int]]) -> list[DepartmentTraffic]:
    """Each department's arrival rate, handle time and patience in interval ``k``.

    ``serving`` names, per department, the groups that will take its need
    (their talk factor, pickup and not-ready time enter its handle time, weighted by
    ``staff`` in interval ``k``). Talk time is the mean over the calls it gets: a caller
    type's own ``talk`` for its calls, the department's for the others.
    """
    flows = caller_flows(scenario, k)
    m = len(scenario.departments)
    total = np.zeros(m)
    hazard = np.zeros(m)  # abandonment rate x calls, summed over caller types
    talk = np.zeros(m)  # talk seconds x calls, for caller types with their own talk time
    own_talk = any(caller.talk is not None for caller in scenario.callers)
    for caller, flow in zip(scenario.callers, flows, strict=True):
        total += flow
        if caller.patience is not None:
            hazard += flow / caller.patience.mean_value
        talk += flow * (caller.talk.mean_value if caller.talk is not None else np.array(
            [d.talk.mean_value for d in scenario.departments]))
    groups = {g.name: g for g in scenario.agents}
    out = []
    for i, department in enumerate(scenario.departments):
        serving_groups = [groups[name] for name in serving.get(department.name, ())]
        weights = np.array([staff[g.name][k] if g.name in staff else 1.0
                            for g in serving_groups], dtype=float)
        if serving_groups and weights.sum() <= 0:
            weights = np.ones(len(serving_groups))
        factor = float(np.average([g.talk_factor for g in serving_groups], weights=weights)) \
            if serving_groups else 1.0
        pickup = float(np.average(
            [g.pickup.mean_value if g.pickup is not None else 0.0 for g in serving_groups],
            weights=weights)) if serving_groups else 0.0
        not_ready = float(np.average(
            [g.not_ready.mean_value if g.not_ready is not None else 0.0 for g in serving_groups],
            weights=weights)) if serving_groups else 0.0
        mean_talk = (talk[i] / total[i] if own_talk and total[i] > 0
                     else department.talk.mean_value)
        aht = mean_talk * factor + pickup + not_ready  # the time an agent is kept from calls
        if department.wrap_up is not None:
            aht += department.wrap_up.mean_value
        patience = total[i] / hazard[i] if hazard[i] > 0 else None
        out.append(DepartmentTraffic(float(total[i]), aht, patience))
    return out
