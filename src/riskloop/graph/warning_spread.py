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
    volumes: np.ndarray | None = None,
) -> list[Reached]:
    """Enterprises related to enterprise node ``source`` as of ``as_of`` (epoch seconds), nearest first.

    Breadth first: an enterprise is reached once, by its shortest path (ties: the strongest relation).
    ``volumes``: ``invoice_volumes(graph, as_of)``, computed here when not given (pass it for many sources).
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
        for tie in _ties(graph, node, as_of, cfg, volume):
            if tie.node in seen:
                continue
            seen.add(tie.node)
            reached = Reached(tie.node, steps + 1, path + tie.hops)
            out.append(reached)
            queue.append((tie.node, steps + 1, reached.path))
    return out


def _valid(graph: EnterpriseGraph, eid: int, as_of: int) -> tuple[int, int, str, float] | None:
    src, dst, kind, weight, start, end = graph.edge(eid)
    if start > as_of or end < as_of:
        return None
    return src, dst, EDGE_KINDS[kind], weight


def _ties(graph: EnterpriseGraph, node: int, as_of: int, cfg: SpreadRules, volume: np.ndarray) -> list[_Tie]:
    """The enterprises one step from ``node``, strongest first, at most ``max_fanout``."""
    best: dict[int, _Tie] = {}
    nbr, eid = graph.neighbors(node)
    for other, e in zip(nbr.tolist(), eid.tolist(), strict=True):
        edge = _valid(graph, e, as_of)
        if edge is None:
            continue
        _, _, kind, weight = edge
        kind_of = int(graph.kind[other])
        if kind_of == ENTERPRISE and kind in FIRM_TIES:
            if kind == "invoice_trade" and not _main(weight, volume[node], volume[other], cfg):
                continue
            _keep(best, _Tie(other, RELATION_WEIGHT[kind], ((node, other, kind),)))
        elif kind_of == PERSON and kind in PERSON_TIES:
            for tie in _through_person(graph, node, other, (node, other, kind), as_of, cfg):
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
    nbr, eid = graph.neighbors(person)
    firms: list[tuple[int, tuple[int, int, str]]] = []
    for other, e in zip(nbr.tolist(), eid.tolist(), strict=True):
        edge = _valid(graph, e, as_of)
        if edge is None or int(graph.kind[other]) != ENTERPRISE or edge[2] != first[2]:
            continue
        firms.append((other, (person, other, edge[2])))
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
