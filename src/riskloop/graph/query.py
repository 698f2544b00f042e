"""Relationship queries: capped N-hop expansion with explaining paths, and the shortest path between two nodes.

Work is bounded by the caps, not by the graph: a node with more than ``max_degree`` edges contributes only
its first ``max_degree`` (and the result says it was capped), so a hub of 100k edges costs what 200 cost.
"""

from __future__ import annotations

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
    """Nodes (start first) and edges found, each node's parent on its path, and what the caps cut."""

    nodes: list[int]
    edges: list[int]
    start: int
    capped_nodes: list[int] = field(default_factory=list)
    examined: int = 0  # adjacency entries read: the work done
    hops: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)  # (new nodes, their parents)
    _parent: dict[int, int] | None = None

    @property
    def parent(self) -> dict[int, int]:
        """Parent of every node on its path (-1 for the start), built on first use."""
        if self._parent is None:
            self._parent = {self.start: -1}
            for fresh, parents in self.hops:
                self._parent.update(zip(fresh.tolist(), parents.tolist(), strict=True))
        return self._parent

    @property
    def capped(self) -> bool:
        """True if a cap cut anything."""
        return bool(self.capped_nodes)

    def path(self, node: int) -> list[int]:
        """Node ids from the start to ``node``: the chain of relations that explains the connection."""
        out = [node]
        while self.parent[out[-1]] != -1:
            out.append(self.parent[out[-1]])
        return out[::-1]

    @property
    def paths(self) -> dict[int, list[int]]:
        """The path to every node."""
        return {node: self.path(node) for node in self.nodes}


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


def _gather(graph: EnterpriseGraph, frontier: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Neighbours, edge ids and source of the first ``cap`` CSR entries of every frontier node, plus overlays."""
    base = frontier[frontier < len(graph.indptr) - 1]
    lo = graph.indptr[base]
    take = np.minimum(graph.indptr[base + 1] - lo, cap)
    total = int(take.sum())
    offsets = np.arange(total) - np.repeat(np.cumsum(take) - take, take)
    pos = np.repeat(lo, take) + offsets
    nbr, eid, owner = graph.nbr[pos].astype(np.int64), graph.eid[pos].astype(np.int64), np.repeat(base, take)
    extra = [n for n in frontier.tolist() if graph.has_overlay(n)]
    for node in extra:
        more_nbr, more_eid = graph.overlay(node)
        nbr, eid = np.r_[nbr, more_nbr], np.r_[eid, more_eid]
        owner = np.r_[owner, np.full(len(more_nbr), node)]
    return nbr, eid, owner


def expand(graph: EnterpriseGraph, start: int, caps: Caps | None = None) -> Subgraph:
    """Breadth-first expansion around ``start`` under ``caps``, one vectorised step per hop.

    Examples
    --------
    ``expand(graph, node, Caps(hops=2, max_degree=200))`` returns the 2-hop neighbourhood; ``sub.path(n)``
    explains each node (e.g. enterprise -> legal representative -> other enterprise).

    """
    cfg = caps or Caps()
    out = Subgraph(nodes=[start], edges=[], start=start)
    stamp, first_at, gen = graph.scratch()
    stamp[start] = gen
    frontier = np.array([start], dtype=np.int64)
    edge_parts: list[np.ndarray] = []
    n_base = len(graph.indptr) - 1
    for _ in range(cfg.hops):
        if not len(frontier):
            break
        base = frontier[frontier < n_base]
        out.capped_nodes += base[graph.indptr[base + 1] - graph.indptr[base] > cfg.max_degree].tolist()
        nbr, eid, owner = _gather(graph, frontier, cfg.max_degree)
        out.examined += len(nbr)
        ok = _in_window(graph, eid, cfg)
        nbr, eid, owner = nbr[ok], eid[ok], owner[ok]
        edge_parts.append(eid)
        new = stamp[nbr] != gen
        cand, cand_owner = nbr[new], owner[new]
        first_at[cand[::-1]] = np.arange(len(cand) - 1, -1, -1)  # first occurrence wins: discovery order
        keep = first_at[cand] == np.arange(len(cand))
        fresh, parents = cand[keep], cand_owner[keep]
        room = cfg.max_nodes - len(out.nodes)
        if len(fresh) > room:
            out.capped_nodes.append(int(parents[room]))
            fresh, parents = fresh[:room], parents[:room]
        stamp[fresh] = gen
        out.hops.append((fresh, parents))
        out.nodes += fresh.tolist()
        frontier = fresh
    if edge_parts:
        eids = np.concatenate(edge_parts)
        over = eids >= len(graph.src)
        ends = np.array([graph.edge(int(e))[:2] for e in eids[over]], np.int64).reshape(-1, 2)
        base_e = eids[~over]
        src, dst = np.r_[graph.src[base_e], ends[:, 0]], np.r_[graph.dst[base_e], ends[:, 1]]
        keep = (stamp[src] == gen) & (stamp[dst] == gen)
        kept = np.sort(np.r_[base_e, eids[over]][keep])
        out.edges = kept[np.r_[True, kept[1:] != kept[:-1]]].tolist() if len(kept) else []
    return out


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
    """Bidirectional breadth-first search, one vectorised level at a time, smaller frontier first.

    Nodes with more than ``max_degree`` edges (a carrier IP, a business-centre address) end a path at most:
    they are never passed through.
    """
    if source == target:
        return Path([source], [], 1.0)
    stamp, parent, via, gens = graph.path_scratch()
    sides = [np.array([source], np.int64), np.array([target], np.int64)]
    for side, root in enumerate((source, target)):
        stamp[root], parent[side][root], via[side][root] = gens[side], -1, -1
    for _ in range(max_hops):
        side = 0 if len(sides[0]) <= len(sides[1]) else 1
        frontier = sides[side]
        base = frontier[frontier < len(graph.indptr) - 1]
        hub = graph.indptr[base + 1] - graph.indptr[base] > max_degree
        frontier = np.r_[base[~hub | (base == (source, target)[side])], frontier[frontier >= len(graph.indptr) - 1]]
        nbr, eid, owner = _gather(graph, frontier, max_degree)
        met = np.flatnonzero(stamp[nbr] == gens[1 - side])
        met = met[~_hub(graph, nbr[met], max_degree) | (nbr[met] == (source, target)[1 - side])]
        if len(met):
            k = int(met[0])
            return _join(graph, (int(owner[k]), int(eid[k]), int(nbr[k])), side, parent, via)
        new = stamp[nbr] != gens[side]
        cand, cand_owner, cand_eid = nbr[new], owner[new], eid[new]
        first = graph.first_scratch()
        first[cand[::-1]] = np.arange(len(cand) - 1, -1, -1)
        keep = first[cand] == np.arange(len(cand))
        fresh = cand[keep]
        stamp[fresh] = gens[side]
        parent[side][fresh], via[side][fresh] = cand_owner[keep], cand_eid[keep]
        sides[side] = fresh
        if not len(fresh):
            return None
    return None


def _hub(graph: EnterpriseGraph, nodes: np.ndarray, max_degree: int) -> np.ndarray:
    """Which of ``nodes`` have more than ``max_degree`` edges in the batch CSR (a path never passes through them).

    The other side stamped such a node when it reached it but never expanded it: meeting there would pass through.
    """
    n_base = len(graph.indptr) - 1
    inside = np.minimum(nodes, n_base - 1)
    hub: np.ndarray = (nodes < n_base) & (graph.indptr[inside + 1] - graph.indptr[inside] > max_degree)
    return hub


def _join(
    graph: EnterpriseGraph,
    bridge: tuple[int, int, int],
    side: int,
    parent: tuple[np.ndarray, np.ndarray],
    via: tuple[np.ndarray, np.ndarray],
) -> Path:
    """Path through ``bridge`` = (owner, edge, meet): side ``side`` reached the other side's node ``meet``."""
    owner, eid, meet = bridge

    def walk(node: int, s: int) -> tuple[list[int], list[int]]:
        nodes, edges = [node], []
        while parent[s][nodes[-1]] != -1:
            edges.append(int(via[s][nodes[-1]]))
            nodes.append(int(parent[s][nodes[-1]]))
        return nodes, edges

    mine, my_edges = walk(owner, side)  # owner back to this side's root
    theirs, their_edges = walk(meet, 1 - side)  # meet back to the other root
    nodes = mine[::-1] + theirs
    edges = [*my_edges[::-1], eid, *their_edges]
    if side == 1:
        nodes, edges = nodes[::-1], edges[::-1]
    return Path(nodes, edges, closeness(graph, edges))
