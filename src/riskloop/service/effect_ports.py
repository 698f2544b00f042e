"""The ports of effect tracking (``service.effect``): applications and champion decisions on record.

Adapter: ``riskloop.storage.effect`` (the warehouse's applications, the decisions table with the review
queue); in memory: lists (tests). Outcomes come through the outcome ports (``service.outcome_ports``).
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from riskloop.domain.effect import Applied, Decided


class EffectSource(Protocol):
    """Applications on record and the champion decisions made on them."""

    def applications(self, as_of: dt.date) -> list[Applied]:
        """Applications submitted by the end of ``as_of`` (empty when the bank's applications are not ingested)."""
        ...

    def decisions(self, as_of: dt.date) -> list[Decided]:
        """Champion decisions made by the end of ``as_of``; a review closed after it is still open then."""
        ...
