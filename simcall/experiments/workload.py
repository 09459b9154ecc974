"""The workload of a run, estimated before it starts: calls to simulate and memory.

Why: a scenario that validates can still ask for more than the machine can give
(``arrivals_per_hour = 1e6`` over a week, or ``-r 10000000``): the run would allocate
gigabytes and print nothing for hours. The estimate is the expected number of fresh
arrivals (the scenario's rates over its horizon and days; redials and callbacks add
attempts on top, so it is a floor), times the replications; the peak memory of one
replication is about :data:`BYTES_PER_CALL` per call it holds. Above
:data:`MAX_CALLS` a command refuses with the estimate and the option that overrides it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simcall.errors import SimcallError
from simcall.scenario.schema import Scenario

MAX_CALLS = 20_000_000
"""Calls a command simulates before it asks for ``--max-calls``: about 10 minutes of one
core at the engine's speed, and about 26 GB for one replication of that size."""
BYTES_PER_CALL = 1_300
"""Peak memory per call of one replication with its records, measured on the five
departments (tracemalloc, 2026-11-27): the engine's events and the record columns."""


class WorkloadError(SimcallError):
    """A run larger than the workload limit allows."""


@dataclass(frozen=True)
class Workload:
    """Expected calls per replication, and over all replications."""

    calls_per_replication: float
    replications: int

    @property
    def calls(self) -> float:
        return self.calls_per_replication * self.replications

    @property
    def replication_bytes(self) -> float:
        """Peak memory of one replication, about."""
        return self.calls_per_replication * BYTES_PER_CALL


def workload(scenario: Scenario, replications: int) -> Workload:
    """The expected fresh arrivals of ``replications`` replications of ``scenario``."""
    hours = scenario.interval / 3600.0
    per_day = sum(float(scenario.per_interval(c.arrivals_per_hour).sum()) * hours
                  for c in scenario.callers)
    return Workload(per_day * scenario.days, replications)


def check_workload(scenarios: list[Scenario], replications: int,
                   max_calls: float | None) -> None:
    """Refuse a run whose expected calls pass ``max_calls`` (default :data:`MAX_CALLS`),
    with the estimate and how to go ahead anyway.

    Raises
    ------
    WorkloadError
        Naming the calls, the memory of one replication and ``--max-calls``.
    """
    check_loads([workload(s, replications) for s in scenarios], max_calls)


def check_loads(loads: list[Workload], max_calls: float | None, what: str = "run") -> None:
    """:func:`check_workload` for workloads estimated otherwise (a staffing search's,
    ``what="staffing search"``); the replications are those of the first."""
    limit = MAX_CALLS if max_calls is None else max_calls
    calls = sum(w.calls for w in loads)
    if calls <= limit:
        return
    largest = max(w.replication_bytes for w in loads)
    replications = loads[0].replications
    raise WorkloadError(
        f"this {what} would simulate about {calls:,.0f} calls ({replications:,} "
        f"replication(s) of {max(w.calls_per_replication for w in loads):,.0f} calls at the "
        f"most), about {largest / 1e9:,.1f} GB of memory per replication at its peak; that "
        f"is more than the {limit:,.0f} allowed. Give --max-calls {math.ceil(calls)} to run it "
        "anyway, or fewer replications, days or arrivals")
