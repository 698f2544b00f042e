"""GET /v1/me: who the API key acts as, its roles, and what the console may offer it (``domain.access.CAPABILITIES``).

Any valid key reads it, whatever its roles. The answer only tells the console what to show: every route checks
the roles again, so a capability shown wrongly is still refused by the API.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from riskloop.api.auth import AnyRole
from riskloop.api.openapi import problem_responses
from riskloop.domain.access import CAPABILITIES, capabilities

router = APIRouter(tags=["me"])
EXAMPLE_ME: JsonDict = {
    "principal": "ann",
    "roles": ["approver", "reviewer"],
    "can": {name: not {"approver", "reviewer"}.isdisjoint(roles) for name, roles in CAPABILITIES.items()},
}


class MeOut(BaseModel):
    """The authenticated principal and the console capabilities its roles hold."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_ME]})

    principal: str
    roles: list[str] = Field(description="sorted")
    can: dict[str, bool] = Field(description="every capability of domain.access.CAPABILITIES: held or not")


@router.get(
    "/v1/me",
    response_model=MeOut,
    responses=problem_responses(401, 403),
    summary="Who the API key acts as and what it may do (any role)",
)
def me(principal: AnyRole) -> dict[str, Any]:
    """The principal, its roles and every capability with whether its roles hold it."""
    return {"principal": principal.name, "roles": sorted(principal.roles), "can": capabilities(principal.roles)}
