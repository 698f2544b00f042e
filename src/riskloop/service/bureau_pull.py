"""The credit-bureau report on the decision path: pulled through the SourcePuller under the request's consent.

When the workspace has the bureau gateway configured and a request carries ``consent_id``, the report pulled
replaces the channel's bureau fields. Any failure leaves them missing (so DATA_UNAVAILABLE_BUREAU applies) and
names why: CONSENT_MISSING (no valid consent: nothing was sent), SOURCE_MALFORMED, SOURCE_UNAVAILABLE (timeout,
5xx, circuit open, rate limited). ``source_floor`` then refers an approval, as ``identity_floor`` does. The pull's
budget is the source's timeout: the decision path never retries past it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Protocol

from riskloop.domain.application import BUREAU_SCORE_MAX, BUREAU_SCORE_MIN
from riskloop.domain.consent import ConsentError
from riskloop.domain.decision import Tier
from riskloop.domain.decision_request import DecisionRequest
from riskloop.domain.source_payload import MalformedPayloadError
from riskloop.service.sources import SourcePuller

BUREAU = "bureau"  # the failure's source name in DecisionInputs.failures
CONSENT_MISSING, SOURCE_UNAVAILABLE, SOURCE_MALFORMED = "CONSENT_MISSING", "SOURCE_UNAVAILABLE", "SOURCE_MALFORMED"
SOURCE_CODES = (CONSENT_MISSING, SOURCE_MALFORMED, SOURCE_UNAVAILABLE)
_DECLINES = (Tier.SUGGEST_REJECT, Tier.AUTO_REJECT)


class BureauSource(Protocol):
    """Fills a request's bureau fields from a pulled report (the decider's optional source)."""

    def enrich(self, request: DecisionRequest) -> tuple[DecisionRequest, tuple[str, str] | None]:
        """``request`` with the pulled fields, and the failure ``(source, "CODE: why")`` if there was one."""
        ...


class BureauPull:
    """The PBOC report summary through ``puller``'s source ``source`` for credit assessment."""

    def __init__(self, puller: SourcePuller, source: str = "pboc", purpose: str = "credit_assessment") -> None:
        self.puller, self.source, self.purpose = puller, source, purpose
        self.budget = puller.catalog.get(source).timeout_seconds

    def enrich(self, request: DecisionRequest) -> tuple[DecisionRequest, tuple[str, str] | None]:
        """Pull when the request names a consent; else the request as posted."""
        if request.consent_id is None:
            return request, None
        cleared = replace(request, bureau_score=None, existing_debt_cents=None)
        try:
            pulled = self.puller.pull(
                self.source,
                subject=request.credit_code,
                subject_kind="enterprise",
                purpose=self.purpose,
                consent_id=request.consent_id,
                request_id=request.application_id,
                budget_seconds=self.budget,
            )
            return replace(request, **_bureau_fields(self.source, pulled.values)), None
        except ConsentError as exc:
            return cleared, (BUREAU, f"{CONSENT_MISSING}: {exc.reason}")
        except MalformedPayloadError as exc:
            return cleared, (BUREAU, f"{SOURCE_MALFORMED}: {exc}")
        except Exception as exc:  # any failing pull is a missing source, never an aborted decision
            return cleared, (BUREAU, f"{SOURCE_UNAVAILABLE}: {type(exc).__name__}: {exc}")


def _bureau_fields(source: str, values: dict[str, Any]) -> dict[str, Any]:
    score, debt = values.get("bureau_score"), values.get("existing_debt_cents")
    if not isinstance(score, int) or not BUREAU_SCORE_MIN <= score <= BUREAU_SCORE_MAX:
        raise MalformedPayloadError(source, "bureau_score", f"must be in [{BUREAU_SCORE_MIN}, {BUREAU_SCORE_MAX}]")
    if debt is not None and (not isinstance(debt, int) or debt < 0):
        raise MalformedPayloadError(source, "existing_debt_cents", "must be a non-negative integer")
    return {"bureau_score": score, "existing_debt_cents": debt}


def source_floor(
    failures: Sequence[tuple[str, str]], tier: Tier, codes: list[str], notes: dict[str, Any]
) -> tuple[Tier, list[str]]:
    """Refer an approval made without the pulled report; put why first on any referral (a decline stays one)."""
    found = [m.split(":", 1)[0] for s, m in failures if s == BUREAU and m.split(":", 1)[0] in SOURCE_CODES]
    if not found or tier in _DECLINES:
        return tier, codes
    if tier.approves:
        notes["source_floor"] = f"{tier.value} referred: {found[0]}"
        tier = Tier.MANUAL_REVIEW
    return tier, [*found, *(c for c in codes if c not in found)]
