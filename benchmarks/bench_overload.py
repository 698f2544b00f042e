"""Overload: an open loop at ~4x capacity for 60 s against ``riskloop serve`` on a small demo workspace.

    .venv/bin/python -m benchmarks.bench_overload --build --home bench-home/overload

First a closed loop (wrk-like: ``--probe-connections`` requests in flight, each waiting for its answer) finds
the capacity (decisions/s); then an open loop sends ``--factor`` times that for ``--seconds`` (requests leave
on schedule whether or not answers came, latency from the due time). Printed: capacity, shed share (503s of
the overload type), the statuses, p50/p99 of the admitted answers, timeouts, and each worker's RSS at start
and end. Runs on a copy of the workspace's database, so every run starts alike. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import time
from pathlib import Path

from benchmarks.bench_decide import _enterprises, _port, _wait, build, channel_key, database_copy, payloads
from riskloop.testing.load import LoadResult, Target, exchange, open_loop, request_bytes

HERE = Path(__file__).resolve().parent
BIN = Path(os.environ.get("VIRTUAL_ENV", HERE.parent / ".venv")) / "bin"


def rss_kb(pid: int) -> dict[int, int]:
    """VmRSS of ``pid``'s uvicorn workers (its children, or itself with one worker), in kB."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    found = {}
    for p in [int(c) for c in children] or [pid]:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                found[p] = int(line.split()[1])
    return found


def serve(
    home: Path, database_url: str, workers: int, max_in_flight: int, log: Path
) -> tuple[subprocess.Popen[bytes], int]:
    port = _port()
    cmd = [str(BIN / "riskloop"), "--home", str(home), "--database-url", database_url, "serve", "--port", str(port),
           "--workers", str(workers), "--max-in-flight", str(max_in_flight)]  # fmt: skip
    with log.open("ab") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=sink, cwd=HERE.parent)
    _wait(f"http://127.0.0.1:{port}", proc)
    return proc, port


async def closed_loop(target: Target, connections: int, seconds: float) -> tuple[float, list[int]]:
    """Decisions (201s) per second with ``connections`` requests always in flight: the capacity; the 201s' numbers."""
    done = 0
    created: list[int] = []
    deadline = time.perf_counter() + seconds

    async def worker(w: int) -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection(target.host, target.port)
        i = w
        while time.perf_counter() < deadline:
            status, _, _ = await exchange(reader, writer, request_bytes(target, 10_000_000 + i))
            if status == 201:  # a shed answer is no capacity
                done += 1
                created.append(10_000_000 + i)
            i += connections
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(connections)))
    return done / (time.perf_counter() - started), created


def stored(database_url: str) -> list[str]:
    """The application ids of the load's champion decisions in the database (``LOAD-`` ids), one per row."""
    import sqlalchemy as sa

    from riskloop.storage.decision_models import decisions

    engine = sa.create_engine(database_url)
    load = decisions.c.application_id.like("LOAD-%") & (decisions.c.role == "champion")
    try:
        with engine.connect() as conn:
            return [str(r[0]) for r in conn.execute(sa.select(decisions.c.application_id).where(load))]
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--build", action="store_true", help="build the workspace first (riskloop demo ...)")
    parser.add_argument("--enterprises", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--max-in-flight", type=int, default=8)
    parser.add_argument("--factor", type=float, default=4.0, help="open-loop rate as a multiple of capacity")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--probe-connections", type=int, default=4, help="closed-loop connections (< the bound)")
    args = parser.parse_args()
    home: Path = args.home.resolve()
    if args.build or not (home / "riskloop.db").exists():
        build(home, args.enterprises)
    scratch = home / "bench-overload"
    scratch.mkdir(exist_ok=True)
    database_url = database_copy(home, scratch)
    secret = channel_key(database_url)
    n = payloads(home, scratch / "bodies.jsonl", 2000)
    bodies = (scratch / "bodies.jsonl").read_text(encoding="utf-8").splitlines()
    proc, port = serve(home, database_url, args.workers, args.max_in_flight, scratch / "serve.log")
    try:
        target = Target("127.0.0.1", port, "/v1/applications", bodies, {"Authorization": f"Bearer {secret}"})
        capacity, probed = asyncio.run(closed_loop(target, min(args.probe_connections, args.max_in_flight), 10))
        start_rss = rss_kb(proc.pid)
        rate = capacity * args.factor
        result: LoadResult = asyncio.run(open_loop(target, rate=rate, seconds=args.seconds, max_connections=512))
        end_rss = rss_kb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    answered = {f"LOAD-{i}" for i in [*probed, *result.created]}
    rows = stored(database_url)
    figures = {
        "machine": f"{platform.node()} {os.cpu_count()} cores",
        "workspace": f"{_enterprises(home)} enterprises, {n} recorded bodies",
        "workers": args.workers,
        "max_in_flight": args.max_in_flight,
        "capacity_per_s": round(capacity, 1),
        "open_loop_rate_per_s": round(rate, 1),
        "seconds": args.seconds,
        **result.summary(),
        "unavailable_by_type": dict(result.unavailable),
        "retry_after_missing": result.retry_after_missing,
        # every 201 has its decision stored, and no application twice; a request the client gave up on (a
        # timeout) may be stored without its 201 being seen: a retry of its key gets the stored answer
        "answered_201": len(answered),
        "stored_decisions": len(rows),
        "lost": len(answered - set(rows)),  # answered 201, not stored
        "duplicated": len(rows) - len(set(rows)),  # one application stored twice
        "stored_unanswered": len(set(rows) - answered),
        "rss_start_kb": start_rss,
        "rss_end_kb": end_rss,
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
