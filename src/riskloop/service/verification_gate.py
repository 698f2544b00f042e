"""A decision that names a verification session uses the server's results, never the channel's claims.

Gathering replaces the request's four identity results by the session's (``verified_request``), so the stored
inputs replay to the same decision. A session that cannot be used (unknown, expired, another applicant's, the
service down) is recorded as a failure of the ``verification`` source; deciding then refers any approval with
that IDV_ reason first (``verification_floor``), as the identity floor does. A decline stays a decline.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from riskloop.domain.decision import Tier
from riskloop.domain.decision_request import DecisionRequest
from riskloop.service.verification_ports import VerificationResults

SOURCE = "verification"
IDV_UNAVAILABLE = "IDV_UNAVAILABLE"
_DECLINES = (Tier.SUGGEST_REJECT, Tier.AUTO_REJECT)
_FIELDS = ("sms_verified", "face_match_score", "device_fingerprint_ok", "phone_owner_match")


def verified_request(
    request: DecisionRequest, results: VerificationResults | None, at: dt.datetime
) -> tuple[DecisionRequest, tuple[str, str] | None]:
    """``request`` with the session's identity results, or unchanged with the ``(source, reason)`` failure."""
    if request.verification_id is None:
        return request, None
    if results is None:
        return request, (SOURCE, f"{IDV_UNAVAILABLE}: no verification service")
    try:
        found = results.identity_for(request.verification_id, request.applicant_id, request.phone, at)
    except Exception as exc:  # a failing verification store is a missing source, never an aborted decision
        return request, (SOURCE, f"{IDV_UNAVAILABLE}: {type(exc).__name__}: {exc}")
    if isinstance(found, str):
        return request, (SOURCE, found)
    return dataclasses.replace(request, **{name: found[name] for name in _FIELDS}), None


def verification_floor(
    failures: Sequence[tuple[str, str]], tier: Tier, codes: list[str], notes: dict[str, Any]
) -> tuple[Tier, list[str]]:
    """Refer an approval whose verification session could not be used; its IDV_ reason leads any referral."""
    reason = next((why.split(":", 1)[0] for source, why in failures if source == SOURCE), None)
    if reason is None or tier in _DECLINES:
        return tier, codes
    if tier.approves:
        notes["verification_floor"] = f"{tier.value} referred: {reason}"
        tier = Tier.MANUAL_REVIEW
    return tier, [reason, *(c for c in codes if c != reason)]
