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

from collections.abc import Callable
from enum import IntEnum
from functools import partial

import numpy as np

from simcall.scenario.distributions import Distribution

INPUTS = ("arrivals", "patience", "talk", "wrap_up", "pickup", "routing", "redial", "ivr",
          "rona", "breaks", "callback", "days", "not_ready")
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
        self.claim(name, owner, index)
        return generator(self.seed, self.replication, name, owner, index)

    def claim(self, name: str, owner: Owner, index: int) -> None:
        """Mark a stream as handed out without making its generator: for an input that
        draws nothing in this replication. Making one costs about 45 us (its seed
        sequence): with many caller types, a good part of a short replication's build
        (``bank`` made 63, 19 never drawn from; 13 of those are now only claimed, the
        others belong to caller types that happen to get no call). A stream's numbers
        depend only on its key, so the other streams' draws are the same whether or not
        it is made. Raises as :meth:`take` does."""
        if name not in INPUTS:
            raise ValueError(f"no random input named {name!r}: one of {', '.join(INPUTS)}")
        key = (name, owner, index)
        if key in self._taken:
            raise ValueError(f"the {name!r} stream of {owner.name} {index} was already taken "
                             "in this replication: each input needs a stream of its own")
        self._taken.add(key)

    def sampler(self, distribution: Distribution | None, name: str, owner: Owner, index: int,
                missing: float = 0.0) -> Callable[[], float]:
        """:func:`sampler` of ``distribution`` on its stream; with no distribution the
        stream is only claimed (:meth:`claim`): nothing would be drawn from it."""
        if distribution is None:
            self.claim(name, owner, index)
            return partial(float, missing)  # what sampler() gives for no distribution
        return sampler(distribution, self.take(name, owner, index), missing)


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
        return partial(float, missing)  # a constant that can be copied and pickled
    return Sampler(partial(distribution.sample, rng), block)


def uniforms(rng: np.random.Generator, block: int = 256) -> Callable[[], float]:
    """A zero-argument function returning the next uniform number in [0, 1), drawn in blocks."""
    return Sampler(rng.random, block)


class Sampler:
    """The next draw of a stream, drawn ``block`` at a time.

    Why a class and not a generator: a replication's state is copied at interval
    boundaries (the staffing search forks it to try several head counts) and
    shipped to worker processes, and a generator can be neither copied nor pickled.
    Its state is the stream's generator and the rest of the current block.
    """

    __slots__ = ("_block", "_draw", "_next")

    _block: int  # draws per numpy call
    _draw: Callable[[int], np.ndarray]  # ``block`` draws of the stream
    _next: Callable[[], float]  # the next draw of the current block (a list iterator)

    def __init__(self, draw: Callable[[int], np.ndarray], block: int) -> None:
        self._draw = draw
        self._block = block
        self._next = iter(()).__next__

    def __call__(self) -> float:
        try:
            return self._next()
        except StopIteration:
            self._next = iter(self._draw(self._block).tolist()).__next__
            return self._next()
