"""Where a decision's time goes: named laps of one request, recorded only while profiling is on.

The decision path calls ``lap("graph")`` after each stage. With no ``Laps`` current (the default) a lap is one
context-variable read; under ``timing()`` each lap records the nanoseconds since the previous one, so a request's
stages add up to its time without a gap. The current ``Laps`` is a context variable, so it follows the request into
the thread pool and never mixes two concurrent requests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

UNKNOWN = -1  # the CPU time of a stage that crossed threads
_CURRENT: ContextVar[Laps | None] = ContextVar("riskloop_laps", default=None)


class Laps:
    """The stages of one request in order, as ``(name, wall ns, thread CPU ns)``; a stage lapped twice is summed.

    Wall time against the CPU time of the lapping thread (``cpu``) tells computing from waiting (for the GIL, a
    lock, the database, the writer). The thread's CPU clock is a system call, and under load each one is a point
    where the kernel may switch threads: it slows what it measures, so it is off unless asked for.
    """

    __slots__ = ("cpu", "last", "last_cpu", "spans", "started", "thread")

    def __init__(self, *, cpu: bool = False) -> None:
        self.cpu = cpu
        self.started = self.last = time.perf_counter_ns()
        self.last_cpu = time.thread_time_ns() if cpu else 0
        self.thread = threading.get_ident()
        self.spans: list[tuple[str, int, int]] = []

    def lap(self, stage: str) -> None:
        """Close ``stage`` now: the time since the previous lap (or the start) is its.

        A stage that began on another thread (the request moved to the thread pool) has no CPU time (-1): the
        two threads' clocks cannot be subtracted.
        """
        now, thread = time.perf_counter_ns(), threading.get_ident()
        cpu = time.thread_time_ns() if self.cpu else 0
        used = cpu - self.last_cpu if self.cpu and thread == self.thread else UNKNOWN
        self.spans.append((stage, now - self.last, used))
        self.last, self.last_cpu, self.thread = now, cpu, thread

    def totals(self) -> dict[str, int]:
        """Wall nanoseconds per stage, summed over its laps, in first-lap order."""
        out: dict[str, int] = {}
        for name, ns, _ in self.spans:
            out[name] = out.get(name, 0) + ns
        return out

    def cpu_totals(self) -> dict[str, int]:
        """Thread CPU nanoseconds per stage, as ``totals``; stages lapped across threads are left out.

        Empty when CPU time is off.
        """
        out: dict[str, int] = {}
        unknown = {name for name, _, cpu in self.spans if cpu == UNKNOWN}
        for name, _, cpu in self.spans:
            if name not in unknown:
                out[name] = out.get(name, 0) + cpu
        return out


def lap(stage: str) -> None:
    """Close ``stage`` of the current request when it is being timed; nothing otherwise."""
    laps = _CURRENT.get()
    if laps is not None:
        laps.lap(stage)


def current() -> Laps | None:
    """The laps of the request being timed, if any."""
    return _CURRENT.get()


@contextmanager
def timing(laps: Laps | None = None) -> Iterator[Laps]:
    """Time the stages of the block's request (``laps`` or new ones)."""
    laps = laps or Laps()
    token = _CURRENT.set(laps)
    try:
        yield laps
    finally:
        _CURRENT.reset(token)
