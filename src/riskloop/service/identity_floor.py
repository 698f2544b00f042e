"""The minimum identity of a decision: without it the pipeline never approves (IDENTITY_INCOMPLETE)."""

from __future__ import annotations

from typing import Any

from riskloop.domain.decision import Tier
from riskloop.domain.decision_request import DecisionRequest

IDENTITY_INCOMPLETE = "IDENTITY_INCOMPLETE"
_DECLINES = (Tier.SUGGEST_REJECT, Tier.AUTO_REJECT)


def identity_floor(
    request: DecisionRequest, tier: Tier, codes: list[str], notes: dict[str, Any]
) -> tuple[Tier, list[str]]:
    """Refer an approval of ``request`` when its identity is incomplete; name the gap on any referral.

    Whatever the strategy says, a decision without the applicant's resident ID and phone (and, on a remote
    channel, device and IP: ``domain.applicant``) is at best a manual review, with IDENTITY_INCOMPLETE first
    among its reasons so the reviewer sees it. A decline stays a decline with its own reasons.
    """
    missing = request.missing_identity
    if not missing or tier in _DECLINES:
        return tier, codes
    if tier.approves:
        notes["identity_floor"] = f"{tier.value} referred: no {', '.join(missing)}"
        tier = Tier.MANUAL_REVIEW
    return tier, [IDENTITY_INCOMPLETE, *(c for c in codes if c != IDENTITY_INCOMPLETE)]
