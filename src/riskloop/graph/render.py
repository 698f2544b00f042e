"""The JSON subgraph the console draws (documented in ``docs/graph.md``): masked labels only, stable ids."""

from __future__ import annotations

import datetime as dt
from typing import Any

from riskloop.graph.kinds import EDGE_KINDS, FOREVER, NODE_KINDS
from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.query import Path, Subgraph


def _date(seconds: int) -> str | None:
    if seconds in (0, FOREVER):
        return None
    return dt.datetime.fromtimestamp(seconds, dt.UTC).date().isoformat()


def node_id(graph: EnterpriseGraph, node: int) -> str:
    """Stable public id of a node: ``kind:token`` (a credit code, an application id or an HMAC token)."""
    return f"{NODE_KINDS[graph.kind[node]]}:{graph.token[node]}"


def node_json(graph: EnterpriseGraph, node: int) -> dict[str, Any]:
    """One node: id, kind, masked label, degree."""
    return {
        "id": node_id(graph, node),
        "kind": NODE_KINDS[graph.kind[node]],
        "label": graph.label[node],
        "degree": graph.degree(node),
    }


def edge_json(graph: EnterpriseGraph, eid: int) -> dict[str, Any]:
    """One edge: source, target, kind, weight and validity dates (``null`` when open or unknown)."""
    src, dst, kind, weight, start, end = graph.edge(eid)
    return {
        "source": node_id(graph, src),
        "target": node_id(graph, dst),
        "kind": EDGE_KINDS[kind],
        "weight": round(weight, 6),
        "since": _date(start),
        "until": _date(end),
    }


def subgraph_json(graph: EnterpriseGraph, sub: Subgraph) -> dict[str, Any]:
    """``{"nodes": [...], "edges": [...], "paths": [[id, ...], ...], "capped": bool, ...}``."""
    return {
        "nodes": [node_json(graph, n) for n in sub.nodes],
        "edges": [edge_json(graph, e) for e in sub.edges],
        "paths": [[node_id(graph, n) for n in sub.path(node)] for node in sub.nodes[1:]],
        "capped": sub.capped,
        "capped_nodes": [node_id(graph, n) for n in sub.capped_nodes],
        "examined": sub.examined,
    }


def path_json(graph: EnterpriseGraph, path: Path | None) -> dict[str, Any]:
    """A shortest path in the same format, with ``hops`` and ``closeness`` (empty when none was found)."""
    if path is None:
        return {"nodes": [], "edges": [], "paths": [], "capped": False, "hops": None, "closeness": 0.0}
    return {
        "nodes": [node_json(graph, n) for n in path.nodes],
        "edges": [edge_json(graph, e) for e in path.edges],
        "paths": [[node_id(graph, n) for n in path.nodes]],
        "capped": False,
        "hops": len(path.edges),
        "closeness": path.closeness,
    }
