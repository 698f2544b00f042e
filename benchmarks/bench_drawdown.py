"""Benchmark from an accepted offer to a confirmed disbursal: ``POST /v1/drawdowns`` against a fake core on loopback.

Run: ``.venv/bin/python -m benchmarks.bench_drawdown [--home HOME | --enterprises 3000] [--requests 300]
[--concurrency 1 32] [--workers 2] [--core-latency 0]``

On a copy of the workspace's database (``--home``: a ``riskloop demo`` workspace with its graph and published
features; without it one is built), the benchmark releases the ``drawdown-recheck`` policy, makes an offer of
each approved recorded decision and accepts it with a confirmed step-up (SMS code and face through in-memory
vendors, before anything is timed). It starts the fake core (``python -m riskloop.testing.core_server``) and
``riskloop serve`` pointed at it, then times, at each concurrency, one drawdown per accepted offer (half its limit):
the channel's request, the re-check (profile, features, graph, lists, alerts, the policy on zen), the reservation,
the instruction to the core and its answer, the booking of the loan and its schedule in one transaction. The
baseline, measured in the same run at the same concurrency, is the core's own round trip (an instruction sent
straight to the fake core). Every 2xx is checked afterwards: disbursed ones have their loan and were paid exactly
once by the core. Prints p50/p99 per concurrency and writes ``benchmarks/out/drawdown.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from benchmarks.bench_decide import BIN, HERE, _port, _wait, build, database_for
from riskloop.config import Settings, load_settings
from riskloop.connectors.core_banking import HttpCoreBanking
from riskloop.domain.access import ANALYST, APPROVER, CHANNEL, Principal
from riskloop.domain.disbursal import CoreStatus, Instruction
from riskloop.jobs.demo_serving import release_strategy
from riskloop.rules.loaders import PackageStrategyLoader
from riskloop.service.recheck import RECHECK
from riskloop.service.verification_ports import VerificationVendors
from riskloop.testing.verification_fakes import MemoryCarrier, MemoryFaceVendor, MemorySmsSender
from riskloop.workspace import Workspace

OUT = HERE / "out" / "drawdown.json"
SECRET = "bench-core-secret"
IMAGE = b"\xff\xd8\xff\xe0bench"


def accepted_offers(settings: Settings, wanted: int) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Up to ``wanted`` accepted offers (``offer_id``, ``amount_cents``, ``owner``) and a channel key per owner."""
    sms, face = MemorySmsSender(), MemoryFaceVendor()
    with Workspace.open(settings) as ws:
        analyst = Principal("bench-analyst", frozenset({ANALYST}), "bench-a")
        approver = Principal("bench-approver", frozenset({APPROVER}), "bench-b")
        release_strategy(ws.strategies(), ws.strategy_repository(), analyst, approver,
                         shipped=PackageStrategyLoader().load(f"{RECHECK}@1"))  # fmt: skip
        store = ws.decision_store()
        approved = [d for d in store.all(role="champion") if d.final_outcome == "approved" and d.owner
                    and d.decision.limit_cents > 0]  # fmt: skip
        desk = ws.verification_desk(VerificationVendors(sms, face, MemoryCarrier()))
        step_ups, offers = ws.step_ups(desk), ws.offer_desk(ws.step_ups(desk))
        made: list[dict[str, Any]] = []
        for stored in approved:
            if len(made) >= wanted:
                break
            opened = store.revealed([stored], actor="bench_drawdown", purpose="benchmark set-up", at=ws.clock.now())
            request = opened[0].inputs["request"]
            owner = str(stored.owner)
            try:
                offer, _ = offers.make(owner, stored.decision.application_id)
                step_up, _ = step_ups.issue(owner, request["applicant_id"], request["phone"], "drawdown")
                code = sms.last_code(request["phone"])
                _, token = step_ups.confirm(owner, step_up.step_up_id, code, request["applicant_id"], IMAGE)
                offers.accept(owner, offer.offer_id, offer.contract_sha256, token, request["applicant_id"])
            except Exception as exc:  # a phone texted too often, an identity the vendors refuse: skip it
                print(f"skipped {stored.decision.application_id}: {type(exc).__name__}: {exc}", file=sys.stderr)
                continue
            made.append({"offer_id": offer.offer_id, "amount_cents": max(1, offer.limit_cents // 2), "owner": owner})
        admin = ws.api_keys()
        keys = {o: admin.create(o, [CHANNEL], actor="bench_drawdown").secret for o in {m["owner"] for m in made}}
    return made, keys


def start_core(latency: float, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The fake core in its own process on a free loopback port."""
    port = _port()
    cmd = [str(BIN / "python"), "-m", "riskloop.testing.core_server", "--port", str(port), "--secret", SECRET,
           "--latency", str(latency)]  # fmt: skip
    with log.open("ab") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=sink, cwd=HERE.parent)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/v1/payments/none", timeout=1)
            return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("the fake core did not start")


def start_server(home: Path, database_url: str, core_url: str, workers: int, log: Path) -> tuple[Any, str]:
    """``riskloop serve`` on the copy, paying through the fake core."""
    port = _port()
    env = {**os.environ, "RISKLOOP_CORE_URL": core_url, "RISKLOOP_CORE_SECRET": SECRET}
    cmd = [str(BIN / "riskloop"), "--home", str(home), "--database-url", database_url, "serve", "--port", str(port),
           "--workers", str(workers), "--max-in-flight", "64"]  # fmt: skip
    with log.open("ab") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=sink, cwd=HERE.parent, env=env)
    url = f"http://127.0.0.1:{port}"
    _wait(url, proc)
    return proc, url


def timed(calls: list[Any], concurrency: int) -> tuple[list[float], list[Any], float]:
    """Run the zero-argument ``calls`` ``concurrency`` at a time: each one's milliseconds, result, and the wall."""

    def one(call: Any) -> tuple[float, Any]:
        started = time.perf_counter()
        result = call()
        return (time.perf_counter() - started) * 1000, result

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        done = list(pool.map(one, calls))
    return [d[0] for d in done], [d[1] for d in done], time.perf_counter() - started


def drawdowns(url: str, offers: list[dict[str, Any]], keys: dict[str, str], concurrency: int) -> dict[str, Any]:
    """One drawdown per offer, ``concurrency`` at a time; latencies, statuses and the drawdowns made."""
    limits = httpx.Limits(max_connections=concurrency + 4, max_keepalive_connections=concurrency + 4)
    with httpx.Client(base_url=url, timeout=30, limits=limits) as client:

        def call(offer: dict[str, Any]) -> Any:
            headers = {"Authorization": f"Bearer {keys[offer['owner']]}", "Idempotency-Key": uuid.uuid4().hex}
            body = {"offer_id": offer["offer_id"], "amount_cents": offer["amount_cents"]}
            return lambda: client.post("/v1/drawdowns", json=body, headers=headers)

        ms, answers, wall = timed([call(o) for o in offers], concurrency)
    statuses = Counter(a.json().get("status", str(a.status_code)) if a.status_code < 300 else str(a.status_code)
                       for a in answers)  # fmt: skip
    made = [a.json() for a in answers if a.status_code in {200, 201}]
    reasons = Counter(r["code"] for d in made for r in d["reasons"])
    return {"ms": ms, "statuses": dict(statuses), "reasons": dict(reasons.most_common()), "made": made, "wall_s": wall}


def core_round_trips(core_url: str, n: int, concurrency: int) -> list[float]:
    """The baseline: ``n`` instructions sent straight to the fake core, ``concurrency`` at a time."""
    core = HttpCoreBanking(core_url, SECRET.encode(), timeout=30)
    try:
        calls = [
            (
                lambda i=i: core.disburse(
                    Instruction(
                        f"base-{uuid.uuid4().hex[:20]}", f"ln-{i}", "91420100000000001Y", "6222021234567890123", 100
                    )
                )
            )
            for i in range(n)
        ]
        ms, answers, _ = timed(calls, concurrency)
    finally:
        core.client.close()
    assert all(a.status is CoreStatus.CONFIRMED for a in answers), "the fake core refused a baseline instruction"
    return ms


def verify(settings: Settings, core_url: str, made: list[dict[str, Any]]) -> dict[str, Any]:
    """Every disbursed drawdown has its loan and was paid exactly once; nothing else was paid."""
    core = HttpCoreBanking(core_url, SECRET.encode(), timeout=30)
    problems: list[str] = []
    try:
        with Workspace.open(settings, migrate=False) as ws:
            store = ws.lending_store()
            for d in made:
                paid = core.status(d["drawdown_id"]).status is CoreStatus.CONFIRMED
                loan = store.loan(d["loan_id"]) if d.get("loan_id") else None
                if (d["status"] == "disbursed") != paid or (d["status"] == "disbursed") != (loan is not None):
                    problems.append(f"{d['drawdown_id']}: {d['status']}, paid {paid}, loan {loan is not None}")
    finally:
        core.client.close()
    return {"checked": len(made), "problems": problems[:10], "mismatches": len(problems)}


def _summary(ms: list[float]) -> dict[str, float]:
    return {"p50_ms": round(float(np.percentile(ms, 50)), 2), "p99_ms": round(float(np.percentile(ms, 99)), 2),
            "mean_ms": round(statistics.fmean(ms), 2)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=None, help="a riskloop demo workspace (else one is built)")
    parser.add_argument("--enterprises", type=int, default=3000, help="the size of the workspace built")
    parser.add_argument("--requests", type=int, default=300, help="drawdowns per concurrency level")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--core-latency", type=float, default=0.0, help="seconds the fake core adds to each answer")
    parser.add_argument("--databases", nargs="+", default=["sqlite"], choices=["sqlite", "postgres"],
                        help="run on a copy of the workspace on each (postgres: 127.0.0.1:5432)")  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-drawdown-") as tmp:
        scratch = Path(tmp)
        home = args.home
        if home is None:
            home = scratch / "home"
            build(home, args.enterprises)
        results = {kind: run(home, scratch, args, kind) for kind in args.databases}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2, sort_keys=True))
    for kind, result in results.items():
        print(kind)
        report(result)


def run(home: Path, scratch: Path, args: argparse.Namespace, database: str) -> dict[str, Any]:
    """Set up, measure each concurrency against its baseline, verify: on a fresh copy of the database."""
    url = database_for(database, home, scratch)
    settings = load_settings(home, url)
    levels = sorted(set(args.concurrency))
    offers, keys = accepted_offers(settings, args.requests * len(levels) + 20)
    if len(offers) < args.requests * len(levels) + 20:
        raise SystemExit(f"only {len(offers)} accepted offers; use a larger workspace or fewer --requests")
    log = scratch / "serve.log"
    core_proc, core_url = start_core(args.core_latency, log)
    server, api = start_server(home, url, core_url, args.workers, log)
    result: dict[str, Any] = {
        "database": database, "enterprises": _enterprises(home), "workers": args.workers, "requests": args.requests,
        "core_latency_s": args.core_latency, "machine": platform.platform(), "levels": {},
    }  # fmt: skip
    made: list[dict[str, Any]] = []
    try:
        drawdowns(api, offers[:20], keys, 4)  # warm-up: workers loaded, connections open
        for i, level in enumerate(levels):
            batch = offers[20 + i * args.requests : 20 + (i + 1) * args.requests]
            base = core_round_trips(core_url, args.requests, level)
            run_ = drawdowns(api, batch, keys, level)
            made += run_["made"]
            result["levels"][str(level)] = {
                "drawdowns": _summary(run_["ms"]), "core_round_trip": _summary(base),
                "ratio_p50_to_core": round(float(np.percentile(run_["ms"], 50) / np.percentile(base, 50)), 1),
                "per_second": round(len(batch) / run_["wall_s"], 1), "statuses": run_["statuses"],
                "reasons": run_["reasons"],
            }  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
        core_check = verify(settings, core_url, made)
        core_proc.terminate()
        core_proc.wait(timeout=10)
    result["verified"] = core_check
    return result


def report(result: dict[str, Any]) -> None:
    """The figures as a table."""
    print(f"{result['enterprises']:,}-enterprise workspace, {result['workers']} workers, fake core latency "
          f"{result['core_latency_s'] * 1000:.0f} ms, {result['requests']} drawdowns per level")  # fmt: skip
    for level, r in result["levels"].items():
        d, c = r["drawdowns"], r["core_round_trip"]
        print(f"  {level:>3} concurrent: drawdown p50 {d['p50_ms']:7.1f} ms  p99 {d['p99_ms']:7.1f} ms  "
              f"{r['per_second']:6.1f}/s | core alone p50 {c['p50_ms']:6.1f} ms p99 {c['p99_ms']:6.1f} ms | "
              f"ratio p50 {r['ratio_p50_to_core']}x | {r['statuses']}")  # fmt: skip
        print(f"      reasons of the refused and referred: {r['reasons']}")
    v = result["verified"]
    print(f"verified {v['checked']} drawdowns against the core and the book: {v['mismatches']} mismatches")


def _enterprises(home: Path) -> int:
    manifest = next(home.glob("universes/*/manifest.json"), None)
    if manifest is None:
        return 0
    return int(json.loads(manifest.read_text()).get("parameters", {}).get("enterprises", 0))


if __name__ == "__main__":
    main()
