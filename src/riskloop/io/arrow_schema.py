"""Arrow schemas of the table contract: the one mapping from column kinds to Parquet types."""

from __future__ import annotations

import pyarrow as pa

from riskloop.domain.tables import Kind, Table

ARROW_TYPES: dict[Kind, pa.DataType] = {
    "str": pa.string(),
    "category": pa.string(),
    "int": pa.int64(),
    "money": pa.int64(),
    "signed_money": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}


def arrow_schema(table: Table) -> pa.Schema:
    """Return the Arrow schema of ``table`` in contract column order."""
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.kind], nullable=c.nullable) for c in table.columns])
