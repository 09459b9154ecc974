"""The result of a staffing search: the plan, the closed-form plans, and its verification.

A plan tuned on the search's replications is tuned to them; the verification on fresh
replications (which share no random stream with the search) says with what confidence
each interval really meets its targets, and a shortfall is said in plain words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from simcall.errors import needs_pandas
from simcall.results.stats import Estimate
from simcall.results.summary import Summary
from simcall.results.targets import Goal
from simcall.scenario.schema import Scenario
from simcall.staffing.judge import one_sided_confidence

if TYPE_CHECKING:  # the search's own types, for the constructor only
    from simcall.staffing.judge import Judgement
    from simcall.staffing.shift_roster import ShiftRoster
    from simcall.staffing.shift_rules import ShiftRules
    from simcall.staffing.verify import Round

CONFIDENCE_WANTED = 0.95


@dataclass(frozen=True)
class Removal:
    """Why one agent fewer in ``group`` at ``interval`` is not allowed: the target it breaks."""

    group: str
    interval: str
    kpi: str
    goal: str
    where: str  # the interval label where it breaks, or "day" for the overall figure
    value: float


@dataclass(frozen=True)
class TargetCheck:
    """One target in one interval: on the search replications and on fresh ones."""

    kpi: str
    goal: str
    value: float  # mean over the search replications
    margin: float  # value - bound, signed so that >= 0 means met
    verified: Estimate  # the fresh replications
    confidence: float | None  # one-sided: that the true mean meets the target


@dataclass(frozen=True)
class StaffingPlan:
    """The staffing plan found by :func:`staff`, beside the Erlang C and Erlang A plans.

    Attributes
    ----------
    scenario
        The scenario with the plan in it (ready for ``simcall.replicate``).
    groups
        The agent groups the search varied.
    plan, erlang_c, erlang_a
        Agents per interval of each varied group.
    checks
        Per interval (then the whole day, last), one :class:`TargetCheck` per target.
    confidence_wanted
        The one-sided confidence with which every target must hold in every interval.
    verification
        The plan's results on the last verification round's fresh replications.
    rounds
        Every verification round: its fresh replications, the intervals that fell short,
        and the agents added.
    removals
        Why no agent can go: for every group and interval the search could not take an
        agent from, the target that then fails (on the search replications).
    """

    scenario: Scenario
    seed: int
    replications: int
    verify_replications: int
    groups: tuple[str, ...]
    plan: Mapping[str, tuple[int, ...]]
    erlang_c: Mapping[str, tuple[int, ...]]
    erlang_a: Mapping[str, tuple[int, ...]]
    checks: tuple[tuple[TargetCheck, ...], ...]
    confidence_wanted: float
    verification: Summary
    rounds: tuple[Round, ...]
    removals: tuple[Removal, ...]
    steps: tuple[str, ...]
    plans_simulated: int
    runs: int
    calls: int  # offered calls simulated by the search and the verification, in all
    provenance: Mapping[str, Any] = field(default_factory=dict)
    rosters: Mapping[str, ShiftRoster] = field(default_factory=dict)
    shift_rules: ShiftRules | None = None

    @property
    def rostered(self) -> bool:
        """Whether the plan was turned into shifts (``rosters`` then holds them)."""
        return bool(self.rosters)

    def paid_hours(self, group: str | None = None) -> float:
        """Paid hours of the roster (whole shifts, breaks included), per day; without a
        roster, the plan's agent-hours."""
        if not self.rosters:
            return self.agent_hours("plan", group)
        names = self.groups if group is None else (group,)
        return sum(self.rosters[g].paid_hours for g in names)

    def coverage(self, group: str, k: int) -> float:
        """Agents on duty (not on break) in interval ``k``: the roster's coverage, or the
        plan's head count without a roster."""
        if not self.rosters:
            return float(self.plan[group][k])
        return self.rosters[group].coverage[k]

    def roster_frame(self) -> Any:
        """The roster as one table: a row per group and shift (start, end, hours, break,
        agents, paid hours, cost), as a pandas DataFrame."""
        with needs_pandas("StaffingPlan.roster_frame()"):
            import pandas as pd
        frames = [self.rosters[g].to_frame().assign(group=g) for g in self.groups
                  if g in self.rosters]
        if not frames:
            return pd.DataFrame()
        table = pd.concat(frames, ignore_index=True)
        return table[["group", *[c for c in table.columns if c != "group"]]]

    @classmethod
    def found(cls, *, scenario: Scenario, seed: int, groups: tuple[str, ...],
              plan: Mapping[str, Sequence[int]], erlang_c: Mapping[str, Sequence[int]],
              erlang_a: Mapping[str, Sequence[int]], goal_list: Sequence[Goal],
              search: Judgement, verification: Summary, **rest: Any) -> StaffingPlan:
        """The result, with each target's check built from the search and the fresh runs."""
        def frozen(plans: Mapping[str, Sequence[int]]) -> Mapping[str, tuple[int, ...]]:
            from types import MappingProxyType
            return MappingProxyType({g: tuple(int(n) for n in plans[g]) for g in groups})

        return cls(scenario=scenario, seed=seed, groups=groups, plan=frozen(plan),
                   erlang_c=frozen(erlang_c), erlang_a=frozen(erlang_a),
                   checks=target_checks(goal_list, search.means(), verification),
                   verification=verification, **rest)

    @property
    def kpis(self) -> Mapping[str, Estimate]:
        """The plan's overall KPIs on the fresh replications (what to expect of it)."""
        return self.verification.kpis

    @property
    def labels(self) -> tuple[str, ...]:
        """Clock labels of the intervals."""
        return tuple(self.scenario.interval_label(k) for k in range(self.scenario.intervals))

    def agent_hours(self, which: str = "plan", group: str | None = None) -> float:
        """Agent-hours of a plan (``"plan"``, ``"erlang_c"`` or ``"erlang_a"``), per day."""
        plans = {"plan": self.plan, "erlang_c": self.erlang_c, "erlang_a": self.erlang_a}
        if which not in plans:
            raise ValueError(f"which={which!r}: choose 'plan', 'erlang_c' or 'erlang_a'")
        names = self.groups if group is None else (group,)
        return sum(sum(plans[which][g]) for g in names) * self.scenario.interval / 3600.0

    def confidence(self, k: int) -> float | None:
        """Confidence that interval ``k`` (``-1``: the day) meets every target at once, on
        the fresh replications.

        Bonferroni's lower bound ``1 - sum(1 - p)`` over the targets' one-sided
        confidences: it needs no assumption about how the targets correlate.
        """
        known = [c.confidence for c in self.checks[k] if c.confidence is not None]
        if not known:
            return None
        return max(0.0, 1.0 - sum(1.0 - p for p in known))

    @property
    def unsure(self) -> tuple[str, ...]:
        """Intervals whose confidence of meeting every target is below the wanted level."""
        return tuple(label for k, label in enumerate(self.labels)
                     if (c := self.confidence(k)) is not None
                     and c < self.confidence_wanted - 1e-12)

    @property
    def holds(self) -> bool:
        """Whether every interval meets every target with the wanted confidence."""
        return not self.unsure

    def shortfall(self) -> list[str]:
        """The plan's shortfall in plain words, one sentence per interval (empty: none)."""
        out = []
        for k, label in enumerate(self.labels):
            confidence = self.confidence(k)
            if confidence is None or confidence >= self.confidence_wanted - 1e-12:
                continue
            worst = min((c for c in self.checks[k] if c.confidence is not None),
                        key=lambda c: c.confidence if c.confidence is not None else 1.0)
            out.append(
                f"{label}: {worst.kpi} {_shown(worst.kpi, worst.verified.mean)} against "
                f"{worst.goal} on {self.verify_replications} fresh replications: "
                f"{confidence:.0%} confident that every target holds, "
                f"{self.confidence_wanted:.0%} wanted")
        return out

    def __repr__(self) -> str:
        """A few lines: the plan's agent-hours beside the closed forms', whether it holds,
        and its headline KPIs on the fresh replications."""
        from simcall.results.display import headline, text_block

        return text_block(f"StaffingPlan {self.scenario.name!r}", self._facts(),
                          headline(self.kpis))

    def _repr_html_(self) -> str:
        """Jupyter's view: agents per interval (plan, Erlang C, Erlang A), the confidence
        that every target holds there, and the verified KPIs with 95% intervals."""
        from simcall.results.display import HEADLINE, html_block, html_table, kpi_table

        several = len(self.groups) > 1
        plans = [("plan", self.plan), ("Erlang C", self.erlang_c), ("Erlang A", self.erlang_a)]
        head = ["interval", *(f"{g}: {p}" if several else p for g in self.groups
                              for p, _ in plans)]
        head += [f"{g}: rostered" if several else "rostered"
                 for g in self.groups if self.rosters]
        rows = []
        for k, label in enumerate(self.labels):
            confidence = self.confidence(k)
            rows.append([label, *(str(plan[g][k]) for g in self.groups for _, plan in plans),
                         *(f"{self.coverage(g, k):g}" for g in self.groups if self.rosters),
                         "-" if confidence is None else f"{confidence:.0%}"])
        head.append("confidence")
        targets = [c.kpi for c in self.checks[-1]]
        kpis = [k for k in dict.fromkeys([*HEADLINE, *targets]) if k in self.kpis]
        notes = self.shortfall() or [
            f"Every interval meets every target with at least "
            f"{self.confidence_wanted:.0%} confidence on the fresh replications."]
        return html_block(f"StaffingPlan {self.scenario.name!r}", self._facts(),
                          html_table(head, rows), kpi_table(self.kpis, kpis), notes=notes)

    def _facts(self) -> list[str]:
        from simcall.results.display import plural

        hours = ", ".join(f"{name} {self.agent_hours(w):g}"
                          for name, w in (("Erlang C", "erlang_c"), ("Erlang A", "erlang_a")))
        verdict = "holds" if self.holds else f"{plural(len(self.unsure), 'interval')} unsure"
        return [f"groups {', '.join(map(repr, self.groups))}",
                f"{self.agent_hours():g} agent-hours ({hours})",
                f"verified on {plural(self.verify_replications, 'fresh replication')}",
                verdict]

    def to_json(self) -> dict[str, Any]:
        """The plan, the closed-form plans, each target verified, and how it was found."""
        from simcall.version import __version__

        def check(c: TargetCheck) -> dict[str, Any]:
            ci = c.verified.ci95
            return {"name": c.kpi, "goal": c.goal, "value": _number(c.value),
                    "margin": _number(c.margin),
                    "verified": {"mean": _number(c.verified.mean),
                                 "ci95": None if ci is None else [_number(ci.low),
                                                                  _number(ci.high)],
                                 "confidence": _number(c.confidence)}}

        last = self.rounds[-1]
        return {
            "simcall": __version__,
            "scenario": self.scenario.name,
            "seed": self.seed,
            "replications": self.replications,
            "verify_replications": self.verify_replications,
            "verify_first_replication": last.first,
            "confidence_wanted": self.confidence_wanted,
            "holds": self.holds,
            "shortfall": self.shortfall(),
            "groups": list(self.groups),
            "agent_hours": {
                which: {"total": self.agent_hours(which),
                        "groups": {g: self.agent_hours(which, g) for g in self.groups}}
                for which in ("plan", "erlang_c", "erlang_a")},
            "intervals": [
                {"start": label,
                 "plan": {g: self.plan[g][k] for g in self.groups},
                 **({"rostered": {g: self.coverage(g, k) for g in self.groups}}
                    if self.rosters else {}),
                 "erlang_c": {g: self.erlang_c[g][k] for g in self.groups},
                 "erlang_a": {g: self.erlang_a[g][k] for g in self.groups},
                 "targets": [check(c) for c in self.checks[k]],
                 "confidence": _number(self.confidence(k))}
                for k, label in enumerate(self.labels)],
            "day": {"targets": [check(c) for c in self.checks[-1]],
                    "confidence": _number(self.confidence(-1))},
            "verification_rounds": [
                {"first_replication": r.first, "replications": r.replications,
                 "short": list(r.short),
                 "added": [{"group": g, "interval": k} for g, k in r.added]}
                for r in self.rounds],
            "cannot_lose_an_agent": [
                {"group": r.group, "interval": r.interval, "breaks": r.kpi, "goal": r.goal,
                 "value": _number(r.value)} for r in self.removals],
            **({"roster": self._roster_json()} if self.rosters else {}),
            "search": {"plans_simulated": self.plans_simulated, "runs": self.runs,
                       "calls": self.calls, "steps": list(self.steps)},
            "provenance": dict(self.provenance),
        }

    def _roster_json(self) -> dict[str, Any]:
        rules = self.shift_rules
        return {
            "rules": None if rules is None else rules.describe(),
            "cost_per_hour": None if rules is None else rules.cost_per_hour,
            "paid_hours": self.paid_hours(),
            "cost": sum(self.rosters[g].cost for g in self.groups),
            "groups": {g: {"paid_hours": self.rosters[g].paid_hours,
                           "agents": self.rosters[g].agents,
                           "cost": self.rosters[g].cost,
                           "shifts": self.rosters[g].to_shifts()} for g in self.groups},
        }

    def to_frame(self) -> Any:
        """One row per interval and group: the three plans (and the roster's coverage,
        when rostered) and each target's figures; the roster itself is
        :meth:`roster_frame`."""
        with needs_pandas("StaffingPlan.to_frame()"):
            import pandas as pd
        rows = []
        for k, label in enumerate(self.labels):
            targets: dict[str, Any] = {}
            for c in self.checks[k]:
                targets[f"{c.kpi}"] = c.value
                targets[f"{c.kpi}_verified"] = c.verified.mean
                targets[f"{c.kpi}_low"] = c.verified.ci95.low if c.verified.ci95 else None
                targets[f"{c.kpi}_high"] = c.verified.ci95.high if c.verified.ci95 else None
                targets[f"{c.kpi}_confidence"] = c.confidence
            for g in self.groups:
                rostered = {"rostered": self.coverage(g, k)} if self.rosters else {}
                rows.append({"interval": label, "group": g, "erlang_c": self.erlang_c[g][k],
                             "erlang_a": self.erlang_a[g][k], "plan": self.plan[g][k],
                             **rostered, **targets, "confidence": self.confidence(k)})
        return pd.DataFrame(rows)


def _number(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _shown(kpi: str, value: float) -> str:
    from simcall.results.metrics import SHARE_KPIS

    if not math.isfinite(value):
        return "undefined"
    return f"{value:.1%}" if kpi in SHARE_KPIS else f"{value:.3g}"


def target_checks(goal_list: Sequence[Goal], search: np.ndarray,
                  verification: Summary) -> tuple[tuple[TargetCheck, ...], ...]:
    """Per interval (then the day), each target: its mean on the search replications
    (``search[k, i]``) and its verification on the fresh ones."""
    def row(found: np.ndarray, fresh: Mapping[str, Estimate]) -> tuple[TargetCheck, ...]:
        out = []
        for i, goal in enumerate(goal_list):
            value = float(found[i])
            margin = (value - goal.bound) if goal.at_least else (goal.bound - value)
            out.append(TargetCheck(goal.kpi, goal.text, value, margin, fresh[goal.kpi],
                                   one_sided_confidence(goal, fresh[goal.kpi].values)))
        return tuple(out)

    rows = [row(search[k], fresh) for k, fresh in enumerate(verification.intervals)]
    rows.append(row(search[-1], verification.kpis))
    return tuple(rows)
