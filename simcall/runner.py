"""Running scenarios: one replication, or several with confidence intervals."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from functools import partial

from simcall.metrics import Window, run_metrics
from simcall.model import Arrival, Trace, run_replication
from simcall.results import RunResult, Summary
from simcall.scenario import Scenario


def window(scenario: Scenario) -> Window:
    """The measurement settings a scenario implies."""
    transfers = scenario.targets.transfers
    return Window(
        threshold=scenario.service_level_threshold,
        transfers_at_most=transfers.at_most if transfers is not None else 1,
        warmup=scenario.warmup,
        interval=scenario.interval,
        intervals=scenario.intervals,
        ring=scenario.ring,
        days=scenario.days,
        period=scenario.day_period,
    )


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    replication: int = 0,
    *,
    arrivals: Sequence[Arrival] | None = None,
    trace: Trace | None = None,
    keep_records: bool = True,
) -> RunResult:
    """Simulate one replication.

    Parameters
    ----------
    scenario
        A validated scenario (:func:`simcall.load`).
    seed
        Root seed; defaults to the scenario's ``seed``.
    replication
        Replication index: (scenario, seed, replication) fixes the result.
    arrivals
        Scripted calls instead of Poisson arrivals (exact traces, teaching).
    trace
        A list that receives ``(time, event, call, department, agent)`` rows.
    keep_records
        Keep the per-call records on the result (memory for long runs).
    """
    seed = scenario.seed if seed is None else seed
    records = run_replication(scenario, seed, replication, arrivals, trace)
    metrics = run_metrics(
        records, window(scenario),
        departments=[d.name for d in scenario.departments],
        callers=[c.name for c in scenario.callers],
        groups=[g.name for g in scenario.agents],
        group_skills=[tuple(scenario.department_index(s) for s in g.skills)
                      for g in scenario.agents],
    )
    return RunResult(scenario, seed, replication, metrics, records if keep_records else None)


def replicate(
    scenario: Scenario,
    replications: int = 20,
    seed: int | None = None,
    *,
    executor: Executor | None = None,
    keep_records: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Simulate independent replications 0..n-1 and summarise them.

    The result depends only on (scenario, seed, replications): each
    replication has its own streams, so any executor gives the same numbers.
    ``progress`` is called with the number of replications finished so far.
    """
    if replications < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")
    seed = scenario.seed if seed is None else seed
    run = partial(_run_one, scenario, seed, keep_records)
    indices = range(replications)
    results = executor.map(run, indices) if executor is not None else map(run, indices)
    runs = []
    for result in results:
        runs.append(result)
        if progress is not None:
            progress(len(runs))
    return Summary.of(scenario, seed, runs)


def _run_one(scenario: Scenario, seed: int, keep_records: bool, replication: int) -> RunResult:
    return simulate(scenario, seed, replication, keep_records=keep_records)
