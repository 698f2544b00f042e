"""What the analyst console draws: a neighbourhood, a path or a propagation chain as flagged nodes and edges.

Pure reads of a loaded ``EnterpriseGraph``: bounded expansion (``query.expand``), bidirectional shortest paths,
the nearest known-bad enterprise, and per node the flags the console highlights (the applicant, a detected
gang's members, known-bad enterprises, identifiers shared by two or more enterprises). Node ids are stable
across requests and builds under one key (``<kind>:<token>``): the console can merge what successive calls
return. Labels are the graph's own (credit codes, masked identifiers); the service puts names on them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from riskloop.graph.gangs import Gang
from riskloop.graph.kinds import EDGE_CODE, EDGE_KINDS, NODE_CODE, NODE_KINDS
from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.query import Caps, Path, expand, shortest_path
from riskloop.graph.status import NEVER, EnterpriseStatus
from riskloop.graph.tokens import PUBLIC_KINDS, TOKEN_HEX, Tokenizer

HUB_DEGREE = 200  # an identifier's enterprises are counted over at most this many of its edges
ENTERPRISE, APPLICATION = NODE_CODE["enterprise"], NODE_CODE["application"]
IDENTIFIER_KINDS = frozenset({"phone", "address", "device", "ip", "bank_account", "email"})
_IDENTIFIER_CODES = np.array([NODE_CODE[k] for k in IDENTIFIER_KINDS])
_APPLIED_FOR = EDGE_CODE["applied_for"]
# The console's colour of a relation: control, guarantee, trade, litigation, shared identifier, application.
EDGE_GROUP: dict[str, str] = {
    "shareholding": "control",
    "officer": "control",
    "legal_rep": "control",
    "guarantee": "guarantee",
    "invoice_trade": "trade",
    "litigation_party": "litigation",
    "applied_for": "application",
    "applied_by": "application",
    **{k: "shared_identifier" for k in EDGE_KINDS if k.startswith("uses_") or k == "logged_in_from"},
}


@dataclass(frozen=True)
class NodeFacts:
    """A node as drawn: stable id, kind, reference (credit code, application id or token), label and flags."""

    node: int
    id: str
    kind: str
    ref: str
    label: str
    applicant: bool = False
    gang_id: str | None = None
    known_bad: bool = False
    shared: bool = False


@dataclass(frozen=True)
class EdgeFacts:
    """An edge as drawn: stable id, ends (node ids), relation, its group, and validity (days, None: open)."""

    id: str
    source: str
    target: str
    kind: str
    group: str
    since: dt.date | None
    until: dt.date | None


@dataclass(frozen=True)
class Sketch:
    """Nodes and edges to draw, and whether a cap cut the expansion."""

    nodes: list[NodeFacts]
    edges: list[EdgeFacts]
    capped: bool = False
    hops: int = 0


@dataclass
class GraphView:
    """A loaded graph with what flags its nodes: known-bad statuses and the gangs detected at load.

    One reader at a time (the graph's query scratch is shared): the holder serialises calls (``reading``).
    """

    graph: EnterpriseGraph
    tokenizer: Tokenizer
    status: EnterpriseStatus
    gangs: Sequence[Gang] = ()
    _gang_of: dict[str, str] | None = field(default=None, repr=False)
    _bad_since: np.ndarray | None = field(default=None, repr=False)
    _owner: np.ndarray | None = field(default=None, repr=False)

    def enterprise(self, credit_code: str) -> int | None:
        """Node id of an enterprise, or None when the graph does not hold it."""
        node = self.graph.lookup(self.tokenizer.key64("enterprise", credit_code))
        return node if node is not None and self.graph.kind[node] == ENTERPRISE else None

    def node_of_token(self, token: str) -> int | None:
        """Node id of a path node as alerts store it: a credit code, or a keyed token (24 hex)."""
        if len(token) == TOKEN_HEX and all(c in "0123456789abcdef" for c in token):
            return self.graph.lookup(int.from_bytes(bytes.fromhex(token[:16]), "little", signed=True))
        return self.enterprise(token)

    def gang_of(self, token: str) -> str | None:
        """The gang an enterprise (credit code) or application (id) belongs to, as detected at load."""
        if self._gang_of is None:
            self._gang_of = {}
            for gang in sorted(self.gangs, key=lambda g: g.gang_id):
                for member in (*gang.credit_codes, *gang.application_ids):
                    self._gang_of.setdefault(member, gang.gang_id)
        return self._gang_of.get(token)

    def bad(self, nodes: np.ndarray, at: int) -> np.ndarray:
        """Which of ``nodes`` are enterprises known bad at ``at`` (dishonest listing, enforcement, default)."""
        if self._bad_since is None:
            self._bad_since = self.status.bad_since()
        bad_since = self._bad_since
        out = np.zeros(len(nodes), dtype=bool)
        g = self.graph
        for i in np.flatnonzero(g.kind[nodes] == ENTERPRISE).tolist():
            row = self.status.index.get(g.token[int(nodes[i])], -1)
            out[i] = row >= 0 and int(bad_since[row]) <= at
        return out

    def shared(self, nodes: np.ndarray) -> np.ndarray:
        """Which of ``nodes`` are identifiers behind two or more distinct enterprises (directly or by applications)."""
        g = self.graph
        out = np.zeros(len(nodes), dtype=bool)
        for i in np.flatnonzero(np.isin(g.kind[nodes], _IDENTIFIER_CODES)).tolist():
            nbr, _ = g.neighbors(int(nodes[i]), limit=HUB_DEGREE)
            kinds = g.kind[nbr]
            firms = set(nbr[kinds == ENTERPRISE].tolist())
            firms.update(self._applied_for(nbr[kinds == APPLICATION]))
            firms.discard(-1)
            out[i] = len(firms) >= 2
        return out

    def _applied_for(self, applications: np.ndarray) -> Iterable[int]:
        """The enterprise each application is for: one array read for the build's, edges read for later ones."""
        g = self.graph
        if self._owner is None:  # the build's applications; recorded ones (the overlay) are read below
            self._owner = np.full(len(g.indptr) - 1, -1, dtype=np.int64)
            sel = g.ekind == _APPLIED_FOR
            self._owner[g.src[sel]] = g.dst[sel]
        known = applications < len(self._owner)
        yield from self._owner[applications[known]].tolist()
        for app in applications[~known].tolist():
            nbr, eid = g.neighbors(app, limit=8)
            kinds, _, _ = g.edge_arrays(eid)
            yield from nbr[kinds == _APPLIED_FOR].tolist()


def node_id(graph: EnterpriseGraph, node: int) -> str:
    """The stable id of ``node``: ``<kind>:<token>`` (a credit code or application id is its own token)."""
    return f"{NODE_KINDS[graph.kind[node]]}:{graph.token[node]}"


def _day(epoch: int) -> dt.date | None:
    if epoch <= 0 or epoch >= NEVER:
        return None
    return dt.datetime.fromtimestamp(epoch, dt.UTC).date()


def sketch(view: GraphView, nodes: Sequence[int], edges: Sequence[int], at: int, applicant: int | None) -> Sketch:
    """Flagged nodes and edges of ``nodes`` and ``edges`` (graph ids) as of ``at`` (epoch seconds)."""
    g = view.graph
    ids = np.asarray(nodes, dtype=np.int64)
    bad, shared = view.bad(ids, at), view.shared(ids)
    drawn = []
    for i, node in enumerate(ids.tolist()):
        kind, token = NODE_KINDS[g.kind[node]], g.token[node]
        gang = view.gang_of(token) if kind in PUBLIC_KINDS else None
        drawn.append(
            NodeFacts(node, node_id(g, node), kind, token, g.label[node], node == applicant, gang, bool(bad[i]),
                      bool(shared[i]))
        )  # fmt: skip
    lines = []
    for e in edges:
        src, dst, code, _, start, end = g.edge(int(e))
        kind = EDGE_KINDS[code]
        a, b = node_id(g, src), node_id(g, dst)
        lines.append(EdgeFacts(f"{a}|{kind}|{b}", a, b, kind, EDGE_GROUP[kind], _day(start), _day(end)))
    return Sketch(drawn, lines)


def neighbourhood(view: GraphView, start: int, hops: int, max_nodes: int, at: int) -> Sketch:
    """The ``hops``-hop neighbourhood of ``start``, at most ``max_nodes`` nodes (``capped`` when cut)."""
    sub = expand(view.graph, start, Caps(hops=hops, max_degree=HUB_DEGREE, max_nodes=max_nodes))
    found = sketch(view, sub.nodes, sub.edges, at, start)
    return Sketch(found.nodes, found.edges, sub.capped, hops)


def path_sketch(view: GraphView, path: Path, at: int, applicant: int | None) -> Sketch:
    """A path's nodes (in order) and edges."""
    found = sketch(view, path.nodes, path.edges, at, applicant)
    return Sketch(found.nodes, found.edges, hops=len(path.edges))


def between(view: GraphView, source: int, target: int, max_hops: int) -> Path | None:
    """A shortest path from ``source`` to ``target`` of at most ``max_hops`` edges (hubs are not passed through)."""
    return shortest_path(view.graph, source, target, max_hops=max_hops, max_degree=HUB_DEGREE)


def nearest_bad(view: GraphView, start: int, at: int, max_hops: int, max_nodes: int) -> Path | None:
    """A shortest path from ``start`` to the nearest other enterprise known bad at ``at``, within the caps."""
    sub = expand(view.graph, start, Caps(hops=max_hops, max_degree=HUB_DEGREE, max_nodes=max_nodes))
    candidates = np.asarray(sub.nodes[1:], dtype=np.int64)  # discovery order: nearest first
    for node in candidates[view.bad(candidates, at)].tolist():
        found = between(view, start, int(node), max_hops)
        if found is not None:
            return found
    return None


def chain(view: GraphView | None, hops: Sequence[tuple[str, str, str]], at: int) -> Sketch:
    """A stored propagation path (``(from, to, edge kind)`` of credit codes or tokens) drawn over the graph.

    A node the graph no longer holds (or every node, without a graph) is drawn from what the path says: its
    credit code, or its token shortened (never a raw identifier: paths hold none).
    """
    order: list[str] = []
    nodes: dict[str, NodeFacts] = {}
    edges: list[EdgeFacts] = []
    for src, dst, kind in hops:
        for token in (src, dst):
            if token in nodes:
                continue
            node = None if view is None else view.node_of_token(token)
            facts = _unknown(token) if view is None or node is None else sketch(view, [node], [], at, None).nodes[0]
            nodes[token] = facts
            order.append(token)
        a, b = nodes[src].id, nodes[dst].id
        edges.append(EdgeFacts(f"{a}|{kind}|{b}", a, b, kind, EDGE_GROUP.get(kind, "other"), None, None))
    return Sketch([nodes[t] for t in order], edges, hops=len(hops))


def _unknown(token: str) -> NodeFacts:
    kind = "person" if len(token) == TOKEN_HEX else "enterprise"
    return NodeFacts(-1, f"{kind}:{token}", kind, token, token if kind == "enterprise" else f"{token[:8]}…")
