"""The API application factory: settings in, FastAPI app out (database migrated, pipeline assembled)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext

from fastapi import FastAPI

from riskloop import __version__
from riskloop.api import errors
from riskloop.api.deps import Services
from riskloop.api.routes import applications, decisions, reviews, strategies
from riskloop.config import Settings
from riskloop.domain.clock import Clock, SystemClock
from riskloop.service.decide import Decider
from riskloop.service.graph_checks import WorkspaceGraphChecks
from riskloop.service.intake import Intake, Split
from riskloop.service.ports import GraphChecks
from riskloop.service.runtime import Runtime, live_decider
from riskloop.storage.api_keys import SQLApiKeys
from riskloop.storage.checkpoint import BackgroundCheckpointer
from riskloop.storage.decisions import SQLDecisionStore
from riskloop.storage.engine import make_engine
from riskloop.storage.migrate import upgrade
from riskloop.storage.reviews import SQLReviewQueue
from riskloop.storage.strategies import SQLStrategyRepository


def create_app(
    settings: Settings,
    *,
    decider: Decider | None = None,
    graph: GraphChecks | None = None,
    runtime: Runtime | None = None,
    split: Split | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """The riskloop API on the workspace ``settings``.

    ``decider`` replaces the live pipeline (tests); otherwise it is built from the workspace (published
    features, profiles, the deployed model, the strategies) with ``graph`` as the graph checks.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        checkpointer = BackgroundCheckpointer(engine)  # before any connection opens: WAL checkpoints off the path
        the_clock = clock or (decider.clock if decider is not None else SystemClock())
        pipeline = decider or live_decider(settings, engine, runtime=runtime, graph=graph, clock=the_clock)
        store = SQLDecisionStore(engine)
        app.state.services = Services(
            engine,
            Intake(pipeline, store, split),
            store,
            the_clock,
            SQLReviewQueue(engine, the_clock),
            SQLStrategyRepository(engine, the_clock),
            SQLApiKeys(engine, the_clock),
        )
        following = pipeline.graph.following() if isinstance(pipeline.graph, WorkspaceGraphChecks) else nullcontext()
        try:
            with checkpointer, following:  # the arrival log is tailed off the request path too
                yield
        finally:
            engine.dispose()

    app = FastAPI(
        title="riskloop decision API",
        version=__version__,
        description="Credit decisions for online SME lending: idempotent, explained, reproducible.",
        lifespan=lifespan,
    )
    errors.install(app)
    app.include_router(applications.router)
    app.include_router(decisions.router)
    app.include_router(reviews.router)
    app.include_router(strategies.router)
    return app
