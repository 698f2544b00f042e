"""What effect tracking reads (issue 14): applications, their champion decisions and how those became final.

The funnel of an application as of a day D: *applied* (on record by D), *decided* (a stored champion decision
by D), *approved* (final and approved by D: at once for the automatic tiers, when its review closed for the
others), *drawn* (a loan disbursed by D), then *repaid* or *defaulted* by D (``domain.outcome``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

APPROVED, DECLINED = "approved", "declined"
NONE = "(none)"  # the group of what has no value (no stored decision, no channel)


@dataclass(frozen=True)
class Applied:
    """An application on record (the warehouse's ``applications``): its day and channel."""

    application_id: str
    applied_on: dt.date
    channel: str | None


@dataclass(frozen=True)
class Decided:
    """The champion decision of an application and when it became final (None while in review)."""

    application_id: str
    decision_id: str
    decided_at: dt.datetime
    tier: str
    strategy: str  # name@version
    model: str  # the model version that scored it
    channel: str | None  # the request's channel
    pd: float | None
    limit_cents: int
    final_outcome: str | None  # approved or declined once final
    final_at: dt.datetime | None  # decided_at for automatic tiers, the review's closing otherwise

    def outcome_on(self, day: dt.date) -> str | None:
        """``approved`` or ``declined`` when final by the end of ``day``; None while still in review then."""
        if self.final_at is None or self.final_at.date() > day:
            return None
        return self.final_outcome
