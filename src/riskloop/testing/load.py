"""An open-loop HTTP/1.1 load generator on loopback: requests leave on schedule whether or not answers came.

A closed loop (wrk, N connections each waiting for its answer) slows down with the server and never shows
what a queue does to latency. Here request ``i`` is due at ``start + i / rate``; it goes out on an idle
keep-alive connection, or a new one (up to ``max_connections``; beyond that it is counted ``unsent``).
Latency runs from the due time, so time spent waiting for a connection counts. Bodies are templates with an
``__ID__`` slot made unique per request. Bounded in count and time; it stops by itself.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field

IDLE_SECONDS = 3.0  # an idle connection older than this is not reused


@dataclass
class LoadResult:
    """What came back: statuses, 503s by problem type, latencies of the admitted (non-503) answers."""

    sent: int = 0
    unsent: int = 0
    timeouts: int = 0
    errors: int = 0
    error_kinds: Counter[str] = field(default_factory=Counter)  # connection refused, reset ... by exception
    statuses: Counter[int] = field(default_factory=Counter)
    unavailable: Counter[str] = field(default_factory=Counter)  # 503s by problem type
    retry_after_missing: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds, admitted answers only
    created: list[int] = field(default_factory=list)  # request numbers answered 201 (their ids are LOAD-<n>)

    @property
    def shed(self) -> int:
        """503s of the overload problem type."""
        return self.unavailable["urn:riskloop:problem:overloaded"]

    def percentile(self, q: float) -> float:
        """The ``q`` quantile of the admitted answers' latency, in seconds (nan when there were none)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def summary(self) -> dict[str, object]:
        """The figures as a JSON-ready dict."""
        answered = sum(self.statuses.values())
        return {
            "sent": self.sent,
            "unsent": self.unsent,
            "answered": answered,
            "timeouts": self.timeouts,
            "errors": self.errors,
            "error_kinds": dict(self.error_kinds),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "shed": self.shed,
            "shed_share": round(self.shed / answered, 4) if answered else 0.0,
            "p50_ms": round(self.percentile(0.5) * 1000, 2),
            "p99_ms": round(self.percentile(0.99) * 1000, 2),
        }


@dataclass(frozen=True)
class Target:
    """Where and what to send: ``POST path`` with ``headers`` and the body templates in turn."""

    host: str
    port: int
    path: str
    bodies: list[str]
    headers: dict[str, str]


class _Pool:
    def __init__(self, target: Target, limit: int) -> None:
        self.target, self.limit = target, limit
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []
        self.open = 0

    async def take(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        while self.idle:
            reader, writer, since = self.idle.pop()
            if time.perf_counter() - since < IDLE_SECONDS:
                return reader, writer
            self.drop((reader, writer))  # the server may have closed it (uvicorn's keep-alive timeout is 5 s)
        if self.open >= self.limit:
            return None
        self.open += 1
        try:
            return await asyncio.open_connection(self.target.host, self.target.port)
        except OSError:
            self.open -= 1
            raise

    def give(self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], keep: bool) -> None:
        if keep:
            self.idle.append((*conn, time.perf_counter()))
        else:
            self.drop(conn)

    def drop(self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> None:
        self.open -= 1
        conn[1].close()


def request_bytes(target: Target, i: int) -> bytes:
    """Request ``i``: the next body template with its id and Idempotency-Key made unique."""
    body = target.bodies[i % len(target.bodies)].replace("__ID__", f"LOAD-{i}").encode()
    head = [f"POST {target.path} HTTP/1.1", f"Host: {target.host}:{target.port}", "Content-Type: application/json",
            f"Content-Length: {len(body)}", f"Idempotency-Key: load-{i}"]  # fmt: skip
    head += [f"{k}: {v}" for k, v in target.headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes
) -> tuple[int, dict[str, str], bytes]:
    """Send one request on a connection; its status, headers (lower-case) and body."""
    writer.write(raw)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers, body


async def _one(pool: _Pool, target: Target, i: int, due: float, *, timeout: float, result: LoadResult) -> None:
    conn = None
    try:
        conn = await pool.take()
        if conn is None:
            result.unsent += 1
            return
        result.sent += 1
        status, headers, body = await asyncio.wait_for(exchange(*conn, request_bytes(target, i)), timeout)
    except TimeoutError:
        result.timeouts += 1
        if conn is not None:
            pool.drop(conn)
        return
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        result.errors += 1
        result.error_kinds[type(exc).__name__] += 1
        if conn is not None:
            pool.drop(conn)
        return
    result.statuses[status] += 1
    if status == 201:
        result.created.append(i)
    if status == 503:
        result.unavailable[str(json.loads(body).get("type"))] += 1
        result.retry_after_missing += "retry-after" not in headers
    else:
        result.latencies.append(time.perf_counter() - due)
    pool.give(conn, keep=headers.get("connection", "").lower() != "close")


async def open_loop(
    target: Target, *, rate: float, seconds: float, max_connections: int = 256, timeout: float = 30.0
) -> LoadResult:
    """Send ``rate`` requests a second for ``seconds`` on schedule; wait for the answers (each within ``timeout``)."""
    result = LoadResult()
    pool = _Pool(target, max_connections)
    start = time.perf_counter()
    tasks = []
    for i in range(int(rate * seconds)):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_one(pool, target, i, due, timeout=timeout, result=result)))
    await asyncio.gather(*tasks)
    for _, writer, _ in pool.idle:
        writer.close()
    return result
