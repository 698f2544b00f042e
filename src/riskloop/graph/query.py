"""Relationship queries: capped N-hop expansion with explaining paths, and the shortest path between two nodes.

Work is bounded by the caps, not by the graph: a node with more than ``max_degree`` edges contributes only
its first ``max_degree`` (and the result says it was capped), so a hub of 100k edges costs what 200 cost.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from riskloop.graph.kinds import EDGE_KINDS, RELATION_WEIGHT
from riskloop.graph.memory import EnterpriseGraph


@dataclass(frozen=True)
class Caps:
    """Bounds of an expansion: hops, edges read per node, nodes returned, and the time window (epoch s)."""

    hops: int = 2
    max_degree: int = 200
    max_nodes: int = 5_000
    since: int | None = None
    until: int | None = None


@dataclass
class Subgraph:
    """Nodes and edges found, the path (node ids, start first) to every node, and what the caps cut."""

    nodes: list[int]
    edges: list[int]
    paths: dict[int, list[int]]
    capped_nodes: list[int] = field(default_factory=list)
    examined: int = 0  # adjacency entries read: the work done

    @property
    def capped(self) -> bool:
        """True if a cap cut anything."""
        return bool(self.capped_nodes)


def _in_window(graph: EnterpriseGraph, eids: np.ndarray, caps: Caps) -> np.ndarray:
    if caps.since is None and caps.until is None:
        return np.ones(len(eids), dtype=bool)
    _, start, end = graph.edge_arrays(eids)
    ok = np.ones(len(eids), dtype=bool)
    if caps.until is not None:
        ok &= start <= caps.until
    if caps.since is not None:
        ok &= end >= caps.since
    return ok


def expand(graph: EnterpriseGraph, start: int, caps: Caps | None = None) -> Subgraph:
    """Breadth-first expansion around ``start`` under ``caps``.

    Examples
    --------
    ``expand(graph, node, Caps(hops=2, max_degree=200))`` returns the 2-hop neighbourhood with the path
    that explains each node (e.g. enterprise -> legal representative -> other enterprise).

    """
    cfg = caps or Caps()
    parent: dict[int, int] = {start: -1}
    edges: set[int] = set()
    out = Subgraph(nodes=[start], edges=[], paths={})
    frontier = [start]
    for _ in range(cfg.hops):
        nxt: list[int] = []
        for node in frontier:
            if graph.degree(node) > cfg.max_degree:
                out.capped_nodes.append(node)
            nbr, eid = graph.neighbors(node, limit=cfg.max_degree)
            out.examined += len(nbr)
            ok = _in_window(graph, eid, cfg)
            for other, e in zip(nbr[ok].tolist(), eid[ok].tolist(), strict=True):
                if other not in parent:
                    if len(parent) >= cfg.max_nodes:
                        if node not in out.capped_nodes:
                            out.capped_nodes.append(node)
                        break
                    parent[other] = node
                    nxt.append(other)
                    out.nodes.append(other)
                edges.add(e)
        frontier = nxt
    out.edges = sorted(edges)
    out.paths = {node: _path(parent, node) for node in out.nodes}
    return out


def _path(parent: dict[int, int], node: int) -> list[int]:
    path = [node]
    while parent[path[-1]] != -1:
        path.append(parent[path[-1]])
    return path[::-1]


@dataclass(frozen=True)
class Path:
    """A shortest path: node ids from source to target, the edge ids between them, and its closeness."""

    nodes: list[int]
    edges: list[int]
    closeness: float


def closeness(graph: EnterpriseGraph, eids: list[int]) -> float:
    """Product of the relation weights along a path: 1.0 is a direct strongest tie, near 0 a remote one."""
    score = 1.0
    for e in eids:
        score *= RELATION_WEIGHT[EDGE_KINDS[graph.edge(e)[2]]]
    return round(score, 6)


def shortest_path(
    graph: EnterpriseGraph, source: int, target: int, max_hops: int = 6, max_degree: int = 200
) -> Path | None:
    """Bidirectional breadth-first search; nodes with more than ``max_degree`` edges are not passed through."""
    if source == target:
        return Path([source], [], 1.0)
    seen = ({source: (-1, -1)}, {target: (-1, -1)})
    queues = (deque([source]), deque([target]))
    for _ in range(max_hops):
        side = 0 if len(queues[0]) <= len(queues[1]) else 1
        meet = _step(graph, queues[side], seen[side], seen[1 - side], max_degree)
        if meet is not None:
            return _join(graph, meet, seen)
        if not queues[side]:
            return None
    return None


def _step(
    graph: EnterpriseGraph,
    queue: deque[int],
    mine: dict[int, tuple[int, int]],
    theirs: dict[int, tuple[int, int]],
    max_degree: int,
) -> int | None:
    for _ in range(len(queue)):
        node = queue.popleft()
        if len(mine) > 1 and graph.degree(node) > max_degree and mine[node][0] != -1:
            continue  # a hub is an endpoint at most, never a bridge
        nbr, eid = graph.neighbors(node, limit=None)
        for other, e in zip(nbr.tolist(), eid.tolist(), strict=True):
            if other in mine:
                continue
            mine[other] = (node, e)
            if other in theirs:
                return int(other)
            queue.append(other)
    return None


def _join(graph: EnterpriseGraph, meet: int, seen: tuple[dict[int, tuple[int, int]], ...]) -> Path:
    left: list[int] = [meet]
    left_edges: list[int] = []
    while seen[0][left[-1]][0] != -1:
        prev, e = seen[0][left[-1]]
        left.append(prev)
        left_edges.append(e)
    right_nodes: list[int] = []
    right_edges: list[int] = []
    node = meet
    while seen[1][node][0] != -1:
        nxt, e = seen[1][node]
        right_nodes.append(nxt)
        right_edges.append(e)
        node = nxt
    nodes = left[::-1] + right_nodes
    eids = left_edges[::-1] + right_edges
    return Path(nodes, eids, closeness(graph, eids))
