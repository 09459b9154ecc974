"""Closed-form staffing plans: Erlang C and Erlang A agents per interval and agent group.

Why: the staffing search (:mod:`simcall.staffing.search`) needs a starting
plan close to the answer, and planners want to see how far the simulated plan
is from what the textbook formulas say. Both plans come from the same
per-department traffic; they differ only in the queue model:

* **Erlang C** (M/M/n, nobody hangs up) -- the classical, conservative plan. It
  ignores the abandonment target (its callers never abandon).
* **Erlang A** (M/M/n+M, exponential patience) -- the search's starting plan.

How the traffic of a department is found, per interval
------------------------------------------------------
* External calls: each caller type's ``arrivals_per_hour`` split by its
  ``enters`` shares; a voice menu's hang-ups and self-service are taken out.
  Misrouting, redials, callbacks and the trunk limit (``lines``) are left out.
* Transfers: the Jackson traffic equations ``lambda = gamma + P^T lambda``,
  solved once per caller type, give each department's total arrival rate
  (fresh calls plus calls transferred in; an abandoning caller is not
  transferred, so this slightly overstates it).
* Handle time: mean talk x the serving groups' ``talk_factor`` + mean wrap-up
  + the serving groups' mean ``pickup``.
* Patience: the abandonment *rate* (1 / mean patience, 0 for callers who never
  hang up) averaged over the callers passing through the department, since
  Erlang A is written in that rate; its inverse is the patience used.

How a department's agents become a group's
-------------------------------------------
A department's need goes to the varied groups whose primary (first) skill is
that department, less what the fixed groups with that primary skill bring
(their agents present in the interval, net of shrinkage); several such groups
split it in proportion to their current staff in that interval. A department
that is no varied group's primary skill goes to the varied groups that have
it as their highest-ranked skill. Each group's share is divided by
``1 - shrinkage`` and rounded up. Pooling across skills is ignored (the
plan is per department), which the simulation then corrects.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from simcall.errors import SimcallError
from simcall.results.traffic import (  # the plans read the same traffic as results
    DepartmentTraffic,
    caller_flows,
    department_traffic,
    present_agents,
    staff_of,
)
from simcall.scenario.schema import Scenario

Plan = dict[str, list[int]]
"""Agents per interval of each varied group, by group name."""


def agents_needed(traffic: DepartmentTraffic, scenario: Scenario, erlang_a: bool,
                  where: str) -> int:
    """Fewest agents meeting the SL, ASA, abandonment and occupancy targets in closed form.

    Targets a closed form cannot see (blocking, transfers) are left to the
    simulation. With no target it can see, the smallest stable pool.
    """
    rate, aht = traffic.calls_per_hour, traffic.aht
    if rate <= 0:
        return 0
    targets = scenario.targets
    load = rate * aht / 3600.0
    patience = traffic.patience if erlang_a else None
    sl = targets.service_level
    asks: dict[str, float | None] = {
        "target_sl": sl.fraction if sl is not None and sl.fraction > 0 else None,
        "within": sl.within if sl is not None and sl.fraction > 0 else None,
        "max_asa": targets.max_asa,
        "max_abandon": targets.max_abandon_rate if patience is not None else None,
    }
    asks = {key: value for key, value in asks.items() if value is not None}
    if any(key != "within" for key in asks):
        from simcall.erlang import agents_required  # scipy: only when a plan is asked for

        try:
            n = agents_required(rate, aht, patience=patience, **asks)  # type: ignore[arg-type]
        except ValueError as exc:
            model = "Erlang A" if patience is not None else "Erlang C"
            raise SimcallError(f"{where}: {model} finds no staffing that meets the targets "
                               f"({rate:.0f} calls/h, handle time {aht:.0f} s): {exc}") from None
    else:
        n = math.floor(load) + 1
    if targets.max_occupancy is not None and targets.max_occupancy > 0:
        n = max(n, math.ceil(load / targets.max_occupancy - 1e-9))
    return n


def serving_groups(scenario: Scenario, varied: Sequence[str]) -> dict[str, list[str]]:
    """Per department, the varied groups that take its need (see the module docstring)."""
    out: dict[str, list[str]] = {}
    chosen = [g for g in scenario.agents if g.name in varied]
    for department in scenario.departments:
        primary = [g.name for g in chosen if g.skills[0] == department.name]
        if not primary:
            ranks = [(g.skills.index(department.name), g.name) for g in chosen
                     if department.name in g.skills]
            best = min((r for r, _ in ranks), default=None)
            primary = [name for r, name in ranks if r == best]
        out[department.name] = primary
    return out


def busiest(scenario: Scenario, plan: Mapping[str, Sequence[int]], k: int,
            groups: Sequence[str]) -> list[str]:
    """``groups`` ordered busiest first in interval ``k``: by the offered load of each
    group's own (first-skill) department, in Erlangs, per agent of the group in ``plan``.

    Why: where an agent must be added the busiest group is the likeliest to need it, and
    where one can go the least busy is the likeliest to spare one. Ties: scenario order.
    """
    serving = serving_groups(scenario, groups)
    traffic = department_traffic(scenario, k, serving, plan)
    names = [d.name for d in scenario.departments]
    spec = {g.name: g for g in scenario.agents}

    def load(g: str) -> float:
        d = traffic[names.index(spec[g].skills[0])]
        return d.calls_per_hour * d.aht / 3600.0 / max(plan[g][k], 1)

    return sorted(groups, key=lambda g: (-load(g), groups.index(g)))


Need = Callable[[int, int, DepartmentTraffic, str], float]
"""Agents present that a department needs: (interval, department, its traffic, where)."""


def erlang_plans(scenario: Scenario, varied: Sequence[str]) -> tuple[Plan, Plan]:
    """The Erlang C and the Erlang A plan of the varied groups, interval by interval."""
    def need(erlang_a: bool) -> Need:
        def agents(k: int, i: int, traffic: DepartmentTraffic, where: str) -> float:
            return float(agents_needed(traffic, scenario, erlang_a, where))
        return agents

    erlang_c, erlang_a = plans_from_needs(scenario, varied, (need(False), need(True)))
    return erlang_c, erlang_a


def cost_plan(scenario: Scenario, varied: Sequence[str]) -> Plan:
    """The Erlang A plan of least expected cost (wages + value lost to defection), interval
    by interval and department by department (:func:`simcall.erlang.cost_optimal_agents`).

    A department's stakes are the flow-weighted means, over the caller types passing through
    it, of ``value x defection.abandoned`` and ``value x defection.answered_late``; its wage
    is its serving groups' ``cost_per_hour`` (weighted by their staff), per agent present
    (divided by ``1 - shrinkage``: absent agents are paid too). Where nobody hangs up
    Erlang A does not apply and the smallest stable pool stands in. Blocking, voicemail and
    transfers beyond the target are left to the simulation, like pooling.
    """
    from simcall.erlang import cost_optimal_agents  # scipy: only when a plan is asked for

    groups = {g.name: g for g in scenario.agents}
    serving = serving_groups(scenario, varied)
    staff = {name: staff_of(scenario, groups[name]) for name in varied}
    threshold = scenario.service_level_threshold
    value = np.array([c.value for c in scenario.callers])
    abandoned = np.array([c.defection.abandoned if c.defection else 0.0
                          for c in scenario.callers])
    late = np.array([c.defection.answered_late if c.defection else 0.0
                     for c in scenario.callers])

    def agents(k: int, i: int, traffic: DepartmentTraffic, where: str) -> float:
        rate, aht = traffic.calls_per_hour, traffic.aht
        if rate <= 0:
            return 0.0
        if traffic.patience is None:
            return float(math.floor(rate * aht / 3600.0) + 1)
        flow = np.array([f[i] for f in caller_flows(scenario, k)])
        stake_abandoned = float(flow @ (value * abandoned) / flow.sum())
        stake_late = float(flow @ (value * late) / flow.sum())
        stake = max(stake_abandoned, stake_late)
        takers = [groups[name] for name in serving[scenario.departments[i].name]]
        weights = np.array([max(staff[g.name][k], 1) for g in takers], dtype=float)
        wage = float(np.average([g.cost_per_hour / (1.0 - g.shrinkage) for g in takers],
                                weights=weights)) if takers else 0.0
        if stake <= 0:
            return 0.0
        if wage <= 0:
            raise SimcallError(f"{where}: its agents cost nothing (cost_per_hour 0), so the "
                               "cheapest plan has as many agents as can be had")
        return float(cost_optimal_agents(rate, aht, traffic.patience, wage, stake,
                                         stake_abandoned / stake, stake_late / stake,
                                         within=threshold).agents)

    (plan,) = plans_from_needs(scenario, varied, (agents,))
    return plan


def plans_from_needs(scenario: Scenario, varied: Sequence[str],
                     needs: Sequence[Need]) -> list[Plan]:
    """Plans of the varied groups, one per way of counting a department's need: each
    department's need (less the fixed groups' agents present) goes to its serving groups
    in proportion to their staff, then up by shrinkage (see the module docstring)."""
    groups = {g.name: g for g in scenario.agents}
    serving = serving_groups(scenario, varied)
    staff = {name: staff_of(scenario, groups[name]) for name in varied}
    fixed = {g.name: present_agents(scenario, g) for g in scenario.agents
             if g.name not in varied}
    plans: list[Plan] = [{n: [] for n in varied} for _ in needs]
    for k in range(scenario.intervals):
        traffic = department_traffic(scenario, k, serving, staff)
        for plan, needed in zip(plans, needs, strict=True):
            heads = dict.fromkeys(varied, 0.0)
            for i, (department, load) in enumerate(zip(scenario.departments, traffic,
                                                       strict=True)):
                where = f"interval {scenario.interval_label(k)}, department '{department.name}'"
                need = needed(k, i, load, where)
                need -= sum(fixed[g.name][k] for g in scenario.agents
                            if g.name in fixed and g.skills[0] == department.name)
                takers = serving[department.name]
                if need <= 0 or not takers:
                    continue
                for name, share in zip(takers, _split(math.ceil(need - 1e-9),
                                                      [staff[t][k] for t in takers]),
                                       strict=True):
                    heads[name] += share
            for name in varied:
                plan[name].append(math.ceil(heads[name] / (1.0 - groups[name].shrinkage)
                                            - 1e-9))
    return plans


def _split(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` agents in proportion to ``weights`` (largest remainder; ties: first)."""
    w = np.asarray(weights, dtype=float)
    if w.sum() <= 0:
        w = np.ones(len(weights))
    exact = total * w / w.sum()
    base = np.floor(exact).astype(int)
    order = sorted(range(len(w)), key=lambda i: (-(exact[i] - base[i]), i))
    for i in order[: total - int(base.sum())]:
        base[i] += 1
    split: list[int] = base.tolist()
    return split
