"""The one mapping of riskloop's exception tree to HTTP: statuses, problem types and problem+json bodies.

Every error body is ``application/problem+json`` (RFC 9457): ``type`` (``urn:riskloop:problem:<slug>``),
``title``, ``status``, ``detail`` and ``instance`` (the request path), plus riskloop's members that clients
read since the first release: ``error`` (the kind), ``message`` (the same text as ``detail``) and ``field``
(the offending field or null); request validation errors list every offending field under ``fields``.
Nothing ever returns a stack trace.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from riskloop.api.observability import REQUEST_ID_HEADER, note
from riskloop.errors import (
    ConfigError,
    ConflictError,
    DataSourceError,
    ForbiddenError,
    NotFoundError,
    OverloadedError,
    RiskloopError,
    StorageError,
    ThrottledError,
    TooLargeError,
    UnauthenticatedError,
    ValidationError,
)
from riskloop.storage.faults import unavailable

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:riskloop:problem:"

# (exception, status, slug of the problem type, title): the first that matches wins.
KINDS: tuple[tuple[type[RiskloopError], int, str, str], ...] = (
    (ValidationError, 422, "validation-error", "The request is invalid"),
    (NotFoundError, 404, "not-found", "Not found"),
    (ConflictError, 409, "conflict", "The request conflicts with stored state"),
    (UnauthenticatedError, 401, "unauthenticated", "Authentication required"),
    (ForbiddenError, 403, "forbidden", "Forbidden"),
    (DataSourceError, 503, "source-unavailable", "A data source is unavailable"),
    (StorageError, 503, "storage-unavailable", "The database is unavailable"),
    (ThrottledError, 429, "too-many-requests", "Too many requests"),
    (TooLargeError, 413, "payload-too-large", "The request body is too large"),
    (OverloadedError, 503, "overloaded", "The service is overloaded"),
    (ConfigError, 500, "config-error", "The service is misconfigured"),
    (RiskloopError, 500, "internal-error", "Internal error"),
)
RETRY_AFTER_SECONDS = 1  # every 503 of a transient cause: a database, a source, a shed request
INTERNAL = ("InternalError", 500, "internal-error", "Internal error")
NOT_READY = ("NotReady", 503, "not-ready", "The service is not ready")
HTTP_KINDS = {
    404: ("NotFoundError", "not-found", "Not found"),
    405: ("MethodNotAllowed", "method-not-allowed", "Method not allowed"),
}


def kind_of(error: RiskloopError) -> tuple[int, str, str]:
    """Status, problem-type slug and title of an error of the riskloop tree."""
    for kind, status, slug, title in KINDS:
        if isinstance(error, kind):
            return status, slug, title
    return 500, "internal-error", "Internal error"


def status_for(error: RiskloopError) -> int:
    """HTTP status of an error of the riskloop tree."""
    return kind_of(error)[0]


def problem(
    request: Request,
    *,
    status: int,
    slug: str,
    title: str,
    kind: str,
    message: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """A problem+json response; the kind is noted on the request for its log line and the error counter."""
    note(request, error=kind)
    body = {
        "type": TYPE_PREFIX + slug,
        "title": title,
        "status": status,
        "detail": message,
        "instance": request.url.path,
        "error": kind,
        "message": message,
        "field": field,
        **extensions,
    }
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """A validation location as a field name: ``body.identity.face_match_score`` → ``identity.face_match_score``."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path"):
        parts = parts[1:]
    elif parts and parts[0] == "header":
        return parts[1] if len(parts) > 1 else "header"
    return ".".join(parts) or "body"


def not_ready(request: Request, message: str, checks: list[dict[str, Any]]) -> JSONResponse:
    """The 503 of a readiness probe that failed: a problem with every check under ``checks``."""
    kind, status, slug, title = NOT_READY
    return problem(
        request, status=status, slug=slug, title=title, kind=kind, message=message, checks=checks,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )  # fmt: skip


def error_parts(exc: RiskloopError, instance: str) -> tuple[int, dict[str, str], dict[str, Any]]:
    """Status, headers and problem body of ``exc`` at the path ``instance``."""
    status, slug, title = kind_of(exc)
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"  # RFC 6750: say which scheme
    elif status == 503:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)  # transient: the client may come back
    elif isinstance(exc, ThrottledError):
        headers["Retry-After"] = str(exc.retry_after)
    body = {
        "type": TYPE_PREFIX + slug, "title": title, "status": status, "detail": str(exc), "instance": instance,
        "error": type(exc).__name__, "message": str(exc), "field": getattr(exc, "field", None),
    }  # fmt: skip
    if isinstance(exc, TooLargeError):
        body["limit_bytes"] = exc.limit
    return status, headers, body


def error_problem(request: Request, exc: RiskloopError) -> JSONResponse:
    """The problem+json response of ``exc`` (the handlers', and the body limit's before any route runs)."""
    note(request, error=type(exc).__name__)
    status, headers, body = error_parts(exc, request.url.path)
    return JSONResponse(body, status_code=status, headers=headers or None, media_type=PROBLEM_JSON)


async def _riskloop_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RiskloopError)
    return error_problem(request, exc)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """A database that is down, unreachable, locked or timed out is a StorageError (503); anything else a bug."""
    fault = unavailable(exc)
    if fault is None:
        raise exc  # to the server-error handler: a 500, the traceback in the server's log
    return error_problem(request, fault)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [
        {"field": field_name(e.get("loc", ())), "message": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in exc.errors()
    ]
    message = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    status, slug, title = KINDS[0][1:]
    first = fields[0]["field"] if fields else None
    return problem(
        request, status=status, slug=slug, title=title, kind="ValidationError", message=message, field=first,
        fields=fields,
    )  # fmt: skip


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    """Routing errors (no such path, method not allowed) as problems too."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400:  # FastAPI could not decode the body (not UTF-8): invalid input like any other
        status, slug, title = KINDS[0][1:]
        message = "body: is not valid JSON text (UTF-8)"
        fields = [{"field": "body", "message": message, "type": "json_invalid"}]
        return problem(
            request, status=status, slug=slug, title=title, kind="ValidationError", message=message, field="body",
            fields=fields,
        )  # fmt: skip
    kind, slug, title = HTTP_KINDS.get(exc.status_code, ("HTTPError", f"http-{exc.status_code}", "HTTP error"))
    message = f"{request.method} {request.url.path}: {str(exc.detail).lower()}"
    return problem(
        request, status=exc.status_code, slug=slug, title=title, kind=kind, message=message,
        headers=dict(exc.headers or {}),
    )  # fmt: skip


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Runs outside the request middleware (Starlette's server-error layer): echo the request id here.
    request_id = getattr(request.state, "request_id", None)
    kind, status, slug, title = INTERNAL
    headers = {REQUEST_ID_HEADER: request_id} if request_id else None
    return problem(request, status=status, slug=slug, title=title, kind=kind, message="internal error", headers=headers)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(RiskloopError, _riskloop_error)
    app.add_exception_handler(sa.exc.SQLAlchemyError, _database_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
