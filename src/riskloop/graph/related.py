"""Related-party risk: bad statuses within k hops, weighted by relation strength and 1 / distance."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix

from riskloop.graph.kinds import EDGE_KINDS, NODE_CODE, RELATION_WEIGHT
from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.propagation import seeds
from riskloop.graph.query import Caps, expand
from riskloop.graph.status import STATUSES, EnterpriseStatus


@dataclass(frozen=True)
class RelatedRisk:
    """Counts of related enterprises per status, the weighted score, and the worst paths (node ids)."""

    counts: dict[str, int]
    score: float
    evidence: list[list[int]]
    capped: bool


def related_party_risk(
    graph: EnterpriseGraph, node: int, status: EnterpriseStatus, as_of: int, caps: Caps | None = None
) -> RelatedRisk:
    """Bad statuses of enterprises within ``caps.hops`` of ``node`` known by ``as_of``.

    Each related enterprise adds ``product of relation weights along its path / hops`` per status it has.
    """
    cfg = caps or Caps(hops=2, max_degree=200, until=as_of)
    sub = expand(graph, node, cfg)
    counts = dict.fromkeys(STATUSES, 0)
    score = 0.0
    hits: list[tuple[float, list[int]]] = []
    enterprise = NODE_CODE["enterprise"]
    for other in sub.nodes[1:]:
        if graph.kind[other] != enterprise:
            continue
        row = status.index.get(graph.token[other], -1)
        if row < 0:
            continue
        bad = [s for s in STATUSES if status.since[s][row] <= as_of]
        if not bad:
            continue
        path = sub.path(other)
        weight = _path_weight(graph, path) / (len(path) - 1)
        for s in bad:
            counts[s] += 1
        score += weight * len(bad)
        hits.append((weight, path))
    hits.sort(key=lambda h: -h[0])
    return RelatedRisk(counts, round(score, 6), [p for _, p in hits[:5]], sub.capped)


def _path_weight(graph: EnterpriseGraph, path: list[int]) -> float:
    weight = 1.0
    for a, b in itertools.pairwise(path):
        nbr, eid = graph.neighbors(a)
        kinds = [graph.edge(int(e))[2] for e in eid[nbr == b].tolist()]
        weight *= max((RELATION_WEIGHT[EDGE_KINDS[k]] for k in kinds), default=0.0)
    return weight


def related_scores(graph: EnterpriseGraph, status: EnterpriseStatus, as_of: int, max_degree: int = 200) -> np.ndarray:
    """Batch related-party score of every node: weighted bad neighbours at 1 hop plus half those at 2 hops.

    Counts walks rather than distinct paths, through nodes of at most ``max_degree`` edges valid by ``as_of``
    (overlay included: point in time, so the score of a date does not depend on edges that came later); the
    decision path reads this array instead of expanding per request.
    """
    n = graph.n_nodes
    src, dst, kind, start = graph.edge_columns()
    keep = start <= as_of
    src, dst, kind = src[keep], dst[keep], kind[keep]
    deg = np.bincount(src, minlength=n) + np.bincount(dst, minlength=n)
    ok = (deg[src] <= max_degree) & (deg[dst] <= max_degree)
    w = np.asarray([RELATION_WEIGHT[k] for k in EDGE_KINDS])[kind[ok]]
    src, dst = src[ok], dst[ok]
    adj = coo_matrix((np.r_[w, w], (np.r_[src, dst], np.r_[dst, src])), shape=(n, n)).tocsr()
    bad = seeds(graph, status, as_of)
    one = adj @ bad
    two = adj @ one - (adj.multiply(adj) @ np.ones(n)) * bad  # drop walks that return to the start
    out: np.ndarray = one + 0.5 * np.maximum(two, 0.0)
    return out
