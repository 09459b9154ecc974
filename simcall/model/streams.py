"""Random streams: one numpy generator per stochastic input, per replication.

Every stream is keyed by ``(replication, input, owner kind, owner index)``
and spawned from the root seed with :class:`numpy.random.SeedSequence`, so a
result depends only on (scenario, seed, replication index) -- not on worker
count, executor, or what else runs. Two scenarios run with the same seed
share their streams (common random numbers). New inputs are appended at the
end of :data:`INPUTS` so that existing streams never move.

A replication builds one :class:`Streams` and hands it to every part that draws
(demand, the per-call draws, the duty roster). It gives each stream out once: two
inputs that shared a generator would draw correlated numbers, and a change to
one would shift the other's draws, breaking common random numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import IntEnum

import numpy as np

from simcall.scenario.distributions import Distribution

INPUTS = ("arrivals", "patience", "talk", "wrap_up", "pickup", "routing", "redial", "ivr",
          "rona", "breaks", "callback", "days")
"""Stochastic inputs, in a fixed order: append only."""


class Owner(IntEnum):
    """Who a stream belongs to: draws made at arrival, or later draws in the system."""

    CALLER_AT_ARRIVAL = 0
    DEPARTMENT_LATER_VISITS = 1
    CALLER_LATER_VISITS = 2
    AGENT_GROUP = 3


def generator(
    seed: int, replication: int, name: str, owner: Owner, index: int
) -> np.random.Generator:
    """The generator for one input of one owner in one replication."""
    key = (replication, INPUTS.index(name), int(owner), index)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


class Streams:
    """The random streams of one replication: ``(seed, replication)`` and what was handed out.

    Parameters
    ----------
    seed, replication
        Together they fix every stream of the replication.
    """

    __slots__ = ("_taken", "replication", "seed")

    _taken: set[tuple[str, Owner, int]]  # the streams handed out so far
    replication: int
    seed: int

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication
        self._taken = set()

    def take(self, name: str, owner: Owner, index: int) -> np.random.Generator:
        """The generator of one input of one owner; each is handed out once per replication.

        Raises
        ------
        ValueError
            If ``name`` is not one of :data:`INPUTS`, or the stream was already taken
            (a programming error: two inputs would share their random numbers).
        """
        if name not in INPUTS:
            raise ValueError(f"no random input named {name!r}: one of {', '.join(INPUTS)}")
        key = (name, owner, index)
        if key in self._taken:
            raise ValueError(f"the {name!r} stream of {owner.name} {index} was already taken "
                             "in this replication: each input needs a stream of its own")
        self._taken.add(key)
        return generator(self.seed, self.replication, name, owner, index)


def sampler(
    distribution: Distribution | None,
    rng: np.random.Generator,
    missing: float = 0.0,
    block: int = 256,
) -> Callable[[], float]:
    """A zero-argument function returning the next draw (``missing`` when no distribution).

    Draws come in blocks so that one call costs a list step, not a numpy call.
    """
    if distribution is None:
        return lambda: missing

    def draws() -> Iterator[float]:
        while True:
            yield from distribution.sample(rng, block).tolist()

    return draws().__next__


def uniforms(rng: np.random.Generator, block: int = 256) -> Callable[[], float]:
    """A zero-argument function returning the next uniform number in [0, 1), drawn in blocks."""

    def draws() -> Iterator[float]:
        while True:
            yield from rng.random(block).tolist()

    return draws().__next__
