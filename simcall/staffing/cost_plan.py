"""The result of a cost search: the plan, the Erlang A plan of least cost, and the proof.

What a planner signs is the plan's cost on days the search never saw, and the evidence that
no single agent more or fewer in any interval would have been cheaper: both come from the
last verification round (:class:`~simcall.staffing.marginals.Marginal`, paired on fresh
replications). A neighbour still significantly cheaper is said in plain words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from simcall.results.stats import Estimate
from simcall.results.summary import estimate_json
from simcall.results.targets import Goal
from simcall.scenario.schema import Scenario
from simcall.staffing.judge import one_sided_confidence
from simcall.staffing.marginals import AgentChange, Marginal

if TYPE_CHECKING:
    from simcall.staffing.shift_roster import ShiftRoster
    from simcall.staffing.shift_rules import ShiftRules


CONFIDENCE = 0.95
"""The default confidence, over all the neighbours of a plan at once, that a neighbour called
cheaper is cheaper (family-wise, Bonferroni): with 32 neighbours each tested at 95%, one or
two would look cheaper by chance alone on a flat cost curve, and the plan would never be
signed."""


def lower_confidence(values: Sequence[float] | np.ndarray) -> float:
    """One-sided confidence that the mean of paired ``values`` is below zero: the target
    judge's Student t confidence (:func:`~simcall.staffing.judge.one_sided_confidence`)
    for "a change of at most 0"; 0 when nothing is defined."""
    return one_sided_confidence(NO_DEARER, values) or 0.0


NO_DEARER = Goal("total_cost", at_least=False, bound=0.0)
"""A change in total cost of at most zero, as a goal the judge can weigh."""


def significantly_cheaper(changes: Sequence[AgentChange],
                          floor: Mapping[str, Sequence[int]] | None,
                          plan: Mapping[str, Sequence[int]],
                          confidence: float = CONFIDENCE) -> list[AgentChange]:
    """The neighbours cheaper than the plan with family-wise ``confidence`` (Bonferroni
    over every neighbour tested), those below the targets' floor left out."""
    allowed = [c for c in changes
               if floor is None or plan[c.group][c.interval] + c.step >= floor[c.group][
                   c.interval]]
    wanted = 1.0 - (1.0 - confidence) / max(len(changes), 1)
    return [c for c in allowed if c.net.mean < 0 and lower_confidence(c.net.values) >= wanted]

COST_KPIS = ("total_cost", "wage_cost", "lost_value", "defections", "service_level",
             "abandon_rate")
"""The KPIs a cost plan reports (its JSON document, its notebook table)."""


@dataclass(frozen=True)
class CostRound:
    """One verification round of a cost search."""

    first: int
    replications: int
    taken: tuple[tuple[str, str, int], ...]  # (group, interval, step) moved after this round
    left: tuple[tuple[str, str, int], ...]  # cheaper neighbours found when the budget ran out
    runs: int
    calls: int


@dataclass(frozen=True)
class CostPlan:
    """The plan of least expected total cost found by :func:`staff_for_cost`.

    ``plan`` and ``erlang_a`` (the closed-form plan of least cost, the search's start) are
    agents per interval of each varied group; ``floor`` is the target search's plan when the
    targets were kept. ``verification`` holds the plan's results on the last round's fresh
    replications and every one-agent change, paired.
    """

    scenario: Scenario
    seed: int
    groups: tuple[str, ...]
    plan: Mapping[str, tuple[int, ...]]
    erlang_a: Mapping[str, tuple[int, ...]]
    floor: Mapping[str, tuple[int, ...]] | None
    verification: Marginal
    rounds: tuple[CostRound, ...]
    steps: tuple[str, ...]
    replications: int
    verify_replications: int
    runs: int
    calls: int
    provenance: Mapping[str, Any] = field(default_factory=dict)
    rosters: Mapping[str, ShiftRoster] = field(default_factory=dict)
    shift_rules: ShiftRules | None = None
    confidence_wanted: float = CONFIDENCE

    @property
    def kpis(self) -> Mapping[str, Estimate]:
        """The plan's KPIs on the last round's fresh replications."""
        return self.verification.base.kpis

    @property
    def total_cost(self) -> Estimate:
        return self.kpis["total_cost"]

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.scenario.interval_label(k) for k in range(self.scenario.intervals))

    @property
    def rostered(self) -> bool:
        """Whether the plan was turned into shifts (``rosters`` then holds them)."""
        return bool(self.rosters)

    @property
    def keeps_targets(self) -> bool:
        return self.floor is not None

    def neighbours(self, group: str, k: int) -> tuple[AgentChange | None, AgentChange | None]:
        """One agent more and one fewer in interval ``k`` of ``group`` (None: none fewer)."""
        return self.verification.change(group, k, +1), self.verification.change(group, k, -1)

    def cheaper(self) -> list[AgentChange]:
        """Neighbours significantly cheaper than the plan on the fresh replications, with
        family-wise ``confidence_wanted`` (below the targets' floor excluded)."""
        return significantly_cheaper(self.verification.changes, self.floor, self.plan,
                                     self.confidence_wanted)

    @property
    def holds(self) -> bool:
        """No single agent more or fewer is significantly cheaper on fresh replications, and
        (with the targets kept) every target is met there."""
        targets_met = all(t.met is not False for t in self.verification.base.targets) \
            if self.keeps_targets else True
        return not self.cheaper() and targets_met

    def shortfall(self) -> list[str]:
        """What keeps the plan from being signed, in plain words (empty: nothing)."""
        words = []
        for change in self.cheaper():
            ci = change.net.ci95
            assert ci is not None
            words.append(
                f"one agent {'more' if change.step > 0 else 'fewer'} at {change.label}"
                + (f" ({change.group})" if len(self.groups) > 1 else "")
                + f" lowers the cost by {-change.net.mean:,.0f} (95% interval "
                f"{-ci.high:,.0f} to {-ci.low:,.0f}) on fresh replications; the budget of "
                "verification rounds ran out before it was taken")
        if self.keeps_targets:
            for target in self.verification.base.targets:
                if target.met is False:
                    words.append(f"target {target.goal.kpi} {target.goal.text} is not met on "
                                 f"fresh replications (value {target.value:.4g})")
        return words

    def agent_hours(self, which: str = "plan") -> float:
        """Agent-hours of a plan (``plan``, ``erlang_a`` or ``floor``)."""
        plans = {"plan": self.plan, "erlang_a": self.erlang_a, "floor": self.floor or {}}
        hours = self.scenario.interval / 3600.0 * self.scenario.days
        return sum(sum(v) for v in plans[which].values()) * hours

    def __repr__(self) -> str:
        """A few lines: agent-hours, whether the plan holds, and the verified cost."""
        from simcall.results.display import headline, text_block

        return text_block(f"CostPlan {self.scenario.name!r}", self._facts(),
                          headline(self.kpis, COST_KPIS[:1] + COST_KPIS[4:]))

    def _repr_html_(self) -> str:
        """Jupyter's view: agents per interval (the plan, the Erlang A plan of least cost
        and the targets' floor when kept) and the verified cost and KPIs with 95% intervals."""
        from simcall.results.display import html_block, html_table, kpi_table

        several = len(self.groups) > 1
        plans = [("plan", self.plan), ("Erlang A", self.erlang_a)]
        if self.floor is not None:
            plans.append(("targets' floor", self.floor))
        head = ["interval", *(f"{g}: {p}" if several else p for g in self.groups
                              for p, _ in plans)]
        rows = [[label, *(str(plan[g][k]) for g in self.groups for _, plan in plans)]
                for k, label in enumerate(self.labels)]
        kpis = [k for k in COST_KPIS if k in self.kpis]
        notes = self.shortfall() or ["No single agent more or fewer is significantly cheaper "
                                     "on the fresh replications."]
        return html_block(f"CostPlan {self.scenario.name!r}", self._facts(),
                          html_table(head, rows), kpi_table(self.kpis, kpis), notes=notes)

    def _facts(self) -> list[str]:
        from simcall.results.display import plural

        return [f"groups {', '.join(map(repr, self.groups))}",
                f"{self.agent_hours():g} agent-hours (Erlang A: {self.agent_hours('erlang_a'):g})",
                f"verified on {plural(self.verify_replications, 'fresh replication')}",
                "holds" if self.holds else "does not hold"]

    def to_json(self) -> dict[str, Any]:
        """The plan, the closed-form start, the verified cost and every neighbour's change."""
        last = self.rounds[-1]
        return {
            "provenance": dict(self.provenance),
            "objective": "cost",
            "scenario": self.scenario.name,
            "seed": self.seed,
            "groups": list(self.groups),
            "intervals": list(self.labels),
            "plan": {g: list(v) for g, v in self.plan.items()},
            "erlang_a_cost_plan": {g: list(v) for g, v in self.erlang_a.items()},
            "target_plan": None if self.floor is None
            else {g: list(v) for g, v in self.floor.items()},
            "verified_on": {"first_replication": last.first,
                            "replications": last.replications},
            "kpis": {k: estimate_json(self.kpis[k]) for k in COST_KPIS},
            "neighbours": [c.to_json() for c in self.verification.changes],
            "holds": self.holds,
            "shortfall": self.shortfall(),
            "rounds": [{"first_replication": r.first, "replications": r.replications,
                        "taken": [list(t) for t in r.taken],
                        "cheaper_left": [list(t) for t in r.left]} for r in self.rounds],
            "steps": list(self.steps),
            "runs": self.runs,
            "calls": self.calls,
            "rosters": {g: r.to_shifts() for g, r in self.rosters.items()},
        }
