"""Per-application checks on applications the batch never saw."""

from riskloop.graph.analytics import GraphAnalytics
from riskloop.graph.build import build_graph
from riskloop.graph.status import read_status
from riskloop.graph.tokens import Tokenizer
from riskloop.graph.usage import read_usage
from riskloop.testing.graph_fixtures import TEST_KEY, universe_views

TOKENS = Tokenizer(TEST_KEY)


def test_new_ring_members_are_flagged_and_honest_applicants_mostly_not(graph_universe, truth):
    ring_of, shape_of = truth
    full = universe_views(graph_universe)
    first = {}
    for app_id, at in full.sql("SELECT application_id, epoch(applied_at) FROM applications").fetchall():
        first.setdefault(ring_of.get(app_id), []).append((at, app_id))
    # cut inside a ring's window: its early members are in the batch, the rest arrive as new applications
    ring, members = next((r, sorted(m)) for r, m in first.items() if r and len(m) >= 5)
    cut = int(members[2][0]) + 1
    con = universe_views(graph_universe, cut)
    analytics = GraphAnalytics.load(
        build_graph(con, TOKENS), read_usage(con, TOKENS), read_status(con), TOKENS, as_of=cut
    )
    late = full.sql(f"SELECT * FROM applications WHERE applied_at >= to_timestamp({cut})").to_arrow_table()
    rows = {r["application_id"]: r for r in late.to_pylist()}
    for _, app_id in members[3:]:
        signals = analytics.checks.check(rows[app_id])
        assert signals.signals["gang_size"] >= 4, (shape_of[ring], signals)
        assert signals.rule_inputs()["gang_member"] is True
        assert signals.gang is not None
    honest = [r for a, r in rows.items() if a not in ring_of][:300]
    flagged = sum(analytics.checks.check(r).signals["gang_size"] >= 3 for r in honest)
    assert flagged <= 3
    inputs = analytics.checks.check(honest[0]).rule_inputs()
    assert set(inputs) == {
        "gang_member", "gang_size", "shared_phone_other_company", "shared_device_applicants",
        "propagated_risk", "related_party_risk",
    }  # fmt: skip
    assert 0.0 <= inputs["propagated_risk"] <= 1.0
    assert 0.0 <= inputs["related_party_risk"] < 1.0


def test_recorded_arrivals_make_a_ring_visible_while_it_applies(graph_universe, truth):
    ring_of, _ = truth
    full = universe_views(graph_universe)
    by_ring = {}
    for app_id, at in full.sql("SELECT application_id, epoch(applied_at) FROM applications").fetchall():
        if app_id in ring_of:
            by_ring.setdefault(ring_of[app_id], []).append((at, app_id))
    members = next(sorted(m) for m in by_ring.values() if len(m) >= 5)
    cut = int(members[0][0])  # the whole ring arrives after the batch
    con = universe_views(graph_universe, cut)

    def fresh() -> GraphAnalytics:
        return GraphAnalytics.load(
            build_graph(con, TOKENS), read_usage(con, TOKENS), read_status(con), TOKENS, as_of=cut
        )

    late = full.sql(f"SELECT * FROM applications WHERE applied_at >= to_timestamp({cut})").to_arrow_table()
    rows = {r["application_id"]: r for r in late.to_pylist()}
    ring = [rows[a] for _, a in members]
    unrecorded = fresh().checks
    assert unrecorded.check(ring[-1]).signals["gang_size"] == 0  # the batch alone knows nothing of the ring
    live = fresh().checks
    sizes = []
    for row in ring:
        sizes.append(live.check(row).signals["gang_size"])
        assert live.record(row) is True
    assert sizes[0] == 0
    assert sizes[2:] == [float(k + 1) for k in range(2, len(ring))]  # each arrival joins the members before it
    assert live.record(ring[0]) is False  # a known application is not added twice
