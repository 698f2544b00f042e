"""Graph signals of every enterprise for screening: related-party and propagated risk, gangs, bad neighbours.

Computed for all enterprises at once from the analytics the graph commands already build (``GraphAnalytics``), so
screening a million enterprises costs a few sparse matrix-vector products, never a query per enterprise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix

from riskloop.graph.analytics import GraphAnalytics
from riskloop.graph.kinds import EDGE_KINDS, NODE_CODE, RELATION_WEIGHT
from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.status import EnterpriseStatus

# Ties through which a neighbour's trouble is the enterprise's concern: control and guarantees. A shared IP or a
# business-centre address links strangers, and trading with a troubled firm is common for any firm that trades
# much, so neither counts.
STRONG_TIES = frozenset({"shareholding", "officer", "legal_rep", "guarantee"})
TROUBLE = ("dishonest", "enforcement", "default", "litigation")


@dataclass(frozen=True)
class GraphSignalArrays:
    """Per enterprise, in the order of the codes asked for (zeros for an enterprise not in the graph)."""

    related_risk: np.ndarray  # the decision path's related-party risk in [0, 1)
    propagated_risk: np.ndarray
    gang: np.ndarray  # bool: a member of a detected gang
    bad_neighbours: np.ndarray  # int: troubled enterprises within two strong ties
    troubled: dict[str, np.ndarray]  # status -> bool: the enterprise's own known status by the day


def graph_signals(analytics: GraphAnalytics, codes: Sequence[str], as_of: int) -> GraphSignalArrays:
    """The signals of ``codes`` as of ``as_of`` (epoch seconds), from analytics built as of that time."""
    members = frozenset(code for gang in analytics.gangs for code in gang.credit_codes)
    risk = NodeRisk(analytics.related, analytics.propagated, members)
    return signals_of(analytics.graph, analytics.status, risk, codes, as_of)


@dataclass(frozen=True)
class NodeRisk:
    """Risk arrays over the graph's nodes and the credit codes of gang members."""

    related: np.ndarray
    propagated: np.ndarray
    gang_codes: frozenset[str]


def signals_of(
    graph: EnterpriseGraph, status: EnterpriseStatus, risk: NodeRisk, codes: Sequence[str], as_of: int
) -> GraphSignalArrays:
    """The signals of ``codes`` from the graph, the statuses known by ``as_of`` and the node risk arrays."""
    node = _nodes(graph, codes)
    found = node >= 0
    at = np.where(found, node, 0)
    # the decision path's mapping of the weighted count to [0, 1) (``graph.checks``)
    related = np.where(found, 1.0 - np.exp(-risk.related[at]), 0.0) if len(risk.related) else np.zeros(len(codes))
    propagated = np.where(found, np.clip(risk.propagated[at], 0.0, 1.0), 0.0) if len(risk.propagated) else related * 0
    gang = np.fromiter((c in risk.gang_codes for c in codes), dtype=bool, count=len(codes))
    troubled_nodes = _troubled_nodes(graph, status, as_of)
    neighbours = _bad_neighbours(graph, troubled_nodes, as_of)
    bad = np.where(found, neighbours[at], 0).astype(np.int64)
    rows = status.rows(list(codes))
    own = {}
    for name in TROUBLE:
        since = status.since[name]
        own[name] = (rows >= 0) & (since[np.maximum(rows, 0)] <= as_of) if len(since) else np.zeros(len(codes), bool)
    return GraphSignalArrays(related, propagated, gang, bad, own)


def _nodes(graph: EnterpriseGraph, codes: Sequence[str]) -> np.ndarray:
    firms = np.flatnonzero(graph.kind == NODE_CODE["enterprise"])
    index = {graph.token[f]: int(f) for f in firms.tolist()}
    return np.fromiter((index.get(c, -1) for c in codes), dtype=np.int64, count=len(codes))


def _troubled_nodes(graph: EnterpriseGraph, status: EnterpriseStatus, as_of: int) -> np.ndarray:
    """1.0 on enterprise nodes with any trouble (known bad or sued as defendant) known by ``as_of``."""
    out = np.zeros(graph.n_nodes, dtype=np.float64)
    firms = np.flatnonzero(graph.kind == NODE_CODE["enterprise"])
    rows = status.rows([graph.token[f] for f in firms.tolist()])
    known = rows >= 0
    since = np.minimum(status.bad_since(), status.since["litigation"]) if len(rows) else np.zeros(0, np.int64)
    hit = since[rows[known]] <= as_of
    out[firms[known][hit]] = 1.0
    return out


def _bad_neighbours(graph: EnterpriseGraph, troubled: np.ndarray, as_of: int) -> np.ndarray:
    """Troubled enterprises one strong tie away, or two through a person (paths, the enterprise itself excluded)."""
    src, dst, kind, start = graph.edge_columns()
    strong = np.array([name in STRONG_TIES and RELATION_WEIGHT[name] > 0 for name in EDGE_KINDS])
    keep = strong[kind] & (start <= as_of)
    s, d = src[keep], dst[keep]
    n = graph.n_nodes
    adj = coo_matrix((np.ones(2 * len(s)), (np.r_[s, d], np.r_[d, s])), shape=(n, n)).tocsr()
    adj.data[:] = 1.0  # repeated edges count once
    firm = graph.kind == NODE_CODE["enterprise"]
    firm_trouble = np.where(firm, troubled, 0.0)
    direct = adj @ firm_trouble  # troubled enterprises tied directly
    via_people = adj @ np.where(firm, 0.0, direct)  # ... or through a person (any node that is not an enterprise)
    self_paths = (adj @ (~firm).astype(np.float64)) * firm_trouble  # i -> person -> i, when i itself is troubled
    total = np.where(firm, direct + via_people - self_paths, 0.0)
    return np.rint(total).astype(np.int64)
