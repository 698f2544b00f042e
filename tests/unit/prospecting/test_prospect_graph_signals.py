"""Graph signals for screening on a hand-made graph whose answers are known."""

from __future__ import annotations

import numpy as np

from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.status import NEVER, STATUSES, EnterpriseStatus
from riskloop.prospecting.graph_signals import NodeRisk, signals_of
from riskloop.testing.graph_fixtures import tiny_graph

DAY = 86_400
AS_OF = 1_000 * DAY
NODES = [
    ("enterprise", "A"),  # 0: tied to B by a guarantee, to D through a shared legal representative
    ("enterprise", "B"),  # 1: dishonest (known before the day)
    ("enterprise", "C"),  # 2: sued after the day: not yet known
    ("enterprise", "D"),  # 3: sued as a defendant before the day
    ("person", "p1"),  # 4: legal representative of A and D
    ("phone", "138"),  # 5: a phone shared by A and B: a weak tie, left out
    ("enterprise", "E"),  # 6: tied to C only
]
EDGES = [(0, 1, "guarantee"), (4, 0, "legal_rep"), (4, 3, "legal_rep"), (0, 5, "uses_phone"), (1, 5, "uses_phone"),
         (6, 2, "invoice_trade")]  # fmt: skip


def _status(codes: list[str], known: dict[str, dict[str, int]]) -> EnterpriseStatus:
    since = {s: np.array([known.get(c, {}).get(s, NEVER) for c in codes], dtype=np.int64) for s in STATUSES}
    return EnterpriseStatus({c: i for i, c in enumerate(codes)}, np.zeros(len(codes), np.int64), since)


def test_troubled_neighbours_count_strong_ties_and_known_statuses_only() -> None:
    graph = EnterpriseGraph(tiny_graph(NODES, EDGES))
    codes = ["A", "B", "C", "D", "E", "Z"]
    status = _status(codes, {"B": {"dishonest": AS_OF - DAY}, "C": {"litigation": AS_OF + DAY},
                             "D": {"litigation": AS_OF - 5 * DAY}})  # fmt: skip
    n = graph.n_nodes
    risk = NodeRisk(np.linspace(0, 0.6, n), np.full(n, 2.0), frozenset({"E"}))
    got = signals_of(graph, status, risk, codes, AS_OF)
    # A: B by guarantee, D through p1; B: A is clean; D: A clean (itself excluded); E: C not yet sued; Z: unknown
    assert got.bad_neighbours.tolist() == [2, 0, 0, 0, 0, 0]
    assert got.troubled["dishonest"].tolist() == [False, True, False, False, False, False]
    assert got.troubled["litigation"].tolist() == [False, False, False, True, False, False]
    assert got.gang.tolist() == [False, False, False, False, True, False]
    assert np.isclose(got.related_risk[3], 1 - np.exp(-risk.related[3]))
    assert got.related_risk[5] == 0.0
    assert got.propagated_risk.max() <= 1.0
    assert got.propagated_risk[5] == 0.0
