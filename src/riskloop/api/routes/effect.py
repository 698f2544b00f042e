"""GET /v1/effect: the funnel, vintage curves and expected against realised loss as of a day.

Analysts, approvers and auditors read it (the roles that read strategies); channels, reviewers and post-loan
officers do not. The same report as ``riskloop effect --as-of D --json``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict
from pydantic.config import JsonDict

from riskloop.api.auth import EffectReader
from riskloop.api.deps import ServicesDep
from riskloop.api.openapi import problem_responses, shown

router = APIRouter(tags=["effect"])
_STAGES: JsonDict = {"applied": 120, "decided": 100, "in_review": 20, "approved": 50, "drawn": 40, "repaid": 10,
                     "defaulted": 2, "drawn_not_approved": 3, "decided_rate": 0.8333, "approval_rate": 0.5,
                     "draw_rate": 0.8, "repaid_rate": 0.25, "default_rate": 0.05}  # fmt: skip
_LOSS: JsonDict = {"loans": 43, "principal_cents": 2_150_000_000, "expected_loss_cents": 19_350_000, "defaulted": 2,
                   "realised_loss_cents": 45_000_000, "matured_12m": {"loans": 20, "expected_loss_cents": 9_000_000,
                   "bad": 2, "realised_loss_cents": 45_000_000}}  # fmt: skip
EXAMPLE: JsonDict = {
    "as_of": "2025-06-30",
    "outcomes_updated_to": "2025-06-30",
    "lgd": 0.45,
    "loans": 45,
    "loans_without_decision": 2,
    "note": "no stored decision for 2 of 45 loans: ...",
    "funnel": {
        "overall": _STAGES,
        "by_channel": {"mobile": _STAGES},
        "by_tier": {},
        "by_strategy": {},
        "by_model": {},
    },
    "vintages": {"2024-07": [{"months_on_book": 1, "matured": 12, "bad": 0, "bad_rate": 0.0}]},
    "loss": {
        "definition": "expected: PD at decision × LGD × principal drawn; realised: LGD × principal defaulted",
        "overall": _LOSS,
        "by_vintage": {"2024-07": _LOSS},
        "by_strategy": {},
        "by_model": {},
        "by_decision": {"approved": _LOSS},
    },
}


class EffectOut(BaseModel):
    """The effect report (``riskloop effect --json``): funnel, vintage curves, losses."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [EXAMPLE]})

    as_of: str
    outcomes_updated_to: str
    lgd: float
    loans: int
    loans_without_decision: int
    note: str | None
    funnel: dict[str, Any]
    vintages: dict[str, list[dict[str, Any]]]
    loss: dict[str, Any]


@router.get(
    "/v1/effect",
    response_model=EffectOut,
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
