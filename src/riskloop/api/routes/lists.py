"""The bank's lists: read, add, end-date, upload a file, read the versions, confirm a gang as fraud.

Values are masked, or whole for those allowed (audited); a confirmed gang's identifiers are black-listed.

List keepers edit; reviewers confirm gangs; analysts, reviewers, list keepers and auditors read; auditors and list
keepers may ask for values whole (``reveal=true``). The use case checks the roles again.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from riskloop.api.auth import require
from riskloop.api.deps import ServicesDep
from riskloop.api.openapi import problem_responses, shown
from riskloop.api.schemas import Line, Strict
from riskloop.domain.access import ANALYST, AUDITOR, LIST_KEEPER, REVIEWER, Principal
from riskloop.domain.lists import beijing_time
from riskloop.errors import ConfigError, IngestError, ValidationError
from riskloop.service.lists import ListDesk

router = APIRouter(prefix="/v1/lists", tags=["lists"])
ListReader = Annotated[Principal, Depends(require(LIST_KEEPER, REVIEWER, ANALYST, AUDITOR))]
AsListKeeper = Annotated[Principal, Depends(require(LIST_KEEPER))]
AsReviewer = Annotated[Principal, Depends(require(REVIEWER))]
Kind = Literal["black", "grey", "white"]
IdKind = Literal["credit_code", "resident_id", "legal_rep_id", "phone", "device_id", "bank_account", "email", "ip"]
EXAMPLE_ENTRY_ID = "L3f9a0c2b7e1d4a6b8c0e"
EntryId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,40}$", openapi_examples=shown(EXAMPLE_ENTRY_ID))]
GangId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,40}$", openapi_examples=shown("G-0007"))]
EXAMPLE_ENTRY: JsonDict = {
    "entry_id": EXAMPLE_ENTRY_ID,
    "kind": "black",
    "identifier_kind": "phone",
    "value": None,
    "label": "138****8000",
    "reason": "confirmed fraud gang",
    "source": "gang_confirmed",
    "provenance": {"gang_id": "G-0007", "reviewer": "rita", "evidence": "https://cases.example/7"},
    "valid_from": "2026-07-01T09:00:00+00:00",
    "expires_at": None,
    "version": 3,
    "ended_at": None,
    "ended_by": None,
    "end_reason": None,
}
EXAMPLE_PROBLEM: JsonDict = {"file": "blacklist.csv", "row": 3, "field": "value",
                             "reason": "not a mainland mobile or landline number"}  # fmt: skip
Reason = Annotated[Line, Field(min_length=1, max_length=200)]
When = Annotated[Line | None, Field(max_length=40, description="YYYY-MM-DD or ISO time; Beijing unless zoned")]


class ListEntryOut(BaseModel):
    """One list entry; ``value`` is null unless revealed."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_ENTRY]})
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


class ListEntriesOut(BaseModel):
    """Entries of the lists."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"entries": [EXAMPLE_ENTRY]}]})
    entries: list[ListEntryOut]


class ListEntryIn(BaseModel):
    """A new entry added by hand."""

    model_config = ConfigDict(**Strict, json_schema_extra={"examples": [{
        "kind": "grey", "identifier_kind": "phone", "value": "13800138000", "reason": "complaint under review",
        "expires_at": "2027-01-01"}]})  # fmt: skip
    kind: Kind
    identifier_kind: IdKind
    value: Annotated[Line, Field(min_length=1, max_length=300)]
    reason: Reason
    valid_from: When = None
    expires_at: When = None


class ListEndIn(BaseModel):
    """Why an entry is end-dated."""

    model_config = ConfigDict(**Strict, json_schema_extra={"examples": [{"reason": "cleared by investigation"}]})
    reason: Reason


class GangIdentifierIn(BaseModel):
    """A shared identifier of a gang."""

    model_config = Strict
    kind: IdKind
    value: Annotated[Line, Field(min_length=1, max_length=300)]


class GangIn(BaseModel):
    """A reviewer's confirmation of a detected gang as fraud.

    With ``detect``, gang detection gives the members' credit codes and the personal identifiers they share
    (listed by the graph's key, their raw values never needed); ``credit_codes`` and ``identifiers`` add to them.
    Without it, give at least one credit code.
    """

    model_config = ConfigDict(**Strict, json_schema_extra={"examples": [
        {"detect": True, "evidence": "https://cases.example/7"},
        {"credit_codes": ["91420100000000001Y"], "identifiers": [{"kind": "phone", "value": "13800138000"}],
         "evidence": "https://cases.example/7"}]})  # fmt: skip
    credit_codes: Annotated[list[Annotated[Line, Field(max_length=64)]], Field(max_length=500)] = []
    identifiers: Annotated[list[GangIdentifierIn], Field(max_length=500)] = []
    evidence: Annotated[Line, Field(min_length=1, max_length=500, description="Link to the case file")]
    detect: bool = Field(False, description="Take members and shared identifiers from gang detection")
    window_days: Annotated[float | None, Field(ge=1, le=3650, description="With detect: the window")] = None
    as_of: Annotated[Line | None, Field(max_length=40, description="With detect: the window's end (ISO time)")] = None


class ListProblemRow(BaseModel):
    """A bad row of a list file (never its value)."""

    file: str
    row: int
    field: str
    reason: str


class ListLoadOut(BaseModel):
    """What a file load did: loaded, loaded with quarantine, or refused (nothing stored); every bad row named."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "file": "blacklist.csv", "kind": "black", "rows": 2, "problems": [EXAMPLE_PROBLEM],
        "status": "loaded with quarantine", "stored": 1, "quarantined": 1, "version": 4}]})  # fmt: skip
    file: str
    kind: str
    rows: int
    problems: list[ListProblemRow]
    status: str
    stored: int
    quarantined: int
    version: int | None


class ListVersionOut(BaseModel):
    """One version of the lists."""

    version: int
    action: str
    actor: str
    at: str
    detail: dict[str, Any]


class ListVersionsOut(BaseModel):
    """Every version of the lists, oldest first."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"versions": [{
        "version": 1, "action": "list.load", "actor": "kim", "at": "2026-07-01T09:00:00+00:00",
        "detail": {"file": "blacklist.csv", "kind": "black", "rows": 2, "quarantined": []}}]}]})  # fmt: skip
    versions: list[ListVersionOut]


class GangOut(BaseModel):
    """A confirmed gang: the entries black-listed for it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "gang_id": "G-0007", "reviewer": "rita", "version": 3, "entries": [EXAMPLE_ENTRY]}]})  # fmt: skip
    gang_id: str
    reviewer: str
    version: int
    entries: list[ListEntryOut]


def _desk(services: Any) -> ListDesk:
    if services.lists is None:
        raise ConfigError("the lists are not wired into this app")
    desk: ListDesk = services.lists()
    return desk


@router.get("", response_model=ListEntriesOut, responses=problem_responses(401, 403, 422), summary="List entries")
def list_entries(
    services: ServicesDep,
    reader: ListReader,
    kind: Annotated[Kind | None, Query(openapi_examples=shown("black"))] = None,
    ended: Annotated[bool, Query(description="Also end-dated entries", openapi_examples=shown(False))] = False,
    reveal: Annotated[
        bool, Query(description="Values whole: auditor or list keeper, audited", openapi_examples=shown(False))
    ] = False,
) -> ListEntriesOut:
    """Entries, oldest first; values masked unless revealed."""
    found = _desk(services).show(reader, list_kind=kind, include_ended=ended, reveal=reveal)
    return ListEntriesOut(entries=[ListEntryOut(**e.to_dict()) for e in found])


@router.post("", status_code=201, response_model=ListEntryOut, responses=problem_responses(401, 403, 422),
             summary="Add an entry")  # fmt: skip
def add_entry(body: ListEntryIn, services: ServicesDep, keeper: AsListKeeper) -> ListEntryOut:
    """Add one entry (a version of its own)."""
    entry = _desk(services).add(keeper, list_kind=body.kind, identifier_kind=body.identifier_kind, value=body.value,
                                reason=body.reason, valid_from=body.valid_from, expires_at=body.expires_at)  # fmt: skip
    return ListEntryOut(**entry.to_dict())


@router.post("/{entry_id}/end", response_model=ListEntryOut, responses=problem_responses(401, 403, 404, 409, 422),
             summary="End-date an entry")  # fmt: skip
def end_entry(entry_id: EntryId, body: ListEndIn, services: ServicesDep, keeper: AsListKeeper) -> ListEntryOut:
    """End-date an entry now: it stops matching and stays in the history."""
    return ListEntryOut(**_desk(services).end(keeper, entry_id, body.reason).to_dict())


@router.post("/files", response_model=ListLoadOut, responses=problem_responses(401, 403, 413, 422),
             summary="Upload a list file")  # fmt: skip
async def upload_file(  # noqa: PLR0917 - FastAPI parameters
    request: Request,
    services: ServicesDep,
    keeper: AsListKeeper,
    kind: Annotated[Kind, Query(openapi_examples=shown("black"))],
    filename: Annotated[
        str,
        Query(
            pattern=r"^[^/\\]{1,120}\.(csv|xlsx|txt)$",
            description="The file's name",
            openapi_examples=shown("blacklist.csv"),
        ),
    ],
    quarantine: Annotated[
        bool, Query(description="Store good rows, quarantine bad ones", openapi_examples=shown(False))
    ] = False,
) -> Any:
    """The file as the request body; every bad row named. Refused (422) unless all rows are good or quarantined."""
    from fastapi.responses import JSONResponse

    from riskloop.ingest.list_files import read_list_file

    try:
        rows = read_list_file(filename, await request.body())
    except IngestError as exc:  # the caller's file, not a source of ours: a 422 naming it
        raise ValidationError("file", str(exc)) from exc
    report = _desk(services).load(keeper, rows, file=filename, list_kind=kind, quarantine=quarantine)
    if report["status"] == "refused":
        return JSONResponse(report, status_code=422)
    return ListLoadOut(**report)


@router.get("/versions", response_model=ListVersionsOut, responses=problem_responses(401, 403),
            summary="Versions of the lists")  # fmt: skip
def list_versions(services: ServicesDep, reader: ListReader) -> ListVersionsOut:
    """Every version: loads, additions, end-datings, confirmed gangs."""
    return ListVersionsOut(versions=[ListVersionOut(**v.to_dict()) for v in _desk(services).versions()])


@router.post("/gangs/{gang_id}/confirm", status_code=201, response_model=GangOut,
             responses=problem_responses(401, 403, 404, 422), summary="Confirm a gang as fraud")  # fmt: skip
def confirm_gang(gang_id: GangId, body: GangIn, services: ServicesDep, reviewer: AsReviewer) -> GangOut:
    """A reviewer confirms gang ``gang_id``: its members' credit codes and shared identifiers are black-listed."""
    pairs = [(i.kind, i.value) for i in body.identifiers]
    desk = _desk(services)
    if not body.detect:
        return GangOut(**desk.confirm_gang(reviewer, gang_id, credit_codes=body.credit_codes, identifiers=pairs,
                                           evidence=body.evidence))  # fmt: skip
    if services.gangs is None:
        raise ConfigError("gang detection is not wired into this app")
    until = None if body.as_of is None else beijing_time(body.as_of, "as_of")
    return GangOut(**desk.confirm_detected_gang(
        reviewer, gang_id, services.gangs(), evidence=body.evidence, credit_codes=body.credit_codes,
        identifiers=pairs, until=until, window_days=body.window_days,
    ))  # fmt: skip
