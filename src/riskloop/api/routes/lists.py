"""The bank's lists: read entries (masked, or whole for those allowed, audited), add, end-date, upload a file,
read the versions, and confirm a detected gang as fraud (its identifiers black-listed).

List keepers edit; reviewers confirm gangs; analysts, reviewers, list keepers and auditors read; auditors and list
keepers may ask for values whole (``reveal=true``). The use case checks the roles again.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from riskloop.api.auth import require
from riskloop.api.deps import ServicesDep
from riskloop.api.openapi import problem_responses
from riskloop.api.schemas import Line, Strict
from riskloop.domain.access import ANALYST, AUDITOR, LIST_KEEPER, REVIEWER, Principal
from riskloop.errors import ConfigError, IngestError, ValidationError
from riskloop.service.lists import ListDesk

router = APIRouter(prefix="/v1/lists", tags=["lists"])
ListReader = Annotated[Principal, Depends(require(LIST_KEEPER, REVIEWER, ANALYST, AUDITOR))]
AsListKeeper = Annotated[Principal, Depends(require(LIST_KEEPER))]
AsReviewer = Annotated[Principal, Depends(require(REVIEWER))]
Kind = Literal["black", "grey", "white"]
IdKind = Literal["credit_code", "resident_id", "legal_rep_id", "phone", "device_id", "bank_account", "email", "ip"]
EntryId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
Reason = Annotated[Line, Field(min_length=1, max_length=200)]
When = Annotated[Line | None, Field(max_length=40, description="YYYY-MM-DD or ISO time; Beijing unless zoned")]


class EntryOut(BaseModel):
    """One list entry; ``value`` is null unless revealed."""

    entry_id: str
    kind: str
    identifier_kind: str
    value: str | None
    label: str
    reason: str
    source: str
    provenance: dict[str, str]
    valid_from: str
    expires_at: str | None
    version: int
    ended_at: str | None
    ended_by: str | None
    end_reason: str | None


class EntriesOut(BaseModel):
    """Entries of the lists."""

    entries: list[EntryOut]


class EntryIn(BaseModel):
    """A new entry added by hand."""

    model_config = Strict
    kind: Kind
    identifier_kind: IdKind
    value: Annotated[Line, Field(min_length=1, max_length=300)]
    reason: Reason
    valid_from: When = None
    expires_at: When = None


class EndIn(BaseModel):
    """Why an entry is end-dated."""

    model_config = Strict
    reason: Reason


class IdentifierIn(BaseModel):
    """A shared identifier of a gang."""

    model_config = Strict
    kind: IdKind
    value: Annotated[Line, Field(min_length=1, max_length=300)]


class GangIn(BaseModel):
    """A reviewer's confirmation of a detected gang as fraud."""

    model_config = Strict
    credit_codes: Annotated[list[Annotated[Line, Field(max_length=64)]], Field(min_length=1, max_length=500)]
    identifiers: Annotated[list[IdentifierIn], Field(max_length=500)] = []
    evidence: Annotated[Line, Field(min_length=1, max_length=500, description="Link to the case file")]


def _desk(services: Any) -> ListDesk:
    if services.lists is None:
        raise ConfigError("the lists are not wired into this app")
    desk: ListDesk = services.lists()
    return desk


@router.get("", response_model=EntriesOut, responses=problem_responses(401, 403, 422), summary="List entries")
def list_entries(
    services: ServicesDep,
    reader: ListReader,
    kind: Annotated[Kind | None, Query()] = None,
    ended: Annotated[bool, Query(description="Also end-dated entries")] = False,
    reveal: Annotated[bool, Query(description="Values whole: auditor or list keeper, audited")] = False,
) -> EntriesOut:
    """Entries, oldest first; values masked unless revealed."""
    found = _desk(services).show(reader, list_kind=kind, include_ended=ended, reveal=reveal)
    return EntriesOut(entries=[EntryOut(**e.to_dict()) for e in found])


@router.post("", status_code=201, response_model=EntryOut, responses=problem_responses(401, 403, 422),
             summary="Add an entry")  # fmt: skip
def add_entry(body: EntryIn, services: ServicesDep, keeper: AsListKeeper) -> EntryOut:
    """Add one entry (a version of its own)."""
    entry = _desk(services).add(keeper, list_kind=body.kind, identifier_kind=body.identifier_kind, value=body.value,
                                reason=body.reason, valid_from=body.valid_from, expires_at=body.expires_at)  # fmt: skip
    return EntryOut(**entry.to_dict())


@router.post("/{entry_id}/end", response_model=EntryOut, responses=problem_responses(401, 403, 404, 409, 422),
             summary="End-date an entry")  # fmt: skip
def end_entry(entry_id: EntryId, body: EndIn, services: ServicesDep, keeper: AsListKeeper) -> EntryOut:
    """End-date an entry now: it stops matching and stays in the history."""
    return EntryOut(**_desk(services).end(keeper, entry_id, body.reason).to_dict())


@router.post("/files", responses=problem_responses(401, 403, 413, 422), summary="Upload a list file")
async def upload_file(
    request: Request,
    services: ServicesDep,
    keeper: AsListKeeper,
    kind: Annotated[Kind, Query()],
    filename: Annotated[str, Query(pattern=r"^[^/\\]{1,120}\.(csv|xlsx|txt)$", description="The file's name")],
    quarantine: Annotated[bool, Query(description="Store good rows, quarantine bad ones")] = False,
) -> dict[str, Any]:
    """The file as the request body; every bad row named. Refused (422) unless all rows are good or quarantined."""
    from fastapi.responses import JSONResponse

    from riskloop.ingest.list_files import read_list_file

    try:
        rows = read_list_file(filename, await request.body())
    except IngestError as exc:  # the caller's file, not a source of ours: a 422 naming it
        raise ValidationError("file", str(exc)) from exc
    report = _desk(services).load(keeper, rows, file=filename, list_kind=kind, quarantine=quarantine)
    if report["status"] == "refused":
        return JSONResponse(report, status_code=422)  # type: ignore[return-value]
    return report


@router.get("/versions", responses=problem_responses(401, 403), summary="Versions of the lists")
def list_versions(services: ServicesDep, reader: ListReader) -> dict[str, Any]:
    """Every version: loads, additions, end-datings, confirmed gangs."""
    return {"versions": [v.to_dict() for v in _desk(services).versions()]}


@router.post("/gangs/{gang_id}/confirm", status_code=201, responses=problem_responses(401, 403, 422),
             summary="Confirm a gang as fraud")  # fmt: skip
def confirm_gang(gang_id: EntryId, body: GangIn, services: ServicesDep, reviewer: AsReviewer) -> dict[str, Any]:
    """A reviewer confirms gang ``gang_id``: its members' credit codes and shared identifiers are black-listed."""
    return _desk(services).confirm_gang(reviewer, gang_id, credit_codes=body.credit_codes,
                                        identifiers=[(i.kind, i.value) for i in body.identifiers],
                                        evidence=body.evidence)  # fmt: skip
