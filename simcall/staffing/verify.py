"""Verification on fresh replications, and repair where an interval falls short.

Why: a plan tuned on the search's replications is tuned to them. What a planner signs is
its behaviour on days the search never saw: each verification round simulates the plan
on replications no search run used (``VERIFY_FIRST + round x V`` onwards, a stream of
their own), judges every interval with the wanted one-sided confidence, and gives an agent
more to each interval that falls short (to the group whose extra agent helps that
interval most on the search replications); the repaired plan is then verified again on
new fresh replications. The last round's verdict is the plan's; a plan still short when
the budget of rounds is spent says so, interval by interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simcall.results.summary import Summary
from simcall.staffing.closed_form import Plan
from simcall.staffing.judge import PASS, Evaluator, Judgement, below, best_groups, changed_plan

CHOOSE = 10  # fresh replications that rank the groups for an added agent (paired: enough)
VERIFY_FIRST = 1_000_000
"""The first fresh replication: far above any search replication, so none is shared."""


@dataclass(frozen=True)
class Round:
    """One verification round: which fresh replications, what fell short, what was added."""

    first: int
    replications: int
    short: tuple[str, ...]  # intervals below the wanted confidence
    added: tuple[tuple[str, str], ...]  # (group, interval) given one agent more


@dataclass(frozen=True)
class Checked:
    """The verified plan, its summaries on the search and the last fresh replications."""

    plan: Plan
    search: Judgement  # on the search replications
    fresh: Summary  # on the last round's fresh replications
    rounds: tuple[Round, ...]
    plans: int
    runs: int
    calls: int


def verify(search: Evaluator, plan: Plan, reach: Plan, wanted: float, most: int,
           replications: int, budget: int, labels: Sequence[str],
           steps: list[str]) -> Checked:
    """Verify ``plan`` on fresh replications, repairing and verifying again while an
    interval falls short, for at most ``budget`` rounds (see the module docstring)."""
    groups = list(plan)
    intervals = len(labels) - 1
    rounds: list[Round] = []
    plans = runs = calls = 0
    while True:
        first = VERIFY_FIRST + len(rounds) * replications
        fresh = search.fresh(first)
        fresh.ensure([plan], [replications], "verifying on fresh replications")
        judgement = fresh.judge(plan)
        status = judgement.status(wanted)
        confidence = judgement.interval_confidence()
        short = [k for k in range(intervals)
                 if status[k] != PASS and np.isfinite(confidence[k])]
        if not short or len(rounds) + 1 >= budget:
            search.ensure([plan], [min(10, most)], "the plan on the search replications")
            rounds.append(Round(first, replications, tuple(labels[k] for k in short), ()))
            return Checked(plan, search.judge(plan), fresh.summary(plan), tuple(rounds),
                           plans + fresh.plans, runs + fresh.runs, calls + fresh.calls)
        # which group: judged on this round's own fresh replications, which the next round
        # does not reuse
        adds = best_groups(fresh, plan, short, groups,
                           below(plan, reach), min(replications, CHOOSE),
                           "choosing which group gets the agents needed")
        rounds.append(Round(first, replications, tuple(labels[k] for k in short),
                            tuple((g, labels[k]) for g, k in adds)))
        steps.append(f"verify on replications {first}..{first + replications - 1}: short at "
                     + ", ".join(labels[k] for k in short) + " -> +1 there")
        plans, runs, calls = plans + fresh.plans, runs + fresh.runs, calls + fresh.calls
        plan = changed_plan(plan, adds, +1)
