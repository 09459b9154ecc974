"""What the express lane notes per call, and the records derived from it at the end.

The express lane (:mod:`simcall.model.express`) writes no record row while it runs: per
call it notes only what the drawn demand cannot tell -- when the call joined a queue
(finding no agent free), when it was answered and by which agent. Everything else a queue
visit or a busy spell holds follows from those notes and the call's drawn attributes, with
the very floating-point operations the general flow (:mod:`simcall.model.calls`) makes one
call at a time: talk x the agent's talk factor; answer + talk, + wrap-up; joining +
patience - joining. So the derived columns are bit for bit the general flow's; only their
order differs (call order here, the order visits and spells end there).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from simcall.model.demand import Demand
from simcall.model.records import Outcome


class CallNotes(NamedTuple):
    """The lane's notes, by call number (NaN / -1: did not happen)."""

    entered: np.ndarray  # float: joined a queue, finding no agent free
    answered: np.ndarray  # float: an agent answered
    agent: np.ndarray  # int: the agent's number (1, 2, ...)
    waiting: list[int]  # numbers of the calls still in a queue at the end


class CallAttributes(NamedTuple):
    """The drawn attributes of every call, by call number."""

    department: np.ndarray
    patience: np.ndarray
    talk: np.ndarray  # before the agent's talk factor
    wrap_up: np.ndarray


def attributes_of(demand: Demand, redialled: dict[int, tuple[int, int, float, float, float]],
                  calls: int) -> CallAttributes:
    """Department, patience, talk and wrap-up of calls ``0 .. calls - 1``: the drawn ones'
    from the demand, the redials' (``redialled``: caller type, department, patience, talk,
    wrap-up by number) as they were drawn."""
    columns: list[np.ndarray] = [demand.department, demand.patience, demand.talk,
                                 demand.wrap_up]
    if calls > len(demand):
        extra = [redialled[number][1:] for number in range(len(demand), calls)]
        columns = [np.concatenate((column, np.array([row[k] for row in extra],
                                                    dtype=column.dtype)))
                   for k, column in enumerate(columns)]
    return CallAttributes(*columns)


def derive_tables(notes: CallNotes, drawn: CallAttributes, agent_groups: np.ndarray,
                  talk_factors: np.ndarray) -> tuple[dict[str, np.ndarray],
                                                     dict[str, np.ndarray]]:
    """The visits (``VISIT_DTYPE``'s columns) and busy spells (``PERIOD_DTYPE``'s) of a
    drained run; ``agent_groups`` gives each agent's group by number - 1, ``talk_factors``
    each group's factor."""
    queued = ~np.isnan(notes.entered)
    answered = notes.agent >= 0
    still_waiting = np.zeros(notes.entered.size, dtype=bool)
    still_waiting[notes.waiting] = True
    call = np.flatnonzero(answered | (queued & ~still_waiting))
    answered, queued = answered[call], queued[call]
    start = notes.answered[call]
    entered = np.where(queued, notes.entered[call], start)
    # the last entry of each lookup stands for "no agent" (agent -1, group -1)
    group = np.append(agent_groups, -1).astype(np.int32)[
        np.where(answered, notes.agent[call] - 1, -1)]
    talk = np.where(answered, drawn.talk[call] * np.append(talk_factors, math.nan)[group],
                    math.nan)
    wrap_up = np.where(answered, drawn.wrap_up[call], math.nan)
    # answered: from joining to the answer (0.0 if answered at once); hung up: until the
    # deadline, joining + patience, as the general flow computes it
    wait = np.where(answered, start - entered, (entered + drawn.patience[call]) - entered)
    none = np.zeros(call.size, dtype=bool)
    visits: dict[str, np.ndarray] = {
        "call": call.astype(np.int64),
        "department": drawn.department[call].astype(np.int32),
        "entered": entered,
        "outcome": np.where(answered, int(Outcome.ANSWERED),
                            int(Outcome.ABANDONED)).astype(np.int8),
        "waited": queued,
        "wait": wait,
        "group": group,
        "agent": np.where(answered, notes.agent[call], -1).astype(np.int32),
        "talk": talk,
        "wrap_up": wrap_up,
        "transferred": none,
        "limited": none,
    }
    talk_end = start[answered] + talk[answered]
    done = wrap_up[answered]
    busy: dict[str, np.ndarray] = {
        "group": group[answered],
        "start": start[answered],
        "end": np.where(done > 0.0, talk_end + done, talk_end),
    }
    return visits, busy
