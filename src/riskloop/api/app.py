"""The API application factory: settings in, FastAPI app out (database migrated, pipeline assembled)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing, nullcontext

from fastapi import FastAPI

from riskloop import __version__
from riskloop.api import console, docs, errors, heap, metrics, openapi
from riskloop.api.deps import CheckerSource, Services
from riskloop.api.lean_route import LeanApplications
from riskloop.api.limits import BodyLimit, LimitSettings, Shedder
from riskloop.api.observability import RequestObserver
from riskloop.api.routes import (
    alerts,
    applications,
    collections,
    consents,
    decisions,
    documents,
    effect,
    health,
    identifiers,
    lending,
    lists,
    me,
    models,
    prospects,
    registrations,
    reviews,
    strategies,
    verifications,
)
from riskloop.api.routes import graph as graph_routes  # ``graph`` is create_app's graph checks
from riskloop.api.stage_log import StageLog
from riskloop.config import Settings
from riskloop.domain.clock import Clock, SystemClock
from riskloop.privacy import scrub
from riskloop.service.decide import Decider
from riskloop.service.disbursal_ports import CoreBanking
from riskloop.service.graph_checks import WorkspaceGraphChecks
from riskloop.service.graph_explorer_ports import GraphSource
from riskloop.service.intake import Split
from riskloop.service.ports import GraphChecks
from riskloop.service.runtime import Runtime
from riskloop.service.shadow_model import ShadowModel
from riskloop.service.verification_ports import VerificationVendors
from riskloop.workspace import Workspace

# Every route module, in the order of the OpenAPI document.
ROUTERS = (
    health,
    metrics,
    applications,
    decisions,
    identifiers,
    me,
    reviews,
    strategies,
    alerts,
    collections,
    models,
    effect,
    lists,
    verifications,
    consents,
    documents,
    registrations,
    prospects,
    graph_routes,
    lending,
)


def create_app(
    settings: Settings,
    *,
    decider: Decider | None = None,
    graph: GraphChecks | None = None,
    graph_name: str | None = None,
    runtime: Runtime | None = None,
    split: Split | None = None,
    clock: Clock | None = None,
    limits: LimitSettings | None = None,
    shadow_model: ShadowModel | None = None,
    transcript_checker: CheckerSource | None = None,
    verification_vendors: VerificationVendors | None = None,
    graph_source: GraphSource | None = None,
    settle_heap: bool = False,
    core: CoreBanking | None = None,
    lean: bool = True,
) -> FastAPI:
    """The riskloop API on the workspace ``settings``.

    Everything is built by the workspace (``riskloop.workspace``). ``decider`` replaces the live pipeline
    (tests); otherwise it is built from the workspace (published features, profiles, the deployed model, the
    strategies) with ``graph`` as the graph checks, or the workspace's graph checks called ``graph_name``
    (``workspace``: the stored graph, tailing the shared arrival log as every serving worker does).
    ``limits``: requests in flight and body size (``api.limits``; default: the defaults). A challenger model
    in shadow is ``runtime.shadow_model`` (loaded by the workspace), or ``shadow_model`` beside ``decider``.
    ``transcript_checker``: asked on each check for the transcript QA (default: the registry's active QA model,
    followed across activations; None from it, while no QA model is active: the route answers 503).
    ``verification_vendors``: SMS gateway, face vendor and carrier of /v1/verifications (default: none configured).
    ``graph_source``: the graph /v1/graph reads (default: the pipeline's graph checks when they are the stored
    graph's, the graph they loaded; otherwise none, and graph reads answer 503).
    ``settle_heap``: once loaded, exempt everything loaded from Python's garbage collector (``riskloop serve``,
    one app per process: ``api.heap``).
    ``core``: the core system drawdowns are paid through (default: ``RISKLOOP_CORE_URL``; none set: drawdowns are
    503s naming it).
    ``lean``: answer well-formed ``POST /v1/applications`` without FastAPI's request machinery (``api.lean_route``;
    off: every request through the routes, which is how tests compare the two).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        the_clock = clock or (decider.clock if decider is not None else SystemClock())
        ws = Workspace.open(settings, clock=the_clock)
        checkpointer = ws.checkpointer()  # before any connection opens: WAL checkpoints off the path
        try:
            shadow = shadow_model
            if decider is None:  # the live pipeline fails closed: its dependencies are watched (service.fail_closed)
                pipeline, app.state.dependencies, checks, shadow = ws.serving_pipeline(runtime, graph_name, graph)
            else:
                pipeline, checks = decider, decider.graph
            checker = transcript_checker or ws.transcript_checker()
            source = graph_source or (checks if isinstance(checks, WorkspaceGraphChecks) else None)  # reused
            app.state.services = Services.of(
                ws, pipeline, split, shadow, checker, vendors=verification_vendors, graph=source, core=core
            )
            if pipeline.verifications is None:  # a given pipeline reads the sessions this app verifies
                pipeline.verifications = app.state.services.verifications
            following = checks.following() if isinstance(checks, WorkspaceGraphChecks) else nullcontext()
            if settle_heap:
                heap.settle()
            writing = closing(app.state.services.commits.start())
            dependencies = getattr(app.state, "dependencies", None)
            watching = dependencies.watching() if dependencies is not None else nullcontext()
            with checkpointer, following, writing, watching:  # off the request path: the log, commits, probes
                yield
        finally:
            ws.close()
            if stage_log is not None:
                stage_log.close()

    app = FastAPI(
        title="riskloop decision API",
        version=__version__,
        description="Credit decisions for online SME lending: idempotent, explained, reproducible.",
        lifespan=lifespan,
        docs_url=None,  # served from local files by docs.install
        redoc_url=None,
    )
    errors.install(app)
    scrub.install()  # every log record of the process is masked of identifiers (ADR 0016)
    limited = limits or LimitSettings()
    if lean:  # innermost: inside the body limit, the request observer and the shedder
        app.add_middleware(LeanApplications, api=app)
    app.add_middleware(BodyLimit, settings=limited)  # before parsing and authentication
    stage_log = StageLog.from_env()  # profiling only (RISKLOOP_PROFILE_STAGES; benchmarks.bench_decide)
    app.add_middleware(RequestObserver, stage_log=stage_log)  # 413s are logged and counted like any answer
    app.add_middleware(Shedder, settings=limited)  # outermost: shedding costs as little as it can
    for module in ROUTERS:
        app.include_router(module.router)
    openapi.install(app)
    docs.install(app)
    console.install(app)
    return app
