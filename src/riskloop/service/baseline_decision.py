"""Baseline batch decision: PD bands to tiers, with fail-safe referral when a data source is missing.

A placeholder policy for end-to-end runs; the versioned strategy engine of the decision service
replaces it. It never approves an application whose data was incomplete.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from riskloop.domain.decision import Tier

# Upper PD bound of each tier, best first; anything above the last bound is auto-rejected.
PD_BANDS: tuple[tuple[Tier, float], ...] = (
    (Tier.AUTO_APPROVE, 0.02),
    (Tier.SUGGEST_APPROVE, 0.04),
    (Tier.MANUAL_REVIEW, 0.07),
    (Tier.PRUDENT_REVIEW, 0.12),
    (Tier.SUGGEST_REJECT, 0.25),
)
DATA_UNAVAILABLE = "DATA_UNAVAILABLE"
DISHONEST_LIST = "DISHONEST_LIST"
PD_BAND = "PD_BAND"


@dataclass(frozen=True)
class BaselineDecision:
    """Tier and the reason that set it."""

    application_id: str
    tier: Tier
    pd: float
    reason: str


def tier_for_pd(pd: float) -> Tier:
    """Tier of a probability of default under ``PD_BANDS``."""
    for tier, bound in PD_BANDS:
        if pd < bound:
            return tier
    return Tier.AUTO_REJECT


def decide(application_id: str, pd: float, unavailable: Sequence[str], dishonest: bool) -> BaselineDecision:
    """Decide one application from its PD, the data sources that were unavailable, and the dishonest list."""
    if dishonest:
        return BaselineDecision(application_id, Tier.AUTO_REJECT, pd, DISHONEST_LIST)
    tier = tier_for_pd(pd)
    if unavailable and tier in (Tier.AUTO_APPROVE, Tier.SUGGEST_APPROVE):
        return BaselineDecision(application_id, Tier.MANUAL_REVIEW, pd, f"{DATA_UNAVAILABLE}:{','.join(unavailable)}")
    return BaselineDecision(application_id, tier, pd, PD_BAND)
