"""Decision outcomes: the six tiers of the product, reasons, versions and the decision itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from riskloop.errors import ValidationError

MAX_REASONS = 4


class Tier(StrEnum):
    """The six decision tiers, best first."""

    AUTO_APPROVE = "auto_approve"
    SUGGEST_APPROVE = "suggest_approve"
    MANUAL_REVIEW = "manual_review"
    PRUDENT_REVIEW = "prudent_review"
    SUGGEST_REJECT = "suggest_reject"
    AUTO_REJECT = "auto_reject"

    @property
    def approves(self) -> bool:
        """True for the two tiers that approve without a reviewer's decision."""
        return self in (Tier.AUTO_APPROVE, Tier.SUGGEST_APPROVE)

    @property
    def needs_human(self) -> bool:
        """True for tiers that a reviewer must decide (everything but the two automatic ends)."""
        return self not in (Tier.AUTO_APPROVE, Tier.AUTO_REJECT)


TIER_ORDER: tuple[Tier, ...] = tuple(Tier)


@dataclass(frozen=True)
class DecisionReason:
    """One reason of a decision: catalogue code, its origin (``rule`` or ``model``) and its texts."""

    code: str
    source: str
    text: str
    text_zh: str

    def to_dict(self) -> dict[str, str]:
        """Plain JSON-ready fields."""
        return {"code": self.code, "source": self.source, "text": self.text, "text_zh": self.text_zh}


@dataclass(frozen=True)
class Versions:
    """Everything a decision depended on: data snapshot, feature set, model, strategy, reason catalogues."""

    data: str
    features: str
    model: str
    strategy: str
    reasons: str

    def to_dict(self) -> dict[str, str]:
        """Plain JSON-ready fields."""
        return {
            "data": self.data,
            "features": self.features,
            "model": self.model,
            "strategy": self.strategy,
            "reasons": self.reasons,
        }


@dataclass(frozen=True)
class Decision:
    """A complete, explained decision on one application.

    ``score`` is the fused model's points and ``pd`` its probability of default (``None`` when the model
    could not score); ``limit_cents`` and ``rate_bp`` are 0 on a decline; ``reasons`` hold 1–4 catalogue
    reasons on every decline, referral and reduced limit; ``trace`` is the rule trace as plain data.
    """

    application_id: str
    tier: Tier
    score: float | None
    pd: float | None
    limit_cents: int
    rate_bp: int
    reasons: tuple[DecisionReason, ...]
    trace: tuple[Mapping[str, Any], ...]
    versions: Versions
    decided_at: dt.datetime

    def __post_init__(self) -> None:
        if len(self.reasons) > MAX_REASONS:
            raise ValidationError("reasons", f"at most {MAX_REASONS}, got {len(self.reasons)}")
        if self.limit_cents < 0 or self.rate_bp < 0:
            raise ValidationError("limit_cents", "limit and rate cannot be negative")

    @property
    def straight_through(self) -> bool:
        """True when no human is needed (auto-approve or auto-reject)."""
        return not self.tier.needs_human

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields (the stored and returned form)."""
        return {
            "application_id": self.application_id,
            "tier": self.tier.value,
            "score": self.score,
            "pd": self.pd,
            "limit_cents": self.limit_cents,
            "rate_bp": self.rate_bp,
            "reasons": [r.to_dict() for r in self.reasons],
            "trace": [dict(t) for t in self.trace],
            "versions": self.versions.to_dict(),
            "decided_at": self.decided_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Decision:
        """The decision ``to_dict`` wrote."""
        return cls(
            application_id=str(data["application_id"]),
            tier=Tier(data["tier"]),
            score=data["score"],
            pd=data["pd"],
            limit_cents=int(data["limit_cents"]),
            rate_bp=int(data["rate_bp"]),
            reasons=tuple(DecisionReason(**r) for r in data["reasons"]),
            trace=tuple(data["trace"]),
            versions=Versions(**data["versions"]),
            decided_at=dt.datetime.fromisoformat(data["decided_at"]),
        )
