"""In-memory PairedDecisions (``service.shadow_ports``): stored decisions in a list."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from riskloop.domain.decision_record import CHAMPION, SHADOW, StoredDecision


@dataclass
class MemoryPairedDecisions:
    """Stored decisions, champion and shadow, as the SQL adapter reads them (inputs left out)."""

    stored: list[StoredDecision] = field(default_factory=list)

    def add(self, *decisions: StoredDecision) -> None:
        """Store ``decisions``."""
        self.stored.extend(decisions)

    def shadows(self, start: dt.datetime | None, end: dt.datetime | None) -> list[StoredDecision]:
        """Shadow decisions decided in ``[start, end)``, oldest first."""
        return self._sorted(
            d
            for d in self.stored
            if d.role == SHADOW
            and (start is None or d.decision.decided_at >= start)
            and (end is None or d.decision.decided_at < end)
        )

    def champions(self, application_ids: Collection[str]) -> list[StoredDecision]:
        """Every champion decision of ``application_ids``, oldest first."""
        wanted = set(application_ids)
        return self._sorted(d for d in self.stored if d.role == CHAMPION and d.decision.application_id in wanted)

    @staticmethod
    def _sorted(found: Iterable[StoredDecision]) -> list[StoredDecision]:
        rows = [dataclasses.replace(d, inputs={}) for d in found]
        return sorted(rows, key=lambda d: (d.decision.decided_at, d.decision_id))
