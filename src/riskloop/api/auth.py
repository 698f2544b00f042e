"""Authentication and roles: every route names the roles it accepts; the authenticated principal is the actor.

A request sends ``Authorization: Bearer <secret>`` (a key of ``riskloop keys create``). A missing, unknown or
revoked key is a 401, a key without a role the route accepts a 403 naming the roles it needs. Bodies may
still name their actor (``actor``, ``author``, ``reviewer``) for compatibility; a name that is not the
principal's is a 403, never silently replaced. The four-eyes rules of the repositories then compare
principals, so nobody approves their own work by typing another name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from riskloop.api.deps import ServicesDep
from riskloop.errors import ForbiddenError, UnauthenticatedError
from riskloop.storage.api_keys import ANALYST, APPROVER, AUDITOR, CHANNEL, REVIEWER, Principal, SQLApiKeys

bearer = HTTPBearer(
    auto_error=False,  # our own 401 body, not FastAPI's
    description="An API key: `riskloop keys create --principal NAME --role ROLE` prints its secret once.",
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]


def principal_of(
    keys: SQLApiKeys, credentials: HTTPAuthorizationCredentials | None, roles: tuple[str, ...], what: str
) -> Principal:
    """The principal of ``credentials`` if it holds one of ``roles``; else UnauthenticatedError or ForbiddenError."""
    if credentials is None:
        raise UnauthenticatedError("Authorization: send an API key as 'Bearer <secret>' (riskloop keys create)")
    found = keys.authenticate(credentials.credentials)
    if found is None:
        raise UnauthenticatedError("Authorization: unknown or revoked API key")
    if found.roles.isdisjoint(roles):
        needed, held = " or ".join(roles), ", ".join(sorted(found.roles))
        raise ForbiddenError(
            f"{what} needs the role {needed}; the key {found.key_id} of {found.name} has {held}",
            field="Authorization",
        )
    return found


def require(*roles: str) -> Callable[[Request, HTTPAuthorizationCredentials | None, ServicesDep], Principal]:
    """A dependency: the request's principal, holding one of ``roles``."""
    accepted = tuple(roles)

    def authenticated(request: Request, credentials: Credentials, services: ServicesDep) -> Principal:
        route = request.scope.get("route")
        what = f"{request.method} {getattr(route, 'path', request.url.path)}"
        return principal_of(services.keys, credentials, accepted, what)

    return authenticated


def acting(principal: Principal, named: str | None, field: str) -> str:
    """The actor of a request: the principal; a body naming someone else (``field``) is a ForbiddenError."""
    if named is not None and named != principal.name:
        raise ForbiddenError(
            f"{field}: the body names {named!r} but the API key is {principal.name!r}'s; "
            "the authenticated principal is the actor (omit the field or name yourself)",
            field=field,
        )
    return principal.name


AsChannel = Annotated[Principal, Depends(require(CHANNEL))]
DecisionReader = Annotated[Principal, Depends(require(CHANNEL, REVIEWER, AUDITOR))]
AsReviewer = Annotated[Principal, Depends(require(REVIEWER))]
ReviewReader = Annotated[Principal, Depends(require(REVIEWER, AUDITOR))]
AsAnalyst = Annotated[Principal, Depends(require(ANALYST))]
StrategyReader = Annotated[Principal, Depends(require(ANALYST, APPROVER, AUDITOR))]
AsApprover = Annotated[Principal, Depends(require(APPROVER))]
