"""The one mapping of riskloop's exception tree to HTTP statuses, and strict-validation error bodies.

Every error body is ``{"error": <kind>, "message": <text>, "field": <name or null>}``; request validation
errors list every offending field under ``fields``. Nothing ever returns a stack trace.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from riskloop.errors import (
    ConfigError,
    ConflictError,
    DataSourceError,
    ForbiddenError,
    NotFoundError,
    RiskloopError,
    StorageError,
    UnauthenticatedError,
    ValidationError,
)

STATUS: tuple[tuple[type[RiskloopError], int], ...] = (
    (ValidationError, 422),
    (NotFoundError, 404),
    (ConflictError, 409),
    (UnauthenticatedError, 401),
    (ForbiddenError, 403),
    (DataSourceError, 503),
    (StorageError, 503),
    (ConfigError, 500),
    (RiskloopError, 500),
)


def status_for(error: RiskloopError) -> int:
    """HTTP status of an error of the riskloop tree."""
    for kind, status in STATUS:
        if isinstance(error, kind):
            return status
    return 500


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """A validation location as a field name: ``body.identity.face_match_score`` → ``identity.face_match_score``."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path"):
        parts = parts[1:]
    elif parts and parts[0] == "header":
        return parts[1] if len(parts) > 1 else "header"
    return ".".join(parts) or "body"


async def _riskloop_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RiskloopError)
    field = getattr(exc, "field", None)
    body = {"error": type(exc).__name__, "message": str(exc), "field": field}
    status = status_for(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None  # RFC 6750: say which scheme
    return JSONResponse(body, status_code=status, headers=headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [
        {"field": field_name(e.get("loc", ())), "message": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in exc.errors()
    ]
    first = fields[0]["field"] if fields else None
    message = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return JSONResponse(
        {"error": "ValidationError", "message": message, "field": first, "fields": fields}, status_code=422
    )


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"error": "InternalError", "message": "internal error", "field": None}, status_code=500)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(RiskloopError, _riskloop_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
