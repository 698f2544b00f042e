"""The console's drawings on hand-made graphs: shared identifiers, flags, hubs on paths, stored chains."""

from __future__ import annotations

import numpy as np

from riskloop.graph.explore import GraphView, chain, drawn_neighbourhood, neighbourhood
from riskloop.graph.gangs import Gang
from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.query import shortest_path
from riskloop.graph.status import NEVER, EnterpriseStatus
from riskloop.graph.tokens import Tokenizer
from riskloop.testing.alerts import credit_code
from riskloop.testing.graph_fixtures import TEST_KEY, tiny_graph

TOKENS = Tokenizer(TEST_KEY)
E = [credit_code(i) for i in range(4)]


def test_an_identifier_is_shared_when_two_enterprises_are_behind_it_directly_or_by_application() -> None:
    nodes = [("enterprise", E[0]), ("enterprise", E[1]), ("enterprise", E[2]), ("application", "A1"),
             ("phone", "13800138000"), ("phone", "13900139000"), ("device", "dev-1")]  # fmt: skip
    edges = [(0, 4, "uses_phone"), (3, 1, "applied_for"), (3, 4, "uses_phone"),  # phone 4: E0 and E1 (applying)
             (2, 5, "uses_phone"),  # phone 5: E2 only
             (3, 6, "uses_device")]  # fmt: skip
    graph = EnterpriseGraph(tiny_graph(nodes, edges, TOKENS))
    status = EnterpriseStatus({E[1]: 0}, np.zeros(1, np.int64), {
        "dishonest": np.array([100]), "enforcement": np.array([NEVER]), "default": np.array([NEVER])})  # fmt: skip
    gang = Gang("G1", "shared_contact", np.array([0]), ["A1"], [E[1]])
    view = GraphView(graph, TOKENS, status, [gang])
    sub = neighbourhood(view, view.enterprise(E[0]) or 0, 3, 100)
    drawn = drawn_neighbourhood(view, sub, 3, at=1_000)
    by_ref = {n.ref: n for n in drawn.nodes}
    shared = {n.label: n.shared for n in drawn.nodes if n.kind in ("phone", "device")}
    assert shared == {"phone-4": True, "device-6": False}  # E2's phone is 3 hops away: E0-phone-A1-... no tie
    assert (by_ref[E[0]].applicant, by_ref[E[1]].applicant) == (True, False)
    assert (by_ref[E[1]].known_bad, by_ref[E[1]].gang_id, by_ref["A1"].gang_id) == (True, "G1", "G1")
    early = drawn_neighbourhood(view, sub, 3, at=50)
    assert not any(n.known_bad for n in early.nodes)  # listed at 100: not known yet at 50


def test_a_shortest_path_never_passes_through_a_hub_even_where_both_sides_meet() -> None:
    # S - H - T, and S - a - b - c - T; H has five edges, more than the cap of three
    nodes = [("enterprise", E[0]), ("address", "hub"), ("enterprise", E[1]), ("person", "a"), ("person", "b"),
             ("person", "c"), ("enterprise", E[2]), ("enterprise", E[3]), ("person", "d")]  # fmt: skip
    edges = [(0, 1, "uses_address"), (2, 1, "uses_address"), (6, 1, "uses_address"), (7, 1, "uses_address"),
             (8, 1, "officer"), (0, 3, "officer"), (3, 4, "officer"), (4, 5, "officer"), (2, 5, "officer")]  # fmt: skip
    graph = EnterpriseGraph(tiny_graph(nodes, edges, TOKENS))
    path = shortest_path(graph, 0, 2, max_hops=6, max_degree=3)
    assert path is not None
    assert 1 not in path.nodes
    assert len(path.edges) == 4
    assert shortest_path(graph, 0, 1, max_degree=3) is not None  # a hub may end a path


def test_a_stored_chain_is_drawn_without_a_graph_from_what_it_names() -> None:
    person = "3f9a0c1d2e4b5a6978c0d1e2"
    drawn = chain(None, [(E[0], person, "legal_rep"), (person, E[1], "legal_rep")], at=0)
    assert [(n.kind, n.ref, n.label) for n in drawn.nodes] == [
        ("enterprise", E[0], E[0]), ("person", person, "3f9a0c1d…"), ("enterprise", E[1], E[1])]  # fmt: skip
    ends = [(e.source, e.target, e.group) for e in drawn.edges]
    assert ends == [(f"enterprise:{E[0]}", f"person:{person}", "control"),
                    (f"person:{person}", f"enterprise:{E[1]}", "control")]  # fmt: skip
