"""Which enterprises a post-loan warning spreads to over the graph, and by which path (point in time).

One *step* goes from an enterprise to a related one: its guarantor or the firm it guarantees (`guarantee`), a
firm it holds or that holds it (`shareholding`), a main invoice counterparty (`invoice_trade` carrying at least
``main_counterparty_share`` of either side's invoiced volume), or through a person: the same legal
representative (`legal_rep` both ways) or the same shareholder. A step through a person is one step: two
firms of one boss are as close as a firm and its guarantor. Only edges valid on the as-of day are followed,
persons tied to more than ``max_person_firms`` firms are not (a nominee or an agent is no relation), and each
enterprise passes the warning to at most ``max_fanout`` others (the strongest ties first), for at most
``max_steps`` steps. Warning levels decay one level a step (``rules.decay``), in the service that uses this.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from riskloop.graph.kinds import EDGE_CODE, EDGE_KINDS, NODE_CODE, RELATION_WEIGHT
from riskloop.graph.memory import EnterpriseGraph

ENTERPRISE, PERSON = NODE_CODE["enterprise"], NODE_CODE["person"]
FIRM_TIES = ("guarantee", "shareholding", "invoice_trade")  # enterprise to enterprise
PERSON_TIES = ("legal_rep", "shareholding")  # enterprise to person to enterprise, the same kind both ways


@dataclass(frozen=True)
class SpreadRules:
    """How far and how wide a warning spreads (defaults documented in docs/post-loan.md)."""

    max_steps: int = 2
    max_fanout: int = 20
    max_person_firms: int = 20
    main_counterparty_share: float = 0.2


@dataclass(frozen=True)
class Reached:
    """An enterprise reached from the source: node id, steps, and the path of ``(from, to, edge kind)`` hops.

    Hops run in the direction travelled, from the source to the enterprise, whatever the edges' own direction.
    """

    node: int
    steps: int
    path: tuple[tuple[int, int, str], ...]


@dataclass(frozen=True)
class _Tie:
    node: int
    weight: float
    hops: tuple[tuple[int, int, str], ...]


def spread(
    graph: EnterpriseGraph,
    source: int,
    as_of: int,
    rules: SpreadRules | None = None,
    *,
    volumes: np.ndarray | None = None,
    memo: dict[int, list[_Tie]] | None = None,
) -> list[Reached]:
    """Enterprises related to enterprise node ``source`` as of ``as_of`` (epoch seconds), nearest first.

    Breadth first: an enterprise is reached once, by its shortest path (ties: the strongest relation).
    ``volumes``: ``invoice_volumes(graph, as_of)``, computed here when not given; ``memo``: the ties of nodes
    already expanded at this ``as_of`` and ``rules`` (pass both when spreading from many sources).
    """
    cfg = rules or SpreadRules()
    volume = invoice_volumes(graph, as_of) if volumes is None else volumes
    seen = {source}
    out: list[Reached] = []
    queue: deque[tuple[int, int, tuple[tuple[int, int, str], ...]]] = deque([(source, 0, ())])
    while queue:
        node, steps, path = queue.popleft()
        if steps >= cfg.max_steps:
            continue
        ties = memo.get(node) if memo is not None else None
        if ties is None:
            ties = _ties(graph, node, as_of, cfg, volume)
            if memo is not None:
                memo[node] = ties
        for tie in ties:
            if tie.node in seen:
                continue
            seen.add(tie.node)
            reached = Reached(tie.node, steps + 1, path + tie.hops)
            out.append(reached)
            queue.append((tie.node, steps + 1, reached.path))
    return out


def _valid_ties(graph: EnterpriseGraph, node: int, as_of: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Neighbours of ``node`` over edges valid at ``as_of``: node ids, edge kind codes and weights (vectorised)."""
    nbr, eid = graph.neighbors(node)
    base = len(graph.src)
    built = eid < base  # edges of the build; recorded ones (an overlay) are read one by one
    e = eid[built]
    ok = (graph.vfrom[e] <= as_of) & (graph.vto[e] >= as_of)
    others, kinds, weights = nbr[built][ok], graph.ekind[e][ok], graph.weight[e][ok]
    extra = [(int(o), graph.edge(int(x))) for o, x in zip(nbr[~built], eid[~built], strict=True)]
    extra = [(o, r) for o, r in extra if r[4] <= as_of <= r[5]]
    if extra:
        others = np.concatenate([others, [o for o, _ in extra]])
        kinds = np.concatenate([kinds, [r[2] for _, r in extra]])
        weights = np.concatenate([weights, [r[3] for _, r in extra]])
    return others.astype(np.int64), kinds.astype(np.int64), weights.astype(np.float64)


_FIRM_CODES = np.array([EDGE_CODE[k] for k in FIRM_TIES])
_INVOICE = EDGE_CODE["invoice_trade"]


def _ties(graph: EnterpriseGraph, node: int, as_of: int, cfg: SpreadRules, volume: np.ndarray) -> list[_Tie]:
    """The enterprises one step from ``node``, strongest first, at most ``max_fanout``."""
    best: dict[int, _Tie] = {}
    others, kinds, weights = _valid_ties(graph, node, as_of)
    node_kind = graph.kind[others]
    firm = (node_kind == ENTERPRISE) & np.isin(kinds, _FIRM_CODES)
    invoice = kinds == _INVOICE
    share = cfg.main_counterparty_share
    ours, theirs = volume[node], volume[others]
    main = ((ours > 0) & (weights >= share * ours)) | ((theirs > 0) & (weights >= share * theirs))
    firm &= ~invoice | main
    for other, code in zip(others[firm].tolist(), kinds[firm].tolist(), strict=True):
        kind = EDGE_KINDS[code]
        _keep(best, _Tie(other, RELATION_WEIGHT[kind], ((node, other, kind),)))
    person = (node_kind == PERSON) & np.isin(kinds, [EDGE_CODE[k] for k in PERSON_TIES])
    for other, code in sorted(set(zip(others[person].tolist(), kinds[person].tolist(), strict=True))):
        for tie in _through_person(graph, node, other, (node, other, EDGE_KINDS[code]), as_of, cfg):
            _keep(best, tie)
    ties = sorted(best.values(), key=lambda t: (-t.weight, t.node))
    return ties[: cfg.max_fanout]


def _keep(best: dict[int, _Tie], tie: _Tie) -> None:
    if tie.node not in best or tie.weight > best[tie.node].weight:
        best[tie.node] = tie


def _through_person(  # noqa: PLR0917
    graph: EnterpriseGraph,
    firm: int,
    person: int,
    first: tuple[int, int, str],
    as_of: int,
    cfg: SpreadRules,
) -> list[_Tie]:
    """Other firms tied to ``person`` by the same kind of relation as ``first`` (the person's tie to ``firm``)."""
    others, kinds, _ = _valid_ties(graph, person, as_of)
    same = (graph.kind[others] == ENTERPRISE) & (kinds == EDGE_CODE[first[2]])
    firms = [(other, (person, other, first[2])) for other in others[same].tolist()]
    if len({f for f, _ in firms}) > cfg.max_person_firms:
        return []
    weight = RELATION_WEIGHT[first[2]]
    return [_Tie(other, weight, (first, hop)) for other, hop in firms if other != firm]


def invoice_volumes(graph: EnterpriseGraph, as_of: int) -> np.ndarray:
    """Invoiced volume of every node over the ``invoice_trade`` edges valid at ``as_of`` (both directions)."""
    n = graph.n_nodes
    keep = (graph.ekind == EDGE_CODE["invoice_trade"]) & (graph.vfrom <= as_of) & (graph.vto >= as_of)
    weight = graph.weight[keep]
    total: np.ndarray = np.bincount(graph.src[keep], weights=weight, minlength=n) + np.bincount(
        graph.dst[keep], weights=weight, minlength=n
    )
    return total


def _main(weight: float, ours: float, theirs: float, cfg: SpreadRules) -> bool:
    """Whether a trade of ``weight`` is a main part of either side's invoiced volume."""
    return any(total > 0 and weight / total >= cfg.main_counterparty_share for total in (ours, theirs))


def enterprise_nodes(graph: EnterpriseGraph, credit_codes: list[str]) -> dict[str, int]:
    """Node ids of the enterprises among ``credit_codes`` the graph holds (their token is the credit code)."""
    firms = np.flatnonzero(graph.kind == ENTERPRISE)
    wanted = set(credit_codes)
    return {graph.token[f]: int(f) for f in firms.tolist() if graph.token[f] in wanted}
