"""The staffing of least expected cost: wages plus the value of callers who defect.

Why a second objective: the target search (:mod:`simcall.staffing.search`) finds the fewest
agents meeting fixed targets, as if an abandoned large account cost what a small one does.
A planner who can price an agent-hour (``cost_per_hour``) and a lost caller (``value``,
``defection``) can ask for the plan whose expected ``total_cost`` is lowest, optionally
without giving up the targets (``keep_targets``).

The algorithm (``docs/money.md`` has the long version)
------------------------------------------------------
1. **Start** from the Erlang A plan of least cost per interval and department
   (:func:`simcall.staffing.closed_form.cost_plan`); with ``keep_targets``, from the
   target search's verified plan where that has more agents (it is then the floor: no
   interval goes below it, since fewer agents than the fewest meeting the targets would
   miss them).
2. **Descend** on common random numbers: per agent group, four candidates (one agent more,
   one fewer, in the even intervals, in the odd ones), each simulated on the same
   replications as the plan. A change in interval ``k`` is credited with the change in
   ``k``'s own cost plus its share of the change in its unchanged neighbours (the queue it
   leaves behind, or finds), so alternate intervals can be judged from one run. Each
   interval takes the move that lowers its cost most when the one-sided confidence that it
   does is at least :data:`ACCEPT`; the moves are then checked together on the whole day
   (if together they do not lower it, only the best one is kept). An interval never moves
   back the way it came within a level; levels of 10, then all ``replications``.
3. **Verify** on fresh replications the search never saw: the plan, and one agent more and
   one fewer in each interval alone (:func:`simcall.staffing.marginals.evaluate_changes`),
   paired. A neighbour cheaper with family-wise 95% confidence (Bonferroni over every
   neighbour: on a flat cost curve one of 32 neighbours tested at 95% each would look
   cheaper by chance) is taken, one per interval, and the plan is verified again on new
   fresh replications, at most ``budget`` rounds; a cheaper neighbour still there at the
   end is said in plain words.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from types import MappingProxyType

import numpy as np

from simcall.results.money import Prices
from simcall.results.provenance import api_call, provenance_block
from simcall.scenario.schema import Scenario
from simcall.staffing.closed_form import Plan, cost_plan
from simcall.staffing.cost_plan import (
    CONFIDENCE,
    CostPlan,
    CostRound,
    lower_confidence,
    significantly_cheaper,
)
from simcall.staffing.judge import Evaluator, Progress, changed_plan
from simcall.staffing.marginals import AgentChange, Marginal, evaluate_changes
from simcall.staffing.search import StaffingError, check_settings, staff, varied_groups
from simcall.staffing.shift_rules import Rostering, ShiftRules, as_staffed
from simcall.staffing.verify import VERIFY_FIRST

ACCEPT = 0.8  # one-sided confidence that a move lowers the cost, for the search to take it
LEVELS = (10,)  # replications of the early level (the last is ``replications``)
MOST_ROUNDS = 60
Move = tuple[str, int, int]  # group, interval, +1 or -1


def staff_for_cost(
    scenario: Scenario,
    *,
    groups: Sequence[str] | None = None,
    replications: int = 20,
    verify_replications: int = 40,
    budget: int = 3,
    seed: int | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    command: str | None = None,
    keep_targets: bool = False,
    shifts: ShiftRules | str | None = None,
    confidence: float = CONFIDENCE,
) -> CostPlan:
    """Find the plan (or roster, with ``shifts``) of least expected total cost.

    Parameters are those of :func:`simcall.staffing.search.staff`; ``verify_replications``
    are the fresh replications of each verification round (the plan and its 2 x intervals
    x groups neighbours all run on them), ``keep_targets`` keeps every target of the
    scenario met (the target search's plan is the floor, found with ``confidence``), and
    ``confidence`` is the family-wise confidence with which a neighbour must be cheaper to
    be taken (or, at the end, said).

    Raises
    ------
    StaffingError
        No wages or no value at stake (naming the key), unknown groups, bad settings.
    """
    check_settings(replications, verify_replications, confidence, budget)
    seed = scenario.seed if seed is None else seed
    searched = scenario
    if isinstance(shifts, str):
        shifts = ShiftRules.parse(shifts)
    rostering = None
    if shifts is not None:
        varied_groups(scenario, groups, rostered=True)
        scenario = as_staffed(scenario, groups)
        rostering = Rostering.of(shifts, scenario)
    varied = varied_groups(scenario, groups)
    check_prices(scenario, varied)
    start = erlang_a = cost_plan(scenario, varied)
    floor: Plan = {g: [0] * scenario.intervals for g in varied}
    targets = None
    if keep_targets:
        targets = staff(scenario, groups=varied, replications=replications,
                        verify_replications=max(verify_replications, 3), seed=seed,
                        executor=executor, progress=progress, shifts=shifts,
                        confidence=confidence)
        floor = {g: list(targets.plan[g]) for g in varied}
        start = {g: [max(a, b) for a, b in zip(start[g], floor[g], strict=True)]
                 for g in varied}
    reach = {g: [max(3 * n + 10, f) for n, f in zip(start[g], floor[g], strict=True)]
             for g in varied}
    labels = [scenario.interval_label(k) for k in range(scenario.intervals)]
    search = Evaluator(scenario, varied, seed, executor, progress, rostering=rostering,
                       extra=("total_cost",))
    steps: list[str] = []
    plan = descend(search, {g: list(v) for g, v in start.items()}, floor, reach, labels,
                   replications, steps)
    call = command or api_call("staff", scenario=searched, groups=list(varied),
                               objective="cost", keep_targets=keep_targets,
                               replications=replications,
                               verify_replications=verify_replications, seed=seed,
                               budget=budget, confidence=confidence,
                               **({} if shifts is None else {"shifts": shifts}))
    checked, rounds, fresh = verify_cost(search, plan, floor, verify_replications, budget,
                                         labels, steps, call, confidence)
    final = search.scenario(checked)
    rosters = {} if rostering is None else {g: rostering(checked[g]) for g in varied}
    return CostPlan(
        scenario=final, seed=seed, groups=tuple(varied),
        plan=MappingProxyType({g: tuple(v) for g, v in checked.items()}),
        erlang_a=MappingProxyType({g: tuple(v) for g, v in erlang_a.items()}),
        floor=MappingProxyType({g: tuple(v) for g, v in floor.items()}) if keep_targets
        else None,
        verification=fresh, rounds=tuple(rounds), steps=tuple(steps),
        replications=replications, verify_replications=verify_replications,
        runs=search.runs + sum(r.runs for r in rounds) + (targets.runs if targets else 0),
        calls=search.calls + sum(r.calls for r in rounds)
        + (targets.calls if targets else 0),
        rosters=MappingProxyType(rosters), shift_rules=shifts, confidence_wanted=confidence,
        provenance=MappingProxyType(provenance_block(
            final, seed, call, searched_scenario=searched.name, objective="cost",
            keep_targets=keep_targets, replications=replications,
            verify_replications=verify_replications, budget=budget,
            verify_first_replication=VERIFY_FIRST,
            **({} if shifts is None else {"shifts": shifts.describe()}))),
    )


def check_prices(scenario: Scenario, varied: Sequence[str]) -> None:
    """Refuse a cost search that has nothing to weigh, naming the key to give."""
    prices = Prices.of(scenario)
    unpaid = [g.name for g in scenario.agents if g.name in varied and g.cost_per_hour <= 0]
    if unpaid:
        raise StaffingError(
            "a cost search (--objective cost, staff_for_cost) needs a wage for every group "
            f"it staffs: agents.{unpaid[0]}.cost_per_hour is 0 (give e.g. cost_per_hour = "
            "25 in the group's table; on the command line --set 'agents." + unpaid[0]
            + ".cost_per_hour=25', in Python simcall.load(..., overrides={'agents."
            + unpaid[0] + ".cost_per_hour': 25})); without one the cheapest plan would "
            "have every agent there is")
    if not prices.has_losses:
        raise StaffingError(
            "a cost search (--objective cost, staff_for_cost) needs callers worth keeping: "
            "no caller type has both a value "
            "and a defection chance (give e.g. value = 200 and defection = { abandoned = "
            "0.2 } under [[callers]]); without one the cheapest plan has no agents")


def descend(search: Evaluator, plan: Plan, floor: Plan, reach: Plan, labels: Sequence[str],
            most: int, steps: list[str]) -> Plan:
    """Moves of one agent per interval while they lower the cost (module docstring, 2)."""
    groups = list(plan)
    intervals = len(labels)
    for level in sorted({min(n, most) for n in LEVELS} | {most}):
        direction: dict[tuple[str, int], int] = {}  # the way each (group, interval) went
        refused: set[Move] = set()  # single moves that did not lower the day's cost
        for _ in range(MOST_ROUNDS):
            candidates = []
            for g in groups:
                for parity in (0, 1):
                    for step in (+1, -1):
                        ks = [k for k in range(parity, intervals, 2)
                              if direction.get((g, k), step) == step
                              and (g, k, step) not in refused
                              and floor[g][k] <= plan[g][k] + step <= reach[g][k]]
                        if ks:
                            candidates.append((g, step, ks,
                                               changed_plan(plan, [(g, k) for k in ks], step)))
            if not candidates:
                break
            search.ensure([plan] + [c[3] for c in candidates], [level] * (1 + len(candidates)),
                          f"trying an agent more and fewer in every interval ({level} "
                          "replications)")
            base = search.extra_values(plan, "total_cost")
            best: dict[int, tuple[float, Move]] = {}
            for g, step, ks, candidate in candidates:
                gains = credited(search.extra_values(candidate, "total_cost"), base, ks,
                                 intervals)
                for k, gain in gains.items():
                    mean = float(gain.mean())
                    if mean < 0 and lower_confidence(gain) >= ACCEPT and (
                            k not in best or mean < best[k][0]):
                        best[k] = (mean, (g, k, step))
            if not best:
                break
            moves = [move for _, move in best.values()]
            moved = applied(plan, moves)
            if not _lowers_day(search, plan, moved, level):
                _, single = min(best.values())
                moved = applied(plan, [single])
                if not _lowers_day(search, plan, moved, level):
                    refused.add(single)
                    continue
                moves = [single]
            for g, k, step in moves:
                direction[(g, k)] = step
            plan = moved
            steps.append(_step_text(moves, labels, len(groups) > 1, level))
    return plan


def applied(plan: Plan, moves: Sequence[Move]) -> Plan:
    """``plan`` with each move's agent added (or taken away)."""
    out = {g: list(v) for g, v in plan.items()}
    for group, k, step in moves:
        out[group][k] += step
    return out


def credited(values: np.ndarray, base: np.ndarray, changed: Sequence[int],
             intervals: int) -> dict[int, np.ndarray]:
    """Per changed interval, the per-replication change in cost credited to its move: its
    own interval's change plus an equal share of each unchanged neighbour's (shared among
    the neighbour's changed neighbours)."""
    n = min(values.shape[0], base.shape[0])
    diff = values[:n, :intervals] - base[:n, :intervals]
    moved = set(changed)
    out = {}
    for k in changed:
        gain = diff[:, k].copy()
        for j in (k - 1, k + 1):
            if 0 <= j < intervals and j not in moved:
                sharers = sum(1 for i in (j - 1, j + 1) if i in moved)
                gain += diff[:, j] / sharers
        out[k] = gain
    return out


def _lowers_day(search: Evaluator, plan: Plan, moved: Plan, level: int) -> bool:
    search.ensure([moved], [level], "checking the moves together")
    a, b = search.extra_values(moved, "total_cost"), search.extra_values(plan, "total_cost")
    n = min(a.shape[0], b.shape[0])
    return bool((a[:n, -1] - b[:n, -1]).mean() < 0)


def verify_cost(search: Evaluator, plan: Plan, floor: Plan, replications: int, budget: int,
                labels: Sequence[str], steps: list[str], command: str,
                confidence: float = CONFIDENCE) -> tuple[Plan, list[CostRound], Marginal]:
    """The plan and its neighbours on fresh replications; take a significantly cheaper
    neighbour per interval and verify again, at most ``budget`` rounds (docstring, 3)."""
    rounds: list[CostRound] = []
    while True:
        first = VERIFY_FIRST + len(rounds) * replications
        fresh = search.fresh(first)
        checked = evaluate_changes(fresh, plan, replications, command)
        cheaper: dict[int, AgentChange] = {}
        for change in significantly_cheaper(checked.changes, floor, plan, confidence):
            if change.interval not in cheaper or change.net.mean < cheaper[
                    change.interval].net.mean:
                cheaper[change.interval] = change
        taken = tuple((c.group, c.label, c.step) for c in cheaper.values())
        last = not cheaper or len(rounds) + 1 >= budget
        rounds.append(CostRound(first, replications, () if last else taken,
                                taken if last else (), fresh.runs, fresh.calls))
        if last:
            return plan, rounds, checked
        steps.append(f"verify on replications {first}..{first + replications - 1}: cheaper "
                     "with " + ", ".join(f"{s:+d} at {label}" for _, label, s in taken))
        plan = applied(plan, [(c.group, c.interval, c.step) for c in cheaper.values()])


def _step_text(moves: Sequence[Move], labels: Sequence[str], named: bool, level: int) -> str:
    parts = [f"{step:+d} at {labels[k]}" + (f" ({g})" if named else "")
             for g, k, step in sorted(moves, key=lambda m: (m[1], m[0]))]
    return f"{', '.join(parts)} (on {level} replications)"
