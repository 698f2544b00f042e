"""Benchmark decisions that pull the bureau report through a local gateway under each fault.

Run: ``.venv/bin/python -m benchmarks.bench_connectors [--decisions 200] [--timeout 0.1]``
A real HTTP gateway (``riskloop.testing.fake_gateway``) answers healthy, times out (sleeps 3x the timeout), answers
503 or malformed JSON. Each scenario decides ``--decisions`` applications of one healthy enterprise through
``Decider.decide`` with ``consent_id`` (consents and sealed payloads in a SQLite workspace; the httpx adapter; the
shipped retry policy, whose decision-path budget is the source's timeout), once with the shipped circuit breaker
(5 failures, 30 s) and once with it out of reach (every decision waits on the gateway). The baseline in the same
run decides the same applications without a pull. Prints approvals (on missing data they must be 0), referrals
with their first reason, gateway requests, and p50/p99/max decision latency next to the timeout.
Writes ``benchmarks/out/connectors.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from riskloop.config import Settings
from riskloop.connectors.gateway import HttpGatewaySource
from riskloop.domain.clock import SystemClock
from riskloop.service.bureau_pull import BureauPull
from riskloop.service.sources import SourcePuller
from riskloop.testing.decider import CODE, make_decider, request
from riskloop.testing.fake_gateway import FakeGateway, default_report
from riskloop.testing.memory_sources import shipped_catalog
from riskloop.workspace import Workspace

OUT = Path(__file__).parent / "out" / "connectors.json"
SCENARIOS = ("healthy", "timeout", "5xx", "malformed")


def _report(subject: str) -> dict[str, Any]:
    return {**default_report(subject), "bureau_score": 780, "existing_debt_cents": 0, "overdue_accounts": 0}


def _run(ws: Workspace, gateway: FakeGateway, mode: str, n: int, timeout: float, *, breaker: bool) -> dict[str, Any]:
    gateway.mode = mode
    gateway.log.clear()
    pboc = {"endpoint": gateway.url, "timeout_seconds": timeout, "rate_limit": {"per_second": 10_000, "burst": 10_000},
            "breaker": {"failures_to_open": 5 if breaker else 1000, "reset_after_seconds": 30}}  # fmt: skip
    puller = SourcePuller(catalog=shipped_catalog(pboc=pboc), sources={"pboc": HttpGatewaySource("pboc", gateway.url)},
                          consents=ws.consent_store(), payloads=ws.raw_payload_store(), tokens=ws.tokenizer(),
                          clock=SystemClock(), sleep=time.sleep)  # fmt: skip
    consent = ws.consents().record(subject=CODE, subject_kind="enterprise", sources=["pboc"],
                                   purpose="credit_assessment", expires_at=dt.datetime.now(dt.UTC)
                                   + dt.timedelta(days=30), evidence="AUTH-BENCH", actor="bench")  # fmt: skip
    decider = make_decider(bureau=BureauPull(puller))
    return _decide(decider, n, mode, consent.consent_id) | {"gateway_requests": len(gateway.log)}


def _decide(decider: Any, n: int, tag: str, consent_id: str | None) -> dict[str, Any]:
    latencies, tiers, reasons = [], Counter[str](), Counter[str]()
    for i in range(n):
        req = request(application_id=f"B-{tag}-{i}", consent_id=consent_id)
        start = time.perf_counter()
        decision = decider.decide(req).decision
        latencies.append((time.perf_counter() - start) * 1000)
        tiers[decision.tier.value] += 1
        reasons[decision.reasons[0].code if decision.reasons else "-"] += 1
    approvals = sum(v for t, v in tiers.items() if t in ("auto_approve", "suggest_approve"))
    return {
        "decisions": n,
        "approvals": approvals,
        "tiers": dict(tiers),
        "first_reasons": dict(reasons),
        "p50_ms": round(float(np.percentile(latencies, 50)), 2),
        "p99_ms": round(float(np.percentile(latencies, 99)), 2),
        "max_ms": round(max(latencies), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--decisions", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=0.1, help="the source's timeout in seconds")
    args = parser.parse_args()
    rows: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp, FakeGateway(delay=args.timeout * 3, report=_report) as gateway:
        home = Path(tmp) / "home"
        with Workspace.open(Settings(home=home, database_url=f"sqlite:///{home / 'riskloop.db'}")) as ws:
            ws.tokenizer(create=True)  # the workspace's key of consent tokens
            rows["baseline (no pull)"] = _decide(make_decider(), args.decisions, "base", None)
            for mode in SCENARIOS:
                for breaker in (True, False):
                    if mode == "healthy" and not breaker:
                        continue
                    name = f"{mode}" + ("" if mode == "healthy" else (" + breaker" if breaker else " no breaker"))
                    rows[name] = _run(ws, gateway, mode, args.decisions, args.timeout, breaker=breaker)
    missing = [r for name, r in rows.items() if not name.startswith(("healthy", "baseline"))]
    result = {
        "timeout_ms": args.timeout * 1000,
        "approvals_on_missing_data": sum(r["approvals"] for r in missing),
        "scenarios": rows,
        "gateway": "local threaded HTTP (testing.fake_gateway), httpx adapter",
        "database": "sqlite (consents, sealed payloads)",
        "machine": platform.platform(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, sort_keys=True, ensure_ascii=False))
    print(f"source timeout {result['timeout_ms']:g} ms; approvals on missing data: "
          f"{result['approvals_on_missing_data']} (must be 0)")  # fmt: skip
    head = f"{'scenario':<24}{'approve':>8}{'refer':>7}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
    print(head + "  first reason")
    for name, r in rows.items():
        refer = r["tiers"].get("manual_review", 0)
        top = max(r["first_reasons"].items(), key=lambda kv: kv[1])[0]
        print(f"{name:<24}{r['approvals']:>8}{refer:>7}{r.get('gateway_requests', 0):>9}{r['p50_ms']:>9.2f}"
              f"{r['p99_ms']:>9.2f}{r['max_ms']:>9.2f}  {top}")  # fmt: skip


if __name__ == "__main__":
    main()
