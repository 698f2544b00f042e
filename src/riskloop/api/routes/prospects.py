"""/v1/prospects: the ranked prospects of a screening run, their CSV/XLSX export, campaigns and their conversion.

A campaign's conversion counts the applications that name it (``campaign_id`` on POST /v1/applications).

Analysts read, export and create campaigns; auditors read. Names are shown to them only, and every read of names
and every export is audited. The use case checks the roles again.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from riskloop.api.auth import require
from riskloop.api.deps import ServicesDep
from riskloop.api.openapi import problem_responses, shown
from riskloop.api.schemas import Line, Strict
from riskloop.domain.access import ANALYST, AUDITOR, Principal
from riskloop.errors import ConfigError
from riskloop.service.prospect_desk import ProspectDesk
from riskloop.service.prospect_export import MEDIA_TYPES

router = APIRouter(prefix="/v1/prospects", tags=["prospects"])
ProspectReader = Annotated[Principal, Depends(require(ANALYST, AUDITOR))]
AsAnalyst = Annotated[Principal, Depends(require(ANALYST))]
Lang = Literal["zh", "en"]
ID = r"^[A-Za-z0-9_-]{1,40}$"
EXAMPLE_RUN_ID = "PR-20260630-0001"
EXAMPLE_CAMPAIGN_ID = "CMP-20260701-3f9a0c2b7e1d"
EXAMPLE_RUN: JsonDict = {
    "run_id": EXAMPLE_RUN_ID, "as_of": "2026-06-30", "created_at": "2026-07-01T02:00:00+00:00", "created_by": "lead",
    "screened": 98_412, "ranked": 61_230, "excluded": {"BLACKLISTED": 12, "NO_SALES": 3_410},
    "versions": {"products": "products@1"},
}  # fmt: skip
EXAMPLE_OFFER: JsonDict = {"code": "TAX-LOAN", "name_zh": "税易贷", "name_en": "Tax-based loan",
                           "limit_cents": 50_000_000, "tenor_months": 12, "rate_low": 4.35, "rate_high": 6.5,
                           "catalogue": "products@1"}  # fmt: skip
EXAMPLE_PROSPECT: JsonDict = {
    "rank": 1, "credit_code": "91420100000000001Y", "name": "武汉市样例商贸有限公司", "section": "F",
    "industry": "F 批发和零售业", "region": "湖北省武汉市", "score": 0.62, "p_growth": 0.71, "pd": 0.012,
    "last_12m_sales_cents": 1_234_567_89, "forecast_12m_sales_cents": 1_604_938_25, "growth_12m": 0.3,
    "growth_12m_lo": 0.12, "growth_12m_hi": 0.47, "tax_grade": "A", "years_in_business": 6.5, "related_risk": 0.05,
    "propagated_risk": 0.02, "bad_neighbours": 0,
    "reasons": [{"code": "PROSPECT_GROWTH", "zh": "预测未来12个月销售额增长显著",
                 "en": "Sales forecast to grow strongly over 12 months"}],
    "reason_text": ["预测未来12个月销售额增长显著"], "offer": EXAMPLE_OFFER,
}  # fmt: skip
EXAMPLE_CAMPAIGN: JsonDict = {
    "campaign_id": EXAMPLE_CAMPAIGN_ID, "run_id": EXAMPLE_RUN_ID, "name": "2026 Q3 制造业", "created_by": "andy",
    "created_at": "2026-07-01T09:00:00+00:00", "members": 500,
}  # fmt: skip
AsOf = Annotated[dt.date | None, Query(description="The screened day (YYYY-MM-DD); default: the newest run",
                                       openapi_examples=shown("2026-06-30"))]  # fmt: skip
RunId = Annotated[str | None, Query(pattern=ID, description="A run by id (instead of as_of)",
                                    openapi_examples=shown(EXAMPLE_RUN_ID))]  # fmt: skip
Industry = Annotated[str | None, Query(pattern=r"^[A-T]$", description="An industry section letter (GB/T 4754)",
                                       openapi_examples=shown("C"))]  # fmt: skip
LangQuery = Annotated[Lang, Query(description="Industry names and reasons in zh or en", openapi_examples=shown("zh"))]
CampaignId = Annotated[str, Path(pattern=ID, openapi_examples=shown(EXAMPLE_CAMPAIGN_ID))]


class ProspectRunOut(BaseModel):
    """A screening run: the day, who ran it, counts and versions."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_RUN]})
    run_id: str
    as_of: str
    created_at: str
    created_by: str
    screened: int
    ranked: int
    excluded: dict[str, int]
    versions: dict[str, str]


class ProspectReasonOut(BaseModel):
    """One reason of a prospect, in Chinese and English."""

    code: str
    zh: str
    en: str


class ProductOfferOut(BaseModel):
    """The product that fits a prospect and its indicative terms."""

    model_config = ConfigDict(extra="allow")
    code: str
    name_zh: str
    name_en: str
    limit_cents: int
    tenor_months: int
    rate_low: float
    rate_high: float
    catalogue: str


class ProspectOut(BaseModel):
    """One ranked prospect; ``industry`` and ``reason_text`` in the asked language."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_PROSPECT]})
    rank: int
    credit_code: str
    name: str
    section: str
    industry: str
    region: str
    score: float
    p_growth: float
    pd: float
    last_12m_sales_cents: int
    forecast_12m_sales_cents: int
    growth_12m: float | None
    growth_12m_lo: float | None
    growth_12m_hi: float | None
    tax_grade: str | None
    years_in_business: float
    related_risk: float
    propagated_risk: float
    bad_neighbours: int
    reasons: list[ProspectReasonOut]
    reason_text: list[str]
    offer: ProductOfferOut | None


class ProspectPageOut(BaseModel):
    """A page of a run's prospects by rank (``total``: those matching the filter)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "run": EXAMPLE_RUN, "total": 61_230, "offset": 0, "industry": None, "lang": "zh",
        "prospects": [EXAMPLE_PROSPECT]}]})  # fmt: skip
    run: ProspectRunOut
    total: int
    offset: int
    industry: str | None
    lang: str
    prospects: list[ProspectOut]


class CampaignIn(BaseModel):
    """A campaign taken from a run: its ``top`` prospects (of ``industry``), or the given ``codes``."""

    model_config = ConfigDict(**Strict, json_schema_extra={"examples": [
        {"run_id": EXAMPLE_RUN_ID, "name": "2026 Q3 制造业", "top": 500, "industry": "C"},
        {"run_id": EXAMPLE_RUN_ID, "name": "branch list", "codes": ["91420100000000001Y"]}]})  # fmt: skip
    run_id: Annotated[str, Field(pattern=ID)]
    name: Annotated[Line, Field(min_length=1, max_length=120)]
    top: Annotated[int | None, Field(ge=1, le=100_000)] = None
    industry: Annotated[str | None, Field(pattern=r"^[A-T]$")] = None
    codes: Annotated[list[Annotated[str, Field(pattern=r"^[0-9A-Z]{1,64}$")]] | None, Field(max_length=10_000)] = None


class CampaignOut(BaseModel):
    """A campaign."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_CAMPAIGN]})
    campaign_id: str
    run_id: str
    name: str
    created_by: str
    created_at: str
    members: int


class CampaignConversionOut(BaseModel):
    """Members that applied naming the campaign, and how their applications ended."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "campaign_id": EXAMPLE_CAMPAIGN_ID, "members": 500, "applied": 40, "approved": 25, "declined": 10,
        "pending": 5, "conversion_rate": 0.08}]})  # fmt: skip
    campaign_id: str
    members: int
    applied: int
    approved: int
    declined: int
    pending: int
    conversion_rate: float


def _desk(services: Any) -> ProspectDesk:
    if services.prospects is None:
        raise ConfigError("prospects are not wired into this app")
    desk: ProspectDesk = services.prospects()
    return desk


@router.get("", response_model=ProspectPageOut, responses=problem_responses(401, 403, 404, 422),
            summary="Ranked prospects of a run (roles analyst, auditor; names audited)")  # fmt: skip
def list_prospects(  # noqa: PLR0917 - FastAPI parameters
    services: ServicesDep,
    reader: ProspectReader,
    as_of: AsOf = None,
    run_id: RunId = None,
    industry: Industry = None,
    top: Annotated[int, Query(ge=1, le=1_000, description="Page size", openapi_examples=shown(100))] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Skip this many", openapi_examples=shown(0))] = 0,
    lang: LangQuery = "zh",
) -> dict[str, Any]:
    """Prospects by rank of the newest run of ``as_of`` (or run ``run_id``); 404 naming the day when none."""
    page = _desk(services).prospects(reader, as_of=as_of, run_id=run_id, industry=industry, top=top, offset=offset)
    return page.to_dict(lang)


@router.get("/runs/latest", response_model=ProspectRunOut, responses=problem_responses(401, 403, 404, 422),
            summary="The newest screening run (of a day)")  # fmt: skip
def latest_run(services: ServicesDep, reader: ProspectReader, as_of: AsOf = None) -> dict[str, Any]:
    """The newest run, of ``as_of`` when given; 404 when there is none."""
    return _desk(services).latest_run(reader, as_of).to_dict()


EXAMPLE_CSV = (
    "\ufeff排名,统一社会信用代码,企业名称,行业\r\n1,91420100000000001Y,武汉市样例商贸有限公司,F 批发和零售业\r\n"
)
EXPORT_CONTENT = {
    MEDIA_TYPES["csv"]: {"schema": {"type": "string"}, "example": EXAMPLE_CSV},
    MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
}


@router.get("/export", response_class=Response, responses={200: {"content": EXPORT_CONTENT,
            "description": "The file"}, **problem_responses(401, 403, 404, 422)},
            summary="Export a run's prospects as CSV or XLSX (role analyst; audited)")  # fmt: skip
def export_prospects(  # noqa: PLR0917 - FastAPI parameters
    services: ServicesDep,
    analyst: AsAnalyst,
    fmt: Annotated[
        Literal["csv", "xlsx"],
        Query(alias="format", description="csv (UTF-8 with BOM) or xlsx", openapi_examples=shown("xlsx")),
    ] = "csv",
    as_of: AsOf = None,
    run_id: RunId = None,
    industry: Industry = None,
    top: Annotated[
        int | None, Query(ge=1, le=200_000, description="The best N only (default: all)", openapi_examples=shown(1000))
    ] = None,
    lang: Annotated[
        Lang, Query(description="Headers, industry names and reasons in zh or en", openapi_examples=shown("zh"))
    ] = "zh",
) -> Response:
    """The file, Chinese headers first row by default (``lang=en``: English)."""
    data = _desk(services).export(analyst, as_of=as_of, run_id=run_id, industry=industry, top=top, fmt=fmt,
                                  lang=lang)  # fmt: skip
    named = run_id or (as_of.isoformat() if as_of else "latest")
    headers = {"Content-Disposition": f'attachment; filename="prospects-{named}.{fmt}"'}
    return Response(data, media_type=MEDIA_TYPES[fmt], headers=headers)


@router.post("/campaigns", status_code=201, response_model=CampaignOut, summary="Create a campaign (analyst)",
             responses=problem_responses(401, 403, 404, 409, 422))  # fmt: skip
def create_campaign(body: CampaignIn, services: ServicesDep, analyst: AsAnalyst) -> dict[str, Any]:
    """Its members: the run's ``top`` prospects (of ``industry``), or ``codes`` (each a prospect of the run)."""
    made = _desk(services).create_campaign(analyst, run_id=body.run_id, name=body.name, top=body.top,
                                           industry=body.industry, codes=body.codes)  # fmt: skip
    return made.to_dict()


@router.get("/campaigns/{campaign_id}", response_model=CampaignOut, responses=problem_responses(401, 403, 404, 422),
            summary="A campaign")  # fmt: skip
def get_campaign(campaign_id: CampaignId, services: ServicesDep, reader: ProspectReader) -> dict[str, Any]:
    """One campaign; 404 when it does not exist."""
    return _desk(services).campaign(reader, campaign_id).to_dict()


@router.get("/campaigns/{campaign_id}/conversion", response_model=CampaignConversionOut,
            responses=problem_responses(401, 403, 404, 422), summary="A campaign's conversion")  # fmt: skip
def get_conversion(campaign_id: CampaignId, services: ServicesDep, reader: ProspectReader) -> dict[str, Any]:
    """Members that applied naming the campaign: approved, declined, pending (a member counts once)."""
    return _desk(services).conversion(reader, campaign_id).to_dict()
