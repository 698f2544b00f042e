"""Limits before any route runs: requests in flight per worker (shed beyond, never queued) and body size.

Two ASGI middlewares (not Starlette's ``BaseHTTPMiddleware``). ``Shedder`` is the outermost: a request beyond
``max_in_flight`` is answered at once with a 503 problem and ``Retry-After``, without reading its body and at
the least cost (no log line each, one a second at most, and the error counter), so a flood of shed requests
does not starve the admitted ones; the probes and ``/metrics`` are exempt, so an overloaded worker still says
it is alive. ``BodyLimit`` runs inside the request observer, before parsing and authentication: a
``Content-Length`` over the limit is refused before a byte of the body is read, a body without one (chunked)
is counted as it streams and refused as soon as it passes the limit, and a body within the limit is handed to
the app as it came. Refusals are 413 problems naming the limit. Statuses and bodies come from ``api/errors.py``.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from riskloop.api import errors, metrics
from riskloop.api.observability import log
from riskloop.errors import ConfigError, OverloadedError, TooLargeError

ENV_MAX_BODY, ENV_MAX_IN_FLIGHT = "RISKLOOP_MAX_BODY_BYTES", "RISKLOOP_MAX_IN_FLIGHT"
DEFAULT_MAX_BODY_BYTES = 64 * 1024  # an application is ~600 bytes; a strategy draft is the largest body
DEFAULT_MAX_STRATEGY_BODY_BYTES = 4 * 1024 * 1024  # a draft's JDM content (2,000,000 characters) JSON-escaped
DEFAULT_MAX_IN_FLIGHT = 8  # per worker: p99 of admitted answers under 1 s at 4x capacity (docs: Limits)
EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})
# Local files of the console and the API docs: a page loads a dozen at once, and shedding one leaves the page
# blank; they read no database and never reach the decision path, so they are never shed.
STATIC = ("/console", "/docs")


def exempt(path: str) -> bool:
    """Whether ``path`` bypasses the limits: a probe, or a file of the console or the docs."""
    return path in EXEMPT or any(path == p or path.startswith(p + "/") for p in STATIC)


STRATEGY_ROUTES = ("/v1/strategies/", "/v1/lists/files")  # a whole JDM document; a list file (ADR 0032)


@dataclass(frozen=True)
class LimitSettings:
    """The limits of one worker."""

    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT
    max_strategy_body_bytes: int = DEFAULT_MAX_STRATEGY_BODY_BYTES

    def body_limit(self, path: str) -> int:
        """The largest body accepted on ``path``."""
        return self.max_strategy_body_bytes if path.startswith(STRATEGY_ROUTES) else self.max_body_bytes

    def __post_init__(self) -> None:
        if min(self.max_body_bytes, self.max_strategy_body_bytes) < 1:
            raise ConfigError(f"max_body_bytes: {self.max_body_bytes} is not a positive number of bytes")
        if self.max_in_flight < 1:
            raise ConfigError(f"max_in_flight: {self.max_in_flight} is not a positive number of requests")

    @classmethod
    def from_env(cls) -> LimitSettings:
        """``RISKLOOP_MAX_BODY_BYTES`` and ``RISKLOOP_MAX_IN_FLIGHT`` where set, else the defaults."""
        return cls(
            max_body_bytes=_int_env(ENV_MAX_BODY, DEFAULT_MAX_BODY_BYTES),
            max_in_flight=_int_env(ENV_MAX_IN_FLIGHT, DEFAULT_MAX_IN_FLIGHT),
        )


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}: {raw!r} is not an integer") from None


class Shedder:
    """ASGI middleware: at most ``max_in_flight`` requests inside; the next one is shed at once (503)."""

    def __init__(self, app: ASGIApp, settings: LimitSettings | None = None) -> None:
        self.app = app
        self.settings = settings or LimitSettings()
        self.in_flight = 0  # one event loop per worker: no lock needed
        self._shed, self._logged_at = 0, 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request within the bound, or shed it."""
        if scope["type"] != "http" or exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.settings.max_in_flight:
            await self._refuse(scope, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _refuse(self, scope: Scope, send: Send) -> None:
        status, headers, body = errors.error_parts(OverloadedError(self.in_flight), str(scope["path"]))
        metrics.ERRORS.labels(kind=OverloadedError.__name__, status=str(status)).inc()
        self._shed += 1
        now = time.monotonic()
        if now - self._logged_at >= 1.0:  # one line a second, not one a request: shedding must stay cheap
            log.warning("shed", shed=self._shed, in_flight=self.in_flight, limit=self.settings.max_in_flight)
            self._shed, self._logged_at = 0, now
        raw = json.dumps(body, separators=(",", ":")).encode()
        pairs = [(b"content-type", errors.PROBLEM_JSON.encode()), (b"content-length", str(len(raw)).encode())]
        pairs += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": status, "headers": pairs})
        await send({"type": "http.response.body", "body": raw})


class BodyLimit:
    """ASGI middleware: bodies over the path's limit are a 413 before the app (parsing, authentication) runs."""

    def __init__(self, app: ASGIApp, settings: LimitSettings | None = None) -> None:
        self.app = app
        self.settings = settings or LimitSettings()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hand the body to the app when it is within the limit, else answer the 413."""
        if scope["type"] != "http" or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        limit = self.settings.body_limit(scope["path"])
        body = await _body(scope, receive, limit)
        if body is None:
            response = errors.error_problem(Request(scope), TooLargeError(limit))
            response.headers["Connection"] = "close"  # the unread rest of the body is not worth reading
            await response(scope, receive, send)
            return
        await self.app(scope, replay(body, receive), send)


async def _body(scope: Scope, receive: Receive, limit: int) -> list[Message] | None:
    """The body's messages as received, or None when it is over ``limit`` (read no further than the limit)."""
    declared = _content_length(scope)
    if declared is not None and declared > limit:
        return None
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages  # a disconnect: the app sees it as it would have
        size += len(message.get("body", b""))
        if size > limit:
            return None
        if not message.get("more_body", False):
            return messages


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length before we see it
    return None


def replay(messages: list[Message], receive: Receive) -> Receive:
    """A ``receive`` that hands out ``messages`` first, then whatever the server sends (a disconnect)."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
