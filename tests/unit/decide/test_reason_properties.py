"""Property: every decline, referral and reduced limit carries 1–4 catalogue reasons; missing data never approves."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskloop.domain.decision import Tier
from riskloop.domain.decision_request import EnterpriseProfile, GraphSignals
from riskloop.rules.reasons import RuleReasonCatalog
from riskloop.scoring.reasons import ReasonCatalog
from riskloop.service.decide import LIMIT_STEP_CENTS, Decider
from riskloop.testing.decider import CODE, make_decider, request
from riskloop.testing.fake_decision_ports import KilledSource, MemoryGraphChecks, MemoryProfiles

RULE_CODES = RuleReasonCatalog.default().codes
_MODEL = ReasonCatalog.default().data
MODEL_CODES = {c["code"] for c in _MODEL["codes"]}
TEMPLATES = [re.compile(re.sub(r"\\\{[A-Z]+\\\}", "[A-Z0-9_]+", re.escape(_MODEL[k]["code"])) + "$") for k in
             ("missing_source", "missing_input", "fallback")]  # fmt: skip
PORTS = ("profiles", "features", "graph", "scorer")


def in_catalogue(code: str) -> bool:
    return code in RULE_CODES or code in MODEL_CODES or any(t.match(code) for t in TEMPLATES)


signals = st.builds(
    GraphSignals,
    gang_member=st.booleans(),
    gang_size=st.integers(0, 12),
    shared_phone_other_company=st.booleans(),
    shared_device_applicants=st.integers(0, 6),
    propagated_risk=st.floats(0, 1),
    related_party_risk=st.floats(0, 1),
)
profiles = st.builds(
    EnterpriseProfile,
    credit_code=st.just(CODE),
    industry_section=st.sampled_from(["C", "F", "J", "K", "O"]),
    status=st.sampled_from(["active", "active", "abnormal", "revoked"]),
    established_date=st.dates(dt.date(2000, 1, 1), dt.date(2026, 6, 30)),
    blacklisted=st.booleans(),
)
requests = st.fixed_dictionaries(
    {
        "product_code": st.sampled_from(["HRT-TAX", "HRT-INV", "HRT-MICRO", "HRT-IB", "HRT-GOV", "OTHER"]),
        "amount_cents": st.integers(500_000, 600_000_000),
        "term_months": st.integers(1, 120),
        "bureau_score": st.none() | st.integers(300, 950),
        "existing_debt_cents": st.none() | st.integers(0, 500_000_000),
        "sms_verified": st.booleans(),
        "face_match_score": st.floats(0, 1),
        "device_fingerprint_ok": st.booleans(),
        "phone_owner_match": st.booleans(),
    }
)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fields=requests, graph=signals, profile=profiles, killed=st.sets(st.sampled_from(PORTS), max_size=2))
def test_every_decline_referral_and_reduced_limit_has_catalogue_reasons(
    fields: dict[str, Any], graph: GraphSignals, profile: EnterpriseProfile, killed: set[str]
) -> None:
    ports: dict[str, Any] = {
        "graph": MemoryGraphChecks(by_credit_code={CODE: graph}),
        "profiles": MemoryProfiles({CODE: profile}),
    }
    ports.update({name: KilledSource(name) for name in killed})
    decider: Decider = make_decider(**ports)
    r = request(**fields)
    d = decider.decide(r).decision
    codes = [x.code for x in d.reasons]
    assert len(codes) == len(set(codes)) <= 4
    assert all(in_catalogue(c) for c in codes), codes
    reduced = d.tier.approves and d.limit_cents < (r.amount_cents // LIMIT_STEP_CENTS) * LIMIT_STEP_CENTS
    if d.tier is not Tier.AUTO_APPROVE or reduced:
        assert 1 <= len(codes) <= 4
    if killed or r.bureau_score is None:
        assert not d.tier.approves
    if d.tier.approves:
        assert d.limit_cents > 0
        assert d.rate_bp > 0
    if d.tier in (Tier.SUGGEST_REJECT, Tier.AUTO_REJECT):
        assert (d.limit_cents, d.rate_bp) == (0, 0)
