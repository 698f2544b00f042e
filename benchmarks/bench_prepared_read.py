"""Benchmark the decision path's lone reads: SQLAlchemy Core's ``Connection.execute`` against ``PreparedRead``.

Run: ``.venv/bin/python -m benchmarks.bench_prepared_read --home HOME [--databases sqlite postgres] [--reads 3000]``

On a copy of a workspace's database (``HOME``: a ``riskloop demo`` workspace), each of the reads a decision makes
by itself — the enterprise's profile, its published features, the list screen's token lookup and the API key
check — is run ``--reads`` times for different enterprises, alternating Core (``engine.connect()`` and
``execute``, as the adapters did; the key check on PostgreSQL had already run in autocommit, so its Core figure
there overstates what it cost before) and the prepared read (as they do now), in one process, in the same run.
Prints the median and p99 per read and the ratio of the medians; writes ``benchmarks/out/prepared_read.json``.
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
import sqlalchemy as sa

from benchmarks.bench_decide import HERE, database_for
from riskloop.storage.decision_models import api_keys
from riskloop.storage.engine import make_engine
from riskloop.storage.feature_store import table as features
from riskloop.storage.list_models import list_entries
from riskloop.storage.models import CONTRACT_TABLES
from riskloop.storage.prepared import PreparedRead

OUT = HERE / "out" / "prepared_read.json"
SLOTS = 32


def statements() -> dict[str, tuple[sa.Select[Any], Callable[[str], dict[str, Any]]]]:
    """Each read of a decision: its statement and its parameters for one credit code."""
    enterprises = CONTRACT_TABLES["enterprises"]
    slots = [sa.bindparam(f"t{i}", type_=list_entries.c.token.type) for i in range(SLOTS)]
    return {
        "profile": (
            sa.select(enterprises.c.credit_code, enterprises.c.industry_section, enterprises.c.status,
                      enterprises.c.established_date, enterprises.c.valid_from)
            .where(enterprises.c.credit_code == sa.bindparam("code")),
            lambda code: {"code": code},
        ),
        "features": (
            sa.select(features).where(features.c.credit_code == sa.bindparam("code"),
                                      features.c.feature_set == sa.bindparam("feature_set")),
            lambda code: {"code": code, "feature_set": "enterprise"},
        ),
        "lists": (
            sa.select(list_entries).where(list_entries.c.token.in_(slots)),
            lambda code: {f"t{i}": f"{code}-{i}" for i in range(SLOTS)},
        ),
        "api key": (
            sa.select(api_keys.c.key_id, api_keys.c.principal, api_keys.c.roles, api_keys.c.revoked_at)
            .where(api_keys.c.secret_sha256 == sa.bindparam("digest")),
            lambda code: {"digest": code},
        ),
    }  # fmt: skip


def measure(url: str, reads: int) -> dict[str, Any]:
    """Per read: Core and prepared medians and p99 (µs), alternating call by call."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            codes = [str(c) for c in conn.execute(sa.text("SELECT DISTINCT credit_code FROM enterprises"))][:reads]
        out: dict[str, Any] = {}
        for name, (stmt, params) in statements().items():
            prepared = PreparedRead(engine, stmt)
            core_us: list[float] = []
            prepared_us: list[float] = []
            for code in codes * max(1, reads // max(1, len(codes))):
                values = params(code)
                started = time.perf_counter_ns()
                with engine.connect() as conn:
                    conn.execute(stmt, values).all()
                core_us.append((time.perf_counter_ns() - started) / 1000)
                started = time.perf_counter_ns()
                prepared.all(values)
                prepared_us.append((time.perf_counter_ns() - started) / 1000)
            out[name] = {
                "core_p50_us": round(statistics.median(core_us), 1),
                "core_p99_us": round(float(np.percentile(core_us, 99)), 1),
                "prepared_p50_us": round(statistics.median(prepared_us), 1),
                "prepared_p99_us": round(float(np.percentile(prepared_us, 99)), 1),
                "ratio_p50": round(statistics.median(prepared_us) / statistics.median(core_us), 3),
                "reads": len(core_us),
            }
        return out
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, required=True, help="a riskloop demo workspace")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--reads", type=int, default=3000)
    args = parser.parse_args()
    result: dict[str, Any] = {"machine": platform.platform(), "databases": {}}
    with tempfile.TemporaryDirectory(prefix="bench-prepared-") as tmp:
        for kind in args.databases:
            result["databases"][kind] = measure(database_for(kind, args.home, Path(tmp)), args.reads)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, sort_keys=True))
    for kind, reads in result["databases"].items():
        print(kind)
        for name, r in reads.items():
            core = f"Core p50 {r['core_p50_us']:7.1f} µs p99 {r['core_p99_us']:7.1f}"
            prepared = f"prepared p50 {r['prepared_p50_us']:7.1f} µs p99 {r['prepared_p99_us']:7.1f}"
            print(f"  {name:8s} {core} | {prepared} | ratio {r['ratio_p50']}")


if __name__ == "__main__":
    main()
