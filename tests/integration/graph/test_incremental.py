"""Incremental updates equal a full rebuild: graph, gangs and point-in-time features."""

from __future__ import annotations

import numpy as np
import pytest

from riskloop.graph.build import GraphTables, build_graph
from riskloop.graph.features import graph_features
from riskloop.graph.gang_index import GangIndex
from riskloop.graph.gangs import detect_gangs
from riskloop.graph.incremental import record_application, record_login
from riskloop.graph.kinds import NODE_KINDS
from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.status import read_status
from riskloop.graph.tokens import Tokenizer
from riskloop.graph.usage import ROLES, Usage, read_usage
from riskloop.testing.graph_fixtures import TEST_KEY, universe_views

TOKENS = Tokenizer(TEST_KEY)
CUT = "applied_at"


connect = universe_views


def canonical(tables: GraphTables) -> tuple[set[tuple], set[tuple]]:
    nodes = tables.nodes.to_pylist()
    name = {n["node_id"]: (NODE_KINDS[n["kind"]], n["token"]) for n in nodes}
    node_set = {(NODE_KINDS[n["kind"]], n["token"], n["key"], n["label"]) for n in nodes}
    edge_set = {
        (name[e["src"]], name[e["dst"]], e["kind"], round(e["weight"], 6), e["valid_from"], e["valid_to"])
        for e in tables.edges.to_pylist()
    }
    return node_set, edge_set


@pytest.fixture(scope="module")
def cut(graph_universe) -> int:
    con = connect(graph_universe)
    return int(con.sql("SELECT epoch(quantile_disc(applied_at, 0.8)) FROM applications").fetchall()[0][0])


def test_recorded_events_give_the_graph_a_rebuild_gives(graph_universe, cut):
    full = build_graph(connect(graph_universe), TOKENS)
    graph = EnterpriseGraph(build_graph(connect(graph_universe, cut), TOKENS))
    con = connect(graph_universe)
    late = f"to_timestamp({cut})"
    apps = con.sql(f"SELECT * FROM applications WHERE applied_at >= {late} ORDER BY applied_at").to_arrow_table()
    logins = con.sql(f"SELECT * FROM login_events WHERE ts >= {late} ORDER BY ts").to_arrow_table()
    assert apps.num_rows > 100
    assert logins.num_rows > 100
    for row in apps.to_pylist():
        record_application(graph, TOKENS, row)
    for row in logins.to_pylist():
        record_login(graph, TOKENS, row)
    assert len(graph.extra) > 0  # new edges went to the overlay, the CSR was not rebuilt
    assert canonical(graph.to_tables()) == canonical(full)


def split(usage: Usage, n: int) -> tuple[Usage, list[tuple[str, str, int, list[tuple[str, int]]]]]:
    early = usage.app < n
    head = Usage(usage.application_id[:n], usage.credit_code[:n], usage.at[:n], usage.app[early], usage.key[early],
                 usage.role[early])  # fmt: skip
    rest = []
    for a in range(n, usage.n_apps):
        rows = np.flatnonzero(usage.app == a)
        uses = [(ROLES[usage.role[r]], int(usage.key[r])) for r in rows]
        rest.append((usage.application_id[a], usage.credit_code[a], int(usage.at[a]), uses))
    return head, rest


@pytest.mark.parametrize("checked_first", [False, True], ids=["added", "checked-then-added"])
def test_gang_index_fed_one_application_at_a_time_equals_a_rebuild(graph_universe, checked_first):
    con = connect(graph_universe)
    usage, status = read_usage(con, TOKENS), read_status(con)
    head, rest = split(usage, int(usage.n_apps * 0.7))
    index = GangIndex(head)
    for app in rest:
        if checked_first:  # as a decision does: its links read (and the identifiers it reads kept), then added
            _, credit_code, at, uses = app
            index.linked(uses, at, credit_code)
        index.add(*app)
    got = [(g.label, g.application_ids, g.features) for g in index.gangs(status)]
    want = [(g.label, g.application_ids, g.features) for g in detect_gangs(usage, status=status)]
    assert got == want
    assert len(want) >= 8


def test_features_are_point_in_time(graph_universe, cut):
    """Features of early applications do not change when later applications and logins arrive."""
    status = read_status(connect(graph_universe))
    early_con, full_con = connect(graph_universe, cut), connect(graph_universe)
    early = graph_features(
        read_usage(early_con, TOKENS), EnterpriseGraph(build_graph(early_con, TOKENS)), status, TOKENS
    )
    full = graph_features(read_usage(full_con, TOKENS), EnterpriseGraph(build_graph(full_con, TOKENS)), status, TOKENS)
    assert early.column_names[0] == "application_id"
    assert all(c.startswith("graph_") for c in early.column_names[1:])
    ids = set(early["application_id"].to_pylist())
    later = full.filter(np.isin(full["application_id"].to_numpy(zero_copy_only=False), list(ids)))
    assert later.sort_by("application_id").to_pylist() == early.sort_by("application_id").to_pylist()
    assert max(full["graph_gang_size"].to_pylist()) >= 5
