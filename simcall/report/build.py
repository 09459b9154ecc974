"""``simcall report``: everything a planner forwards to a manager, gathered in one object.

The report simulates the scenario with records (the through-the-day and
waiting figures need them), optionally compares it with other scenarios on
common random numbers and runs the staffing search, carries a fit's back-test
against its call log and a marginal analysis (``simcall marginal --json``) when
given them, then hands all of it to
:mod:`simcall.report.html`, which writes one self-contained HTML file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from simcall.experiments.comparison import Comparison, compare
from simcall.experiments.runner import replicate
from simcall.results.provenance import api_call, provenance_block
from simcall.results.summary import Summary
from simcall.scenario.schema import Scenario

if TYPE_CHECKING:
    from simcall.fit.backtesting import Backtest
    from simcall.staffing.marginals import Marginal
    from simcall.staffing.plan import StaffingPlan
    from simcall.staffing.shift_rules import ShiftRules


@dataclass(frozen=True)
class Report:
    """The results a report shows, and what made them."""

    summary: Summary  # with the call records of every replication
    comparison: Comparison | None = None
    plan: StaffingPlan | None = None
    provenance: Mapping[str, Any] = field(default_factory=dict)
    backtest: Mapping[str, Any] | None = None  # Backtest.to_dict(), checked
    backtested: Scenario | None = None  # the scenario the back-test simulated, when known
    marginal: Mapping[str, Any] | None = None  # Marginal.to_json(), checked

    @property
    def scenario(self) -> Scenario:
        """The scenario reported on."""
        return self.summary.scenario


def build_report(
    scenario: Scenario,
    *,
    replications: int = 20,
    seed: int | None = None,
    executor: Executor | None = None,
    others: Sequence[Scenario] = (),
    staff: bool = False,
    shifts: ShiftRules | None = None,
    command: str | None = None,
    progress: Callable[[str], None] | None = None,
    backtest: Backtest | Mapping[str, Any] | None = None,
    backtested: Scenario | None = None,
    marginal: Marginal | Mapping[str, Any] | None = None,
    steps: Callable[[str, int, int], None] | None = None,
) -> Report:
    """Simulate, compare and staff as asked, for :func:`simcall.report.html.render`.

    Parameters
    ----------
    others
        Scenarios to compare with (common random numbers: the same callers).
    staff
        Also run the staffing search (:func:`simcall.staff`) with its defaults.
    shifts
        With ``staff``: turn the plan into a roster of these shifts.
    progress
        Called with a short description before each stage.
    steps
        Called as each stage goes, with the stage's name, the jobs done and the jobs in
        all (replications to simulate; the staffing search's own steps), for a bar.
    backtest
        A fit's back-test against its call log (:class:`~simcall.fit.backtesting.Backtest`
        or its ``to_dict()``, e.g. the ``"backtest"`` key of ``simcall fit --check
        --json``): the report gains a section with its figure, verdict and table. It is
        shown as given, not simulated here.
    backtested
        The scenario that back-test simulated, when known: the section says whether it is
        ``scenario``.
    marginal
        A marginal analysis (:class:`~simcall.staffing.marginals.Marginal` or its
        ``to_json()``, e.g. the JSON of ``simcall marginal --json``): the report gains a
        section with its figure, findings and tables. It is shown as given, not simulated
        here; the section says whether it is of ``scenario``.
    """
    checked = None
    if backtest is not None:
        from simcall.plots.backtesting import backtest_document

        checked = backtest_document(backtest)  # a wrong one fails before simulating
    analysis = None
    if marginal is not None:
        from simcall.plots.marginals import marginal_document

        analysis = marginal_document(marginal)
    seed = scenario.seed if seed is None else seed
    call = command or api_call("report", scenario=scenario, replications=replications,
                               seed=seed, others=list(others), staff=staff,
                               **({} if shifts is None else {"shifts": shifts}))
    if progress is not None:
        progress("simulating")
    summary = replicate(scenario, replications, seed, executor=executor, keep_records=True,
                        progress=_counter(steps, "simulating", replications))
    comparison = None
    if others:
        if progress is not None:
            progress("comparing")
        comparison = compare([scenario, *others], replications, seed, executor=executor,
                             command=call, progress=_counter(
                                 steps, "comparing", replications * (1 + len(others))))
    plan = None
    if staff:
        from simcall.staffing.search import staff as search

        if progress is not None:
            progress("searching for the staffing plan")
        plan = search(scenario, seed=seed, executor=executor, command=call, shifts=shifts,
                      progress=steps)
    meta = provenance_block(scenario, seed, call, replications=replications)
    return Report(summary, comparison, plan, meta, checked, backtested, analysis)


def _counter(steps: Callable[[str, int, int], None] | None, step: str,
             total: int) -> Callable[[int], None] | None:
    """A runner's ``progress`` (jobs done) as one stage of ``steps``."""
    if steps is None:
        return None
    steps(step, 0, total)
    return lambda done: steps(step, done, total)
