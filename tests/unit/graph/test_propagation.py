import numpy as np

from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.propagation import propagated_risk
from riskloop.graph.related import related_party_risk, related_scores
from riskloop.graph.status import NEVER, STATUSES, EnterpriseStatus, known_before
from riskloop.testing.graph_fixtures import tiny_graph

DAY = 86_400
# a chain of enterprises E0 - E1 - E2 - E3 - E4 (shareholding), E0 bad from day 10
CHAIN = [("enterprise", f"E{i}") for i in range(5)]
EDGES = [(i, i + 1, "shareholding") for i in range(4)]


def status(bad_day: int) -> EnterpriseStatus:
    since = {s: np.full(5, NEVER, dtype=np.int64) for s in STATUSES}
    since["dishonest"][0] = bad_day * DAY
    return EnterpriseStatus({f"E{i}": i for i in range(5)}, np.zeros(5, np.int64), since)


def test_risk_decays_with_distance_from_the_seed():
    g = EnterpriseGraph(tiny_graph(CHAIN, EDGES))
    r = propagated_risk(g, status(10), as_of=20 * DAY)
    assert r[0] > r[1] > r[2] > r[3] > r[4] >= 0


def test_propagation_is_point_in_time():
    g = EnterpriseGraph(tiny_graph(CHAIN, EDGES))
    assert propagated_risk(g, status(10), as_of=5 * DAY).max() == 0.0


def test_related_party_risk_weights_by_distance():
    g = EnterpriseGraph(tiny_graph(CHAIN, EDGES))
    st = status(10)
    near = related_party_risk(g, 1, st, as_of=20 * DAY)
    far = related_party_risk(g, 2, st, as_of=20 * DAY)
    assert near.counts["dishonest"] == far.counts["dishonest"] == 1
    assert near.score > far.score > 0
    assert near.evidence[0] == [1, 0]
    assert related_party_risk(g, 3, st, as_of=20 * DAY).score == 0.0  # three hops away: outside k = 2
    batch = related_scores(g, st, as_of=20 * DAY)
    assert batch[1] > batch[2] > batch[3] == 0.0


def test_statuses_dated_after_a_cutoff_are_not_known_before_it():
    g = EnterpriseGraph(tiny_graph(CHAIN, EDGES))
    cut = known_before(status(10), 10 * DAY)  # known from day 10: not before day 10
    assert (cut.since["dishonest"] == NEVER).all()
    assert propagated_risk(g, cut, as_of=30 * DAY).max() == 0.0
    kept = known_before(status(10), 10 * DAY + 1)
    assert kept.since["dishonest"][0] == 10 * DAY
    assert propagated_risk(g, kept, as_of=30 * DAY)[0] > 0
