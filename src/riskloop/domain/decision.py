"""Decision outcomes: the six tiers of the product, from auto-approve to auto-reject."""

from __future__ import annotations

from enum import StrEnum


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
