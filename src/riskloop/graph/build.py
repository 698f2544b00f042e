"""Batch build: the ingested tables become a node table and an edge table (Arrow), vectorised end to end.

Node identity: enterprises by credit code, applications by id, every other node by the keyed token of its
normalised value, so two written variants of one phone or place become one node and raw PII stays out.
Node ids are positions in ``(kind, token)`` order, so they do not depend on input order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskloop.graph.kinds import EDGE_CODE, EDGE_KINDS, NODE_CODE, NODE_KINDS
from riskloop.graph.normalize import normalize
from riskloop.graph.relations import RELATIONS, Relation
from riskloop.graph.tokens import PUBLIC_KINDS, Tokenizer, keyed_parts

NODE_SCHEMA = pa.schema(
    [("node_id", pa.int64()), ("kind", pa.int8()), ("token", pa.string()), ("key", pa.int64()), ("label", pa.string())]
)
EDGE_SCHEMA = pa.schema(
    [
        ("src", pa.int64()),
        ("dst", pa.int64()),
        ("kind", pa.int8()),
        ("weight", pa.float64()),
        ("valid_from", pa.int64()),
        ("valid_to", pa.int64()),
    ]
)


@dataclass(frozen=True)
class GraphTables:
    """The persisted form of the graph: ``nodes`` (NODE_SCHEMA) and ``edges`` (EDGE_SCHEMA, ``valid_to`` null: open)."""

    nodes: pa.Table
    edges: pa.Table

    def counts(self) -> dict[str, dict[str, int]]:
        """Number of nodes per node kind and edges per edge kind."""
        nodes = pc.value_counts(self.nodes["kind"]).to_pylist() if self.nodes.num_rows else []
        edges = pc.value_counts(self.edges["kind"]).to_pylist() if self.edges.num_rows else []
        return {
            "nodes": {NODE_KINDS[c["values"]]: c["counts"] for c in sorted(nodes, key=lambda c: c["values"])},
            "edges": {EDGE_KINDS[c["values"]]: c["counts"] for c in sorted(edges, key=lambda c: c["values"])},
        }


def available(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the tables and views visible on ``con``."""
    return {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def _read(con: duckdb.DuckDBPyConnection, relation: Relation, tokenizer: Tokenizer) -> pa.Table:
    """The relation's rows with both ends in stored form: normalised, then keyed (ingested tables already are)."""
    data = con.sql(relation.sql).to_arrow_table()

    def end(kind: str, values: pa.ChunkedArray) -> pa.Array:
        return tokenizer.keyed_values(kind, normalize(kind, values.combine_chunks()))

    return data.set_column(0, "src", end(relation.src_kind, data["src"])).set_column(
        1, "dst", end(relation.dst_kind, data["dst"])
    )


@dataclass
class _Kind:
    values: pa.Array  # normalised values in token order
    first_id: int


def _node_table(tokenizer: Tokenizer, by_kind: dict[str, list[pa.Array]]) -> tuple[pa.Table, dict[str, _Kind]]:
    parts: list[pa.Table] = []
    kinds: dict[str, _Kind] = {}
    next_id = 0
    for kind in NODE_KINDS:
        if not by_kind.get(kind):
            continue
        values = pc.unique(pa.chunked_array(by_kind[kind]).combine_chunks().drop_null())
        if kind in PUBLIC_KINDS:
            (tokens, keys), labels = tokenizer.tokens_and_keys(kind, values), values
        else:
            tokens, keys, labels = keyed_parts(values)
        order = pc.sort_indices(tokens)
        values, tokens, keys, labels = (
            values.take(order),
            tokens.take(order),
            keys[order.to_numpy()],
            labels.take(order),
        )
        n = len(values)
        kinds[kind] = _Kind(values, next_id)
        parts.append(
            pa.table(
                {
                    "node_id": np.arange(next_id, next_id + n, dtype=np.int64),
                    "kind": np.full(n, NODE_CODE[kind], dtype=np.int8),
                    "token": tokens,
                    "key": keys,
                    "label": labels,
                },
                schema=NODE_SCHEMA,
            )
        )
        next_id += n
    return (pa.concat_tables(parts) if parts else NODE_SCHEMA.empty_table()), kinds


def _ids(kind: _Kind, values: pa.ChunkedArray | pa.Array) -> pa.Array:
    pos = pc.index_in(values, value_set=kind.values)
    return pc.add(pos.cast(pa.int64()), kind.first_id)


def build_graph(
    con: duckdb.DuckDBPyConnection,
    tokenizer: Tokenizer,
    progress: Callable[[str, int, int], None] | None = None,
) -> GraphTables:
    """Build the node and edge tables from the tables visible on ``con`` (one view per ingested table).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        Connection with the ingested tables as views (``Warehouse.connect()``).
    tokenizer : Tokenizer
        Keyed tokens of the workspace.
    progress : callable, optional
        Called with ``(stage, done, total)``.

    Returns
    -------
    GraphTables
        Deduplicated edges (one per source, target and kind; earliest start, latest end, largest weight).

    """
    have = available(con)
    relations = [r for r in RELATIONS if set(r.tables) <= have]
    report = progress or (lambda stage, done, total: None)
    raw: list[tuple[Relation, pa.Table]] = []
    by_kind: dict[str, list[pa.Array]] = {}
    for done, relation in enumerate(relations):
        report(f"reading {relation.name}", done, len(relations))
        data = _read(con, relation, tokenizer)
        raw.append((relation, data))
        by_kind.setdefault(relation.src_kind, []).append(data["src"].combine_chunks())
        by_kind.setdefault(relation.dst_kind, []).append(data["dst"].combine_chunks())
    report("tokenising nodes", len(relations), len(relations))
    nodes, kinds = _node_table(tokenizer, by_kind)
    edges = [
        pa.table(
            {
                "src": _ids(kinds[r.src_kind], d["src"]),
                "dst": _ids(kinds[r.dst_kind], d["dst"]),
                "kind": pa.array(np.full(d.num_rows, EDGE_CODE[r.edge_kind], dtype=np.int8)),
                "weight": d["weight"].cast(pa.float64()),
                "valid_from": d["valid_from"].cast(pa.int64()),
                "valid_to": d["valid_to"].cast(pa.int64()),
            }
        )
        for r, d in raw
        if r.src_kind in kinds and r.dst_kind in kinds
    ]
    report("deduplicating edges", len(relations), len(relations))
    return GraphTables(nodes, dedupe_edges(pa.concat_tables(edges) if edges else EDGE_SCHEMA.empty_table()))


def dedupe_edges(edges: pa.Table) -> pa.Table:
    """One edge per ``(src, dst, kind)``, nulls (unreadable identifiers) and self-loops dropped, sorted."""
    con = duckdb.connect()
    con.register("e", edges)
    out = con.sql(
        "SELECT src, dst, kind, max(weight) AS weight, min(valid_from) AS valid_from, "
        "CASE WHEN bool_or(valid_to IS NULL) THEN NULL ELSE max(valid_to) END AS valid_to "
        "FROM e WHERE src IS NOT NULL AND dst IS NOT NULL AND src <> dst GROUP BY src, dst, kind "
        "ORDER BY src, dst, kind"
    ).to_arrow_table()
    con.close()
    return out.cast(EDGE_SCHEMA)
