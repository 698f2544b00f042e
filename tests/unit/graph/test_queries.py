import numpy as np
import pyarrow as pa

from riskloop.graph.build import EDGE_SCHEMA, GraphTables
from riskloop.graph.kinds import EDGE_CODE, FOREVER
from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.query import Caps, expand, shortest_path
from riskloop.graph.render import subgraph_json
from riskloop.testing.graph_fixtures import tiny_graph

DAY = 86_400
# A(0) -legal_rep- P(1) -legal_rep- B(2) -invoice- C(3);  A -uses_phone- T(4) -uses_phone- D(5);  E(6) alone
NODES = [
    ("enterprise", "A"),
    ("person", "p1"),
    ("enterprise", "B"),
    ("enterprise", "C"),
    ("phone", "13800000000"),
    ("enterprise", "D"),
    ("enterprise", "E"),
]
EDGES = [
    (1, 0, "legal_rep", 10 * DAY, None),
    (1, 2, "legal_rep", 20 * DAY, None),
    (2, 3, "invoice_trade", 30 * DAY, 40 * DAY),
    (0, 4, "uses_phone", 5 * DAY, None),
    (5, 4, "uses_phone", 100 * DAY, None),
]


def small() -> EnterpriseGraph:
    return EnterpriseGraph(tiny_graph(NODES, EDGES))


def test_two_hop_expansion_finds_neighbours_with_their_explaining_paths():
    g = small()
    sub = expand(g, 0, Caps(hops=2))
    assert set(sub.nodes) == {0, 1, 2, 4, 5}
    assert sub.path(2) == [0, 1, 2]
    assert sub.path(5) == [0, 4, 5]
    assert not sub.capped
    assert set(expand(g, 0, Caps(hops=3)).nodes) == {0, 1, 2, 3, 4, 5}


def test_time_window_drops_edges_not_valid_in_it():
    g = small()
    sub = expand(g, 0, Caps(hops=3, until=50 * DAY))
    assert 5 not in sub.nodes  # D's phone link starts on day 100
    assert 3 in sub.nodes
    assert 3 not in expand(g, 0, Caps(hops=3, since=41 * DAY)).nodes  # the invoice trade ended on day 40


def test_shortest_path_and_closeness():
    g = small()
    path = shortest_path(g, 0, 3)
    assert path is not None
    assert path.nodes == [0, 1, 2, 3]
    assert path.closeness == round(1.0 * 1.0 * 0.5, 6)
    assert shortest_path(g, 0, 6) is None
    assert shortest_path(g, 0, 0).nodes == [0]


def test_subgraph_json_format():
    g = small()
    out = subgraph_json(g, expand(g, 0, Caps(hops=1)))
    assert {"nodes", "edges", "paths", "capped"} <= set(out)
    assert out["nodes"][0] == {"id": "enterprise:A", "kind": "enterprise", "label": "A", "degree": 2}
    assert {"source", "target", "kind", "since", "until"} <= set(out["edges"][0])
    assert all(p[0] == "enterprise:A" for p in out["paths"])


def hub_graph(spokes: int) -> EnterpriseGraph:
    """One IP node (0) used by ``spokes`` applications, each applying for its own enterprise."""
    base = tiny_graph([("ip", "10.0.0.1")], [])
    n = 1 + 2 * spokes
    apps = np.arange(1, spokes + 1)
    firms = apps + spokes
    nodes = pa.table(
        {
            "node_id": np.arange(n),
            "kind": np.r_[base.nodes["kind"].to_numpy(), np.full(spokes, 8), np.zeros(spokes)].astype(np.int8),
            "token": ["ip"] + [f"APP{i}" for i in apps] + [f"F{i}" for i in apps],
            "key": np.arange(n, dtype=np.int64),
            "label": ["ip"] * n,
        },
        schema=base.nodes.schema,
    )
    src = np.r_[apps, apps]
    dst = np.r_[np.zeros(spokes, np.int64), firms]
    kinds = np.r_[np.full(spokes, EDGE_CODE["uses_ip"]), np.full(spokes, EDGE_CODE["applied_for"])]
    edges = pa.table(
        {
            "src": src,
            "dst": dst,
            "kind": kinds.astype(np.int8),
            "weight": np.ones(2 * spokes),
            "valid_from": np.zeros(2 * spokes, np.int64),
            "valid_to": pa.nulls(2 * spokes, pa.int64()),
        },
        schema=EDGE_SCHEMA,
    )
    return EnterpriseGraph(GraphTables(nodes, edges))


def test_caps_bound_the_work_on_a_hub_of_100k_edges():
    g = hub_graph(100_000)
    assert g.degree(0) == 100_000
    sub = expand(g, 0, Caps(hops=2, max_degree=200))
    assert sub.capped
    assert 0 in sub.capped_nodes
    assert len(sub.nodes) <= 1 + 200 + 200 * 200
    assert sub.examined <= 200 + 200 * 200  # adjacency entries read, not 100k
    # starting beside the hub: the hub contributes at most the cap
    side = expand(g, 1, Caps(hops=2, max_degree=50))
    assert side.examined <= 50 + 2 * 50
    assert side.capped


def test_shortest_path_does_not_pass_through_a_hub():
    g = hub_graph(1_000)
    through = shortest_path(g, 1 + 1000, 2 + 1000, max_degree=10_000)  # firm 1 - app 1 - ip - app 2 - firm 2
    assert through is not None
    assert len(through.edges) == 4
    assert shortest_path(g, 1 + 1000, 2 + 1000, max_degree=200) is None


def test_incremental_edges_are_merged_on_read():
    g = small()
    e = g.add_edge(6, 0, EDGE_CODE["shareholding"], weight=0.3, valid_from=DAY, valid_to=2**63 - 1)
    assert 6 in expand(g, 0, Caps(hops=1)).nodes
    assert g.add_edge(6, 0, EDGE_CODE["shareholding"], weight=0.5, valid_from=0, valid_to=2**63 - 1) == e
    assert g.edge(e)[3:5] == (0.5, 0)


def test_a_limited_neighbour_read_of_a_hub_keeps_the_newest_overlay_edges_and_never_exceeds_the_limit():
    g = small()
    phone = 4
    added = [g.add_node(1, f"t{i}", 10_000 + i, f"app{i}") for i in range(30)]
    for i, app in enumerate(added):
        g.add_edge(app, phone, EDGE_CODE["uses_phone"], weight=1.0, valid_from=(200 + i) * DAY, valid_to=FOREVER)
    nbr, eid = g.neighbors(phone, limit=10)
    assert nbr.tolist() == added[-10:]
    assert len(eid) == 10
    nbr, _ = g.neighbors(phone, limit=35)
    assert sorted(nbr.tolist()) == sorted([0, 5, *added])  # room left: the CSR part fills it
    assert len(g.neighbors(phone)[0]) == 32
    assert g.degree(phone) == 32
