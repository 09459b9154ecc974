"""Running scenarios: one replication, or several with confidence intervals."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from functools import partial
from typing import NamedTuple

from simcall.experiments.executors import as_executor
from simcall.model import Arrival, Trace
from simcall.model.replication import Progress, record_replication
from simcall.results.metrics import Window, run_metrics
from simcall.results.money import Prices
from simcall.results.summary import RunResult, Summary
from simcall.scenario.schema import Scenario


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
    progress: Progress | None = None,
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
        Keep the per-call records on the result (memory for long runs). An express-lane
        run keeps them as its notes and drawn demand, about 52 bytes a call, and derives
        the tables (about 125 bytes a call) on the first read of ``records``.
    progress
        Called with the share of the horizon simulated so far (every 1/100 of it, then
        1.0 once the centre has drained); the result is the same with or without it.
    """
    seed = scenario.seed if seed is None else seed
    records = record_replication(scenario, seed, replication, arrivals, trace, progress)
    metrics = run_metrics(
        records, window(scenario),
        departments=[d.name for d in scenario.departments],
        callers=[c.name for c in scenario.callers],
        groups=[g.name for g in scenario.agents],
        group_skills=[tuple(scenario.department_index(s) for s in g.skills)
                      for g in scenario.agents],
        prices=Prices.of(scenario),
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
    first: int = 0,
    within: Progress | None = None,
) -> Summary:
    """Simulate independent replications ``first .. first+replications-1`` and summarise them.

    The result depends only on (scenario, seed, replication indices): each
    replication has its own streams, so any executor gives the same numbers.
    ``progress`` is called with the number of replications finished so far.
    ``first`` lets a check use replications a search never saw (fresh seeds).
    ``within`` is called with the share of the running replication's horizon simulated
    (see :func:`simulate`), only when replications run in this process (no executor).
    ``executor`` is any :class:`concurrent.futures.Executor` (a process pool, a Dask
    Client's ``get_executor()``) or a Dask ``distributed.Client`` itself; ``None`` runs
    the replications here.
    """
    if replications < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")
    seed = scenario.seed if seed is None else seed
    jobs = [Job(scenario, seed, first + k) for k in range(replications)]
    runs = simulate_many(jobs, executor, keep_records=keep_records, progress=progress,
                         within=within)
    return Summary.of(scenario, seed, runs)


class Job(NamedTuple):
    """One replication to simulate: all a worker needs, and all the result depends on."""

    scenario: Scenario
    seed: int
    replication: int


def simulate_many(
    jobs: Sequence[Job],
    executor: Executor | None = None,
    *,
    keep_records: bool = False,
    progress: Callable[[int], None] | None = None,
    within: Progress | None = None,
) -> list[RunResult]:
    """Simulate many replications, possibly of different scenarios, in the order given.

    Why one flat list: comparisons, staffing candidates and sweep points each
    need a few replications; handing all of them to the executor at once
    keeps every worker busy instead of waiting at the end of each scenario.
    ``progress`` gets the number of jobs finished; ``within``, the share of the running
    job's horizon simulated, in this process only (a worker's replication reports
    nothing: the callback would have to travel back across processes).
    """
    executor = as_executor(executor)  # a Dask Client becomes its executor
    results: Iterator[RunResult] = (
        map(partial(_run_job, keep_records, within), jobs) if executor is None
        else executor.map(partial(_run_job, keep_records, None), jobs))
    runs: list[RunResult] = []
    for result in results:
        runs.append(result)
        if progress is not None:
            progress(len(runs))
    return runs


def _run_job(keep_records: bool, within: Progress | None, job: Job) -> RunResult:
    return simulate(job.scenario, job.seed, job.replication, keep_records=keep_records,
                    progress=within)
