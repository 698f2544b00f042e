"""A decision without the minimum identity is never approved (the issue's 500,000-yuan auto-approval)."""

from __future__ import annotations

import pytest

from riskloop.domain.decision import Tier
from riskloop.testing.decider import IDENTITY, make_decider, request


def test_the_same_application_with_a_complete_identity_is_auto_approved_for_500000_yuan() -> None:
    decision = make_decider().decide(request()).decision
    assert (decision.tier, decision.limit_cents) == (Tier.AUTO_APPROVE, 50_000_000)


def test_omitting_every_identifier_refers_instead_of_auto_approving_500000_yuan() -> None:
    outcome = make_decider().decide(request(**dict.fromkeys(IDENTITY)))
    decision = outcome.decision
    assert decision.tier is Tier.MANUAL_REVIEW  # was auto_approve with a 500,000-yuan limit
    assert decision.reasons[0].code == "IDENTITY_INCOMPLETE"
    notes = [s["values"] for s in decision.trace if s.get("node") == "pipeline"]
    assert notes == [{"identity_floor": "auto_approve referred: no applicant_id, phone, device_id, ip"}]


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({"applicant_id": None}, ("applicant_id",)),
        ({"phone": None}, ("phone",)),
        ({"device_id": None}, ("device_id",)),
        ({"ip": None, "channel": "web"}, ("ip",)),
        ({"device_id": None, "ip": None, "channel": "branch"}, ()),  # at a branch the teller's desk is no device
        ({"applicant_id": None, "device_id": None, "ip": None, "channel": "branch"}, ("applicant_id",)),
    ],
)
def test_each_missing_identifier_refers(changes: dict[str, object], missing: tuple[str, ...]) -> None:
    req = request(**changes)
    assert req.missing_identity == missing
    decision = make_decider().decide(req).decision
    if missing:
        assert decision.tier is Tier.MANUAL_REVIEW
        assert decision.reasons[0].code == "IDENTITY_INCOMPLETE"
    else:
        assert decision.tier is Tier.AUTO_APPROVE


def test_a_decline_keeps_its_own_reasons_and_a_review_names_the_gap() -> None:
    declined = make_decider().decide(request(applicant_id=None, face_match_score=0.3)).decision
    assert declined.tier is Tier.AUTO_REJECT
    assert "IDENTITY_INCOMPLETE" not in [r.code for r in declined.reasons]
    reviewed = make_decider().decide(request(applicant_id=None, phone_owner_match=False)).decision
    assert reviewed.tier is Tier.PRUDENT_REVIEW
    assert reviewed.reasons[0].code == "IDENTITY_INCOMPLETE"
