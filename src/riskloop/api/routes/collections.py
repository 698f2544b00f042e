"""Collection work: cases with their next best action, recorded actions and outcomes, call checks and QA cases.

Collectors (role collector) and their leads (collection_lead) list cases, record what they did and submit call
transcripts; leads also confirm or dismiss QA cases; auditors read. Channels and every other role never see
collections. The actor is the authenticated principal; the use case (``service.collections``) checks the role
again. Schemas: ``api.collection_schemas``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from riskloop.api.auth import AsCollectionLead, AsCollector, CollectionReader, QaReader
from riskloop.api.collection_schemas import (
    ID_PATTERN,
    CallCheckOut,
    CaseOut,
    CasesOut,
    CloseIn,
    FindingsOut,
    QaCaseOut,
    QaCasesOut,
    RecordedActionOut,
    RecordIn,
    TranscriptIn,
)
from riskloop.api.deps import ServicesDep
from riskloop.api.openapi import problem_responses, shown
from riskloop.domain.collection_work import PLAN_STATUSES, QA_CLOSED, QA_OPEN
from riskloop.errors import DataSourceError
from riskloop.service.collections import MAX_PAGE

router = APIRouter(prefix="/v1/collections", tags=["collections"])
NO_QA_MODEL = (
    "no transcript QA model is active: train one with `riskloop collections qa-train`, "
    "then have it approved and activated"
)
CaseId = Annotated[str, Path(pattern=ID_PATTERN, openapi_examples=shown("L-20260501-0042"))]
CallId = Annotated[str, Path(pattern=ID_PATTERN, openapi_examples=shown("call-20260701-0007"))]
QaCaseId = Annotated[str, Path(pattern=ID_PATTERN, openapi_examples=shown("qac_Hn4k2VbT9sLq0wEr"))]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, openapi_examples=shown(50))]
ALL = "all"
PlanStatus = Annotated[
    str,
    Query(
        pattern="^(" + "|".join((*PLAN_STATUSES, ALL)) + ")$",
        description="open (the default), acted, superseded or all",
        openapi_examples=shown("open"),
    ),
]
QaStatus = Annotated[
    str,
    Query(pattern=f"^({QA_OPEN}|{QA_CLOSED}|{ALL})$", description="open (the default), closed or all",
          openapi_examples=shown("open")),
]  # fmt: skip


@router.get(
    "/cases",
    response_model=CasesOut,
    responses=problem_responses(401, 403, 422),
    summary="Cases with their next best action, by case id (role collector, collection_lead or auditor)",
)
def list_cases(
    services: ServicesDep,
    principal: CollectionReader,
    status: PlanStatus = "open",
    limit: Limit = 50,
    after: Annotated[
        str | None,
        Query(
            pattern=ID_PATTERN, description="the last case id of the previous page", openapi_examples=shown("c-0042")
        ),
    ] = None,
) -> dict[str, Any]:
    """Plans (open ones by default) by case id: each case's next best action, its reasons and propensity."""
    chosen = None if status == ALL else status
    plans = services.collections.cases(principal, status=chosen, limit=limit, after=after)
    full = len(plans) == limit
    return {"cases": [p.as_dict() for p in plans], "limit": limit, "next_after": plans[-1].case_id if full else None}


@router.get(
    "/cases/{case_id}",
    response_model=CaseOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="A case: its open plan and the actions recorded on it (role collector, collection_lead or auditor)",
)
def get_case(case_id: CaseId, services: ServicesDep, principal: CollectionReader) -> dict[str, Any]:
    """The case's open plan (null once acted on) and its recorded actions, oldest first."""
    return services.collections.case(principal, case_id)


@router.post(
    "/cases/{case_id}/actions",
    status_code=201,
    response_model=RecordedActionOut,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Record the action taken on a case's open plan and its outcome (role collector or collection_lead)",
)
def record_action(case_id: CaseId, body: RecordIn, services: ServicesDep, principal: AsCollector) -> dict[str, Any]:
    """Record an action and its outcome: the propensity the plan gave the arm taken is logged with it.

    404: the case has no open plan. 409: another collector recorded on the same plan first.
    """
    return services.collections.record(principal, case_id, body.outcome()).as_dict()


@router.post(
    "/transcripts",
    response_model=CallCheckOut,
    responses=problem_responses(401, 403, 409, 413, 422, 503),
    summary="Check a call's transcript; a finding at the threshold opens a QA case (role collector or collection_lead)",
)
def check_transcript(body: TranscriptIn, services: ServicesDep, principal: AsCollector) -> dict[str, Any]:
    """Score a call per dimension and store its findings (utterances scrubbed of identifiers).

    503: no transcript QA model is active (``riskloop collections qa-train``, then approve and activate it).
    """
    checker = services.transcript_checker()
    if checker is None:
        raise DataSourceError(NO_QA_MODEL)
    turns = [(t.turn_no, t.speaker, t.text) for t in body.turns]
    return services.collections.check(principal, checker, body.call_id, body.started_at, turns)


@router.get(
    "/transcripts/{call_id}/findings",
    response_model=FindingsOut,
    responses=problem_responses(401, 403, 422),
    summary="The findings of a call's latest check (role collector, collection_lead or auditor)",
)
def call_findings(call_id: CallId, services: ServicesDep, principal: CollectionReader) -> dict[str, Any]:
    """Findings in turn order (whole-call findings first); an unchecked call has none."""
    found = services.collections.findings(principal, call_id)
    return {"call_id": call_id, "findings": [f.as_dict() for f in found]}


@router.get(
    "/qa-cases",
    response_model=QaCasesOut,
    responses=problem_responses(401, 403, 422),
    summary="QA cases of collection calls, highest score first (role collection_lead or auditor)",
)
def list_qa_cases(
    services: ServicesDep, principal: QaReader, status: QaStatus = QA_OPEN, limit: Limit = 50
) -> dict[str, Any]:
    """QA cases (open ones by default), highest score first, then oldest."""
    cases = services.collections.qa_cases(principal, status=None if status == ALL else status, limit=limit)
    return {"qa_cases": [c.as_dict() for c in cases], "limit": limit}


@router.post(
    "/qa-cases/{qa_case_id}/close",
    response_model=QaCaseOut,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Confirm or dismiss a QA case (role collection_lead)",
)
def close_qa_case(
    qa_case_id: QaCaseId, body: CloseIn, services: ServicesDep, principal: AsCollectionLead
) -> dict[str, Any]:
    """Close the QA case as confirmed or dismissed, with a comment (audited). 409: it is closed already."""
    closed = services.collections.close_qa_case(principal, qa_case_id, body.model_dump())
    return closed.as_dict()
