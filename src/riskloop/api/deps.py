"""Services the routes depend on, built once per app and injected with ``Annotated`` dependencies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Request

from riskloop.domain.clock import Clock
from riskloop.service.intake import Intake
from riskloop.storage.api_keys import SQLApiKeys
from riskloop.storage.decisions import SQLDecisionStore
from riskloop.storage.reviews import SQLReviewQueue
from riskloop.storage.strategies import SQLStrategyRepository


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


def services(request: Request) -> Services:
    """The app's services."""
    found: Services = request.app.state.services
    return found


ServicesDep = Annotated[Services, Depends(services)]
