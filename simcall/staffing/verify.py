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
from simcall.staffing.judge import PASS, Evaluator, Judgement, changed_plan, settle

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


def verify(search: Evaluator, plan: Plan, reach: Plan, wanted: float, most: int,
           replications: int, budget: int, labels: Sequence[str],
           steps: list[str]) -> Checked:
    """Verify ``plan`` on fresh replications, repairing and verifying again while an
    interval falls short, for at most ``budget`` rounds (see the module docstring)."""
    groups = list(plan)
    intervals = len(labels) - 1
    rounds: list[Round] = []
    plans = runs = 0
    while True:
        first = VERIFY_FIRST + len(rounds) * replications
        fresh = Evaluator(search.scenario(plan), groups, search.seed, search.executor,
                          search.progress, first=first, keep=True)
        fresh.ensure([plan], [replications], "verifying on fresh replications")
        plans, runs = plans + 1, runs + fresh.runs
        judgement = fresh.judge(plan)
        status = judgement.status(wanted)
        confidence = judgement.interval_confidence()
        short = [k for k in range(intervals)
                 if status[k] != PASS and np.isfinite(confidence[k])]
        if not short or len(rounds) + 1 >= budget:
            search.ensure([plan], [min(10, most)], "the plan on the search replications")
            rounds.append(Round(first, replications, tuple(labels[k] for k in short), ()))
            return Checked(plan, search.judge(plan), fresh.summary(plan), tuple(rounds),
                           plans, runs)
        adds = _repairs(search, plan, reach, short, wanted, most, groups)
        rounds.append(Round(first, replications, tuple(labels[k] for k in short),
                            tuple((g, labels[k]) for g, k in adds)))
        steps.append(f"verify on replications {first}..{first + replications - 1}: short at "
                     + ", ".join(labels[k] for k in short) + " -> +1 there")
        plan = changed_plan(plan, adds, +1)


def _repairs(search: Evaluator, plan: Plan, reach: Plan, short: Sequence[int], wanted: float,
             most: int, groups: list[str]) -> list[tuple[str, int]]:
    """Which group gets the extra agent in each short interval: with one group, that one;
    with several, the one whose extra agent leaves the interval most confident on the
    search replications."""
    open_groups = {k: [g for g in groups if plan[g][k] < reach[g][k]] or groups
                   for k in short}
    if len(groups) == 1:
        return [(groups[0], k) for k in short]
    candidates = [changed_plan(plan, [(g, k) for k in short if g in open_groups[k]], +1)
                  for g in groups]
    judged = settle(search, candidates, [list(short)] * len(groups), wanted, most,
                    "choosing where the extra agents go")
    confidence = [np.nan_to_num(j.interval_confidence(), nan=1.0) for j in judged]
    return [(max(open_groups[k], key=lambda g: (confidence[groups.index(g)][k],
                                               -groups.index(g))), k)
            for k in short]

