"""Demand: every call of a run, drawn before the run starts, fed to the engine in order.

Arrivals are a Poisson process per caller type with a rate that is constant
within each interval. Given the count in an interval (Poisson), the arrival
times are independent uniforms: exact, and one numpy call per interval. A
multi-day run scales each day's rates by that day's volume factor.

Each call's own attributes (first department, patience, talk and wrap-up, the
draws that decide its transfer and its voice menu) are drawn with it, by
:mod:`simcall.model.draws`, in arrival order and whether or not they end up used:
that is what makes common random numbers work.

Tests and trainers can instead script the arrivals exactly (:class:`Arrival`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import chain
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from simcall.model.draws import ScriptedDraws, first_visits
from simcall.model.streams import Owner, Streams
from simcall.scenario.schema import Scenario

if TYPE_CHECKING:  # annotations only: numpy.typing costs an import at run time
    import numpy.typing as npt


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


class ArrivalRow(NamedTuple):
    """One call as the engine receives it: its number, time and first-visit attributes.

    A tuple, so that the engine unpacks it at the cost of a tuple; named, so that
    nobody needs to remember that patience is the fifth field.
    """

    number: int  # the call's number: its row in arrival order (redials come after)
    at: float  # seconds after opening
    caller: int  # caller type
    department: int  # the department dialled
    patience: float  # seconds at the first queue (inf: never hangs up)
    talk: float  # talk seconds at the first department, before talk_factor
    wrap_up: float  # wrap-up seconds after the first talk
    transfer_draw: float  # uniform deciding the transfer after the first talk
    ivr_time: float  # seconds in the voice menu (0 without one)
    ivr_draw: float  # uniform deciding what happens in the menu


_as_row = partial(tuple.__new__, ArrivalRow)
"""A zipped tuple as an :class:`ArrivalRow`, in C: ``ArrivalRow(*values)`` calls a Python
``__new__`` and costs several times as much per call."""


@dataclass(frozen=True)
class Demand:
    """Columns, one row per call in arrival order (see :class:`ArrivalRow` for each)."""

    arrival: npt.NDArray[np.float64]
    caller: npt.NDArray[np.int32]
    department: npt.NDArray[np.int32]
    patience: npt.NDArray[np.float64]
    talk: npt.NDArray[np.float64]
    wrap_up: npt.NDArray[np.float64]
    transfer_draw: npt.NDArray[np.float64]
    ivr_time: npt.NDArray[np.float64]
    ivr_draw: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.arrival.size)

    def rows(self, start: int = 0, block: int = 4096) -> Iterator[ArrivalRow]:
        """Calls in arrival order from row ``start``, converted to Python a block at a time
        (plain floats are much cheaper to use than numpy scalars, and a block keeps memory
        flat). Chained in C: taking a row resumes no Python frame."""
        return chain.from_iterable(self._blocks(start, block))

    def _blocks(self, start: int, block: int) -> Iterator[Iterator[ArrivalRow]]:
        for begin in range(start, len(self), block):
            end = min(begin + block, len(self))
            yield map(_as_row, zip(
                range(begin, end), self.arrival[begin:end].tolist(),
                self.caller[begin:end].tolist(), self.department[begin:end].tolist(),
                self.patience[begin:end].tolist(), self.talk[begin:end].tolist(),
                self.wrap_up[begin:end].tolist(), self.transfer_draw[begin:end].tolist(),
                self.ivr_time[begin:end].tolist(), self.ivr_draw[begin:end].tolist(),
                strict=True,
            ))


def day_factors(scenario: Scenario, streams: Streams) -> list[float]:
    """Each day's volume factor: gamma with mean 1 and the scenario's ``day_volume_cv``.

    One factor per day for all caller types (a busy day is busy for everyone); none is
    drawn when the cv is 0, so a one-day run draws exactly what it always did.
    """
    cv = scenario.day_volume_cv
    if cv < 1e-6:  # no variation to speak of (and 1/cv^2 would overflow)
        return [1.0] * scenario.days
    rng = streams.take("days", Owner.CALLER_AT_ARRIVAL, 0)
    factors: list[float] = rng.gamma(1.0 / cv**2, cv**2, scenario.days).tolist()
    return factors


def draw_demand(scenario: Scenario, streams: Streams) -> Demand:
    """Draw all calls of one replication, caller type by caller type, then merge by time."""
    factors = day_factors(scenario, streams)
    parts = []
    for index in range(len(scenario.callers)):
        arrival = _arrival_times(scenario, index, factors, streams)
        part: dict[str, npt.NDArray[np.generic]] = {
            "arrival": arrival, "caller": np.full(arrival.size, index, dtype=np.int32)}
        part.update(first_visits(scenario, index, arrival.size, streams))
        parts.append(part)
    if len(parts) == 1:  # one caller type: its calls are in time order already
        alone: dict[str, Any] = parts[0]
        return Demand(**alone)
    # merged by time a column at a time, each caller type's column let go once used: a long
    # run then holds the demand about once over, not three times (parts, merged, sorted)
    order = np.argsort(np.concatenate([part["arrival"] for part in parts]), kind="stable")
    columns: dict[str, Any] = {key: _merged([part.pop(key) for part in parts], order)
                               for key in list(parts[0])}
    return Demand(**columns)


def _merged(pieces: list[npt.NDArray[np.generic]], order: npt.NDArray[np.intp],
            ) -> npt.NDArray[np.generic]:
    """The caller types' pieces of one column, merged in time order; a column that is one
    value for every call stays one value held once (see ``draws.constant``)."""
    if all(piece.strides == (0,) for piece in pieces):
        values = {piece[0].item() for piece in pieces if piece.size}
        if len(values) <= 1:
            return np.broadcast_to(pieces[0].dtype.type(values.pop() if values else 0),
                                   (order.size,))
    return np.concatenate(pieces)[order]


def _arrival_times(
    scenario: Scenario, caller: int, factors: Sequence[float], streams: Streams
) -> npt.NDArray[np.float64]:
    """A caller type's Poisson arrivals over every interval of every day, in time order."""
    arrival_rng = streams.take("arrivals", Owner.CALLER_AT_ARRIVAL, caller)
    rates = scenario.per_interval(scenario.callers[caller].arrivals_per_hour)
    starts, counts, offsets = [], [], []
    for day, factor in enumerate(factors):
        opening = day * scenario.day_period
        for k, rate in enumerate(rates):
            count = arrival_rng.poisson(rate * factor * scenario.interval / 3600.0)
            starts.append(opening + k * scenario.interval)
            counts.append(count)
            offsets.append(arrival_rng.uniform(0, scenario.interval, count))
    if not offsets:
        return np.empty(0)
    # each interval's start plus its offsets, as ``start + offsets`` interval by interval
    # (added in place, the intervals' offsets let go first: a long run's peak memory);
    # sorted once: the intervals do not overlap, so this is each interval sorted in turn
    times: npt.NDArray[np.float64] = np.concatenate(offsets)
    offsets.clear()
    times += np.repeat(np.array(starts, dtype=float), counts)
    times.sort()
    return times


def scripted_demand(scenario: Scenario, script: Sequence[Arrival], streams: Streams) -> Demand:
    """Demand from an exact script; attributes the script leaves unset are drawn.

    Every attribute is drawn for every call, given or not, so that fixing one value in
    a script leaves the draws of the other calls and attributes as they were.
    """
    rows = sorted(script, key=lambda a: a.at)
    callers = [c.name for c in scenario.callers]
    draws = ScriptedDraws(scenario, streams)
    columns: dict[str, list[float]] = {key: [] for key in Demand.__dataclass_fields__}
    for row in rows:
        caller = callers.index(row.caller)
        dialled = draws.department(caller)  # drawn even when given: later draws stay aligned
        department = (scenario.department_index(row.department) if row.department is not None
                      else dialled)

        def given(value: float | None, draw: float) -> float:
            return value if value is not None else draw

        values = {
            "arrival": row.at,
            "caller": caller,
            "department": department,
            "talk": given(row.talk, draws.talk(caller, department)),
            "wrap_up": given(row.wrap_up, draws.wrap_up(caller, department)),
            "patience": given(row.patience, draws.patience(caller)),
            "transfer_draw": given(row.transfer_draw, draws.transfer_draw(caller)),
            "ivr_time": given(row.ivr_time, draws.ivr_time(caller)),
            "ivr_draw": given(row.ivr_draw, draws.ivr_draw(caller)),
        }
        for key, value in values.items():
            columns[key].append(value)
    return Demand(**{
        key: np.array(values, dtype=np.int32 if key in ("caller", "department") else float)
        for key, values in columns.items()
    })
