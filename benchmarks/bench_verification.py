"""Benchmark identity verification on SQLite: each step of a session, and what naming a session adds to a decision.

Run: ``.venv/bin/python -m benchmarks.bench_verification [--n 300] [--repeats 3]``
On a fresh SQLite database per repeat, ``n`` sessions each: open, text a code (the in-memory SMS fake), check
it, a face, device and carrier check (in-memory vendors: the figures are riskloop's own cost), the read a
decision makes of the session, then a decision of the in-memory pipeline with ``verification_id`` and, as the
baseline in the same run, the same decision on the channel's claims (both auto-approve). Reports the median
over repeats of p50/p99 per step (µs). Writes ``benchmarks/out/verification.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from riskloop.domain.device_check import DeviceReport
from riskloop.domain.identifiers import resident_id_check_char
from riskloop.service.verifications import VerificationDesk
from riskloop.storage.engine import make_engine
from riskloop.storage.migrate import upgrade
from riskloop.storage.verifications import SQLVerificationStore
from riskloop.testing.clock import SteppingClock
from riskloop.testing.decider import NOW, make_decider, request
from riskloop.testing.verification_fakes import MemoryCarrier, MemoryFaceVendor, MemorySmsSender

OUT = Path(__file__).parent / "out" / "verification.json"
STEPS = (
    "open",
    "send code",
    "verify code",
    "face",
    "device",
    "phone owner",
    "session read for a decision",
    "decide with session",
    "decide on claims (baseline)",
)


def _person(i: int) -> str:
    body = f"11010519900307{i % 1000:03d}"
    return body + resident_id_check_char(body)


def _timed(times: dict[str, list[float]], step: str, call: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = call()
    times[step].append((time.perf_counter() - start) * 1e6)
    return result


def _run(n: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {s: [] for s in STEPS}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        sms, carrier, clock = MemorySmsSender(), MemoryCarrier(), SteppingClock(NOW)
        desk = VerificationDesk(store=SQLVerificationStore(engine), sms=sms, face=MemoryFaceVendor(),
                                carrier=carrier, key=b"k" * 32, clock=clock)  # fmt: skip
        with_session, on_claims = make_decider(clock=clock, verifications=desk), make_decider(clock=clock)
        for i in range(n):
            person, phone = _person(i), f"186{i:08d}"
            sid = _timed(times, "open", lambda: desk.open("bank", person, phone)).session_id  # noqa: B023
            challenge = _timed(times, "send code", lambda: desk.send_code("bank", sid, phone))  # noqa: B023
            code = sms.last_code(phone)
            _timed(times, "verify code", lambda: desk.verify_code("bank", sid, challenge.challenge_id, code))  # noqa: B023
            _timed(times, "face", lambda: desk.face("bank", sid, person, b"jpeg"))  # noqa: B023
            report = DeviceReport(f"{i:016x}", "android", "SM-G9910")
            _timed(times, "device", lambda: desk.device("bank", sid, report))  # noqa: B023
            carrier.register(phone, person)
            _timed(times, "phone owner", lambda: desk.phone_owner("bank", sid, person, phone))  # noqa: B023
            _timed(times, "session read for a decision", lambda: desk.identity_for(sid, person, phone, NOW))  # noqa: B023
            app = request(application_id=f"APP-{i}", applicant_id=person, phone=phone)
            named = request(**{**app.to_dict(), "verification_id": sid})
            outcome = _timed(times, "decide with session", lambda: with_session.decide(named))  # noqa: B023
            assert outcome.decision.tier.value == "auto_approve", outcome.decision.reasons
            _timed(times, "decide on claims (baseline)", lambda: on_claims.decide(app))  # noqa: B023
        engine.dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    runs = [_run(args.n) for _ in range(args.repeats)]
    quantiles = (("p50", 50), ("p99", 99))
    figures = {
        step: {q: statistics.median(float(np.percentile(run[step], p)) for run in runs) for q, p in quantiles}
        for step in STEPS
    }
    print(f"identity verification on SQLite, n={args.n} sessions, median of {args.repeats} repeats (µs)")
    for step, f in figures.items():
        print(f"  {step:<30} p50 {f['p50']:>9.0f}   p99 {f['p99']:>9.0f}")
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps({"n": args.n, "repeats": args.repeats, "machine": platform.platform(),
                               "figures_us": figures}, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
