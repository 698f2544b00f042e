"""GET /v1/effect: the funnel, vintage curves and expected against realised loss as of a day.

Analysts, approvers and auditors read it (the roles that read strategies); channels, reviewers and post-loan
officers do not. The same report as ``riskloop effect --as-of D --json``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query

from riskloop.api.auth import EffectReader
from riskloop.api.deps import ServicesDep
from riskloop.api.openapi import problem_responses, shown

router = APIRouter(tags=["effect"])


@router.get(
    "/v1/effect",
    responses=problem_responses(401, 403, 404, 422),
    summary="Effect of decisions as of a day (roles analyst, approver, auditor)",
)
def get_effect(
    services: ServicesDep,
    principal: EffectReader,
    as_of: Annotated[dt.date, Query(description="The day (YYYY-MM-DD)", openapi_examples=shown("2025-06-30"))],
) -> dict[str, Any]:
    """Funnel by channel, tier, strategy and model version; vintage curves; expected vs realised loss.

    422 naming ``as_of`` for a day after the outcomes' last update; 404 when no outcomes were updated yet.
    """
    return services.effect.report(as_of)
