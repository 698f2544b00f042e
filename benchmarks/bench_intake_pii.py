"""Benchmark the cost of PII protection on the intake path: decide and store, plaintext vs sealed and tokenised.

Run: ``.venv/bin/python -m benchmarks.bench_intake_pii [--n 2000] [--repeats 3]``
Submits ``n`` applications (each with a resident ID, phone, device and IP) through ``Intake.submit`` on a fresh
SQLite database, with the in-memory decision pipeline, twice per repeat: the decision store as before ADR 0016
(raw inputs and arrivals) and as the workspace builds it now (inputs sealed with an AES-GCM data key per
decision, arrivals by keyed token). Reports the median over repeats of p50/p99 per submit, and the cost of
sealing one decision's inputs alone. Writes ``benchmarks/out/intake_pii.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from riskloop.domain.clock import FixedClock
from riskloop.graph.tokens import Tokenizer
from riskloop.privacy.envelope import Sealer
from riskloop.privacy.fields import seal_inputs
from riskloop.service.intake import Intake, request_digest
from riskloop.storage.decisions import SQLDecisionStore
from riskloop.storage.engine import make_engine
from riskloop.storage.migrate import upgrade
from riskloop.testing.decider import NOW, make_decider, request
from riskloop.testing.keys import MemoryKeyProvider

OUT = Path(__file__).parent / "out" / "intake_pii.json"


def _requests(n: int) -> list[Any]:
    return [
        request(
            application_id=f"APP-{i}",
            applicant_id=f"33010619850310{i % 1000:03d}X",
            phone=f"186{i:08d}",
            device_id=f"dev-{i}",
            ip=f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
        )
        for i in range(n)
    ]


def _run(n: int, protected: bool) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        keys = {"sealer": Sealer(MemoryKeyProvider()), "tokenizer": Tokenizer(b"k" * 32)} if protected else {}
        intake = Intake(make_decider(clock=FixedClock(NOW)), SQLDecisionStore(engine, **keys))  # type: ignore[arg-type]
        times: list[float] = []
        for r in _requests(n):
            digest = request_digest(r.to_dict())
            t0 = time.perf_counter()
            intake.submit(key=r.application_id, request=r, digest=digest, render=lambda i, d: b"{}", actor="bench")
            times.append(time.perf_counter() - t0)
        engine.dispose()
    return times[n // 10 :]  # warm-up dropped


def _seal_cost(n: int) -> float:
    sealer = Sealer(MemoryKeyProvider())
    decider = make_decider(clock=FixedClock(NOW))
    inputs = [decider.gather(r).to_dict() for r in _requests(n)]
    t0 = time.perf_counter()
    for item in inputs:
        seal_inputs(sealer, item)
    return (time.perf_counter() - t0) / n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {"plaintext": [], "protected": []}
    for _ in range(args.repeats):
        for name in ("plaintext", "protected"):
            t = np.array(_run(args.n, name == "protected")) * 1000
            runs[name].append({"p50_ms": float(np.percentile(t, 50)), "p99_ms": float(np.percentile(t, 99))})
    result: dict[str, Any] = {
        name: {k: round(statistics.median(r[k] for r in rs), 3) for k in ("p50_ms", "p99_ms")}
        for name, rs in runs.items()
    }
    result["seal_inputs_us"] = round(_seal_cost(args.n) * 1e6, 1)
    result["n"], result["repeats"], result["python"] = args.n, args.repeats, platform.python_version()
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
