"""Registration anti-abuse against the planted truth: interception per attack shape, honest blocks, throughput.

Run: ``.venv/bin/python -m benchmarks.bench_registrations [--enterprises 100000] [--out DIR] [--sql 20000]``
(``--out``: a universe generated before, e.g. ``riskloop generate --enterprises 100000 --seed 20240601 --out DIR``).

Replays the universe's registration log (``events/registrations``) in time order through three screens, from an
empty state each, and prints one JSON object:

- ``baseline``: a naive rule in the same run (blocks from the third registration of a device, IP or phone within
  a day, a second factor on the second): what a screen without distinct parties, baselines or known
  infrastructure does;
- ``shipped``: the shipped policy (``registration-v1``) with no allow-list;
- ``shipped_venues_allowed``: the same, with the bank's campaign venues' addresses on its allow-list.

Per attack shape: the share blocked and the share blocked or stepped up; for honest sign-ups the share blocked
(goal <= 0.5 %) and stepped up. Throughput: the median of per-10,000-registration rates (in memory) and, with
``--sql N``, of per-1,000 rates over the first N registrations on the SQLite store.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from collections import defaultdict, deque
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from riskloop.admission.evaluation import figures
from riskloop.admission.policy import shipped_policy
from riskloop.domain.clock import FixedClock
from riskloop.domain.registration import ACCEPT, BLOCK, STEP_UP, Registration
from riskloop.graph.infrastructure import shipped_infrastructure
from riskloop.service.registrations import RegistrationScreen, replay
from riskloop.storage.engine import make_engine
from riskloop.storage.migrate import upgrade
from riskloop.storage.registrations import InProcessVelocityStore, SQLVelocityStore
from riskloop.synth.params import UniverseParams
from riskloop.synth.signups import all_venue_ips
from riskloop.synth.universe import generate_universe
from riskloop.testing.memory_registrations import MemoryAllowlist

BATCH = 10_000
CLOCK = FixedClock(dt.datetime(2026, 7, 1, tzinfo=dt.UTC))


def read(root: Path) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """The log in time order and the truth's (registration_id, shape)."""
    log = pa.concat_tables(pq.read_table(p) for p in sorted((root / "events" / "registrations").glob("*.parquet")))
    truth = pq.read_table(root / "truth" / "registration_attacks.parquet")
    pairs = list(zip(truth["registration_id"].to_pylist(), truth["shape"].to_pylist(), strict=True))
    return log.sort_by("registered_at").to_pylist(), pairs


def screen(store: Any, allowlist: MemoryAllowlist | None = None) -> RegistrationScreen:
    subnets = frozenset(shipped_infrastructure().subnets())
    return RegistrationScreen(
        store, CLOCK, shipped_policy(), lambda _, v: v, allowlist=allowlist, infrastructure=subnets
    )


def timed(screen_: RegistrationScreen, rows: list[dict[str, Any]], batch: int) -> tuple[dict[str, str], list[float]]:
    """Outcomes of every row and the rate (registrations/s) of each ``batch``."""
    outcomes: dict[str, str] = {}
    rates: list[float] = []
    started = time.perf_counter()
    for done, (_, verdict) in enumerate(replay(screen_, rows), start=1):
        if isinstance(verdict, Exception):
            raise verdict
        outcomes[verdict.registration_id] = verdict.outcome
        if done % batch == 0:
            now = time.perf_counter()
            rates.append(batch / (now - started))
            started = now
    return outcomes, rates


class NaiveScreen:
    """The baseline: raw registrations per device, IP and phone within a day (no parties, baselines or lists)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], deque[float]] = defaultdict(deque)

    def outcomes(self, rows: Iterable[dict[str, Any]]) -> dict[str, str]:
        out = {}
        for row in rows:
            reg = Registration.from_mapping(row, row["registered_at"])
            at = reg.at.timestamp()
            worst = 0
            for key in (("device", reg.device_id), ("ip", reg.ip), ("phone", reg.phone)):
                uses = self.seen[key]
                while uses and uses[0] <= at - 86_400:
                    uses.popleft()
                uses.append(at)
                worst = max(worst, len(uses))
            out[reg.registration_id] = BLOCK if worst >= 3 else STEP_UP if worst == 2 else ACCEPT
        return out


def sql_rates(rows: list[dict[str, Any]], n: int, home: Path) -> list[float]:
    url = f"sqlite:///{home / 'bench.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        return timed(screen(SQLVelocityStore(engine)), rows[:n], 1_000)[1]
    finally:
        engine.dispose()


def main() -> None:
    """Generate (or reuse) a universe, replay its registration log through each screen, print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--sql", type=int, default=0, help="registrations to replay on the SQLite store too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.out or Path(tmp) / "u"
        generated = None
        if not (root / "manifest.json").exists():
            started = time.perf_counter()
            generate_universe(UniverseParams(enterprises=args.enterprises, seed=args.seed), root, workers=2)
            generated = round(time.perf_counter() - started, 1)
        rows, truth = read(root)
        allow = MemoryAllowlist()
        for address in all_venue_ips().to_pylist():
            allow.add("ip", address)
        store = InProcessVelocityStore()
        shipped, rates = timed(screen(store), rows, BATCH)
        allowed, _ = timed(screen(InProcessVelocityStore(), allow), rows, BATCH)
        started = time.perf_counter()
        naive = NaiveScreen().outcomes(rows)
        naive_rate = len(rows) / (time.perf_counter() - started)
        report: dict[str, Any] = {
            "universe": str(root),
            "generated_seconds": generated,
            "registrations": len(rows),
            "planted": len(truth),
            "baseline": figures(naive, truth),
            "shipped": figures(shipped, truth),
            "shipped_venues_allowed": figures(allowed, truth),
            "keys_held_at_end": store.size(),
            "throughput_per_second": {
                "in_memory_median": round(statistics.median(rates), 1),
                "in_memory_batches": len(rates),
                "baseline_naive": round(naive_rate, 1),
            },
        }
        if args.sql:
            sql = sql_rates(rows, args.sql, Path(tmp))
            report["throughput_per_second"]["sqlite_median"] = round(statistics.median(sql), 1)
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
