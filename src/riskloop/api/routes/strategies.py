"""Strategy lifecycle: drafts, submission, four-eyes approval, activation and rollback as approved changes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from riskloop.api.deps import ServicesDep
from riskloop.api.schemas import Strict

router = APIRouter(tags=["strategies"])
Name = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{0,59}$")]
Version = Annotated[int, Path(ge=1, le=10**6)]
Actor = Annotated[str, Field(pattern=r"^[A-Za-z0-9._@-]{1,80}$")]


class DraftIn(BaseModel):
    """A new version's JDM JSON."""

    model_config = Strict

    content: Annotated[str, Field(min_length=2, max_length=2_000_000)]
    author: Actor
    note: Annotated[str, Field(max_length=2000)] = ""


class EditIn(BaseModel):
    """New content for a draft."""

    model_config = Strict

    content: Annotated[str, Field(min_length=2, max_length=2_000_000)]
    actor: Actor


class ActorIn(BaseModel):
    """Who does it."""

    model_config = Strict

    actor: Actor


class ActivationIn(BaseModel):
    """Ask for a version to become active (a rollback names an earlier version)."""

    model_config = Strict

    version: Annotated[int, Field(ge=1)]
    actor: Actor
    note: Annotated[str, Field(max_length=2000)] = ""


@router.post("/v1/strategies/{name}/versions", status_code=201)
def create_draft(name: Name, body: DraftIn, services: ServicesDep) -> dict[str, Any]:
    """A new draft version."""
    return services.strategies.create(name, body.content, body.author, body.note).to_dict()


@router.get("/v1/strategies/{name}/versions")
def list_versions(name: Name, services: ServicesDep) -> dict[str, Any]:
    """Every version of a strategy and its status."""
    return {"versions": [v.to_dict() for v in services.strategies.versions(name)]}


@router.put("/v1/strategies/{name}/versions/{version}")
def edit_draft(name: Name, version: Version, body: EditIn, services: ServicesDep) -> dict[str, Any]:
    """Replace a draft's content (its author only; published versions are immutable: 409)."""
    return services.strategies.edit(name, version, body.content, body.actor).to_dict()


@router.post("/v1/strategies/{name}/versions/{version}/submit")
def submit(name: Name, version: Version, body: ActorIn, services: ServicesDep) -> dict[str, Any]:
    """Draft → submitted."""
    return services.strategies.submit(name, version, body.actor).to_dict()


@router.post("/v1/strategies/{name}/versions/{version}/approve")
def approve(name: Name, version: Version, body: ActorIn, services: ServicesDep) -> dict[str, Any]:
    """Submitted → approved; the approver is never the author (403)."""
    return services.strategies.approve(name, version, body.actor).to_dict()


@router.post("/v1/strategies/{name}/activations", status_code=201)
def request_activation(name: Name, body: ActivationIn, services: ServicesDep) -> dict[str, Any]:
    """Request an activation (or a rollback); another person approves it."""
    return {"change_id": services.strategies.request_activation(name, body.version, body.actor, body.note)}


@router.post("/v1/strategy-changes/{change_id}/approve")
def approve_activation(change_id: Annotated[int, Path(ge=1)], body: ActorIn, services: ServicesDep) -> dict[str, Any]:
    """Approve and apply an activation: the version becomes active, the previous active one retired."""
    return services.strategies.approve_activation(change_id, body.actor).to_dict()
