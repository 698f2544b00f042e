"""SQLGraphStore: the enterprise graph in ``graph_nodes`` / ``graph_edges`` (SQLite and PostgreSQL).

Writes replace the stored graph in one transaction, in bulk: PostgreSQL through ``COPY``, SQLite through
``executemany`` on the driver cursor in chunks. Reads come back as Arrow tables.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import sqlalchemy as sa

from riskloop.errors import StorageError
from riskloop.graph.build import EDGE_SCHEMA, NODE_SCHEMA, GraphTables
from riskloop.storage.models import graph_builds, graph_edges, graph_nodes

CHUNK_ROWS = 50_000
_NODE_COLUMNS = ("node_id", "kind", "token", "lookup_key", "label")
_EDGE_COLUMNS = ("src", "dst", "kind", "weight", "valid_from", "valid_to")


def _rows(table: pa.Table) -> Iterator[list[tuple[Any, ...]]]:
    for batch in table.to_batches(max_chunksize=CHUNK_ROWS):
        columns = [c.to_pylist() for c in batch.columns]
        yield list(zip(*columns, strict=True))


class SQLGraphStore:
    """GraphStore on a migrated database (``riskloop.storage.migrate.upgrade``)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def write(
        self, tables: GraphTables, build_id: str, built_at: dt.datetime, key_fingerprint: str | None = None
    ) -> None:
        """Replace the stored graph with ``tables``, recording the fingerprint of the key its tokens were made with."""
        counts = json.dumps(tables.counts(), sort_keys=True)
        try:
            with self.engine.begin() as conn:
                conn.execute(graph_edges.delete())
                conn.execute(graph_nodes.delete())
                raw = conn.connection.driver_connection
                self._bulk(conn.dialect.name, raw, "graph_nodes", _NODE_COLUMNS, tables.nodes)
                self._bulk(conn.dialect.name, raw, "graph_edges", _EDGE_COLUMNS, tables.edges)
                conn.execute(
                    graph_builds.insert().values(
                        build_id=build_id,
                        built_at=built_at,
                        node_count=tables.nodes.num_rows,
                        edge_count=tables.edges.num_rows,
                        counts=counts,
                        key_fingerprint=key_fingerprint,
                    )
                )
        except sa.exc.SQLAlchemyError as exc:
            raise StorageError(f"graph store: writing the graph failed: {exc}") from exc

    @staticmethod
    def _bulk(dialect: str, raw: Any, name: str, columns: tuple[str, ...], data: pa.Table) -> None:
        cursor = raw.cursor()
        cols = ", ".join(columns)
        if dialect == "postgresql":
            with cursor.copy(f"COPY {name} ({cols}) FROM STDIN") as copy:
                for chunk in _rows(data):
                    for row in chunk:
                        copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            for chunk in _rows(data):
                cursor.executemany(f"INSERT INTO {name} ({cols}) VALUES ({marks})", chunk)  # noqa: S608
        cursor.close()

    def read(self) -> GraphTables | None:
        """The stored graph, or ``None`` if none was built (streamed in chunks: tens of millions of edges)."""
        if self.latest_build() is None:
            return None
        nodes = self._read(sa.select(graph_nodes).order_by(graph_nodes.c.node_id), NODE_SCHEMA, _NODE_COLUMNS)
        order = (graph_edges.c.src, graph_edges.c.dst, graph_edges.c.kind)
        edges = self._read(sa.select(graph_edges).order_by(*order), EDGE_SCHEMA, _EDGE_COLUMNS)
        return GraphTables(nodes, edges)

    def _read(self, stmt: sa.Select[Any], schema: pa.Schema, columns: tuple[str, ...]) -> pa.Table:
        parts = []
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=CHUNK_ROWS).execute(stmt)
            for chunk in result.partitions():
                parts.append(_table(chunk, schema, columns))
        return pa.concat_tables(parts) if parts else schema.empty_table()

    def latest_build(self) -> dict[str, object] | None:
        """``build_id``, ``built_at``, counts and key fingerprint of the stored graph, or ``None``."""
        stmt = sa.select(graph_builds).order_by(graph_builds.c.built_at.desc(), graph_builds.c.build_id.desc())
        with self.engine.connect() as conn:
            row = conn.execute(stmt.limit(1)).first()
        if row is None:
            return None
        built = row.built_at if row.built_at.tzinfo else row.built_at.replace(tzinfo=dt.UTC)
        return {
            "build_id": row.build_id,
            "built_at": built.isoformat(),
            "counts": json.loads(row.counts),
            "node_count": int(row.node_count),
            "edge_count": int(row.edge_count),
            "key_fingerprint": row.key_fingerprint,
        }

    def stored_rows(self) -> tuple[int, int]:
        """Rows present in ``graph_nodes`` and ``graph_edges`` (what a build's counts are checked against)."""
        count = sa.func.count()
        with self.engine.connect() as conn:
            nodes = conn.execute(sa.select(count).select_from(graph_nodes)).scalar_one()
            edges = conn.execute(sa.select(count).select_from(graph_edges)).scalar_one()
        return int(nodes), int(edges)


def _table(rows: Sequence[Any], schema: pa.Schema, columns: tuple[str, ...]) -> pa.Table:
    if not rows:
        return schema.empty_table()
    by_column = list(zip(*rows, strict=True))
    arrays = []
    for field, values in zip(schema, by_column, strict=True):
        if pa.types.is_integer(field.type) and field.name != "valid_to":
            arrays.append(pa.array(np.fromiter(values, dtype=np.int64, count=len(values)), field.type))
        else:
            arrays.append(pa.array(values, field.type))
    return pa.Table.from_arrays(arrays, schema=schema).rename_columns(list(schema.names))
