"""The calls a staffing search may simulate, estimated before it starts.

Why: ``simcall staff`` simulates many replications of many candidate plans; a scenario
too big for ``simcall run -r 1000`` is too big for it, and it must be refused the same
way, before anything runs (:mod:`simcall.experiments.workload`). The search's cost is
not known in advance (it settles when a round changes nothing), so this is a generous
estimate from the code's own budgets, written out in ``docs/staffing.md``:

* **reach**: the generous plan on ``min(10, R)`` replications;
* **search**, at each level ``L`` (``min(10, R)`` then ``R``): the starting plan on ``L``
  replications, then :data:`ROUNDS_PER_GROUP` x G + :data:`ROUNDS_EXTRA` rounds of one
  candidate on ``L`` replications each, plus, at the last level and with G > 1 groups,
  one candidate per group on ``min(L, 10)`` replications (which group gets an agent);
* **verification**: ``budget`` rounds of ``V`` fresh replications, plus one candidate per
  group on ``min(V, 10)`` of them with G > 1, and the plan on ``min(10, R)`` search ones.

The cost search (``--objective cost``) is estimated the same way: at each level, the same
rounds of ``4 G + 2`` plans (four candidates per group, the plan, the moves checked
together) on ``L`` replications; then ``budget`` verification rounds of the plan and its
``2 x intervals x G`` neighbours on ``V`` fresh replications (most of its work); with
``keep_targets``, the target search's estimate on top.

Measured (seed 1, defaults): the help desk took 5 rounds and 300 replications (the
estimate says 790), the five departments 28 rounds and 740 (the estimate: 2,720). The
search gives up after :data:`~simcall.staffing.search.MOST_ROUNDS` rounds a level; that
strict bound (2,350 and 5,620 replications) is about 8 times what the searches took and
would refuse the five departments' default search, so the guard takes the usual case with
room to spare, not the worst.
"""

from __future__ import annotations

from collections.abc import Sequence

from simcall.experiments.workload import Workload, workload
from simcall.scenario.schema import Scenario
from simcall.staffing.search import CHOOSE, LEVELS, varied_groups
from simcall.staffing.verify import CHOOSE as VERIFY_CHOOSE

ROUNDS_PER_GROUP, ROUNDS_EXTRA = 4, 4
"""Rounds a level is expected to take at most: 4 per staffed group, and 4 (measured: 2 or 3
a level for one group, 14 for five)."""


def search_replications(groups: int, replications: int, verify_replications: int,
                        budget: int) -> int:
    """Replications a search of ``groups`` groups may simulate (the module's formula)."""
    first = min(10, replications)
    levels = sorted({min(level, replications) for level in LEVELS} | {replications})
    rounds = ROUNDS_PER_GROUP * groups + ROUNDS_EXTRA
    several = groups > 1
    total = first  # reach
    for level in levels:
        choose = groups * min(level, CHOOSE) if several and level == replications else 0
        total += level + rounds * (level + choose)
    per_round = verify_replications + (groups * min(verify_replications, VERIFY_CHOOSE)
                                       if several else 0)
    return total + budget * per_round + first


def search_workload(scenario: Scenario, groups: Sequence[str] | None = None, *,
                    replications: int = 20, verify_replications: int = 100,
                    budget: int = 5, rostered: bool = False) -> Workload:
    """The estimated workload of :func:`~simcall.staffing.search.staff` with these
    settings: the scenario's expected calls per replication, times the replications the
    search may take (``rostered``: with ``shifts``, when every group may be staffed).

    Raises
    ------
    StaffingError
        For a group name the search would refuse (said before anything is estimated).
    """
    varied = varied_groups(scenario, groups, rostered=rostered)
    count = search_replications(len(varied), replications, verify_replications, budget)
    return workload(scenario, count)


def cost_search_replications(groups: int, intervals: int, replications: int,
                             verify_replications: int, budget: int) -> int:
    """Replications a cost search of ``groups`` groups may simulate (the module's formula)."""
    levels = sorted({min(level, replications) for level in LEVELS} | {replications})
    rounds = ROUNDS_PER_GROUP * groups + ROUNDS_EXTRA
    total = sum(rounds * (4 * groups + 2) * level for level in levels)
    return total + budget * (2 * intervals * groups + 1) * verify_replications


def cost_search_workload(scenario: Scenario, groups: Sequence[str] | None = None, *,
                         replications: int = 20, verify_replications: int = 40,
                         budget: int = 3, rostered: bool = False,
                         keep_targets: bool = False) -> Workload:
    """The estimated workload of :func:`~simcall.staffing.cost_search.staff_for_cost`."""
    varied = varied_groups(scenario, groups, rostered=rostered)
    count = cost_search_replications(len(varied), scenario.intervals, replications,
                                     verify_replications, budget)
    if keep_targets:
        count += search_replications(len(varied), replications, verify_replications, budget)
    return workload(scenario, count)
