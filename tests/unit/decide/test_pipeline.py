"""The decision pipeline on in-memory ports: tiers, offers, reasons, versions and fail-safe referrals."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from riskloop.domain.decision import Tier
from riskloop.domain.decision_request import EnterpriseProfile, GraphSignals
from riskloop.rules.engine import Strategy
from riskloop.rules.loaders import (
    REFERENCE_KEY,
    ChainStrategyLoader,
    MemoryStrategyLoader,
    PackageStrategyLoader,
    reference_strategy,
)
from riskloop.rules.zen import ZenRuleEngine
from riskloop.service.decide import Decider, DecisionInputs
from riskloop.testing.decider import CODE, NOW, make_decider, request
from riskloop.testing.fake_decision_ports import KilledSource, MemoryGraphChecks, MemoryProfiles


def codes(decider: Decider, **changes: object) -> tuple[Tier, list[str]]:
    d = decider.decide(request(**changes)).decision
    return d.tier, [r.code for r in d.reasons]


def test_a_healthy_application_is_auto_approved_with_versions_and_trace(decider: Decider) -> None:
    d = decider.decide(request()).decision
    assert d.tier is Tier.AUTO_APPROVE
    assert d.reasons == ()
    assert d.limit_cents == 50_000_000
    assert 380 <= d.rate_bp <= 1200
    assert d.pd is not None
    assert d.score is not None
    assert d.score > 600
    assert d.versions.strategy.startswith(f"{REFERENCE_KEY}:")
    assert d.versions.model == "fixed-scorer:1"
    assert d.versions.features
    assert "2026-07-01" in d.versions.data
    assert d.decided_at == NOW
    assert [t["node"] for t in d.trace][:2] == ["product_bounds", "data_availability"]
    json.dumps(d.to_dict())


def test_a_low_score_declines_with_model_reasons(decider: Decider) -> None:
    tier, found = codes(decider, bureau_score=320)
    assert tier is Tier.AUTO_REJECT
    assert found == ["APP_BUREAU_SCORE"]


def test_a_reduced_limit_is_explained(decider: Decider) -> None:
    d = decider.decide(request(amount_cents=300_000_000)).decision
    assert d.tier is Tier.AUTO_APPROVE
    assert d.limit_cents < 300_000_000
    assert 1 <= len(d.reasons) <= 4
    assert {r.code for r in d.reasons} <= {"LIMIT_REVENUE", "LIMIT_TIER_CAP", "LIMIT_PRODUCT_MAX"}


def test_graph_fraud_signals_decline() -> None:
    graph = MemoryGraphChecks(by_credit_code={CODE: GraphSignals(gang_member=True, gang_size=7, evidence=("ring:1",))})
    tier, found = codes(make_decider(graph=graph))
    assert tier is Tier.AUTO_REJECT
    assert found[0] == "FRAUD_GANG"


def test_blacklist_rejects() -> None:
    profiles = MemoryProfiles({CODE: EnterpriseProfile(CODE, "C", "active", dt.date(2018, 3, 1), blacklisted=True)})
    assert codes(make_decider(profiles=profiles)) == (Tier.AUTO_REJECT, ["BLACKLIST"])


@pytest.mark.parametrize(
    ("port", "code"),
    [
        ("profiles", "DATA_UNAVAILABLE_PROFILE"),
        ("features", "DATA_UNAVAILABLE_FEATURES"),
        ("graph", "DATA_UNAVAILABLE_GRAPH"),
        ("scorer", "DATA_UNAVAILABLE_MODEL"),
    ],
)
def test_a_killed_data_source_refers_to_review(port: str, code: str) -> None:
    d = make_decider(**{port: KilledSource(port)}).decide(request()).decision
    assert d.tier is Tier.MANUAL_REVIEW
    assert code in [r.code for r in d.reasons]
    assert d.trace[-1]["node"] == "pipeline"


def test_a_missing_source_is_referred_even_if_the_strategy_would_approve() -> None:
    # a candidate strategy without the data-availability rules: the pipeline still refers
    content = reference_strategy().content.replace('"floor": "2"', '"floor": "0"')
    lenient = Strategy.of("lenient", 1, content.replace("'DATA_UNAVAILABLE_GRAPH', 2", "'DATA_UNAVAILABLE_GRAPH', 0"))
    engine = ZenRuleEngine(ChainStrategyLoader(MemoryStrategyLoader([lenient]), PackageStrategyLoader()))
    decider = make_decider(graph=KilledSource("graph"), rules=engine, strategy="lenient@1")
    d = decider.decide(request()).decision
    assert d.tier is Tier.MANUAL_REVIEW
    assert d.reasons[0].code == "DATA_UNAVAILABLE_GRAPH"


def test_no_bureau_score_refers() -> None:
    tier, found = codes(make_decider(), bureau_score=None)
    assert not tier.approves
    assert "DATA_UNAVAILABLE_BUREAU" in found


def test_a_failing_strategy_refers_with_a_reason_and_keeps_the_failure() -> None:
    broken = Strategy.of("broken", 1, reference_strategy().content.replace("max([score_rank, rules_floor])", "nope("))
    d = make_decider(rules=ZenRuleEngine(MemoryStrategyLoader([broken])), strategy="broken@1").decide(request())
    assert d.decision.tier is Tier.MANUAL_REVIEW
    assert [r.code for r in d.decision.reasons] == ["DATA_UNAVAILABLE_RULES"]
    assert d.decision.trace[-1]["values"]["rule_failure"]["node"] == "tier"


def test_a_missing_strategy_refers() -> None:
    d = make_decider(strategy="absent@9").decide(request()).decision
    assert d.tier is Tier.MANUAL_REVIEW
    assert d.reasons[0].code == "DATA_UNAVAILABLE_RULES"


def test_a_strategy_emitting_an_unknown_code_is_a_rule_failure() -> None:
    content = reference_strategy().content.replace("'BLACKLIST'", "'NOT_IN_CATALOGUE'")
    rogue = Strategy.of("rogue", 1, content)
    profiles = MemoryProfiles({CODE: EnterpriseProfile(CODE, "C", "active", dt.date(2018, 3, 1), blacklisted=True)})
    decider = make_decider(rules=ZenRuleEngine(MemoryStrategyLoader([rogue])), strategy="rogue@1", profiles=profiles)
    d = decider.decide(request()).decision
    assert d.tier is Tier.MANUAL_REVIEW
    assert d.reasons[0].code == "DATA_UNAVAILABLE_RULES"


def test_stored_inputs_redecide_identically(decider: Decider) -> None:
    for changes in ({}, {"bureau_score": 540}, {"amount_cents": 300_000_000}, {"face_match_score": 0.7}):
        first = decider.decide(request(**changes))
        stored = json.loads(json.dumps(first.inputs.to_dict()))
        again = decider.decide_inputs(DecisionInputs.from_dict(stored), first.decision.decided_at)
        assert again.decision == first.decision
        assert json.dumps(again.decision.to_dict()) == json.dumps(first.decision.to_dict())
