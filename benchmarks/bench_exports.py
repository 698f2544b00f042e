"""Benchmark reading a bank's XLSX export with a mapping against the reference Parquet of the same rows.

Run: ``.venv/bin/python -m benchmarks.bench_exports [--enterprises 2000] [--repeats 3]``
Generates a universe, writes its ``invoices`` as a bank would export them (XLSX, Chinese headers, yuan text with
thousands separators, Chinese statuses) and ingests, per repeat, the reference Parquet (the baseline) and the
XLSX with the shipped mapping into fresh workspaces. Reports the median wall time and rows a second of each, and
whether both loaded the same rows. Writes ``benchmarks/out/exports.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from openpyxl import Workbook

from riskloop.config import Settings
from riskloop.domain.clock import FixedClock
from riskloop.ingest.mapping import Mapping, generator_mapping
from riskloop.synth.params import UniverseParams
from riskloop.synth.universe import generate_universe
from riskloop.workspace import Workspace

OUT = Path(__file__).parent / "out" / "exports.json"
AS_OF = dt.date(2026, 6, 30)
NOW = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)


def _yuan(cents: int) -> str:
    return f"{cents // 100:,}.{cents % 100:02d}"


def _write_xlsx(rows: list[dict[str, Any]], mapping: Mapping, path: Path) -> None:
    mapped = mapping.tables["invoices"]
    back = {c.column: {v: k for k, v in c.values.items()} for c in mapped.columns if c.values}
    book = Workbook(write_only=True)
    sheet = book.create_sheet(mapped.sheet or "invoices")
    sheet.append([c.header for c in mapped.columns])
    for row in rows:
        cells = []
        for c in mapped.columns:
            value = row.get(c.column) or ("enterprise" if c.column == "buyer_kind" else None)
            cells.append(
                back[c.column][value] if c.column in back else _yuan(value) if c.unit and value is not None else value
            )
        sheet.append(cells)
    book.save(path)


def _ingest(source: Path, home: Path, mapping: Mapping | None) -> tuple[float, int]:
    settings = Settings(home=home, database_url=f"sqlite:///{home}.db")
    with Workspace.open(settings, clock=FixedClock(NOW)) as ws:
        start = time.perf_counter()
        result = ws.ingest(source, as_of=AS_OF, mapping=mapping)
        return time.perf_counter() - start, result.tables["invoices"].loaded


def main() -> None:
    """Print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--enterprises", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    mapping = generator_mapping()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate_universe(UniverseParams(enterprises=args.enterprises, seed=2026, as_of=AS_OF), root / "u", workers=1)
        parquet_in, xlsx_in = root / "parquet", root / "xlsx"
        shutil.copytree(root / "u" / "tables" / "invoices", parquet_in / "invoices")
        rows = [r for p in sorted(parquet_in.glob("invoices/*.parquet")) for r in pq.read_table(p).to_pylist()]
        xlsx_in.mkdir()
        start = time.perf_counter()
        _write_xlsx(rows, mapping, xlsx_in / "发票明细.xlsx")
        write_s = time.perf_counter() - start
        runs: dict[str, list[tuple[float, int]]] = {"parquet": [], "xlsx": []}
        for i in range(args.repeats):
            runs["parquet"].append(_ingest(parquet_in, root / f"p{i}", None))
            runs["xlsx"].append(_ingest(xlsx_in, root / f"x{i}", mapping))
    figures: dict[str, Any] = {"rows": len(rows), "xlsx_write_s": round(write_s, 2), "repeats": args.repeats}
    for name, results in runs.items():
        seconds = statistics.median(s for s, _ in results)
        figures[name] = {
            "median_s": round(seconds, 2),
            "rows_per_s": round(len(rows) / seconds),
            "loaded": results[0][1],
        }
    figures["same_rows_loaded"] = figures["parquet"]["loaded"] == figures["xlsx"]["loaded"] == len(rows)
    figures["machine"] = platform.platform()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
