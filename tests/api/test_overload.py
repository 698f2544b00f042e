"""A bounded overload run against a real server: requests beyond the bound are shed, nothing else fails.

uvicorn serves the app (in-memory pipeline, SQLite) in its own process with at most 4 requests in flight.
An open loop sends 800 requests a second for 4 s, far above what one worker decides on this machine; every
request must be answered (no timeout, no broken connection), with a 201 or a shed 503 that carries
``Retry-After`` and no other status, and the server's resident memory must stay flat across the run. No
latency is asserted: the benchmark ``benchmarks/bench_overload.py`` measures that.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from riskloop.api.protocol import HTTP_PROTOCOL
from riskloop.domain.access import CHANNEL
from riskloop.domain.clock import SystemClock
from riskloop.service.api_keys import ApiKeyAdmin
from riskloop.storage.api_keys import SQLApiKeys
from riskloop.storage.engine import make_engine
from riskloop.storage.migrate import upgrade
from riskloop.testing.decider import application_body
from riskloop.testing.load import LoadResult, Target, open_loop

MAX_IN_FLIGHT = 4
RSS_GROWTH_BOUND_KB = 96 * 1024  # generous: a queue of 3,200 bodies or leaked tasks would pass it quickly


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, str]]:
    url = f"sqlite:///{tmp_path / 'riskloop.db'}"
    upgrade(url)
    engine = make_engine(url)
    secret = ApiKeyAdmin(SQLApiKeys(engine), SystemClock()).create("load", [CHANNEL], actor="test").secret
    engine.dispose()
    port = free_port()
    env = {**os.environ, "RISKLOOP_HOME": str(tmp_path), "RISKLOOP_DATABASE_URL": url,
           "RISKLOOP_MAX_IN_FLIGHT": str(MAX_IN_FLIGHT)}  # fmt: skip
    cmd = [sys.executable, "-m", "uvicorn", "riskloop.testing.serve_fake:app", "--factory", "--port", str(port),
           "--http", HTTP_PROTOCOL, "--log-level", "warning", "--no-access-log"]  # fmt: skip
    with (tmp_path / "server.log").open("wb") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()[-2000:]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        yield proc, port, secret
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def load(port: int, secret: str, rate: float, seconds: float) -> LoadResult:
    body = json.dumps(application_body(application_id="__ID__"))
    target = Target("127.0.0.1", port, "/v1/applications", [body], {"Authorization": f"Bearer {secret}"})
    return asyncio.run(open_loop(target, rate=rate, seconds=seconds, max_connections=128, timeout=30))


def test_overload_is_shed_with_retry_after_and_memory_stays_flat(
    server: tuple[subprocess.Popen[bytes], int, str],
) -> None:
    proc, port, secret = server
    warm = load(port, secret, rate=50, seconds=2)
    assert warm.statuses[201] > 0, warm.summary()
    before = rss_kb(proc.pid)
    result = load(port, secret, rate=800, seconds=4)
    after = rss_kb(proc.pid)
    print(f"overload: {result.summary()}, RSS {before} → {after} kB")  # the closing figure (pytest -s)
    assert result.timeouts == 0
    assert result.errors == 0
    assert result.sent > 1000  # requests the client could not send (all 128 connections busy) are not the server's
    assert set(result.statuses) <= {201, 503}, result.summary()
    assert result.shed > 0
    assert result.statuses[503] == result.shed  # every 503 is a shed request, none a failure
    assert result.retry_after_missing == 0
    assert result.statuses[201] > 0  # admitted requests are still decided
    assert after - before < RSS_GROWTH_BOUND_KB
