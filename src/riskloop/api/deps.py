"""Services the routes depend on, built once per app and injected with ``Annotated`` dependencies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Request

from riskloop.domain.clock import Clock
from riskloop.service.decide import Decider
from riskloop.service.intake import Intake, Split
from riskloop.storage.api_keys import SQLApiKeys
from riskloop.storage.decisions import SQLDecisionStore
from riskloop.storage.reviews import SQLReviewQueue
from riskloop.storage.strategies import SQLStrategyRepository
from riskloop.workspace import Workspace


@dataclass
class Services:
    """What the routes use."""

    engine: sa.Engine
    intake: Intake
    decisions: SQLDecisionStore
    clock: Clock
    reviews: SQLReviewQueue
    strategies: SQLStrategyRepository
    keys: SQLApiKeys

    @classmethod
    def of(cls, ws: Workspace, decider: Decider, split: Split | None) -> Services:
        """The services of ``ws`` around the pipeline ``decider``."""
        store = ws.decision_store()
        return cls(
            ws.engine,
            Intake(decider, store, split),
            store,
            ws.clock,
            ws.review_queue(),
            ws.strategy_repository(),
            ws.api_keys(),
        )


def services(request: Request) -> Services:
    """The app's services."""
    found: Services = request.app.state.services
    return found


ServicesDep = Annotated[Services, Depends(services)]
