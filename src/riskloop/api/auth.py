"""Authentication and roles: every route names the roles it accepts; the authenticated principal is the actor.

A request sends ``Authorization: Bearer <secret>`` (a key of ``riskloop keys create``). A missing, unknown or
revoked key is a 401, a key without a role the route accepts a 403 naming the roles it needs (the check of
``service.api_keys.Authenticator``; the use cases check the roles again). Bodies may still name their actor
(``actor``, ``author``, ``reviewer``) for compatibility; a name that is not the principal's is a 403
(``domain.access.acting``), never silently replaced. The four-eyes rules of the use cases compare
principals, so nobody approves their own work by typing another name.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, Security
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from riskloop.api.deps import ServicesDep
from riskloop.api.observability import note
from riskloop.domain.access import (
    ANALYST,
    APPROVER,
    AUDITOR,
    CHANNEL,
    COLLECTION_LEAD,
    COLLECTOR,
    POST_LOAN_OFFICER,
    REVIEWER,
    ROLES,
    Principal,
)
from riskloop.errors import UnauthenticatedError
from riskloop.service.api_keys import Authenticator
from riskloop.service.stages import lap

bearer = HTTPBearer(
    auto_error=False,  # our own 401 body, not FastAPI's
    description="An API key: `riskloop keys create --principal NAME --role ROLE` prints its secret once.",
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]


def principal_of(
    auth: Authenticator, credentials: HTTPAuthorizationCredentials | None, roles: tuple[str, ...], what: str
) -> Principal:
    """The principal of ``credentials`` if it holds one of ``roles``; else UnauthenticatedError or ForbiddenError."""
    if credentials is None:
        raise UnauthenticatedError("Authorization: send an API key as 'Bearer <secret>' (riskloop keys create)")
    return auth.authorize(credentials.credentials, roles, what)


class Require:
    """A dependency: the request's principal, holding one of ``roles`` (kept so tests can read what a route needs)."""

    def __init__(self, roles: tuple[str, ...]) -> None:
        self.roles = roles

    async def __call__(self, request: Request, credentials: Credentials, services: ServicesDep) -> Principal:
        """The principal of the request's key; UnauthenticatedError or ForbiddenError otherwise.

        On the event loop, not the thread pool: one primary-key read costs less than the hand-over to a thread.
        """
        route = request.scope.get("route")
        what = f"{request.method} {getattr(route, 'path', request.url.path)}"
        found = principal_of(services.auth, credentials, self.roles, what)
        lap("auth")
        note(request, principal=found.name)  # the request's log line names who asked
        return found


def route_roles(app: FastAPI) -> dict[str, frozenset[str]]:
    """``"METHOD /path"`` → the roles its ``require(...)`` accepts, for every authenticated operation of ``app``."""
    out: dict[str, frozenset[str]] = {}
    for route in operations(app.routes):
        accepted = [d.call.roles for d in route.dependant.dependencies if isinstance(d.call, Require)]
        for method in (route.methods or set()) - {"HEAD"}:
            if accepted:
                out[f"{method} {route.path}"] = frozenset(accepted[0])
    return out


def operations(routes: Sequence[Any]) -> Iterator[APIRoute]:
    """Every APIRoute, also those of included routers (FastAPI includes them lazily, each with its own routes)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from operations(included.routes)


def require(*roles: str) -> Require:
    """A dependency: the request's principal, holding one of ``roles``."""
    return Require(tuple(roles))


AsChannel = Annotated[Principal, Depends(require(CHANNEL))]
DecisionReader = Annotated[Principal, Depends(require(CHANNEL, REVIEWER, AUDITOR))]
AsReviewer = Annotated[Principal, Depends(require(REVIEWER))]
ReviewReader = Annotated[Principal, Depends(require(REVIEWER, AUDITOR))]
AsAnalyst = Annotated[Principal, Depends(require(ANALYST))]
StrategyReader = Annotated[Principal, Depends(require(ANALYST, APPROVER, AUDITOR))]
EffectReader = Annotated[Principal, Depends(require(ANALYST, APPROVER, AUDITOR))]
AsApprover = Annotated[Principal, Depends(require(APPROVER))]
AsOfficer = Annotated[Principal, Depends(require(POST_LOAN_OFFICER))]
DrawdownReader = Annotated[Principal, Depends(require(CHANNEL, POST_LOAN_OFFICER))]
AlertReader = Annotated[Principal, Depends(require(POST_LOAN_OFFICER, AUDITOR))]
GraphReader = Annotated[Principal, Depends(require(REVIEWER, ANALYST, POST_LOAN_OFFICER, AUDITOR))]
CollectionReader = Annotated[Principal, Depends(require(COLLECTOR, COLLECTION_LEAD, AUDITOR))]
AsCollector = Annotated[Principal, Depends(require(COLLECTOR, COLLECTION_LEAD))]
QaReader = Annotated[Principal, Depends(require(COLLECTION_LEAD, AUDITOR))]
AsCollectionLead = Annotated[Principal, Depends(require(COLLECTION_LEAD))]
AnyRole = Annotated[Principal, Depends(require(*ROLES))]
AsBacktester = Annotated[Principal, Depends(require(ANALYST, APPROVER))]
