"""Prospects of the marketing stage: healthy enterprises about to grow, why, and the product that fits each.

A prospect run screens every enterprise with sales history as of one day: its forecast growth, current scale, the
credit model's PD on a profile without an application, graph signals and policy exclusions give a ranked list with
reasons a relationship manager reads. A campaign is a list taken from a run and handed to the marketing team; an
application naming the campaign is how conversion is counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from riskloop.domain import _checks as check
from riskloop.domain.products import ProductOffer

# Kinds in the model registry: the business-scale forecast model and the screening policy (four eyes, like models).
FORECAST_KIND = "business-forecast"
SCREENING_KIND = "prospect-screening"

# Why an enterprise is never a prospect, whatever its growth (codes in the reason catalogue).
EXCLUSIONS = (
    "BLACKLISTED",  # on the bank's black list
    "STATUS_NOT_ACTIVE",  # abnormal operation (经营异常), revoked or closed
    "DEFAULTED",  # a loan in default or written off
    "DISHONEST",  # on the dishonest-debtor list (失信被执行人) or under enforcement
    "GANG_MEMBER",  # part of a detected or confirmed gang
    "TOO_YOUNG",  # established less than a year before the day
    "NO_SALES",  # no sales in the last twelve months
    "PD_ABOVE_CEILING",  # the credit model's PD above the screening ceiling
)


@dataclass(frozen=True)
class ProspectReason:
    """One readable reason: a code and its text in Chinese and English."""

    code: str
    zh: str
    en: str

    def to_dict(self) -> dict[str, str]:
        """Plain JSON-ready fields."""
        return {"code": self.code, "zh": self.zh, "en": self.en}


@dataclass(frozen=True)
class Prospect:
    """One ranked prospect of a run (rank 1 is the best)."""

    rank: int
    credit_code: str
    name: str
    section: str  # industry section letter
    region: str
    score: float  # the estimated probability that it grows >= 20 % and does not default within 12 months
    p_growth: float  # forecast probability of >= 20 % growth of sales over the next 12 months
    pd: float  # the credit model's 12-month PD on the no-application profile
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
    reasons: tuple[ProspectReason, ...] = ()
    offer: ProductOffer | None = None

    def __post_init__(self) -> None:
        check.integer("rank", self.rank, 1)
        check.text("credit_code", self.credit_code, 64)
        for name in ("score", "p_growth", "pd"):
            check.unit_interval(name, getattr(self, name))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields (reasons and offer as objects)."""
        out = {name: getattr(self, name) for name in self.__dataclass_fields__}
        out["reasons"] = [r.to_dict() for r in self.reasons]
        out["offer"] = None if self.offer is None else self.offer.to_dict()
        return out


@dataclass(frozen=True)
class ProspectRun:
    """What one screening run did: the day, who ran it, counts and the versions of everything it used."""

    run_id: str
    as_of: dt.date
    created_at: dt.datetime
    created_by: str
    screened: int  # enterprises with sales history
    ranked: int  # prospects kept after exclusions
    excluded: dict[str, int] = field(default_factory=dict)  # exclusion code -> enterprises
    versions: dict[str, str] = field(default_factory=dict)  # forecast, credit model, products, graph

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields (dates as ISO text)."""
        return {
            "run_id": self.run_id,
            "as_of": self.as_of.isoformat(),
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "screened": self.screened,
            "ranked": self.ranked,
            "excluded": dict(self.excluded),
            "versions": dict(self.versions),
        }


@dataclass(frozen=True)
class Campaign:
    """A list of prospects taken from one run and handed to the marketing team."""

    campaign_id: str
    run_id: str
    name: str
    created_by: str
    created_at: dt.datetime
    members: int

    def __post_init__(self) -> None:
        check.text("campaign_id", self.campaign_id, 40)
        check.text("name", self.name, 120)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return {
            "campaign_id": self.campaign_id,
            "run_id": self.run_id,
            "name": self.name,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "members": self.members,
        }


@dataclass(frozen=True)
class CampaignConversion:
    """How a campaign converted: its members that applied naming it, and how those applications ended."""

    campaign_id: str
    members: int
    applied: int
    approved: int
    declined: int
    pending: int  # referred and not yet final

    @property
    def conversion_rate(self) -> float:
        """Applications per member."""
        return self.applied / self.members if self.members else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields with the rate."""
        return {
            "campaign_id": self.campaign_id,
            "members": self.members,
            "applied": self.applied,
            "approved": self.approved,
            "declined": self.declined,
            "pending": self.pending,
            "conversion_rate": self.conversion_rate,
        }
