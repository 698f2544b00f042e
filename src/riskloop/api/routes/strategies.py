"""Strategy lifecycle: drafts, submission, four-eyes approval, activation and rollback as approved changes.

Analysts author, submit and request activations; approvers approve versions and changes. The actor is the
authenticated principal: a body's ``author`` or ``actor``, when given, must name the same principal, so the
four-eyes rules (approver ≠ author, change approver ≠ requester) compare principals.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from riskloop.api.auth import AsAnalyst, AsApprover, StrategyReader
from riskloop.api.deps import ServicesDep
from riskloop.api.openapi import problem_responses, shown
from riskloop.api.schemas import Strict, Text
from riskloop.domain.access import acting

router = APIRouter(tags=["strategies"])
Name = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{0,59}$", openapi_examples=shown("tighter"))]
Version = Annotated[int, Path(ge=1, le=10**6, openapi_examples=shown(1))]
CHANGES = problem_responses(401, 403, 404, 409, 422)  # a version or change that is missing or in the wrong state
JDM = '{"nodes": [{"id": "in", "type": "inputNode"}, {"id": "out", "type": "outputNode"}], "edges": []}'
EXAMPLE_VERSION: JsonDict = {
    "name": "tighter",
    "version": 1,
    "key": "tighter@1",
    "status": "approved",
    "author": "ann",
    "approved_by": "bob",
    "sha256": "4f86939adcfe6acf147075ebca5133583aab33e23d885e241fa939893a437a99",
    "created_at": "2026-07-01T09:00:00+00:00",
}


class StrategyVersionOut(BaseModel):
    """A strategy version and where it is in its lifecycle."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_VERSION]})

    name: str
    version: int
    key: str
    status: str = Field(description="draft, submitted, approved, active or retired")
    author: str
    approved_by: str | None
    sha256: str
    created_at: str


class StrategyVersionsOut(BaseModel):
    """Every version of a strategy."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"versions": [EXAMPLE_VERSION]}]})

    versions: list[StrategyVersionOut]


class ChangeOut(BaseModel):
    """A requested activation, waiting for another person's approval."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"change_id": 1}]})

    change_id: int


Actor = Annotated[
    str | None, Field(default=None, pattern=r"^[A-Za-z0-9._@-]{1,80}$", description="optional: the principal")
]


class DraftIn(BaseModel):
    """A new version's JDM JSON."""

    model_config = ConfigDict(**Strict, json_schema_extra={"examples": [{"content": JDM, "note": "cap limits"}]})

    content: Annotated[Text, Field(min_length=2, max_length=2_000_000)]
    author: Actor = None
    note: Annotated[Text, Field(max_length=2000)] = ""


class EditIn(BaseModel):
    """New content for a draft."""

    model_config = ConfigDict(**Strict, json_schema_extra={"examples": [{"content": JDM}]})

    content: Annotated[Text, Field(min_length=2, max_length=2_000_000)]
    actor: Actor = None


class ActorIn(BaseModel):
    """Who does it."""

    model_config = ConfigDict(**Strict, json_schema_extra={"examples": [{}, {"actor": "bob"}]})

    actor: Actor = None


class ActivationIn(BaseModel):
    """Ask for a version to become active (a rollback names an earlier version)."""

    model_config = ConfigDict(**Strict, json_schema_extra={"examples": [{"version": 1, "note": "go live"}]})

    version: Annotated[int, Field(ge=1, le=10**6)]
    actor: Actor = None
    note: Annotated[Text, Field(max_length=2000)] = ""


@router.post(
    "/v1/strategies/{name}/versions",
    status_code=201,
    response_model=StrategyVersionOut,
    responses=problem_responses(401, 403, 422),
    summary="A new draft (role analyst)",
)
def create_draft(name: Name, body: DraftIn, services: ServicesDep, principal: AsAnalyst) -> dict[str, Any]:
    """A new draft version, authored by the principal."""
    acting(principal, body.author, "author")
    return services.strategies.create(principal, name, body.content, body.note).to_dict()


@router.get(
    "/v1/strategies/{name}/versions",
    response_model=StrategyVersionsOut,
    responses=problem_responses(401, 403, 422),
    summary="Versions (role analyst, approver or auditor)",
)
def list_versions(name: Name, services: ServicesDep, principal: StrategyReader) -> dict[str, Any]:
    """Every version of a strategy and its status."""
    return {"versions": [v.to_dict() for v in services.strategies.versions(principal, name)]}


@router.put(
    "/v1/strategies/{name}/versions/{version}",
    response_model=StrategyVersionOut,
    responses=CHANGES,
    summary="Edit a draft (role analyst)",
)
def edit_draft(
    name: Name, version: Version, body: EditIn, services: ServicesDep, principal: AsAnalyst
) -> dict[str, Any]:
    """Replace a draft's content (its author only; published versions are immutable: 409)."""
    acting(principal, body.actor, "actor")
    return services.strategies.edit(principal, name, version, body.content).to_dict()


@router.post(
    "/v1/strategies/{name}/versions/{version}/submit",
    response_model=StrategyVersionOut,
    responses=CHANGES,
    summary="Submit a draft (role analyst)",
)
def submit(name: Name, version: Version, body: ActorIn, services: ServicesDep, principal: AsAnalyst) -> dict[str, Any]:
    """Draft → submitted, by its author."""
    acting(principal, body.actor, "actor")
    return services.strategies.submit(principal, name, version).to_dict()


@router.post(
    "/v1/strategies/{name}/versions/{version}/approve",
    response_model=StrategyVersionOut,
    responses=CHANGES,
    summary="Approve a version (role approver)",
)
def approve(
    name: Name, version: Version, body: ActorIn, services: ServicesDep, principal: AsApprover
) -> dict[str, Any]:
    """Submitted → approved; the approver is never the author (403), whatever roles the author's key holds."""
    acting(principal, body.actor, "actor")
    return services.strategies.approve(principal, name, version).to_dict()


@router.post(
    "/v1/strategies/{name}/activations",
    status_code=201,
    response_model=ChangeOut,
    responses=CHANGES,
    summary="Request an activation (role analyst)",
)
def request_activation(name: Name, body: ActivationIn, services: ServicesDep, principal: AsAnalyst) -> dict[str, Any]:
    """Request an activation (or a rollback); another person approves it."""
    acting(principal, body.actor, "actor")
    return {"change_id": services.strategies.request_activation(principal, name, body.version, body.note)}


@router.post(
    "/v1/strategy-changes/{change_id}/approve",
    response_model=StrategyVersionOut,
    responses=CHANGES,
    summary="Approve and apply a change (role approver)",
)
def approve_activation(
    change_id: Annotated[int, Path(ge=1, le=2**31 - 1, openapi_examples=shown(1))],
    body: ActorIn,
    services: ServicesDep,
    principal: AsApprover,
) -> dict[str, Any]:
    """Approve and apply an activation (never by its requester): the version becomes active, the old one retired."""
    acting(principal, body.actor, "actor")
    return services.strategies.approve_activation(principal, change_id).to_dict()
