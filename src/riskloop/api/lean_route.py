"""POST /v1/applications without FastAPI's request machinery: the decision path's front door, kept lean.

For every request FastAPI matches the route among all of the API's, then resolves its dependencies (the
services, the bearer key, the Idempotency-Key header, the body) through its general machinery: about a
quarter of a millisecond of a worker per decision, beside a decision of a few milliseconds (ADR 0040). This ASGI
middleware answers a well-formed request to that route with the route's own steps, in the route's order: the
body read and parsed as JSON when the route would parse it, the same key check (``api.auth.Require``), the same
header constraints and pydantic model, then ``routes.applications.answer_application``, which the route itself
calls. A request it does not answer whole goes to the FastAPI route unchanged, its body replayed: another path
or method, a body that is not JSON or that the model refuses, a missing or malformed header. So every refusal
is the route's own answer, and an exception of the use case (a conflict, a database down) is answered by the
app's own exception handlers. The route stays registered: ``/openapi.json`` documents it, and it answers the
rest. Tests check that both give the same answers (``tests/api/test_lean_route.py``).
"""

from __future__ import annotations

import email.message
import json
from typing import Annotated, Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import Field, TypeAdapter
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from riskloop.api import metrics
from riskloop.api.auth import Require, bearer, operations
from riskloop.api.limits import replay
from riskloop.api.routes import applications
from riskloop.api.routes.applications import KEY_LENGTH
from riskloop.api.schemas import ApplicationIn, Line
from riskloop.domain.access import CHANNEL

PATH, METHOD = "/v1/applications", "POST"
KEY_HEADER = b"idempotency-key"
STATE = "riskloop.lean"  # the scope's key of the parsed body and whether the request was answered
# the header's type and length limits, as the route declares them
_KEY = TypeAdapter(Annotated[Line, Field(min_length=KEY_LENGTH[0], max_length=KEY_LENGTH[1])])
_CHANNEL = Require((CHANNEL,))


class LeanApplications:
    """ASGI middleware (inside the body limit): answers well-formed ``POST /v1/applications``; the app the rest.

    ``api`` is the FastAPI app: its route (for the log's route name and the key check's message) and its
    exception handlers.
    """

    def __init__(self, app: ASGIApp, api: FastAPI) -> None:
        self.app, self.api = app, api
        self._route: APIRoute | None = None
        self._handled: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer the request when it is a well-formed application, else hand it to the app."""
        if scope["type"] != "http" or scope["method"] != METHOD or scope["path"] != PATH or scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        messages, body = await _read(receive)
        parsed = _json_body(scope, body)
        if parsed is not None:
            scope["route"], scope["endpoint"] = self.route, self.route.endpoint  # as the router sets them
            scope[STATE] = state = {"parsed": parsed, "answered": False}
            await self.handled(scope, receive, send)
            if state["answered"]:
                metrics.APPLICATION_DOORS.labels(door="lean").inc()
                return
        metrics.APPLICATION_DOORS.labels(door="route").inc()  # its own refusal (a 422), the body replayed
        await self.app(scope, replay(messages, receive), send)

    @property
    def route(self) -> APIRoute:
        """The FastAPI route of ``POST /v1/applications``."""
        if self._route is None:
            self._route = next(r for r in operations(self.api.routes) if r.path == PATH and METHOD in (r.methods or ()))
        return self._route

    @property
    def handled(self) -> ASGIApp:
        """``_serve`` with the app's exception handlers (those of ``ExceptionMiddleware``; a 500 is the server's)."""
        if self._handled is None:
            handlers = {k: v for k, v in self.api.exception_handlers.items() if k not in (500, Exception)}
            self._handled = ExceptionMiddleware(self._serve, handlers=handlers)
        return self._handled

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.pop(STATE)  # the parsed body, and where to say it was answered
        request = Request(scope)
        services = scope["app"].state.services
        state["answered"] = True  # from here on this door answers: a missing or refused key by the route's own check
        principal = await _CHANNEL(request, await bearer(request), services)
        key = _header(scope)
        try:
            if key is None:
                raise ValueError("no Idempotency-Key")
            body = ApplicationIn.model_validate(state["parsed"])
            idempotency_key = _KEY.validate_python(key)
        except Exception:  # refused (or failed): the route validates again and answers with its own 422
            state["answered"] = False
            return
        response = await applications.answer_application(request, body, services, principal, idempotency_key)
        await response(scope, receive, send)


async def _read(receive: Receive) -> tuple[list[Message], bytes | None]:
    """The request's messages as received, and its body (None when the client left before sending it all)."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return messages, b"".join(chunks)


def _json_body(scope: Scope, body: bytes | None) -> Any | None:
    """The body parsed as the route parses it (a JSON content type, strict), or None for the route to answer."""
    if not body:
        return None
    content_type = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"content-type"), None)
    if content_type is None:
        return None  # FastAPI's strict content type: no type, no JSON
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    if message.get_content_maintype() != "application" or not (subtype == "json" or subtype.endswith("+json")):
        return None
    try:
        parsed = json.loads(body)
    except ValueError:  # not JSON, or not UTF-8: the route's 422 or 400
        return None
    return parsed if isinstance(parsed, dict) else None


def _header(scope: Scope) -> str | None:
    """The first Idempotency-Key header, decoded as Starlette decodes headers."""
    return next((v.decode("latin-1") for k, v in scope["headers"] if k == KEY_HEADER), None)
