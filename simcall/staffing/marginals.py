"""What one agent more (or fewer) in one interval is worth: paired, on common random numbers.

Why: a planner with one more hour of staff to place wants to know where it pays most, and
a cost-optimal plan (:mod:`simcall.staffing.cost_search`) is only optimal if no single agent more
or fewer makes it cheaper. Both questions are the same experiment: the base plan and, for
each agent group and interval, the plan with one agent more (or fewer) in that interval
alone, all on the same replications (common random numbers), each difference estimated
replication by replication (variant minus base, the convention of ``compare``).

What is differenced, and over what
----------------------------------
* money and callers lost (``lost_value``, ``wage_cost``, ``net`` = the change in
  ``total_cost``, ``lost_callers``): over the whole day (every counted interval), so that
  what the agent changes after its own interval (the queue it leaves behind) counts too;
* shares (``service_level``, ``abandon_rate``): in the changed interval itself, as
  fractions (a day's share would hide a one-interval change in the day's average);
* ``break_even_wage``: the hourly wage at which the agent's wages equal the value it
  saves, ``-change in lost_value / agent-hours changed``, with the interval of the lost
  value change (its hours are fixed, so the interval is exact).

Only groups staffed per interval (``staff``) can be changed one interval at a time; groups
on shifts are left as they are (naming one is an error).

:meth:`Marginal.to_json` is the document ``simcall marginal --json`` writes; the table, the
figure (``simcall plot --kind marginal``) and the report section are drawn from it
(``docs/marginal.md``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from simcall.errors import SimcallError, needs_pandas
from simcall.experiments.comparison import paired_difference
from simcall.experiments.workload import Workload, workload
from simcall.results.money import Prices
from simcall.results.provenance import api_call, provenance_block, scenario_hash
from simcall.results.stats import Estimate
from simcall.results.summary import Summary, estimate_json
from simcall.results.traffic import staff_of
from simcall.scenario.schema import Scenario
from simcall.staffing.closed_form import Plan
from simcall.staffing.judge import Evaluator, changed_plan

DAY_KPIS = ("lost_callers", "lost_value", "wage_cost", "total_cost")
INTERVAL_KPIS = ("service_level", "abandon_rate")
Progress = Callable[[str, int, int], None]


class MarginalError(SimcallError):
    """A marginal analysis that cannot be made (a group on shifts, too few replications)."""


_HTML_CHANGES = 10  # changes the notebook table lists, lowest net cost first


def _change_text(change: AgentChange, groups: Sequence[str]) -> str:
    """``one agent more at 10:00`` (with the group when there are several)."""
    where = f" ({change.group})" if len(groups) > 1 else ""
    return f"one agent {'more' if change.step > 0 else 'fewer'} at {change.label}{where}"


@dataclass(frozen=True)
class AgentChange:
    """One agent more (``step`` +1) or fewer (-1) in one interval of one group."""

    group: str
    interval: int
    label: str
    step: int
    hours: float  # agent-hours paid more (negative: fewer), counted intervals only
    differences: Mapping[str, Estimate]  # variant - base, paired (see the module docstring)

    @property
    def net(self) -> Estimate:
        """The change in total cost (wages + lost value): negative means it pays."""
        return self.differences["total_cost"]

    @property
    def break_even_wage(self) -> Estimate | None:
        """The hourly wage at which this change costs what it saves (None: no hours)."""
        if self.hours == 0:
            return None
        return Estimate.of([-v / self.hours for v in self.differences["lost_value"].values])

    def to_json(self) -> dict[str, Any]:
        wage = self.break_even_wage
        return {"group": self.group, "interval": self.label, "index": self.interval,
                "step": self.step, "agent_hours": self.hours,
                **{("net" if k == "total_cost" else k): estimate_json(e)
                   for k, e in self.differences.items()},
                "break_even_wage": None if wage is None else estimate_json(wage)}


@dataclass(frozen=True)
class Marginal:
    """The base plan's results and every one-agent change, on the same replications."""

    base: Summary
    changes: tuple[AgentChange, ...]
    groups: tuple[str, ...]
    seed: int
    first: int  # the first replication (a verification uses fresh ones)
    provenance: Mapping[str, Any] = field(default_factory=dict)
    plans: int = 0
    runs: int = 0

    @property
    def replications(self) -> int:
        return self.base.replications

    def change(self, group: str, interval: int, step: int) -> AgentChange | None:
        """The change asked for, or None (no agent to take away)."""
        for change in self.changes:
            if (change.group, change.interval, change.step) == (group, interval, step):
                return change
        return None

    def best(self, step: int | None = None) -> AgentChange | None:
        """The change that lowers the total cost most (its mean), if any lowers it; with
        ``step`` (+1 or -1), among the changes of that step only (the next agent: +1)."""
        paying = [c for c in self.changes
                  if c.net.mean < 0 and (step is None or c.step == step)]
        return min(paying, key=lambda c: c.net.mean, default=None)

    def __repr__(self) -> str:
        """A few lines: the base plan's cost and service, and the change that pays most."""
        from simcall.results.display import estimate_text, headline, text_block

        lines = headline(self.base.kpis, ("total_cost", "service_level"))
        best = self.best()
        if best is not None:
            lines.append(f"best: {_change_text(best, self.groups)}, net "
                         f"{estimate_text('total_cost', best.net, change=True)}")
        return text_block(f"Marginal {self.base.scenario.name!r}", self._facts(), lines)

    def _repr_html_(self) -> str:
        """Jupyter's view: the base plan's cost and service, then the changes that lower the
        total cost most (mean, paired 95% interval)."""
        from simcall.results.display import (
            change_text,
            html_block,
            html_table,
            interval_text,
            kpi_table,
        )

        kpis = [k for k in (*DAY_KPIS, "service_level", "abandon_rate") if k in self.base.kpis]
        ranked = sorted(self.changes, key=lambda c: c.net.mean)[:_HTML_CHANGES]
        rows = [[c.group, c.label, "one more" if c.step > 0 else "one fewer",
                 change_text("total_cost", c.net.mean),
                 interval_text("total_cost", c.net, change=True)] for c in ranked]
        table = html_table(("group", "interval", "agent", "net cost change", "95% CI"), rows,
                           left=3)
        notes = [f"The {len(ranked)} changes of lowest net cost of {len(self.changes)}; "
                 "negative pays. to_frame() has them all."]
        return html_block(f"Marginal {self.base.scenario.name!r}", self._facts(),
                          kpi_table(self.base.kpis, list(dict.fromkeys(kpis))), table,
                          notes=notes)

    def _facts(self) -> list[str]:
        from simcall.results.display import plural

        return [plural(self.replications, "replication"), f"seed {self.seed}",
                plural(len(self.changes), "one-agent change")]

    def to_json(self) -> dict[str, Any]:
        """The document of ``simcall marginal --json``: the base's day and its intervals'
        shares, every change, and what the scenario prices (without wages or caller values
        every net change is zero)."""
        scenario = self.base.scenario
        prices = Prices.of(scenario)
        labels = [scenario.interval_label(k) for k in range(scenario.intervals)]
        return {"provenance": dict(self.provenance), "scenario": scenario.name,
                "seed": self.seed, "replications": self.replications,
                "first_replication": self.first, "groups": list(self.groups),
                "interval_s": scenario.interval, "labels": labels,
                "prices": {"wages": prices.has_wages, "losses": prices.has_losses},
                "base": {"kpis": {k: estimate_json(self.base.kpis[k])
                                  for k in DAY_KPIS + INTERVAL_KPIS},
                         "intervals": [{"start": label,
                                        "kpis": {k: estimate_json(self.base.intervals[i][k])
                                                 for k in INTERVAL_KPIS}}
                                       for i, label in enumerate(labels)]},
                "plans": self.plans, "runs": self.runs,
                "changes": [c.to_json() for c in self.changes]}

    def to_frame(self) -> Any:
        """One row per change and KPI: mean and paired 95% interval (needs pandas)."""
        with needs_pandas("Marginal.to_frame()"):
            import pandas as pd

        rows = []
        for c in self.changes:
            items = dict(c.differences)
            wage = c.break_even_wage
            if wage is not None:
                items["break_even_wage"] = wage
            for kpi, e in items.items():
                ci = e.ci95
                rows.append({"group": c.group, "interval": c.label, "step": c.step,
                             "kpi": "net" if kpi == "total_cost" else kpi, "mean": e.mean,
                             "ci95_low": ci.low if ci else math.nan,
                             "ci95_high": ci.high if ci else math.nan})
        return pd.DataFrame(rows)


def per_interval_groups(scenario: Scenario, groups: Sequence[str] | None) -> list[str]:
    """The groups a one-interval change can be made to: those staffed by ``staff``."""
    by_staff = [g.name for g in scenario.agents if g.staff is not None]
    if groups is None:
        if not by_staff:
            raise MarginalError("every agent group is staffed by shifts: a marginal analysis "
                                "changes head counts per interval (give a group 'staff')")
        return by_staff
    names = [g.name for g in scenario.agents]
    for name in groups:
        if name not in names:
            raise MarginalError(f"groups (--group) {name!r}: no agent group of that name; "
                                "choose from " + ", ".join(repr(n) for n in names))
        if name not in by_staff:
            raise MarginalError(f"groups (--group) {name!r}: this group is staffed by shifts, "
                                "which a one-interval change cannot change; choose a group with "
                                "'staff' (" + (", ".join(repr(n) for n in by_staff) or "none")
                                + ")")
    return [n for n in by_staff if n in groups]


def marginal(scenario: Scenario, *, groups: Sequence[str] | None = None,
             replications: int = 20, seed: int | None = None,
             executor: Executor | None = None, progress: Progress | None = None,
             first: int = 0, command: str | None = None) -> Marginal:
    """One agent more and one fewer, in each interval of each group, against the base.

    Parameters
    ----------
    scenario
        The base: its own staffing is what is changed.
    groups
        The agent groups to change (default: every group staffed by ``staff``).
    replications, seed, first
        Replications ``first .. first + replications - 1`` of the root ``seed`` (default:
        the scenario's), shared by the base and every change.
    executor, progress
        Where the runs go, and a callback (what, done, total) as they finish; the result
        does not depend on either.
    """
    if replications < 2:
        raise MarginalError(f"replications {replications}: a paired interval needs at least 2")
    varied = per_interval_groups(scenario, groups)
    seed = scenario.seed if seed is None else seed
    by_name = {g.name: g for g in scenario.agents}
    base: Plan = {name: staff_of(scenario, by_name[name]) for name in varied}
    return evaluate_changes(Evaluator(scenario, varied, seed, executor, progress, first=first,
                                      keep=True), base, replications,
                            command or api_call("marginal", scenario=scenario,
                                                groups=list(varied),
                                                replications=replications, seed=seed),
                            given=scenario)


def marginal_workload(scenario: Scenario, groups: Sequence[str] | None = None,
                      replications: int = 20) -> Workload:
    """The calls :func:`marginal` will simulate: the scenario's expected calls per
    replication, times the base and every change on ``replications`` each (the
    ``--max-calls`` guard and the progress bar of ``simcall marginal``).

    Raises
    ------
    MarginalError
        For a group :func:`marginal` would refuse (said before anything is estimated).
    """
    varied = per_interval_groups(scenario, groups)
    by_name = {g.name: g for g in scenario.agents}
    plan: Plan = {name: staff_of(scenario, by_name[name]) for name in varied}
    plans = 1 + len(neighbours(plan, scenario.intervals))
    return workload(scenario, plans * replications)


def neighbours(plan: Plan, intervals: int) -> list[tuple[str, int, int, Plan]]:
    """Every plan one agent away from ``plan`` in one interval of one group."""
    out = []
    for group in plan:
        for k in range(intervals):
            for step in (+1, -1):
                if plan[group][k] + step >= 0:
                    out.append((group, k, step, changed_plan(plan, [(group, k)], step)))
    return out


def evaluate_changes(evaluator: Evaluator, plan: Plan, replications: int,
                     command: str, given: Scenario | None = None) -> Marginal:
    """The plan and its neighbours on ``evaluator``'s replications, differenced in pairs.

    ``given``: the scenario as the user gave it, when ``plan`` is its own staffing; its
    hash goes into the provenance (the plan's scenario writes the staff out per interval,
    which hashes differently), so a report can tell it is the same scenario.
    """
    scenario = evaluator.scenario(plan)
    others = neighbours(plan, scenario.intervals)
    evaluator.ensure([plan] + [p for *_, p in others], [replications] * (1 + len(others)),
                     "one agent more and one fewer in each interval")
    base = evaluator.summary(plan)
    measured = (scenario.run_horizon - scenario.warmup) / 3600.0
    changes = []
    for group, k, step, variant in others:
        summary = evaluator.summary(variant)
        differences = {kpi: paired_difference(kpi, summary.kpis[kpi], base.kpis[kpi]).paired
                       for kpi in DAY_KPIS}
        for kpi in INTERVAL_KPIS:
            differences[kpi] = paired_difference(kpi, summary.intervals[k][kpi],
                                                 base.intervals[k][kpi]).paired
        # paid hours: the change in the group's scheduled head count, averaged over the
        # counted time (the interval's counted part; with a roster, the shifts it changed)
        hours = measured * (summary.agent_groups[group]["scheduled_agents"].mean
                            - base.agent_groups[group]["scheduled_agents"].mean)
        changes.append(AgentChange(group, k, scenario.interval_label(k), step, hours,
                                   differences))
    meta = provenance_block(scenario, evaluator.seed, command, replications=replications,
                            first_replication=evaluator.first)
    if given is not None:
        meta["scenario_sha256"] = scenario_hash(given)
    return Marginal(base, tuple(changes), tuple(plan), evaluator.seed, evaluator.first, meta,
                    plans=evaluator.plans, runs=evaluator.runs)
