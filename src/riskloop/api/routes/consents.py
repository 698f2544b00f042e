"""Consents to pull data about a subject: record, read, search by subject, revoke (audited).

The channel that collects the applicant's signed authorisation records it and its withdrawal (role channel);
reviewers and auditors read. A subject is searched with a POST body, so identifiers stay out of URLs and access
logs; it is stored only as a keyed token and never returned.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.config import JsonDict

from riskloop.api.auth import AsChannel, DecisionReader
from riskloop.api.deps import ServicesDep
from riskloop.api.openapi import problem_responses, shown
from riskloop.api.schemas import Strict
from riskloop.domain.consent import PURPOSES, SUBJECT_KINDS, Consent

router = APIRouter(tags=["consents"])
EXAMPLE_ID = "cns_Qm3v9TtZr0cN4kWb"
ConsentId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,40}$", openapi_examples=shown(EXAMPLE_ID))]
Subject = Annotated[str, Field(min_length=1, max_length=64, description="credit code or resident ID as written")]
SourceName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
EXAMPLE_IN: JsonDict = {
    "subject": "91420100000000001Y",
    "subject_kind": "enterprise",
    "sources": ["pboc"],
    "purpose": "credit_assessment",
    "expires_at": "2027-01-01T00:00:00+00:00",
    "evidence": "AUTH-2026-000123",
}
EXAMPLE_OUT: JsonDict = {
    "consent_id": EXAMPLE_ID,
    "subject_kind": "enterprise",
    "sources": ["pboc"],
    "purpose": "credit_assessment",
    "granted_at": "2026-07-01T09:00:00+00:00",
    "expires_at": "2027-01-01T00:00:00+00:00",
    "revoked_at": None,
    "evidence": "AUTH-2026-000123",
    "recorded_by": "channel-app",
    "status": "active",
}


def _instant(value: object) -> dt.datetime:
    """An ISO 8601 date-time with its offset; numbers are refused, never read as epochs."""
    if not isinstance(value, str):
        raise ValueError("an ISO 8601 date-time with its offset, e.g. 2027-01-01T00:00:00+08:00")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise ValueError("must carry its UTC offset (e.g. +08:00)")
    return parsed


Instant = Annotated[AwareDatetime, BeforeValidator(_instant)]


class ConsentIn(BaseModel):
    """A signed authorisation to pull data about the subject from the sources, for one purpose, until a time."""

    model_config = ConfigDict(**Strict, json_schema_extra={"examples": [EXAMPLE_IN]})

    subject: Subject
    subject_kind: Literal["enterprise", "person"]
    sources: Annotated[list[SourceName], Field(min_length=1, max_length=20)]
    purpose: Literal["credit_assessment", "post_loan_monitoring", "marketing"]
    expires_at: Instant
    evidence: Annotated[str, Field(min_length=1, max_length=200, description="reference of the signed document")]
    granted_at: Instant | None = Field(default=None, description="when it was signed (default: now; never later)")


class SubjectIn(BaseModel):
    """Whose consents to list."""

    model_config = ConfigDict(**Strict, json_schema_extra={"examples": [{"subject": "91420100000000001Y"}]})

    subject: Subject


class ConsentOut(BaseModel):
    """A recorded consent (the subject is never returned) and its status now."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_OUT]})

    consent_id: str
    subject_kind: Literal["enterprise", "person"]
    sources: list[str]
    purpose: Literal["credit_assessment", "post_loan_monitoring", "marketing"]
    granted_at: str
    expires_at: str
    revoked_at: str | None
    evidence: str
    recorded_by: str
    status: Literal["active", "pending", "expired", "revoked"]


class ConsentsOut(BaseModel):
    """A subject's consents, oldest grant first."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"consents": [EXAMPLE_OUT]}]})

    consents: list[ConsentOut]


assert set(PURPOSES) == {"credit_assessment", "post_loan_monitoring", "marketing"}  # the Literals above
assert set(SUBJECT_KINDS) == {"enterprise", "person"}


def consent_out(consent: Consent, now: dt.datetime) -> dict[str, Any]:
    """The JSON of ``consent`` at ``now``."""
    return consent.public_dict(now)


@router.post(
    "/v1/consents",
    status_code=201,
    response_model=ConsentOut,
    responses=problem_responses(401, 403, 422),
    summary="Record a consent (role channel)",
)
def record_consent(body: ConsentIn, services: ServicesDep, principal: AsChannel) -> dict[str, Any]:
    """Record the subject's consent; the channel is the recorder in the audit trail."""
    desk = services.consents()
    consent = desk.record(
        subject=body.subject,
        subject_kind=body.subject_kind,
        sources=body.sources,
        purpose=body.purpose,
        expires_at=body.expires_at,
        evidence=body.evidence,
        granted_at=body.granted_at,
        actor=principal.name,
        principal=principal,
    )
    return consent_out(consent, services.clock.now())


@router.post(
    "/v1/consents/search",
    response_model=ConsentsOut,
    responses=problem_responses(401, 403, 422),
    summary="A subject's consents (role channel, reviewer or auditor)",
)
def search_consents(body: SubjectIn, services: ServicesDep, principal: DecisionReader) -> dict[str, Any]:
    """Every consent of the subject, oldest grant first, each with its status now."""
    now = services.clock.now()
    return {"consents": [consent_out(c, now) for c in services.consents().for_subject(body.subject, principal)]}


@router.get(
    "/v1/consents/{consent_id}",
    response_model=ConsentOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="A consent (role channel, reviewer or auditor)",
)
def get_consent(consent_id: ConsentId, services: ServicesDep, principal: DecisionReader) -> dict[str, Any]:
    """One consent with its status now."""
    return consent_out(services.consents().get(consent_id, principal), services.clock.now())


@router.post(
    "/v1/consents/{consent_id}/revoke",
    response_model=ConsentOut,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Revoke a consent from now on (role channel)",
)
def revoke_consent(consent_id: ConsentId, services: ServicesDep, principal: AsChannel) -> dict[str, Any]:
    """Revoke the consent: no pull under it from now on; a second revocation is a 409."""
    consent = services.consents().revoke(consent_id, actor=principal.name, principal=principal)
    return consent_out(consent, services.clock.now())
