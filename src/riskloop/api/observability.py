"""One JSON log line and the Prometheus observations per request, with a request id echoed to the client.

The line holds a fixed set of fields (request id, method, route template, status, duration, principal; the
decision id and tier on decisions; the error kind on errors), never a body, header, query string or raw path:
resident IDs, phones, names and secrets cannot reach the log through it. Routes add fields with ``note``, which
refuses any field outside that set.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any, TextIO

import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from riskloop.api import metrics
from riskloop.api.stage_log import StageLog
from riskloop.service.stages import timing

LOGGER = "riskloop.api"
REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
NOTED = ("principal", "decision_id", "tier", "strategy", "replayed", "error")
UNMATCHED = "unmatched"

log: structlog.stdlib.BoundLogger = structlog.wrap_logger(
    logging.getLogger(LOGGER),
    processors=[
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.JSONRenderer(),
    ],
    wrapper_class=structlog.stdlib.BoundLogger,
)


def log_to(stream: TextIO) -> None:
    """Write the API's JSON lines to ``stream`` (``riskloop serve``: stderr), one per line and nothing else."""
    logger = logging.getLogger(LOGGER)
    if not logger.handlers:
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def note(request: Request, **fields: str | bool) -> None:
    """Add ``fields`` (only names of ``NOTED``) to the request's log line."""
    for name, value in fields.items():
        if name not in NOTED:
            raise ValueError(f"{name!r} is not a request log field; valid: {', '.join(NOTED)}")
        setattr(request.state, name, value)


def request_id_of(scope: Scope) -> str:
    """The client's ``X-Request-ID`` when it is a sane token, else a new one."""
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            given = bytes(value).decode("latin-1")
            if SANE_REQUEST_ID.fullmatch(given):
                return given
            break
    return uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    """The matched route's path template (``/v1/decisions/{decision_id}``), never the raw path."""
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str):
        return path
    if scope.get("endpoint") is not None and "app_root_path" in scope:  # a mount: the static docs assets
        return str(scope["root_path"])[len(str(scope["app_root_path"])) :] + "/{path}"
    return UNMATCHED


class RequestObserver:
    """ASGI middleware: request id, one log line, latency, decision and error counters for each request."""

    def __init__(self, app: ASGIApp, stage_log: StageLog | None = None) -> None:
        self.app = app
        self.stage_log = stage_log  # profiling: each request's stages (``api.stage_log``)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request and observe it, whatever it ends with."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        status = 500
        started = time.perf_counter()
        laps = None if self.stage_log is None else self.stage_log.laps()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [*message.get("headers", ()), (b"x-request-id", request_id.encode("latin-1"))]
                message = {**message, "headers": headers}
            await send(message)

        try:
            if laps is None:
                await self.app(scope, receive, send_with_id)
            else:
                with timing(laps):
                    await self.app(scope, receive, send_with_id)
        except Exception as exc:  # answered by the server-error handler after us: count and log it here
            status = 500
            state.setdefault("error", type(exc).__name__)
            raise
        finally:
            _observe(scope, state, request_id, status, time.perf_counter() - started)
            if laps is not None and self.stage_log is not None:
                self.stage_log.write(route_template(scope), status, laps)


def _observe(scope: Scope, state: dict[str, Any], request_id: str, status: int, seconds: float) -> None:
    route, method = route_template(scope), str(scope["method"])
    metrics.REQUEST_SECONDS.labels(method=method, route=route, status=str(status)).observe(seconds)
    fields: dict[str, Any] = {
        "request_id": request_id,
        "method": method,
        "route": route,
        "status": status,
        "duration_ms": round(seconds * 1000, 3),
        "principal": state.get("principal"),
    }
    fields.update({name: state[name] for name in NOTED[1:] if name in state})
    if "tier" in state and not state.get("replayed"):
        metrics.DECISIONS.labels(tier=state["tier"], strategy=state.get("strategy", "")).inc()
    if "error" in state:
        metrics.ERRORS.labels(kind=state["error"], status=str(status)).inc()
    if status >= 500:
        log.error("request", **fields)
    else:
        log.info("request", **fields)
