"""Hand-made graphs for tests: nodes by (kind, token), edges by node position."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from riskloop.graph.build import EDGE_SCHEMA, NODE_SCHEMA, GraphTables, dedupe_edges
from riskloop.graph.kinds import EDGE_CODE, NODE_CODE
from riskloop.graph.tokens import Tokenizer
from riskloop.io.warehouse import Warehouse, sql_literal

TEST_KEY = b"riskloop-test-graph-key-32-bytes"


def tiny_graph(
    nodes: Sequence[tuple[str, str]],
    edges: Sequence[tuple[int, int, str]] | Sequence[tuple[int, int, str, int, int | None]],
    tokenizer: Tokenizer | None = None,
) -> GraphTables:
    """Graph tables of ``nodes`` (kind, normalised value) and ``edges`` (src, dst, kind[, from, to])."""
    tok = tokenizer or Tokenizer(TEST_KEY)
    node_table = pa.table(
        {
            "node_id": np.arange(len(nodes), dtype=np.int64),
            "kind": np.array([NODE_CODE[k] for k, _ in nodes], dtype=np.int8),
            "token": [tok.token(k, v) for k, v in nodes],
            "key": np.array([tok.key64(k, v) for k, v in nodes], dtype=np.int64),
            "label": [v if k in ("enterprise", "application") else f"{k}-{i}" for i, (k, v) in enumerate(nodes)],
        },
        schema=NODE_SCHEMA,
    )
    rows = [(*e, 0, None) if len(e) == 3 else e for e in edges]
    edge_table = pa.table(
        {
            "src": pa.array([r[0] for r in rows], pa.int64()),
            "dst": pa.array([r[1] for r in rows], pa.int64()),
            "kind": pa.array([EDGE_CODE[str(r[2])] for r in rows], pa.int8()),
            "weight": pa.array([1.0] * len(rows), pa.float64()),
            "valid_from": pa.array([r[3] for r in rows], pa.int64()),
            "valid_to": pa.array([r[4] for r in rows], pa.int64()),
        },
        schema=EDGE_SCHEMA,
    )
    return GraphTables(node_table, dedupe_edges(edge_table))


def universe_views(universe: Path, cut: int | None = None) -> duckdb.DuckDBPyConnection:
    """DuckDB views over a universe's tables; with ``cut`` (epoch s), applications and logins only before it."""
    wh = Warehouse(universe / "tables")
    con = duckdb.connect()
    for name in wh.tables():
        column = {"applications": "applied_at", "login_events": "ts"}.get(name)
        where = f" WHERE {column} < to_timestamp({int(cut)})" if column and cut is not None else ""
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({sql_literal(wh.glob(name))}){where}")  # noqa: S608
    return con
