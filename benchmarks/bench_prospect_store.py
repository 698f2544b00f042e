"""Prospect runs in the database: saving a run of 100,000 prospects, reading pages of it, exporting it.

Run: ``.venv/bin/python -m benchmarks.bench_prospect_store [--prospects 100000] [--repeats 3] [--json]``
(``--database-url postgresql+psycopg://...``: on PostgreSQL, in a schema of its own that is dropped afterwards).

A database is migrated in a temporary directory and ``--repeats`` runs of hand-built prospects are saved through
``SQLProspectStore.save_run`` (each name sealed, the rest of each record as JSON, 5,000 rows a statement, one
transaction). The baseline from the same run is the bare insert of the same rows already built (sealed and
encoded): the ratio is what building the rows adds to the database's own cost. Then a page of 100 at offset
50,000, a page of one industry, the whole run read back (names opened), and the CSV and XLSX exports of it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from riskloop.privacy.envelope import Sealer
from riskloop.service.prospect_export import export_bytes
from riskloop.storage import prospects as sql
from riskloop.storage.engine import make_engine
from riskloop.storage.migrate import upgrade
from riskloop.storage.prospect_models import prospect_runs, prospects
from riskloop.testing.keys import MemoryKeyProvider
from riskloop.testing.prospects import run_entry, sample_prospects, sample_run


@contextmanager
def _database(url: str | None) -> Iterator[str]:
    if url is None:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'prospects.db'}"
        return
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield sa.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _seconds(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    out = work()
    return time.perf_counter() - started, out


def run(n: int, repeats: int, url: str | None) -> dict[str, Any]:
    """Timings of saving, reading and exporting a run of ``n`` prospects."""
    ranked = sample_prospects(n)
    sealer = Sealer(MemoryKeyProvider())
    with _database(url) as where:
        upgrade(where)
        engine = make_engine(where)
        store = sql.SQLProspectStore(engine, sealer)
        saves, bare = [], []
        for i in range(repeats):
            run_ = sample_run(f"R{i}", n)
            saves.append(_seconds(lambda r=run_: store.save_run(r, ranked, run_entry(r)))[0])
            key = sealer.record()
            rows = [sql._prospect_row(f"B{i}", p, key.seal(sql.NAME_FIELD, p.name)) for p in ranked]
            bare.append(_seconds(lambda i=i, rows=rows: _bare_insert(engine, sample_run(f"B{i}", n), rows))[0])
        page_s, _ = _seconds(lambda: store.prospects("R0", top=100, offset=n // 2))
        industry_s, _ = _seconds(lambda: store.prospects("R0", industry="E", top=100, offset=n // 8))
        read_s, everything = _seconds(lambda: store.prospects("R0"))
        csv_s, csv_data = _seconds(lambda: export_bytes(everything, "csv", "zh"))
        xlsx_s, xlsx_data = _seconds(lambda: export_bytes(everything, "xlsx", "zh"))
        engine.dispose()
    save, floor = statistics.median(saves), statistics.median(bare)
    return {
        "database": engine.dialect.name, "prospects": n, "repeats": repeats,
        "save_seconds_median": round(save, 2), "bare_insert_seconds_median": round(floor, 2),
        "save_to_bare_ratio": round(save / floor, 2), "page_100_at_middle_ms": round(page_s * 1000, 1),
        "industry_page_ms": round(industry_s * 1000, 1), "read_all_seconds": round(read_s, 2),
        "csv_seconds": round(csv_s, 2), "csv_mb": round(len(csv_data) / 1e6, 1),
        "xlsx_seconds": round(xlsx_s, 2), "xlsx_mb": round(len(xlsx_data) / 1e6, 1),
    }  # fmt: skip


def _bare_insert(engine: sa.Engine, run_: Any, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        conn.execute(prospect_runs.insert(), sql._run_row(run_))
        for start in range(0, len(rows), sql.CHUNK):
            conn.execute(prospects.insert(), rows[start : start + sql.CHUNK])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="PostgreSQL server URL (default: SQLite in a temp dir)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    r = run(args.prospects, args.repeats, args.database_url)
    if args.json:
        print(json.dumps(r))
        return
    print(f"{r['database']}: {r['prospects']:,} prospects saved in {r['save_seconds_median']} s (median of "
          f"{r['repeats']}); the bare insert of the built rows {r['bare_insert_seconds_median']} s "
          f"(x{r['save_to_bare_ratio']})")  # fmt: skip
    print(f"page of 100 at the middle {r['page_100_at_middle_ms']} ms, of one industry {r['industry_page_ms']} ms; "
          f"the whole run read back {r['read_all_seconds']} s")  # fmt: skip
    print(f"export: CSV {r['csv_seconds']} s ({r['csv_mb']} MB), XLSX {r['xlsx_seconds']} s ({r['xlsx_mb']} MB)")


if __name__ == "__main__":
    main()
