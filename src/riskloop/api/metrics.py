"""Prometheus metrics of the decision API and ``GET /metrics`` (every worker's figures under ``serve --workers N``).

``riskloop serve`` sets ``PROMETHEUS_MULTIPROC_DIR`` (``<home>/run/metrics``, emptied at each start) before this
module is imported: prometheus-client then keeps each worker's values in files there, and ``/metrics`` adds them
up whichever worker answers. Without it (tests, embedding) the values live in this process only.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)

MULTIPROCESS = values.ValueClass is not values.MutexValue  # chosen by prometheus-client when it was imported
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUEST_SECONDS = Histogram(
    "riskloop_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status",
    ["method", "route", "status"],
    buckets=BUCKETS,
)
DECISIONS = Counter(
    "riskloop_decisions", "Decisions made (replays of an Idempotency-Key not counted), by tier and strategy",
    ["tier", "strategy"],
)  # fmt: skip
ERRORS = Counter(
    "riskloop_errors", "Error responses by kind (exception class or problem kind) and status", ["kind", "status"]
)
APPLICATION_DOORS = Counter(
    "riskloop_application_posts",
    "POST /v1/applications by what answered it: the lean path (api.lean_route), or the route (the rest: refusals)",
    ["door"],
)

router = APIRouter(tags=["platform"])


@router.get("/metrics", include_in_schema=False)
def metrics() -> Response:
    """The Prometheus text exposition of every worker's metrics (no authentication: counts and timings only)."""
    registry = REGISTRY
    if MULTIPROCESS:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
