"""Demand: every call of a run, with its attributes, drawn before the run starts.

Arrivals are a Poisson process per caller type with a rate that is constant
within each interval. Given the count in an interval (Poisson), the arrival
times are independent uniforms: exact, and one numpy call per interval.

A call's own attributes -- first department, patience, talk and wrap-up at
that department, the uniform that decides its first transfer -- are drawn here
too, in arrival order, whether or not they end up used. That is what makes
common random numbers work: the 100th caller brings the same talk time to
every staffing plan.

Tests and trainers can instead script the arrivals exactly (:class:`Arrival`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from simcall.model.streams import Owner, generator
from simcall.scenario.schema import Scenario


@dataclass(frozen=True)
class Arrival:
    """A scripted call: when it arrives, its caller type, and optional fixed attributes.

    Unset attributes are drawn from the scenario's distributions as usual.
    ``patience=math.inf`` means this caller never hangs up.
    """

    at: float
    caller: str
    department: str | None = None
    talk: float | None = None
    wrap_up: float | None = None
    patience: float | None = None
    transfer_draw: float | None = None
    ivr_time: float | None = None
    ivr_draw: float | None = None


@dataclass(frozen=True)
class Demand:
    """Columns, one row per call in arrival order."""

    arrival: np.ndarray  # seconds since opening
    caller: np.ndarray  # caller-type index
    department: np.ndarray  # first department index
    patience: np.ndarray  # seconds at the first queue (inf: never hangs up)
    talk: np.ndarray  # talk seconds at the first department, before talk_factor
    wrap_up: np.ndarray  # wrap-up seconds after the first talk
    transfer_draw: np.ndarray  # uniform deciding the transfer after the first talk
    ivr_time: np.ndarray  # seconds in the voice menu (0 without one)
    ivr_draw: np.ndarray  # uniform deciding what happens in the menu

    def __len__(self) -> int:
        return int(self.arrival.size)

    def rows(self, block: int = 4096) -> Iterator[tuple]:
        """Calls in arrival order as ``(number, arrival, caller, department, patience,
        talk, wrap_up, transfer_draw, ivr_time, ivr_draw)``, converted to Python a block at a
        time (plain floats are much cheaper to use than numpy scalars, and a block keeps
        memory flat).
        """
        for begin in range(0, len(self), block):
            end = min(begin + block, len(self))
            yield from zip(
                range(begin, end), self.arrival[begin:end].tolist(),
                self.caller[begin:end].tolist(), self.department[begin:end].tolist(),
                self.patience[begin:end].tolist(), self.talk[begin:end].tolist(),
                self.wrap_up[begin:end].tolist(), self.transfer_draw[begin:end].tolist(),
                self.ivr_time[begin:end].tolist(), self.ivr_draw[begin:end].tolist(),
                strict=True,
            )


def day_factors(scenario: Scenario, seed: int, replication: int) -> list[float]:
    """Each day's volume factor: gamma with mean 1 and the scenario's ``day_volume_cv``.

    One factor per day for all caller types (a busy day is busy for everyone); none is
    drawn when the cv is 0, so a one-day run draws exactly what it always did.
    """
    cv = scenario.day_volume_cv
    if cv < 1e-6:  # no variation to speak of (and 1/cv^2 would overflow)
        return [1.0] * scenario.days
    rng = generator(seed, replication, "days", Owner.CALLER_AT_ARRIVAL, 0)
    return rng.gamma(1.0 / cv**2, cv**2, scenario.days).tolist()


def draw_demand(scenario: Scenario, seed: int, replication: int) -> Demand:
    """Draw all calls of one replication, caller type by caller type, then merge by time."""
    factors = day_factors(scenario, seed, replication)
    parts = [
        _draw_caller(scenario, seed, replication, index, factors)
        for index in range(len(scenario.callers))
    ]
    merged = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
    order = np.argsort(merged["arrival"], kind="stable")
    return Demand(**{key: values[order] for key, values in merged.items()})


def _draw_caller(
    scenario: Scenario, seed: int, replication: int, index: int, factors: list[float]
) -> dict[str, np.ndarray]:
    caller = scenario.callers[index]

    def rng(name: str) -> np.random.Generator:
        return generator(seed, replication, name, Owner.CALLER_AT_ARRIVAL, index)

    arrival_rng = rng("arrivals")
    times = []
    rates = scenario.per_interval(caller.arrivals_per_hour)
    for day, factor in enumerate(factors):
        opening = day * scenario.day_period
        for k, rate in enumerate(rates):
            count = arrival_rng.poisson(rate * factor * scenario.interval / 3600.0)
            offsets = np.sort(arrival_rng.uniform(0, scenario.interval, count))
            times.append(opening + k * scenario.interval + offsets)
    arrival = np.concatenate(times) if times else np.empty(0)
    n = arrival.size

    routing = rng("routing")
    names = list(caller.enters)
    cumulative = np.cumsum([caller.enters[name] for name in names])
    entry_choice = np.minimum(np.searchsorted(cumulative, routing.random(n), side="right"),
                              len(names) - 1)
    department = np.array([scenario.department_index(name) for name in names])[entry_choice]
    transfer_draw = routing.random(n)

    patience = (caller.patience.sample(rng("patience"), n) if caller.patience is not None
                else np.full(n, math.inf))
    talk, wrap_up = np.empty(n), np.zeros(n)
    talk_rng, wrap_rng = rng("talk"), rng("wrap_up")
    for d in np.unique(department):
        mask = department == d
        spec = scenario.departments[d]
        talk[mask] = spec.talk.sample(talk_rng, int(mask.sum()))
        if spec.wrap_up is not None:
            wrap_up[mask] = spec.wrap_up.sample(wrap_rng, int(mask.sum()))
    ivr_time, ivr_draw = np.zeros(n), np.ones(n)
    if caller.ivr is not None:
        ivr_rng = rng("ivr")
        ivr_time = caller.ivr.time.sample(ivr_rng, n)
        ivr_draw = ivr_rng.random(n)
    return {
        "arrival": arrival, "caller": np.full(n, index, dtype=np.int32),
        "department": department.astype(np.int32), "patience": patience, "talk": talk,
        "wrap_up": wrap_up, "transfer_draw": transfer_draw, "ivr_time": ivr_time,
        "ivr_draw": ivr_draw,
    }


def scripted_demand(
    scenario: Scenario, script: Sequence[Arrival], seed: int, replication: int
) -> Demand:
    """Demand from an exact script; attributes the script leaves unset are drawn."""
    rows = sorted(script, key=lambda a: a.at)
    callers = [c.name for c in scenario.callers]
    columns: dict[str, list[float]] = {key: [] for key in Demand.__dataclass_fields__}
    routing = {i: generator(seed, replication, "routing", Owner.CALLER_AT_ARRIVAL, i)
               for i in range(len(callers))}
    others = {i: generator(seed, replication, "talk", Owner.CALLER_AT_ARRIVAL, i)
              for i in range(len(callers))}
    menus = {i: generator(seed, replication, "ivr", Owner.CALLER_AT_ARRIVAL, i)
             for i in range(len(callers))}
    for row in rows:
        index = callers.index(row.caller)
        spec = scenario.callers[index]
        rng, talk_rng = routing[index], others[index]
        if row.department is not None:
            department = scenario.department_index(row.department)
        else:
            names = list(spec.enters)
            weights = np.array([spec.enters[name] for name in names])
            department = scenario.department_index(names[rng.choice(len(names), p=weights)])
        wrap_spec = scenario.departments[department].wrap_up
        values = {
            "arrival": row.at,
            "caller": index,
            "department": department,
            "talk": row.talk if row.talk is not None
            else float(scenario.departments[department].talk.sample(talk_rng, 1)[0]),
            "wrap_up": row.wrap_up if row.wrap_up is not None
            else (float(wrap_spec.sample(talk_rng, 1)[0]) if wrap_spec else 0.0),
            "patience": row.patience if row.patience is not None
            else (float(spec.patience.sample(talk_rng, 1)[0]) if spec.patience else math.inf),
            "transfer_draw": row.transfer_draw if row.transfer_draw is not None
            else float(rng.random()),
            "ivr_time": row.ivr_time if row.ivr_time is not None
            else (float(spec.ivr.time.sample(menus[index], 1)[0]) if spec.ivr else 0.0),
            "ivr_draw": row.ivr_draw if row.ivr_draw is not None
            else (float(menus[index].random()) if spec.ivr else 1.0),
        }
        for key, value in values.items():
            columns[key].append(value)
    return Demand(**{
        key: np.array(values, dtype=np.int32 if key in ("caller", "department") else float)
        for key, values in columns.items()
    })
