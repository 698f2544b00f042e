"""Load benchmark of the decision API: wrk against ``riskloop serve`` and a bare FastAPI endpoint, same run.

Run: ``.venv/bin/python -m benchmarks.bench_decide --home HOME [--duration 10] [--repeats 3] [--workers 2]``
or, to build the workspace first (generate, ingest, train, publish features, build the graph):
``.venv/bin/python -m benchmarks.bench_decide --build --enterprises 100000 --home HOME``.
Needs ``wrk`` on the PATH: ``make bench`` installs it (``scripts/ensure-wrk``, Debian's package).

Each request posts a recorded application of the workspace under a fresh application id and
Idempotency-Key, each enterprise once (every run goes on through the bodies where the last stopped), on a
copy of the workspace's database taken at the start, so every invocation starts from the same graph and
decision log. Every request is a full decision: profile and published-feature lookups, the graph
checks on the workspace's enterprise graph, every sub-model and the fusion, the reference strategy on
zen-engine with its trace, reasons, and the commit of decision, idempotency key, audit row and review
entry or outbox row (SQLite, WAL). Every request carries a ``channel`` API key created on the database it
runs on (``Authorization: Bearer``). The bare endpoint checks that key the same way (the same bearer parsing,
dependency and primary-key read of ``Authenticator.authorize`` on a SQLite database of its own), validates the
same payload with the same pydantic model and returns a constant. Both run on uvicorn with the same number
of workers, one after the other, at 1 and 32 connections (wrk on the same two cores). Reports medians over
repeats, the ratio to the bare endpoint, and the in-process decision latency on the same workspace; writes
``benchmarks/out/decide.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI, Header

from riskloop.api.auth import Credentials, principal_of
from riskloop.api.protocol import HTTP_PROTOCOL
from riskloop.api.schemas import ApplicationIn
from riskloop.domain.access import CHANNEL, Principal
from riskloop.service.api_keys import ApiKeyAdmin, Authenticator
from riskloop.storage.api_keys import SQLApiKeys

HERE = Path(__file__).parent
OUT = HERE / "out" / "decide.json"
LUA = HERE / "bench_decide.lua"
BIN = Path(sys.executable).parent
ENV_KEYS = "RISKLOOP_BENCH_KEYS_URL"  # the database of the bare endpoint's API keys

bare_app = FastAPI()


@cache
def _bare_keys() -> Authenticator:
    from riskloop.storage.engine import make_engine

    return Authenticator(SQLApiKeys(make_engine(os.environ[ENV_KEYS])))


def bare_channel(credentials: Credentials) -> Principal:
    """The key check of the real endpoint: bearer secret, one primary-key read, the channel role."""
    return principal_of(_bare_keys(), credentials, (CHANNEL,), "POST /v1/applications")


@bare_app.post("/v1/applications", status_code=201)
def bare_post(
    body: ApplicationIn,
    principal: Annotated[Principal, Depends(bare_channel)],
    idempotency_key: Annotated[str, Header(alias="Idempotency-Key")],
) -> dict[str, str]:
    """Check the key and validate the payload exactly as the real endpoint does, decide nothing."""
    return {"application_id": body.application_id, "key": idempotency_key, "actor": principal.name}


def _run(args: list[str]) -> None:
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def build(home: Path, enterprises: int) -> None:
    """Generate, ingest and train (riskloop demo), publish features, build the graph."""
    cli = str(BIN / "riskloop")
    _run([cli, "--home", str(home), "demo", "--enterprises", str(enterprises)])
    _run([cli, "--home", str(home), "features", "publish", "--as-of", "2026-07-01"])
    _run([cli, "--home", str(home), "graph", "build"])


def payloads(home: Path, path: Path, limit: int | None) -> int:
    """Recorded applications as request bodies with an ``__ID__`` slot, one per line."""
    from riskloop.api.schemas import ApplicationIn
    from riskloop.service.applications import recorded_requests

    lines = []
    for r, _ in recorded_requests(home / "warehouse", limit=limit):
        body = ApplicationIn.from_request(r).model_dump(mode="json", exclude_none=True)
        body["application_id"] = "__ID__"
        lines.append(json.dumps(body, ensure_ascii=False, separators=(",", ":")))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/openapi.json", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not start")


def database_copy(home: Path, scratch: Path) -> str:
    """A consistent copy of the workspace's SQLite database (the backup API), as a URL.

    The service writes decisions and logs every arrival in the graph; on a copy, every run of the benchmark
    starts from the same state and the workspace itself is left as it was.
    """
    import sqlite3

    target = scratch / "riskloop.db"
    target.unlink(missing_ok=True)
    source = sqlite3.connect(home / "riskloop.db")
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return f"sqlite:///{target}"


def bare_database(scratch: Path) -> str:
    """A fresh SQLite database for the bare endpoint's API keys, as a URL."""
    target = scratch / "bare-keys.db"
    for stale in scratch.glob("bare-keys.db*"):
        stale.unlink()
    return f"sqlite:///{target}"


def channel_key(database_url: str) -> str:
    """A new ``channel`` key on ``database_url`` (migrated first): its secret."""
    from riskloop.domain.clock import SystemClock
    from riskloop.storage.engine import make_engine
    from riskloop.storage.migrate import upgrade

    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        return ApiKeyAdmin(SQLApiKeys(engine), SystemClock()).create("bench", [CHANNEL], actor="bench_decide").secret
    finally:
        engine.dispose()


def start(target: str, home: Path, workers: int, log: Path, database_url: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``riskloop serve`` (target ``decide``) or the bare app (target ``bare``) on a free port.

    ``database_url``: the database the service runs on, or the bare endpoint's API keys.
    """
    port = _port()
    env = {**os.environ, ENV_KEYS: database_url}
    if target == "decide":
        cmd = [str(BIN / "riskloop"), "--home", str(home), "--database-url", database_url,
               "serve", "--port", str(port), "--workers", str(workers)]  # fmt: skip
    else:
        cmd = [str(BIN / "python"), "-m", "uvicorn", "benchmarks.bench_decide:bare_app", "--port", str(port),
               "--workers", str(workers), "--log-level", "warning", "--no-access-log",
               "--http", HTTP_PROTOCOL]  # fmt: skip
    with log.open("ab") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=sink, cwd=HERE.parent, env=env)
    url = f"http://127.0.0.1:{port}"
    _wait(url, proc)
    return proc, url


def wrk(  # noqa: PLR0917 - one run's settings
    url: str, connections: int, seconds: int, bodies: Path, tag: str, secret: str, *, offset: int = 0
) -> dict[str, Any]:
    """One wrk run from body ``offset`` on, authenticated with ``secret``; its Lua ``done`` prints the figures."""
    threads = min(2, connections)
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency", "-s", str(LUA), url,
           "--", str(bodies), tag, str(offset), str(threads), secret]  # fmt: skip
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    found = re.search(r"^WRK_JSON (.*)$", out, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk printed no figures:\n{out}")
    figures: dict[str, Any] = json.loads(found.group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    figures["non_2xx"] = int(non2xx.group(1)) if non2xx else 0
    figures["per_second"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def in_process(home: Path, n: int) -> dict[str, float]:
    """Decision latency inside one process on the same workspace (no HTTP, no commit)."""
    import numpy as np

    from riskloop.config import load_settings
    from riskloop.service.applications import recorded_requests
    from riskloop.workspace import Workspace

    settings = load_settings(home)
    ws = Workspace.open(settings, migrate=False)
    decider = ws.decider(graph=ws.graph_checks("workspace"))
    requests = [r for r, _ in recorded_requests(settings.warehouse, limit=n)]
    for r in requests[:200]:
        decider.decide(r)
    times = []
    for r in requests:
        start_ns = time.perf_counter_ns()
        decider.decide(r)
        times.append((time.perf_counter_ns() - start_ns) / 1000.0)
    ws.close()
    return {
        "p50_us": float(np.percentile(times, 50)),
        "p99_us": float(np.percentile(times, 99)),
        "decisions": len(times),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--build", action="store_true", help="build the workspace first")
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--bodies", type=int, default=None, help="recorded applications to post (default: all)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    home = args.home.resolve()
    if args.build:
        build(home, args.enterprises)
    scratch = home / "bench"
    scratch.mkdir(exist_ok=True)
    bodies = scratch / "bodies.jsonl"
    n_bodies = payloads(home, bodies, args.bodies)
    nonce = str(int(time.time()))
    runs: dict[str, dict[int, list[dict[str, Any]]]] = {"decide": {}, "bare": {}}
    posted: dict[str, int] = {}
    for target in ("bare", "decide"):
        database = database_copy(home, scratch) if target == "decide" else bare_database(scratch)
        secret = channel_key(database)  # on the copy: the workspace's own keys are left alone
        proc, url = start(target, home, args.workers, scratch / f"{target}.log", database)
        sent = 0  # each run goes on where the last stopped: an enterprise applies once, not once per run
        try:
            sent += wrk(url, 8, 3, bodies, f"w{nonce}{target[0]}", secret)["requests"]  # warm-up
            for c in args.connections:
                for rep in range(args.repeats):
                    tag = f"b{nonce}{target[0]}c{c}r{rep}"
                    figures = wrk(url, c, args.duration, bodies, tag, secret, offset=sent % n_bodies)
                    sent += figures["requests"]
                    runs[target].setdefault(c, []).append(figures)
            posted[target] = sent
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    result: dict[str, Any] = {"targets": {}}
    for target, by_c in runs.items():
        result["targets"][target] = {
            str(c): {
                "per_second": statistics.median(r["per_second"] for r in rs),
                "p50_ms": statistics.median(r["p50_us"] for r in rs) / 1000,
                "p99_ms": statistics.median(r["p99_us"] for r in rs) / 1000,
                "errors": sum(r["non_2xx"] + r["connect_errors"] + r["read_errors"] + r["timeouts"] for r in rs),
                "runs": rs,
            }
            for c, rs in by_c.items()
        }
    result["ratio_decide_to_bare"] = {
        str(c): result["targets"]["decide"][str(c)]["per_second"] / result["targets"]["bare"][str(c)]["per_second"]
        for c in args.connections
    }
    result["in_process"] = in_process(home, min(3000, n_bodies))
    result["posted"] = {**posted, "bodies": n_bodies}
    result.update(
        enterprises=_enterprises(home),
        bodies=n_bodies,
        workers=args.workers,
        duration_s=args.duration,
        repeats=args.repeats,
        database="sqlite (WAL)",
        load_generator="wrk 4 on the same machine",
        machine=platform.platform(),
        cpus=os.cpu_count(),
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, sort_keys=True))
    print(json.dumps({k: v for k, v in result.items() if k != "targets"}, indent=2, sort_keys=True))
    for target, by_c in result["targets"].items():
        for c, figures in by_c.items():
            print(f"{target:7s} c={c:>3s}: {figures['per_second']:8.0f}/s  p50 {figures['p50_ms']:.2f} ms  "
                  f"p99 {figures['p99_ms']:.2f} ms  errors {figures['errors']}")  # fmt: skip


def _enterprises(home: Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.read_metadata(p).num_rows for p in (home / "warehouse" / "enterprises").glob("*.parquet"))


if __name__ == "__main__":
    main()
