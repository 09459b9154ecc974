"""A department's queue: calls ordered by priority, then by arrival at this queue."""

from __future__ import annotations

from heapq import heappop, heappush

from simcall.model.parties import Call


class DepartmentQueue:
    """A heap of waiting calls with lazy removal.

    A caller who hangs up is only marked as no longer waiting; the heap
    drops the entry when it reaches the top. That keeps a hang-up O(1) and
    taking the next call O(log n).
    """

    __slots__ = ("_heap", "_sequence", "waiting")

    _heap: list[tuple[int, float, int, Call]]  # (priority, joined, sequence, call)
    _sequence: int  # ties broken by order of joining
    waiting: int  # calls in the queue that have not hung up

    def __init__(self) -> None:
        self._heap = []
        self._sequence = 0
        self.waiting = 0

    def push(self, call: Call, priority: int, now: float) -> None:
        """Join the queue (lower priority number is served first)."""
        self._sequence += 1
        heappush(self._heap, (priority, now, self._sequence, call))
        call.waiting = True
        self.waiting += 1

    def pop(self) -> Call | None:
        """Take the first call still waiting, or ``None``."""
        heap = self._heap
        while heap:
            call = heappop(heap)[3]
            if call.waiting:
                call.waiting = False
                self.waiting -= 1
                return call
        return None

    def hang_up(self, call: Call) -> None:
        """A waiting caller leaves the queue (abandonment or voicemail)."""
        call.waiting = False
        self.waiting -= 1
