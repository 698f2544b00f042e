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
import threading
import time
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI, Header

from benchmarks.stage_profile import cpu_by_part, in_process, print_cpu, print_profile, read_stage_logs
from riskloop.api.auth import Credentials, principal_of
from riskloop.api.protocol import HTTP_PROTOCOL
from riskloop.api.schemas import ApplicationIn
from riskloop.api.stage_log import ENV_PROFILE_CPU, ENV_PROFILE_STAGES
from riskloop.domain.access import CHANNEL, Principal
from riskloop.service.api_keys import ApiKeyAdmin, Authenticator
from riskloop.storage.api_keys import SQLApiKeys

HERE = Path(__file__).parent
OUT = HERE / "out" / "decide.json"
LUA = HERE / "bench_decide.lua"
BIN = Path(sys.executable).parent
MAX_IN_FLIGHT = 64  # per worker: capacity is measured here, not shedding (benchmarks.bench_overload)
ENV_KEYS = "RISKLOOP_BENCH_KEYS_URL"  # the database of the bare endpoint's API keys

bare_app = FastAPI()


@cache
def _bare_keys() -> Authenticator:
    from riskloop.storage.engine import make_engine

    return Authenticator(SQLApiKeys(make_engine(os.environ[ENV_KEYS])))


async def bare_channel(credentials: Credentials) -> Principal:
    """The key check of the real endpoint: bearer secret, one primary-key read, the channel role."""
    return principal_of(_bare_keys(), credentials, (CHANNEL,), "POST /v1/applications")


@bare_app.post("/v1/applications", status_code=201)
async def bare_post(
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
    """Recorded applications as request bodies with an ``__ID__`` slot, one per line (identifiers opened, audited).

    Opening the identifiers writes its audit rows into the workspace's database, which changes the stamp its
    PostgreSQL template is kept by (``pg_workspace.database_stamp``): the bodies are kept with the stamp the
    database had once they were written, and reused while it still has it, so a second run neither opens them
    again nor reloads the template.
    """
    from benchmarks.pg_workspace import database_stamp
    from riskloop.api.schemas import ApplicationIn
    from riskloop.testing.recorded import workspace_requests

    stamp_file = path.with_suffix(".stamp")
    kept = f"{limit} {database_stamp(home / 'riskloop.db')}"
    if path.exists() and stamp_file.exists() and stamp_file.read_text(encoding="utf-8") == kept:
        return len(path.read_text(encoding="utf-8").splitlines())
    lines = []
    for r, _ in workspace_requests(home, limit):
        body = ApplicationIn.from_request(r).model_dump(mode="json", exclude_none=True)
        body["application_id"] = "__ID__"
        lines.append(json.dumps(body, ensure_ascii=False, separators=(",", ":")))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    stamp_file.write_text(f"{limit} {database_stamp(home / 'riskloop.db')}", encoding="utf-8")  # after the audit
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


def database_copy(home: Path, scratch: Path, name: str = "riskloop.db") -> str:
    """A consistent copy of the workspace's SQLite database (the backup API) as ``scratch/name``, as a URL.

    The service writes decisions and logs every arrival in the graph; on a copy, every run of the benchmark
    starts from the same state and the workspace itself is left as it was.
    """
    import sqlite3

    target = scratch / name
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
        cmd = [str(BIN / "riskloop"), "--home", str(home), "--database-url", database_url, "serve",
               "--port", str(port), "--workers", str(workers), "--max-in-flight", str(MAX_IN_FLIGHT)]  # fmt: skip
    else:
        cmd = [str(BIN / "python"), "-m", "uvicorn", "benchmarks.bench_decide:bare_app", "--port", str(port),
               "--workers", str(workers), "--log-level", "warning", "--no-access-log",
               "--http", HTTP_PROTOCOL]  # fmt: skip
    with log.open("ab") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=sink, cwd=HERE.parent, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url, proc)
    except BaseException:  # a server that did not start in time is stopped, not left serving with its workers
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise
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
    seconds = figures["duration_us"] / 1e6
    figures["per_second"] = (figures["requests"] - figures["non_2xx"]) / seconds  # decisions made (or replayed)
    figures["answered_per_second"] = figures["requests"] / seconds  # with the refusals (503s shed, if any)
    return figures


def workers_of(pid: int) -> list[int]:
    """The worker processes of the server ``pid`` (itself when it has none).

    Only the spawned workers: multiprocessing's resource tracker is a child too, with nothing of a request to
    sample.
    """
    children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return [c for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()] or [pid]


def database_for(kind: str, home: Path, scratch: Path) -> str:
    """A fresh copy of the workspace's database on ``kind`` (sqlite, postgres), as a URL."""
    if kind == "sqlite":
        return database_copy(home, scratch)
    from benchmarks.pg_workspace import postgres_copy

    return postgres_copy(f"sqlite:///{home / 'riskloop.db'}")  # cloned from a template loaded once per workspace


class Bodies:
    """The request bodies and where the next run starts in them (an enterprise applies once, not once per run)."""

    def __init__(self, path: Path, count: int) -> None:
        self.path, self.count, self.sent = path, count, 0

    def run(self, url: str, connections: int, seconds: int, tag: str, secret: str) -> dict[str, Any]:
        figures = wrk(url, connections, seconds, self.path, tag, secret, offset=self.sent % self.count)
        self.sent += figures["requests"]
        return figures


def measure(target: str, database: str, args: argparse.Namespace, bodies: Bodies, scratch: Path) -> dict[str, Any]:
    """Throughput runs at each connection count, then (decide) a profiled run at the largest one."""
    home = args.home.resolve()
    nonce = f"{int(time.time())}{target[0]}{database[:2]}"
    url_db = database_for(database, home, scratch) if target == "decide" else bare_database(scratch)
    secret = channel_key(url_db)  # on the copy: the workspace's own keys are left alone
    runs: dict[int, list[dict[str, Any]]] = {}
    proc, url = start(target, home, args.workers, scratch / f"{target}-{database}.log", url_db)
    try:
        bodies.run(url, 8, 3, f"w{nonce}", secret)  # warm-up
        for c in args.connections:
            for rep in range(args.repeats):
                runs.setdefault(c, []).append(bodies.run(url, c, args.duration, f"b{nonce}c{c}r{rep}", secret))
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    out: dict[str, Any] = {str(c): _median_run(rs) for c, rs in runs.items()}
    if target == "decide" and args.profile_seconds > 0:
        out["profile"] = profiled(home, url_db, args, bodies, scratch, secret, nonce)
    return out


def profiled(  # noqa: PLR0917 - one run's settings
    home: Path, url_db: str, args: argparse.Namespace, bodies: Bodies, scratch: Path, secret: str, nonce: str
) -> dict[str, Any]:
    """One run at the largest connection count with every request's stages logged (and py-spy on request)."""
    folder = scratch / f"stages-{nonce}"
    shutil.rmtree(folder, ignore_errors=True)
    os.environ[ENV_PROFILE_STAGES] = str(folder)
    os.environ[ENV_PROFILE_CPU] = "1" if args.stage_cpu else ""
    try:
        proc, url = start("decide", home, args.workers, scratch / "decide-profile.log", url_db)
    finally:
        del os.environ[ENV_PROFILE_STAGES], os.environ[ENV_PROFILE_CPU]
    spied: list[str] = []
    try:
        bodies.run(url, 8, 2, f"pw{nonce}", secret)
        c = max(args.connections)
        if args.py_spy:
            from benchmarks.stage_profile import py_spy

            spy = threading.Thread(target=lambda: spied.extend(py_spy(workers_of(proc.pid), args.profile_seconds,
                                                                       OUT.with_name("decide-py-spy"))))  # fmt: skip
            spy.start()
        for stale in folder.glob("*.jsonl"):
            stale.write_text("")  # the warm-up is not profiled (a worker flushes what it buffered on exit)
        figures = bodies.run(url, c, args.profile_seconds, f"p{nonce}c{c}", secret)
        if args.py_spy:
            spy.join()
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    decisions = figures["per_second"] * args.profile_seconds
    cpu = {"busy_seconds": cpu_by_part(spied), "decisions": decisions} if spied else {}
    return {"connections": max(args.connections), "per_second": figures["per_second"],
            "server": read_stage_logs(folder), "py_spy": spied, "cpu": cpu}  # fmt: skip


def _median_run(rs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "per_second": statistics.median(r["per_second"] for r in rs),
        "p50_ms": statistics.median(r["p50_us"] for r in rs) / 1000,
        "p99_ms": statistics.median(r["p99_us"] for r in rs) / 1000,
        "errors": sum(r["non_2xx"] + r["connect_errors"] + r["read_errors"] + r["timeouts"] for r in rs),
        "runs": rs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--build", action="store_true", help="build the workspace first")
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    parser.add_argument("--profile-seconds", type=int, default=10, help="the stage-profiled run (0: none)")
    parser.add_argument("--py-spy", action="store_true", help="sample the workers with py-spy in the profiled run")
    parser.add_argument("--stage-cpu", action="store_true", help="thread-CPU time per stage too (slows the run)")
    parser.add_argument("--bodies", type=int, default=None, help="recorded applications to post (default: all)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    home = args.home.resolve()
    if args.build:
        build(home, args.enterprises)
    scratch = home / "bench"
    scratch.mkdir(exist_ok=True)
    body_file = scratch / "bodies.jsonl"
    bodies = Bodies(body_file, payloads(home, body_file, args.bodies))
    result: dict[str, Any] = {"bare": measure("bare", "sqlite", args, bodies, scratch), "decide": {}}
    for database in args.databases:
        result["decide"][database] = measure("decide", database, args, bodies, scratch)
    result["ratio_decide_to_bare"] = {
        db: {str(c): by_c[str(c)]["per_second"] / result["bare"][str(c)]["per_second"] for c in args.connections}
        for db, by_c in result["decide"].items()
    }
    result["in_process"] = in_process(home, min(3000, bodies.count), body_file)
    result.update(
        enterprises=_enterprises(home),
        bodies=bodies.count,
        posted=bodies.sent,
        workers=args.workers,
        duration_s=args.duration,
        repeats=args.repeats,
        load_generator="wrk 4 on the same machine",
        machine=platform.platform(),
        cpus=os.cpu_count(),
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, sort_keys=True))
    report(result)


def report(result: dict[str, Any]) -> None:
    """The figures as lines: each target and connection count, the ratios, the stage profiles."""
    rows = [("bare", "-", result["bare"])] + [("decide", db, r) for db, r in result["decide"].items()]
    for target, db, by_c in rows:
        for c, f in by_c.items():
            if c.isdigit():
                print(f"{target:6s} {db:8s} c={c:>3s}: {f['per_second']:8.0f}/s  p50 {f['p50_ms']:6.2f} ms  "
                      f"p99 {f['p99_ms']:7.2f} ms  errors {f['errors']}")  # fmt: skip
    print("ratio to bare:", json.dumps(result["ratio_decide_to_bare"]))
    ip = result["in_process"]
    print(f"in process: p50 {ip['p50_us']} µs, p99 {ip['p99_us']} µs over {ip['decisions']} decisions")
    print_profile("in-process stages", ip["profile"])
    for db, by_c in result["decide"].items():
        if "profile" in by_c:
            prof = by_c["profile"]
            print_profile(f"server stages ({db}, {prof['connections']} connections, {prof['per_second']:.0f}/s)",
                          prof["server"])  # fmt: skip
            for f in prof["py_spy"]:
                print(f"  py-spy: {f}")
            if prof.get("cpu"):
                print_cpu(prof["cpu"]["busy_seconds"], prof["cpu"]["decisions"])


def _enterprises(home: Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.read_metadata(p).num_rows for p in (home / "warehouse" / "enterprises").glob("*.parquet"))


if __name__ == "__main__":
    main()
