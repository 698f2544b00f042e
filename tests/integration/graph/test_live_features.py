"""The decision path's graph features equal the batch features the model was trained on.

The ground truth is ``graph_features`` over the whole universe. The online side starts from a graph built
without the applications (and logins) from a cut on, then takes every later application in time order the way
the decision path does: check (which gives its features), then record; login events are fed as they happen,
as a live login feed would (``record_login``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from riskloop.graph.analytics import GraphAnalytics
from riskloop.graph.build import build_graph
from riskloop.graph.checks import epoch
from riskloop.graph.features import gang_sizes_at_submission, graph_features
from riskloop.graph.gang_index import GangIndex
from riskloop.graph.incremental import record_login
from riskloop.graph.live_features import FEATURES
from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.status import read_status
from riskloop.graph.tokens import Tokenizer
from riskloop.graph.usage import ROLES, read_usage
from riskloop.testing.graph_fixtures import TEST_KEY, universe_views

TOKENS = Tokenizer(TEST_KEY)
RISK = ("graph_propagated_risk", "graph_related_risk")  # sums over the graph in another node order: 1e-9


@pytest.fixture(scope="module")
def batch(graph_universe: Path) -> dict[str, dict[str, Any]]:
    con = universe_views(graph_universe)
    table = graph_features(read_usage(con, TOKENS), EnterpriseGraph(build_graph(con, TOKENS)), read_status(con), TOKENS)
    assert tuple(table.column_names[1:]) == FEATURES
    return {row["application_id"]: row for row in table.to_pylist()}


def replay_online(universe: Path, cut: int) -> dict[str, dict[str, float]]:
    """Features of every application from ``cut`` on, checked then recorded in time order."""
    con = universe_views(universe, cut)
    analytics = GraphAnalytics.load(
        build_graph(con, TOKENS), read_usage(con, TOKENS), read_status(con), TOKENS, as_of=cut
    )
    full = universe_views(universe)
    since = f"to_timestamp({cut})"
    apps = full.sql(
        f"SELECT * FROM applications WHERE applied_at >= {since} ORDER BY applied_at, application_id"
    ).to_arrow_table()
    logins = full.sql(f"SELECT * FROM login_events WHERE ts >= {since} ORDER BY ts").to_arrow_table().to_pylist()
    online: dict[str, dict[str, float]] = {}
    fed = 0
    for app in apps.to_pylist():
        at = epoch(app["applied_at"])
        while fed < len(logins) and epoch(logins[fed]["ts"]) <= at:  # the batch reads logins up to the application
            record_login(analytics.graph, TOKENS, logins[fed])
            fed += 1
        online[app["application_id"]] = analytics.checks.check(app).features
        assert analytics.checks.record(app) is True
    return online


def cut_at(universe: Path, share: float) -> int:
    con = universe_views(universe)
    if share == 0.0:  # a graph without any application
        return int(con.sql("SELECT epoch(min(applied_at)) FROM applications").fetchall()[0][0])
    return int(con.sql(f"SELECT epoch(quantile_disc(applied_at, {share})) FROM applications").fetchall()[0][0])


@pytest.mark.parametrize("share", [0.0, 0.5], ids=["no-applications-in-the-build", "half-in-the-build"])
def test_online_features_equal_the_batch_features_of_each_application(
    graph_universe: Path, batch: dict[str, dict[str, Any]], share: float
) -> None:
    online = replay_online(graph_universe, cut_at(graph_universe, share))
    assert len(online) > (1500 if share == 0.0 else 700)
    differences = []
    for app_id, got in online.items():
        want = batch[app_id]
        assert tuple(got) == FEATURES
        for name, value in got.items():
            exact = name not in RISK
            if (value != want[name]) if exact else abs(value - want[name]) > 1e-9:
                differences.append((app_id, name, value, want[name]))
    assert differences == []
    # the comparison means something: rings, shared identifiers, recent firms and known-bad relations occur
    values = {name: [f[name] for f in online.values()] for name in FEATURES}
    assert sum(v >= 3 for v in values["graph_gang_size"]) >= 20
    for name in ("graph_ip_reuse", "graph_device_reuse", "graph_address_reuse", "graph_rep_new_companies"):
        assert sum(v > 0 for v in values[name]) >= 10, name
    assert sum(v > 0 for v in values["graph_related_risk"]) > len(online) // 2


def test_a_replayed_gang_index_fed_the_rest_gives_the_sizes_at_submission(graph_universe: Path) -> None:
    """``GangIndex.replay`` of the early applications is the state a one-at-a-time replay reaches."""
    full = read_usage(universe_views(graph_universe), TOKENS)
    want = gang_sizes_at_submission(full)
    cut = cut_at(graph_universe, 0.6)
    head = read_usage(universe_views(graph_universe, cut), TOKENS)
    index = GangIndex.replay(head)
    later = [a for a in range(full.n_apps) if full.at[a] >= cut]
    assert head.n_apps + len(later) == full.n_apps
    got = []
    for a in later:
        rows = (full.app == a).nonzero()[0]
        uses = [(ROLES[full.role[r]], int(full.key[r])) for r in rows]
        got.append(index.component_size(index.add(full.application_id[a], full.credit_code[a], int(full.at[a]), uses)))
    assert got == want[later].tolist()
    assert max(got) >= 5
