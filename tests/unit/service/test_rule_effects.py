"""Rule effects against hand counts: a rule binds when the decision would get a better tier without it."""

from __future__ import annotations

import datetime as dt

from riskloop.domain.decision import Decision, Tier, Versions
from riskloop.service.rule_effects import Judged, blocking_codes, held_by, rule_effects

AT = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def decided(app: str, score_rank: int, found: list[tuple[str, int]]) -> Decision:
    rank = max([score_rank, *(f for _, f in found)])
    trace = (
        {"node": "score_tiers", "values": {"score_rank": score_rank}},
        {"node": "rule_floor", "values": {"all_hits": [{"code": c, "floor": f} for c, f in found]}},
    )
    tier = tuple(Tier)[rank]
    return Decision(
        app, tier, 600.0, 0.05, 0, 0, (), trace, Versions("d", "f", "m", "reference@1", "r"), AT,
    )  # fmt: skip


CASES = [
    Judged(decided("A1", 0, [("FRAUD_GANG", 5)]), bad=True, fraud=True),  # binds: auto-approve without it
    Judged(decided("A2", 4, [("FRAUD_GANG", 5), ("BLACKLIST", 5)]), bad=True, fraud=False),  # the blacklist holds too
    Judged(decided("A3", 0, [("GRAPH_PROPAGATED_RISK", 3)]), bad=False, fraud=False),  # binds, honest
    Judged(decided("A4", 3, [("GRAPH_PROPAGATED_RISK", 3)]), bad=False, fraud=False),  # the score holds it anyway
    Judged(decided("A5", 0, []), bad=False, fraud=False),
]


def test_a_rule_binds_only_where_it_decides_the_tier():
    effects = rule_effects(CASES)
    gang = effects["rules"]["FRAUD_GANG"]
    assert (gang["hits"], gang["binding"], gang["without_it"]) == (2, 1, {"auto_approve": 1})
    assert (gang["binding_bad_rate"], gang["binding_fraud_rate"]) == (1.0, 1.0)
    propagated = effects["rules"]["GRAPH_PROPAGATED_RISK"]
    assert (propagated["hits"], propagated["binding"], propagated["binding_bad_rate"]) == (2, 1, 0.0)
    assert effects["rules"]["BLACKLIST"]["binding"] == 0  # two rules at 5: neither alone decides
    assert effects["approved"] == {"count": 1, "bad_rate": 0.0, "fraud_rate": 0.0}


def test_held_by_a_group_of_codes():
    graph = frozenset({"FRAUD_GANG", "GRAPH_PROPAGATED_RISK"})
    assert [held_by(c.decision, graph) for c in CASES] == [True, False, True, False, False]


def test_what_sends_decisions_to_a_human():
    assert blocking_codes(CASES) == {"GRAPH_PROPAGATED_RISK": 2}  # the others are straight through
