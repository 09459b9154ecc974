"""The clock merges pre-drawn arrivals with SimPy's heap in exactly SimPy's order."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from simpy import Environment
from simpy.events import Event, Timeout

from simcall.model.clock import Clock

Log = list[tuple[float, str, int]]


def _spawn(env: Environment, log: Log, number: int, delays: list[int]) -> None:
    """What an arrival schedules: a timer per delay, each logging when it fires."""
    for k, delay in enumerate(delays):
        def fired(event: Event, k: int = k) -> None:
            log.append((env.now, f"timer {k}", number))
        Timeout(env, delay).callbacks.append(fired)


class _Feed:
    """Arrivals for the clock: logs each one and schedules its timers."""

    def __init__(self, clock: Clock, times: list[int], timers: list[list[int]], log: Log) -> None:
        self.clock, self.times, self.timers, self.log, self.next = clock, times, timers, log, 0

    def next_arrival(self) -> float | None:
        number = self.next
        self.next += 1
        self.log.append((self.clock.now, "arrival", number))
        _spawn(self.clock, self.log, number, self.timers[number])
        following = number + 1
        return self.times[following] - self.times[number] if following < len(self.times) else None


def _with_timeouts(times: list[int], timers: list[list[int]], until: list[float]) -> Log:
    """The reference: one SimPy ``Timeout`` per arrival, made before the arrival's own."""
    env, log = Environment(), []  # type: Environment, Log

    def arrive(event: Event) -> None:
        number: int = event._value
        if number + 1 < len(times):
            Timeout(env, times[number + 1] - times[number], number + 1).callbacks.append(arrive)
        log.append((env.now, "arrival", number))
        _spawn(env, log, number, timers[number])

    Timeout(env, times[0], 0).callbacks.append(arrive)
    for at in until:
        env.run(until=at)
    env.run()
    return log


def _with_clock(times: list[int], timers: list[list[int]], until: list[float]) -> Log:
    clock, log = Clock(), []  # type: Clock, Log
    clock.expect_arrival(_Feed(clock, times, timers, log), times[0])
    for at in until:
        clock.run(until=at)
    clock.run()
    return log


@pytest.mark.parametrize("seed", range(20))
def test_same_order_as_one_timeout_per_arrival(seed: int) -> None:
    """Whole-second times, so that arrivals and timers often fall at the same moment."""
    rng = np.random.default_rng(seed)
    times = np.cumsum(rng.integers(0, 3, 60)).tolist()
    timers = [rng.integers(0, 4, rng.integers(0, 3)).tolist() for _ in times]
    stops = sorted(set(rng.integers(1, times[-1] + 2, 4).tolist())) if seed % 2 else []
    reference = _with_timeouts(times, timers, stops)
    assert _with_clock(times, timers, stops) == reference
    assert sum(1 for _, what, _ in reference if what == "arrival") == len(times)


def test_run_until_stops_before_that_time() -> None:
    clock, log = Clock(), []  # type: Clock, Log
    feed = _Feed(clock, [0, 5, 10], [[], [], []], log)
    clock.expect_arrival(feed, 0)
    clock.run(until=10)
    assert clock.now == 10
    assert [n for _, _, n in log] == [0, 1]  # the arrival at 10 comes after the stop
    with pytest.raises(ValueError, match="greater than"):
        clock.run(until=10)
    clock.run()
    assert [n for _, _, n in log] == [0, 1, 2]


def test_after_is_a_timeout_with_its_callback() -> None:
    clock = Clock()
    seen: list[tuple[float, object]] = []
    event = clock.after(2.5, "x", lambda e: seen.append((clock.now, e.value)))
    assert isinstance(event, Timeout)
    clock.run()
    assert seen == [(2.5, "x")]
    with pytest.raises(ValueError, match="negative"):
        clock.after(-1.0, None, lambda e: None)


def _nothing(event: Event) -> None:
    pass


def test_a_pickled_clock_continues_the_same() -> None:
    clock = Clock()
    clock.after(3.0, None, _nothing)
    clock.run(until=1.0)
    copy = pickle.loads(pickle.dumps(clock))
    assert copy.now == 1.0
    assert copy.timeout(1.0) is not None  # SimPy's shortcuts are bound again
    copy.run()
    assert copy.now == 3.0
