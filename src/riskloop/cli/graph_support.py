"""Shared plumbing of the ``riskloop graph`` commands: workspace graph, target parsing, rendering helpers."""

from __future__ import annotations

import datetime as dt
from contextlib import ExitStack
from typing import TYPE_CHECKING

from riskloop.config import Settings
from riskloop.errors import NotFoundError, ValidationError

if TYPE_CHECKING:
    import duckdb

    from riskloop.graph.memory import EnterpriseGraph
    from riskloop.graph.store import GraphStore
    from riskloop.graph.tokens import Tokenizer


def workspace(
    settings: Settings, stack: ExitStack, *tables: str, built: bool = True
) -> tuple[GraphStore, Tokenizer, duckdb.DuckDBPyConnection]:
    """The workspace's graph store, tokenizer and a DuckDB connection over its warehouse, closed with ``stack``.

    Checked first, nothing created: the workspace exists, holds ingested data (each of ``tables``; any, to
    build) and, when ``built``, a built graph.
    """
    from riskloop.workspace import Workspace

    ws = stack.enter_context(Workspace.open(settings, create=False))
    if tables or not built:
        ws.require_ingested(*tables)
    if built:
        ws.require_graph()
    con = ws.warehouse.connect()
    stack.callback(con.close)
    return ws.graph_store(), ws.tokenizer(create=not built), con  # only a build creates a key


def stored_graph(store: GraphStore) -> EnterpriseGraph:
    """The in-memory graph rebuilt from the store; a clear error if none was built."""
    from riskloop.graph.memory import EnterpriseGraph
    from riskloop.service.prerequisites import NO_GRAPH

    tables = store.read()
    if tables is None:
        raise NotFoundError(NO_GRAPH)
    return EnterpriseGraph(tables)


def parse_target(raw: str, argument: str) -> tuple[str, str]:
    """``(kind, value)`` of a credit code or a resident ID given as ``argument``; malformed: ValidationError."""
    from riskloop.domain.identifiers import is_valid_resident_id, is_valid_uscc

    value = raw.strip().upper()
    if is_valid_uscc(value):
        return "enterprise", value
    if is_valid_resident_id(value):
        return "person", value
    raise ValidationError(argument, f"{raw!r} is neither a credit code nor a resident ID (check digit)")


def target_node(graph: EnterpriseGraph, tokenizer: Tokenizer, target: tuple[str, str], argument: str) -> int:
    """Node of a parsed target; NotFoundError naming ``argument`` if the graph does not hold it."""
    kind, value = target
    node = graph.lookup(tokenizer.key64(kind, value))
    if node is None:
        shown = value if kind == "enterprise" else value[:6] + "**********" + value[-2:]
        raise NotFoundError(f"{argument}: {kind} {shown} is not in the graph")
    return node


def epoch_of(day: dt.date | None, end: bool = False) -> int | None:
    """Epoch seconds at the start (or end) of ``day`` in UTC."""
    if day is None:
        return None
    moment = dt.datetime.combine(day, dt.time.max if end else dt.time.min, tzinfo=dt.UTC)
    return int(moment.timestamp())
