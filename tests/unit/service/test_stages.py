"""Stage laps: nothing recorded unless a request is timed; laps add up to the request's time; each request (thread,
task) keeps its own; a stage that crossed threads has no CPU time."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time

from riskloop.service.stages import UNKNOWN, Laps, current, lap, timing


def test_a_lap_outside_a_timed_request_records_nothing() -> None:
    lap("graph")
    assert current() is None


def test_laps_add_up_to_the_time_of_the_request_in_order() -> None:
    with timing() as laps:
        time.sleep(0.01)
        lap("first")
        lap("second")
        time.sleep(0.005)
        lap("first")  # a stage lapped twice is summed
    totals = laps.totals()
    assert list(totals) == ["first", "second"]
    assert totals["first"] >= 15_000_000
    assert sum(totals.values()) == laps.last - laps.started
    assert current() is None  # the request's laps end with it


def test_concurrent_requests_keep_their_own_laps() -> None:
    async def request(name: str, delay: float) -> Laps:
        with timing() as laps:
            await asyncio.sleep(delay)
            lap(name)
        return laps

    async def both() -> tuple[Laps, Laps]:
        return await asyncio.gather(request("a", 0.02), request("b", 0.01))

    a, b = asyncio.run(both())
    assert list(a.totals()) == ["a"]
    assert list(b.totals()) == ["b"]


def test_cpu_time_is_only_kept_when_asked_for() -> None:
    with timing() as laps:
        lap("stage")
    assert laps.cpu_totals() == {}
    assert laps.totals()["stage"] >= 0


def test_cpu_time_counts_computing_not_sleeping_and_not_across_threads() -> None:
    with timing(Laps(cpu=True)) as laps:
        time.sleep(0.02)
        lap("sleep")
        end = time.thread_time() + 0.02  # 20 ms of this thread's own CPU, however busy the machine
        while time.thread_time() < end:
            pass
        lap("compute")
        worker = threading.Thread(target=contextvars.copy_context().run, args=(lap, "elsewhere"))  # a thread pool
        worker.start()
        worker.join()
    cpu = laps.cpu_totals()
    assert cpu["sleep"] < 10_000_000 <= cpu["compute"]
    assert "elsewhere" not in cpu  # lapped on another thread: its clock is not this one's
    assert [c for name, _, c in laps.spans if name == "elsewhere"] == [UNKNOWN]
