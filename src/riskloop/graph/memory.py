"""The in-memory analytic graph: CSR adjacency over the persisted edges, plus an overlay for incremental edges.

Every edge is stored once (row ``eid``) and appears in both endpoints' adjacency. Edges that arrive after
the batch build go to a small overlay merged on read, so the request path never rebuilds the CSR.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskloop.graph.build import EDGE_SCHEMA, NODE_SCHEMA, GraphTables
from riskloop.graph.growth import appended
from riskloop.graph.kinds import FOREVER

I64 = np.dtype(np.int64)


class EnterpriseGraph:
    """Adjacency, edge attributes and node lookup of one graph.

    Parameters
    ----------
    tables : GraphTables
        Nodes and edges as built (``build_graph``) or read back from a ``GraphStore``.

    """

    def __init__(self, tables: GraphTables) -> None:
        nodes, edges = tables.nodes, tables.edges
        n = nodes.num_rows
        ids = nodes["node_id"].to_numpy()
        if n and not np.array_equal(ids, np.arange(n)):
            raise ValueError("node ids must be 0..n-1 in order")
        self.kind = nodes["kind"].to_numpy().astype(np.int8)
        self._kinds: np.ndarray | None = None  # ``kind`` grows in it as nodes are recorded (``growth.appended``)
        self.token: list[str] = nodes["token"].to_pylist()
        self.label: list[str] = nodes["label"].to_pylist()
        keys = nodes["key"].to_numpy()
        self.keys: list[int] = keys.tolist()
        self._key_order = np.argsort(keys, kind="stable")
        self._keys_sorted = keys[self._key_order]
        self._new_keys: dict[int, int] = {}
        self.src = edges["src"].to_numpy().astype(np.int64)
        self.dst = edges["dst"].to_numpy().astype(np.int64)
        self.ekind = edges["kind"].to_numpy().astype(np.int8)
        self.weight = edges["weight"].to_numpy().astype(np.float64)
        self.vfrom = edges["valid_from"].to_numpy().astype(np.int64)
        self.vto = pc.fill_null(edges["valid_to"], FOREVER).to_numpy().astype(np.int64)
        self.indptr, self.nbr, self.eid = csr(n, self.src, self.dst)
        self._stamp = np.zeros(n, dtype=np.int64)  # scratch of the queries: visited marks by generation
        self._first = np.zeros(n, dtype=np.int64)
        self._gen = 0
        self._parents: tuple[np.ndarray, np.ndarray] = (np.zeros(0, np.int64), np.zeros(0, np.int64))
        self._vias: tuple[np.ndarray, np.ndarray] = (np.zeros(0, np.int64), np.zeros(0, np.int64))
        self.extra: list[tuple[int, int, int, float, int, int]] = []  # overlay edge rows
        self._extra_adj: dict[int, list[tuple[int, int]]] = {}
        self._extra_index: dict[tuple[int, int, int], int] = {}

    @property
    def n_nodes(self) -> int:
        """Number of nodes, overlay included."""
        return len(self.kind)

    @property
    def n_edges(self) -> int:
        """Number of edges, overlay included."""
        return len(self.src) + len(self.extra)

    def lookup(self, key: int) -> int | None:
        """Node id of the lookup key ``key`` (``Tokenizer.key64``), or ``None``."""
        i = int(np.searchsorted(self._keys_sorted, key))
        if i < len(self._keys_sorted) and self._keys_sorted[i] == key:
            return int(self._key_order[i])
        return self._new_keys.get(key)

    def degree(self, node: int) -> int:
        """Number of edges at ``node``."""
        base = int(self.indptr[node + 1] - self.indptr[node]) if node < len(self.indptr) - 1 else 0
        return base + len(self._extra_adj.get(node, ()))

    def neighbors(self, node: int, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Neighbour node ids and edge ids of ``node``: CSR part, then overlay; at most ``limit`` in all.

        Over the limit (a hub) the newest overlay edges are kept first, then the CSR part fills the rest: an
        identifier reused on every live application must not make each check read all of its edges.
        """
        extra = self._extra_adj.get(node)
        if extra and limit is not None:
            extra = extra[-limit:]
        room = None if limit is None else limit - (len(extra) if extra else 0)
        if node < len(self.indptr) - 1:
            lo, hi = int(self.indptr[node]), int(self.indptr[node + 1])
            if room is not None:
                hi = min(hi, lo + room)
            nbr, eid = self.nbr[lo:hi], self.eid[lo:hi]
        else:
            nbr, eid = self.nbr[:0], self.eid[:0]
        if extra:
            more = np.array(extra, dtype=np.int64).reshape(-1, 2)
            nbr, eid = np.concatenate([nbr, more[:, 0]]), np.concatenate([eid, more[:, 1]])
        return nbr, eid

    def batch_neighbors(self, node: int) -> tuple[np.ndarray, np.ndarray]:
        """Neighbour node ids and edge ids of ``node`` in the batch CSR only (what was built; no overlay)."""
        if node >= len(self.indptr) - 1:
            return self.nbr[:0], self.eid[:0]
        lo, hi = int(self.indptr[node]), int(self.indptr[node + 1])
        return self.nbr[lo:hi], self.eid[lo:hi]

    def scratch(self) -> tuple[np.ndarray, np.ndarray, int]:
        """Per-node scratch arrays and a fresh generation number (queries mark visited nodes with it).

        One query at a time per graph: the decision service gives each worker its own graph.
        """
        if len(self._stamp) < self.n_nodes:  # grown by half at least: recorded nodes arrive one by one
            grow = max(self.n_nodes, len(self._stamp) * 3 // 2) - len(self._stamp)
            self._stamp = np.r_[self._stamp, np.zeros(grow, np.int64)]
            self._first = np.r_[self._first, np.zeros(grow, np.int64)]
        self._gen += 1
        return self._stamp, self._first, self._gen

    def first_scratch(self) -> np.ndarray:
        """The per-node scratch array of first occurrences (see ``scratch``)."""
        self.scratch()
        return self._first

    def path_scratch(
        self,
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray], tuple[int, int]]:
        """Visited marks, per-side parents and parent edges, and two fresh generations for a two-sided search."""
        stamp, _, first_gen = self.scratch()
        _, _, second_gen = self.scratch()
        n = self.n_nodes
        if len(self._parents[0]) < n:
            size = max(n, len(self._parents[0]) * 3 // 2)
            self._parents = (np.full(size, -1, np.int64), np.full(size, -1, np.int64))
            self._vias = (np.full(size, -1, np.int64), np.full(size, -1, np.int64))
        return stamp, self._parents, self._vias, (first_gen, second_gen)

    def has_overlay(self, node: int) -> bool:
        """True if ``node`` has edges in the overlay."""
        return node in self._extra_adj

    def overlay(self, node: int) -> tuple[np.ndarray, np.ndarray]:
        """Neighbours and edge ids of ``node`` in the overlay only."""
        more = np.array(self._extra_adj.get(node, []), dtype=np.int64).reshape(-1, 2)
        return more[:, 0], more[:, 1]

    def edge(self, eid: int) -> tuple[int, int, int, float, int, int]:
        """``(src, dst, kind, weight, valid_from, valid_to)`` of edge ``eid``."""
        base = len(self.src)
        if eid >= base:
            return self.extra[eid - base]
        return (
            int(self.src[eid]),
            int(self.dst[eid]),
            int(self.ekind[eid]),
            float(self.weight[eid]),
            int(self.vfrom[eid]),
            int(self.vto[eid]),
        )

    def edge_columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Sources, targets, kinds and starts of every edge, overlay included (the batch arrays when it is empty)."""
        if not self.extra:
            return self.src, self.dst, self.ekind, self.vfrom
        extra = np.array([(e[0], e[1], e[2], e[4]) for e in self.extra], dtype=I64)
        return (
            np.concatenate([self.src, extra[:, 0]]),
            np.concatenate([self.dst, extra[:, 1]]),
            np.concatenate([self.ekind, extra[:, 2].astype(np.int8)]),
            np.concatenate([self.vfrom, extra[:, 3]]),
        )

    def edge_arrays(self, eids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Kinds, starts and ends of edges ``eids`` (overlay included)."""
        base = len(self.src)
        if not len(eids) or eids.max() < base:
            return self.ekind[eids], self.vfrom[eids], self.vto[eids]
        batch = eids < base  # most of a node's edges: only its overlay rows are read one by one
        kinds, starts, ends = np.empty(len(eids), np.int8), np.empty(len(eids), I64), np.empty(len(eids), I64)
        kinds[batch], starts[batch], ends[batch] = (
            self.ekind[eids[batch]],
            self.vfrom[eids[batch]],
            self.vto[eids[batch]],
        )
        rows = [self.extra[int(e) - base] for e in eids[~batch]]
        kinds[~batch] = [r[2] for r in rows]
        starts[~batch] = [r[4] for r in rows]
        ends[~batch] = [r[5] for r in rows]
        return kinds, starts, ends

    def add_node(self, kind: int, token: str, key: int, label: str) -> int:
        """Add a node (if its key is new) and return its id."""
        found = self.lookup(key)
        if found is not None:
            return found
        node = len(self.kind)
        self.kind, self._kinds = appended(self.kind, kind, self._kinds)
        self.token.append(token)
        self.label.append(label)
        self.keys.append(key)
        self._new_keys[key] = node
        return node

    def add_edge(
        self, src: int, dst: int, kind: int, *, weight: float, valid_from: int, valid_to: int, accumulate: bool = False
    ) -> int:
        """Add or merge an edge as the batch build would: earliest start, latest end, largest (or summed) weight."""
        eid = self._find(src, dst, kind)
        if eid is None:
            eid = len(self.src) + len(self.extra)
            self.extra.append((src, dst, kind, weight, valid_from, valid_to))
            self._extra_index[(src, dst, kind)] = eid
            self._extra_adj.setdefault(src, []).append((dst, eid))
            self._extra_adj.setdefault(dst, []).append((src, eid))
            return eid
        _, _, _, w, f, t = self.edge(eid)
        merged = (src, dst, kind, w + weight if accumulate else max(w, weight), min(f, valid_from), max(t, valid_to))
        if eid >= len(self.src):
            self.extra[eid - len(self.src)] = merged
        else:
            self.weight[eid], self.vfrom[eid], self.vto[eid] = merged[3], merged[4], merged[5]
        return eid

    def _find(self, src: int, dst: int, kind: int) -> int | None:
        found = self._extra_index.get((src, dst, kind))
        if found is not None or src >= len(self.indptr) - 1:
            return found
        lo, hi = int(self.indptr[src]), int(self.indptr[src + 1])
        hits = self.eid[lo:hi][self.nbr[lo:hi] == dst]
        for e in hits.tolist():
            if self.ekind[e] == kind and self.src[e] == src:
                return int(e)
        return None

    def to_tables(self) -> GraphTables:
        """Nodes and edges, overlay included (valid_to null where open), e.g. to persist or compare."""
        n = self.n_nodes
        keys = np.array(self.keys, dtype=I64)
        nodes = pa.table(
            {"node_id": np.arange(n), "kind": self.kind, "token": self.token, "key": keys, "label": self.label},
            schema=NODE_SCHEMA,
        )
        extra = np.array(self.extra, dtype=np.float64).reshape(-1, 6)
        cols = [
            np.concatenate([self.src, extra[:, 0].astype(I64)]),
            np.concatenate([self.dst, extra[:, 1].astype(I64)]),
            np.concatenate([self.ekind, extra[:, 2].astype(np.int8)]),
            np.concatenate([self.weight, extra[:, 3]]),
            np.concatenate([self.vfrom, np.array([e[4] for e in self.extra], I64)]),
            np.concatenate([self.vto, np.array([e[5] for e in self.extra], I64)]),
        ]
        valid_to = pa.array(cols[5], mask=cols[5] == FOREVER)
        edges = pa.table(dict(zip(EDGE_SCHEMA.names, [*cols[:5], valid_to], strict=True)), schema=EDGE_SCHEMA)
        return GraphTables(nodes, edges)


def csr(n: int, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Undirected CSR of ``n`` nodes: ``indptr``, neighbour ids (int32) and edge ids (int32), sorted by node."""
    both = np.concatenate([src, dst])
    other = np.concatenate([dst, src])
    eid = np.concatenate([np.arange(len(src)), np.arange(len(src))])
    order = np.argsort(both, kind="stable")
    indptr = np.zeros(n + 1, dtype=I64)
    np.cumsum(np.bincount(both, minlength=n), out=indptr[1:])
    return indptr, other[order].astype(np.int32), eid[order].astype(np.int32)
