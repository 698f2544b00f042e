"""Deterministic Parquet writing: contract schemas, fixed writer options, sha256 of every file, the manifest."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from riskloop.domain.tables import TABLES_BY_NAME
from riskloop.errors import ValidationError
from riskloop.io.arrow_schema import arrow_schema

_ROW_GROUP = 1 << 20
_WRITE_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 1,
    "write_statistics": True,
    "use_dictionary": True,
}


def part_name(chunk: int) -> str:
    """File name of a chunk's part."""
    return f"part-{chunk:05d}.parquet"


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# Tables whose contract gained columns after the generator first wrote them: their usual parts keep the earlier
# layout (the ingest reads a missing column as its default), so every earlier file keeps its bytes.
WRITTEN_LAYOUTS: dict[str, pa.Schema] = {
    "invoices": pa.schema(
        [
            pa.field("invoice_no", pa.string(), nullable=False),
            pa.field("seller_code", pa.string(), nullable=False),
            pa.field("buyer_code", pa.string(), nullable=False),
            pa.field("issue_date", pa.date32(), nullable=False),
            pa.field("amount_cents", pa.int64(), nullable=False),
            pa.field("tax_cents", pa.int64(), nullable=False),
            pa.field("status", pa.string(), nullable=False),
        ]
    )
}


def conform(name: str, table: pa.Table, *, current: bool = False) -> pa.Table:
    """Select the contract columns of ``name`` in order and cast to its Arrow schema.

    Without ``current``, a table in ``WRITTEN_LAYOUTS`` keeps its earlier layout.
    """
    schema = arrow_schema(TABLES_BY_NAME[name])
    if not current and name in WRITTEN_LAYOUTS:
        schema = WRITTEN_LAYOUTS[name]
    missing = [f.name for f in schema if f.name not in table.column_names]
    extra = [c for c in table.column_names if c not in schema.names]
    if missing or extra:
        raise ValidationError(name, f"generated columns differ from the contract: missing {missing}, extra {extra}")
    return table.select(schema.names).cast(schema)


def write_parquet(table: pa.Table, path: Path) -> dict[str, Any]:
    """Write ``table`` to ``path`` with fixed options; return its row count, size and sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, row_group_size=_ROW_GROUP, **_WRITE_OPTIONS)
    return {"rows": table.num_rows, "bytes": path.stat().st_size, "sha256": sha256_file(path)}


def write_lines(table: pa.Table, path: Path) -> dict[str, Any]:
    """Write the one text column of ``table`` as UTF-8 lines (JSON Lines documents); return rows, size, sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = table.column(0).to_pylist()
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return {"rows": len(lines), "bytes": path.stat().st_size, "sha256": sha256_file(path)}


def merge_parts(parts: list[Path], schema: pa.Schema, target: Path) -> dict[str, Any]:
    """Concatenate Parquet parts (in the given order) into one file, one row group per part, then delete them."""
    target.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with pq.ParquetWriter(target, schema, **_WRITE_OPTIONS) as writer:
        for part in parts:
            table = pq.read_table(part, schema=schema)
            rows += table.num_rows
            writer.write_table(table, row_group_size=_ROW_GROUP)
    for part in parts:
        part.unlink()
    return {"rows": rows, "bytes": target.stat().st_size, "sha256": sha256_file(target)}


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest as sorted, indented JSON (byte-identical for identical content)."""
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
