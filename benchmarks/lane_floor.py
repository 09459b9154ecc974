"""How close can simcall's express lane come to the heapq loop? A floor for issue 15's share.

Issue 15 asks simcall to reach 0.30 of a hand-written heapq loop (``heapq_reference.py``)
on the Erlang-A centre. This script measures how much of the gap is the lane's generality
and how much is what any simcall run does, by timing, in this process and interleaved:

* ``reference``: the heapq loop of ``heapq_reference.py`` (its numpy draws included);
* ``simulate``: ``simcall.simulate`` of the centre (the issue's measure: build, run, KPIs);
* ``lane``: building the replication and running it (no records, no KPIs);
* ``floor``: the same with :class:`FloorFlow`, the lane's loop stripped to what this centre
  uses (every agent with one skill, no wrap-up, no not-ready time, no transfers, no
  redials): every branch the centre never takes is gone and the end of talk is the agent
  itself on the heap, not a tuple. It keeps what the lane's contract needs: SimPy's event
  ids and order (ties included), the agents and their idle lists, the priority queue, the
  notes for the records. Each round checks that its notes (who was answered when, by
  whom, who queued) are the lane's, byte for byte.

``--no-gc`` runs every side with Python's cyclic garbage collector off, to show what the
collector still costs; the collections each side set off are counted either way (since
the lane converts its arrivals 512 at a time, not 4,096, it sets off about one in a 200 h
run, not 143).

So ``floor`` with ``--no-gc`` is about the most a pure-Python lane with today's contract
could do before its KPIs; the share of ``simulate`` (KPIs included) cannot be above it.
CPU time (``time.process_time``); each round runs every side once; the medians of the
rounds' shares are reported. For counts that do not move with the machine's load, run
one side under ``perf stat -x, -e instructions:u`` with ``--only SIDE`` and two values of
``--rounds``, and take the difference (pin ``OPENBLAS_NUM_THREADS=1``).

Usage: ``python benchmarks/lane_floor.py [--rounds 5] [--hours 200] [--seed 1] [--no-gc]
[--only SIDE] [--json PATH]``
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from heapq import heappop, heappush
from pathlib import Path
from typing import Any

from heapq_reference import HERE, SCENARIO, reference  # this script's folder

sys.path.insert(0, str(HERE.parent))  # simcall from this checkout

from simpy.events import NORMAL

import simcall
from simcall.model import replication as replication_module
from simcall.model.express import INF, ExpressFlow
from simcall.model.parties import Agent
from simcall.model.replication import Replication

SIDES = ("reference", "simulate", "lane", "floor")


class FloorFlow(ExpressFlow):
    """The express lane with its loop cut down to the plainest centre (see the module)."""

    def run_events(self) -> None:
        """``ExpressFlow.run_events`` without the branches the plainest centre never takes."""
        if (self.later is not None or self.timed or any(self.after_call)
                or self.demand.wrap_up.any()
                or any(len(skills) > 1 for skills in self.pool._skills)):
            raise ValueError("FloorFlow runs only the plainest centre (see the module)")
        env = self.env
        queue: list[Any] = env._queue
        ids = env._eid
        pool = self.pool
        primary, make_idle = pool.primary, pool.make_idle
        heaps = self.heaps
        priorities, credits = self.priorities, self.credits
        entered, answered, agent_of = self.entered, self.answered, self.agent
        block, in_block = self._block, self._in_block
        position, calls = self._position, self._calls
        next_at, next_id = self._next_at, self._next_id
        last_deadline, left, sequence = self.last_deadline, self.left, self.sequence
        compact_at = pool.compact_at
        now = env._now
        try:
            while True:
                if queue:
                    head = queue[0]
                    at = head[0]
                    if next_at > at or (next_at == at and head[1:3] < (NORMAL, next_id)):
                        entry = heappop(queue)
                        agent = entry[3]
                        now = at
                        kind = agent.__class__
                        if kind is tuple:  # an agent coming on duty took a call
                            agent = agent[0]
                        elif kind is not Agent:  # SimPy's (the roster's)
                            env._now = now
                            env.current = entry
                            self._position, self._in_block, self.left = position, in_block, left
                            self.last_deadline, self.sequence = last_deadline, sequence
                            env.fire(agent)
                            left, sequence = self.left, self.sequence
                            last_deadline = self.last_deadline
                            compact_at = pool.compact_at
                            continue
                        left += 1  # talk ends
                        if agent.leaving:
                            pool.go_home(agent, now)
                            continue
                        skill = agent.skills[0]
                        heap = heaps[skill]
                        while heap:
                            waiting = heappop(heap)
                            deadline = waiting[4]
                            if deadline < now or (
                                    deadline == now and (NORMAL, waiting[5]) < entry[1:3]):
                                left += 1  # she hung up at her deadline
                                continue
                            number = waiting[3]
                            answered[number] = now
                            agent_of[number] = agent.number
                            heappush(queue, (now + waiting[6] * agent.talk_factor, NORMAL,
                                             next(ids), agent))
                            break
                        else:
                            idle = primary[skill]
                            if len(idle) < compact_at:
                                agent.idle = True
                                agent.token = token = agent.token + 1
                                idle.append((token, agent))
                            else:
                                make_idle(agent)
                        continue
                elif next_at == INF:
                    break
                now = next_at  # the next call arrives
                following = next(ids)
                gap, caller, department, patience, talk, _ = block[in_block]
                number = position
                position += 1
                in_block += 1
                idle = primary[department]
                while idle:
                    token, agent = idle.popleft()
                    if agent.idle and agent.token == token:
                        agent.idle = False
                        answered[number] = now
                        agent_of[number] = agent.number
                        heappush(queue, (now + talk * agent.talk_factor, NORMAL, next(ids),
                                         agent))
                        break
                else:
                    entered[number] = now
                    sequence += 1
                    deadline = now + patience
                    heappush(heaps[department],
                             (priorities[caller], now - credits[caller], sequence, number,
                              deadline, next(ids), talk, 0.0))
                    if deadline > last_deadline:
                        last_deadline = deadline
                next_at = now + gap
                next_id = following
                if in_block == len(block):
                    if position == calls:
                        next_at = INF
                    else:
                        self._load_block(position)
                        block, in_block = self._block, 0
        finally:
            env._now = now
            self._position, self._in_block, self.left = position, in_block, left
            self.sequence = sequence
            self._next_at, self._next_id = next_at, next_id
            self.last_deadline = last_deadline


def lane_run(scenario: Any, seed: int, flow: type[ExpressFlow]) -> tuple[int, bytes]:
    """Build and run one replication with ``flow`` as the lane; its calls and notes."""
    replication_module.ExpressFlow = flow  # type: ignore[misc]  # the lane it builds
    try:
        run = Replication(scenario, seed, 0)
        run.run()
    finally:
        replication_module.ExpressFlow = ExpressFlow  # type: ignore[misc]
    lane = run.flow
    assert isinstance(lane, flow)
    return len(run.demand), bytes(lane.entered) + bytes(lane.answered) + bytes(lane.agent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (5)")
    parser.add_argument("--hours", type=int, default=200, help="simulated hours (200)")
    parser.add_argument("--seed", type=int, default=1, help="seed of every side (1)")
    parser.add_argument("--no-gc", action="store_true", help="the garbage collector off")
    parser.add_argument("--only", choices=SIDES, help="run this side only (for perf stat)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write all raw figures here")
    args = parser.parse_args()

    scenario = simcall.load(SCENARIO).model_copy(update={"intervals": args.hours})
    sides: dict[str, Callable[[], tuple[int, bytes]]] = {
        "reference": lambda: (reference(args.hours, args.seed)["offered"], b""),
        "simulate": lambda: (round(simcall.simulate(scenario, seed=args.seed)
                                   .kpis["offered"]), b""),
        "lane": lambda: lane_run(scenario, args.seed, ExpressFlow),
        "floor": lambda: lane_run(scenario, args.seed, FloorFlow),
    }
    chosen = [args.only] if args.only else list(SIDES)
    if args.no_gc:
        gc.disable()
    seconds: dict[str, list[float]] = {side: [] for side in chosen}
    collections: dict[str, list[int]] = {side: [] for side in chosen}
    calls: dict[str, int] = {}
    for round_ in range(1, args.rounds + 1):
        notes: dict[str, bytes] = {}
        for side in chosen:
            before = sum(generation["collections"] for generation in gc.get_stats())
            start = time.process_time()
            calls[side], notes[side] = sides[side]()
            seconds[side].append(time.process_time() - start)
            collections[side].append(
                sum(generation["collections"] for generation in gc.get_stats()) - before)
            print(f"round {round_} {side:9} {seconds[side][-1]:6.3f} s CPU "
                  f"{collections[side][-1]:4} collections", file=sys.stderr)
        if "lane" in notes and "floor" in notes and notes["lane"] != notes["floor"]:
            raise SystemExit("the floor's notes differ from the lane's: it is not the same run")
    if args.only or not args.rounds:  # one side, or nothing run: no shares
        return

    per_call = {side: statistics.median(seconds[side]) / calls[side] * 1e6 for side in SIDES}
    shares = {side: statistics.median(
        (r / calls["reference"]) / (s / calls[side])
        for r, s in zip(seconds["reference"], seconds[side], strict=True)) for side in SIDES}
    print(f"\nErlang A, {args.hours} h, seed {args.seed}, {args.rounds} rounds, Python "
          f"{sys.version.split()[0]}, garbage collector {'off' if args.no_gc else 'on'}; "
          "the lane's and the floor's notes identical in every round")
    print(f"{'side':9} {'us/call':>8} {'share of the reference':>23} {'collections':>12}")
    for side in SIDES:
        print(f"{side:9} {per_call[side]:8.3f} {shares[side]:23.3f} "
              f"{statistics.median(collections[side]):12.0f}")
    if args.json:
        raw = {"hours": args.hours, "seed": args.seed, "rounds": args.rounds,
               "gc": not args.no_gc, "python": sys.version, "seconds": seconds,
               "calls": calls, "collections": collections, "us_per_call": per_call,
               "share_median_of_rounds": shares}
        args.json.write_text(json.dumps(raw, indent=2) + "\n")


if __name__ == "__main__":
    main()
