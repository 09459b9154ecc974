"""The per-call draws: every random attribute a call brings, and where it comes from.

One home for them all, so that the rule "one stream per stochastic input" is kept
in one place (see :mod:`simcall.model.streams`):

* :func:`first_visits` -- at arrival, for all calls of a caller type at once: the
  department dialled, patience, talk and wrap-up at that department, the uniform
  that decides the first transfer, and the voice menu's time and outcome. Drawn
  whether or not they end up used, so that the 100th caller brings the same talk
  time to every staffing plan (common random numbers);
* :class:`ScriptedDraws` -- the same attributes for a scripted call, one at a time,
  for whichever the script leaves unset;
* :class:`LaterVisitDraws` -- when a call joins another queue (a transfer, a
  misrouted call, a voicemail called back), from the department's own streams and
  the caller type's later-visit patience stream;
* :class:`RedialDraws` -- a redial is a new call, drawn afresh from the caller
  type's redial stream;
* :class:`RonaDraw`, :func:`pickups`, :func:`not_ready_times` -- an agent group's
  ring-no-answer, pickup delays and not-ready time after each call;
* :func:`callbacks` -- whether a caller takes a callback, and when voicemail is returned.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from simcall.model.streams import Owner, Streams, sampler, uniforms
from simcall.scenario.schema import Scenario

if TYPE_CHECKING:  # annotations only: numpy.typing costs an import at run time
    import numpy.typing as npt


def first_visits(
    scenario: Scenario, caller: int, count: int, streams: Streams
) -> dict[str, npt.NDArray[np.generic]]:
    """The arrival-time attributes of ``count`` calls of caller type ``caller``, as columns.

    Columns: ``department`` (first department index), ``transfer_draw``,
    ``patience`` (``inf``: never hangs up), ``talk`` (before ``talk_factor``),
    ``wrap_up``, ``ivr_time`` (0 without a menu) and ``ivr_draw`` (1 without one).
    """
    spec = scenario.callers[caller]

    def rng(name: str) -> np.random.Generator:
        return streams.take(name, Owner.CALLER_AT_ARRIVAL, caller)

    routing = rng("routing")
    names = list(spec.enters)
    cumulative = np.cumsum([spec.enters[name] for name in names])
    entry_choice = np.minimum(np.searchsorted(cumulative, routing.random(count), side="right"),
                              len(names) - 1)
    department = np.array([scenario.department_index(name) for name in names])[entry_choice]
    # a column the scenario never reads is one value for every call, held once (a
    # read-only view): a long run's demand is then about half the size. The transfer draw
    # is the routing stream's last draw, so not drawing it shifts no other draw.
    transfer_draw = (routing.random(count) if any(d.transfer for d in scenario.departments)
                     else constant(1.0, count))

    patience = (spec.patience.sample(rng("patience"), count) if spec.patience is not None
                else np.full(count, math.inf))
    talk = np.empty(count)
    wraps = any(scenario.departments[d].wrap_up is not None for d in np.unique(department))
    wrap_up = np.zeros(count) if wraps else constant(0.0, count)
    talk_rng = rng("talk")
    wrap_rng = None
    if wraps:
        wrap_rng = rng("wrap_up")
    else:  # nothing is drawn from it: claimed, not made (Streams.claim)
        streams.claim("wrap_up", Owner.CALLER_AT_ARRIVAL, caller)
    if spec.talk is not None:  # the caller type's own talk time, wherever it goes
        talk = spec.talk.sample(talk_rng, count)
    for d in np.unique(department):
        mask = department == d
        where = scenario.departments[d]
        if spec.talk is None:
            talk[mask] = where.talk.sample(talk_rng, int(mask.sum()))
        if where.wrap_up is not None:
            assert wrap_rng is not None
            wrap_up[mask] = where.wrap_up.sample(wrap_rng, int(mask.sum()))
    ivr_time, ivr_draw = constant(0.0, count), constant(1.0, count)
    if spec.ivr is not None:
        ivr_rng = rng("ivr")
        ivr_time = spec.ivr.time.sample(ivr_rng, count)
        ivr_draw = ivr_rng.random(count)
    return {
        "department": department.astype(np.int32), "patience": patience, "talk": talk,
        "wrap_up": wrap_up, "transfer_draw": transfer_draw, "ivr_time": ivr_time,
        "ivr_draw": ivr_draw,
    }


def constant(value: float, count: int) -> npt.NDArray[np.float64]:
    """``count`` copies of ``value`` in the memory of one: a read-only column."""
    return np.broadcast_to(np.float64(value), (count,))


class ScriptedDraws:
    """The attributes a script leaves unset, drawn call by call in script order.

    Each input has its own stream per caller type (the same streams the Poisson
    demand draws from, which a scripted run does not use), so fixing one attribute
    in the script never shifts the draws of another.
    """

    def __init__(self, scenario: Scenario, streams: Streams) -> None:
        self._scenario = scenario
        count = len(scenario.callers)

        def take(name: str) -> list[np.random.Generator]:
            return [streams.take(name, Owner.CALLER_AT_ARRIVAL, i) for i in range(count)]

        self._routing, self._talk, self._wrap_up = take("routing"), take("talk"), take("wrap_up")
        self._patience, self._ivr = take("patience"), take("ivr")

    def department(self, caller: int) -> int:
        """The department a caller of this type dials, from its ``enters`` mix."""
        spec = self._scenario.callers[caller]
        names = list(spec.enters)
        weights = np.array([spec.enters[name] for name in names])
        choice = int(self._routing[caller].choice(len(names), p=weights))
        return self._scenario.department_index(names[choice])

    def talk(self, caller: int, department: int) -> float:
        """Talk seconds at ``department`` (before the agent's ``talk_factor``): the caller
        type's own talk time if it has one."""
        where = self._scenario.callers[caller].talk or self._scenario.departments[department].talk
        return float(where.sample(self._talk[caller], 1)[0])

    def wrap_up(self, caller: int, department: int) -> float:
        """Wrap-up seconds after talk at ``department`` (0 without wrap-up)."""
        where = self._scenario.departments[department].wrap_up
        return float(where.sample(self._wrap_up[caller], 1)[0]) if where else 0.0

    def patience(self, caller: int) -> float:
        """Patience at the first queue (``inf`` for a caller type that never hangs up)."""
        spec = self._scenario.callers[caller].patience
        return float(spec.sample(self._patience[caller], 1)[0]) if spec else math.inf

    def transfer_draw(self, caller: int) -> float:
        """The uniform that decides the transfer after the first talk."""
        return float(self._routing[caller].random())

    def ivr_time(self, caller: int) -> float:
        """Seconds in the voice menu (0 without one)."""
        menu = self._scenario.callers[caller].ivr
        return float(menu.time.sample(self._ivr[caller], 1)[0]) if menu else 0.0

    def ivr_draw(self, caller: int) -> float:
        """The uniform that decides what happens in the menu (1 without one)."""
        menu = self._scenario.callers[caller].ivr
        return float(self._ivr[caller].random()) if menu else 1.0


class LaterVisitDraws:
    """Attributes drawn when a call joins a queue after its first one.

    The first visit's attributes come with the call (drawn at arrival); later
    visits draw from the department's own streams (talk, wrap-up, transfer)
    and the caller type's later-visit patience stream. A caller type with its own
    ``talk`` draws it from its own later-visit talk stream; the department's talk is
    drawn all the same (and not used), so that the other callers' talk times at that
    department stay what they were (common random numbers).
    """

    def __init__(self, scenario: Scenario, streams: Streams) -> None:
        later = Owner.DEPARTMENT_LATER_VISITS
        departments = scenario.departments
        self._talk = [streams.sampler(d.talk, "talk", later, i)
                      for i, d in enumerate(departments)]
        self._wrap_up = [streams.sampler(d.wrap_up, "wrap_up", later, i)
                         for i, d in enumerate(departments)]
        self._routing = [uniforms(streams.take("routing", later, i))
                         for i in range(len(departments))]
        self._patience = [streams.sampler(c.patience, "patience", Owner.CALLER_LATER_VISITS, i,
                                          math.inf)
                          for i, c in enumerate(scenario.callers)]
        self._caller_talk = [sampler(c.talk, streams.take("talk", Owner.CALLER_LATER_VISITS, i))
                             if c.talk is not None else None
                             for i, c in enumerate(scenario.callers)]

    def attributes(self, department: int, caller: int) -> tuple[float, float, float]:
        """Talk, wrap-up and transfer draw of a visit to ``department`` by a call of
        caller type ``caller``."""
        talk = self._talk[department]()
        own = self._caller_talk[caller]
        return (talk if own is None else own(), self._wrap_up[department](),
                self._routing[department]())

    def patience(self, caller: int) -> float:
        """Patience of a caller of this type at a later queue."""
        return self._patience[caller]()


class RedialDraws:
    """A caller type's redial behaviour and the stream its redial attempts draw from.

    A redial is a new call: patience, talk, wrap-up, transfer and menu draws are made
    afresh, from the caller type's own redial stream.
    """

    def __init__(self, scenario: Scenario, caller: int, rng: np.random.Generator) -> None:
        spec = scenario.callers[caller]
        assert spec.redial is not None
        self.probability = spec.redial.probability
        self.max_attempts: float = spec.redial.max_attempts or math.inf
        self.uniform = uniforms(rng)
        self.delay = sampler(spec.redial.delay, rng)
        self._rng = rng
        self._spec = spec
        self._departments = scenario.departments

    @classmethod
    def for_callers(cls, scenario: Scenario, streams: Streams) -> list[RedialDraws | None]:
        """One per caller type, ``None`` for a type that never redials."""
        return [cls(scenario, i, streams.take("redial", Owner.CALLER_LATER_VISITS, i))
                if c.redial is not None else None for i, c in enumerate(scenario.callers)]

    def attributes(self, department: int) -> tuple[float, float, float, float, float, float]:
        """(patience, talk, wrap_up, transfer_draw, ivr_time, ivr_draw) of a new attempt."""
        rng, spec, where = self._rng, self._spec, self._departments[department]
        patience = float(spec.patience.sample(rng, 1)[0]) if spec.patience else math.inf
        talk = float((spec.talk or where.talk).sample(rng, 1)[0])
        wrap_up = float(where.wrap_up.sample(rng, 1)[0]) if where.wrap_up else 0.0
        ivr_time = float(spec.ivr.time.sample(rng, 1)[0]) if spec.ivr else 0.0
        return patience, talk, wrap_up, self.uniform(), ivr_time, (
            self.uniform() if spec.ivr else 1.0)


class RonaDraw:
    """A group's ring-no-answer: its probability, ring time and not-ready time, and draws."""

    __slots__ = ("after", "draw", "not_ready", "probability")

    after: float  # seconds an agent lets the phone ring before it goes back to the queue
    draw: Callable[[], float]  # the next uniform of the group's "rona" stream
    not_ready: float  # seconds the agent is not ready afterwards
    probability: float  # that a ringing agent does not answer

    def __init__(self, probability: float, after: float, not_ready: float,
                 draw: Callable[[], float]) -> None:
        self.probability, self.after, self.not_ready, self.draw = (
            probability, after, not_ready, draw)

    @classmethod
    def for_groups(cls, scenario: Scenario, streams: Streams) -> Sequence[RonaDraw | None]:
        """One per agent group, ``None`` for a group whose agents always answer."""
        return [cls(g.rona.probability, g.rona.after, g.rona.not_ready,
                    uniforms(streams.take("rona", Owner.AGENT_GROUP, i)))
                if g.rona is not None else None for i, g in enumerate(scenario.agents)]


def not_ready_times(scenario: Scenario, streams: Streams) -> list[Callable[[], float] | None]:
    """Each agent group's not-ready time after a call (``None``: ready at once)."""
    return [sampler(g.not_ready, streams.take("not_ready", Owner.AGENT_GROUP, i))
            if g.not_ready is not None else None for i, g in enumerate(scenario.agents)]


def pickups(scenario: Scenario, streams: Streams) -> list[Callable[[], float]]:
    """Each agent group's pickup delay draws (0 for a group that answers at once)."""
    return [streams.sampler(g.pickup, "pickup", Owner.AGENT_GROUP, i)
            for i, g in enumerate(scenario.agents)]


def callbacks(
    scenario: Scenario, streams: Streams
) -> tuple[Callable[[], float], Callable[[], float]]:
    """The callback stream's two draws: the uniform that decides whether a caller takes a
    callback offer (or a voicemail is called back), and the delay before a voicemail is
    called back (0 without ``voicemail_callback``). One stream serves both, as it always has,
    so that results stay the same from version to version."""
    rng = streams.take("callback", Owner.CALLER_LATER_VISITS, 0)
    voicemail = scenario.voicemail_callback
    return uniforms(rng), sampler(voicemail.delay if voicemail else None, rng)
