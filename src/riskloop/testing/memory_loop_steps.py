"""MemoryLoopSteps: the LoopSteps port in a dict (its audit entries kept in a list)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from riskloop.domain.audit import AuditEntry
from riskloop.domain.loop_run import CLAIM, DONE, RUNNING, LoopStep
from riskloop.errors import ConflictError


@dataclass
class MemoryLoopSteps:
    """Step records by (as-of day, step)."""

    records: dict[tuple[dt.date, str], LoopStep] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)

    def steps(self, as_of: dt.date) -> dict[str, LoopStep]:
        """Every record of the loop as of ``as_of`` by step (the claim included)."""
        return {step: record for (day, step), record in self.records.items() if day == as_of}

    def days(self, limit: int = 20) -> list[dt.date]:
        """The latest as-of days a loop ran for, newest first."""
        return sorted({day for day, _ in self.records}, reverse=True)[:limit]

    def claim(self, as_of: dt.date, owner: str, at: dt.datetime, lease: dt.timedelta) -> None:
        """Take the loop as of ``as_of`` for ``owner``; ConflictError while another runner's lease holds."""
        held = self.records.get((as_of, CLAIM))
        holds = held is not None and held.status == RUNNING and held.started_at + lease > at
        if held is not None and holds and held.result.get("owner") != owner:
            raise ConflictError(
                "as_of", f"the loop as of {as_of} is running ({held.result.get('owner')} since {held.started_at})"
            )
        attempts = 1 if held is None else held.attempts + 1
        self.records[as_of, CLAIM] = LoopStep(as_of, CLAIM, RUNNING, at, result={"owner": owner}, attempts=attempts)

    def release(self, as_of: dt.date, owner: str, at: dt.datetime) -> None:
        """End ``owner``'s claim."""
        held = self.records.get((as_of, CLAIM))
        if held is not None and held.result.get("owner") == owner:
            self.records[as_of, CLAIM] = dataclasses.replace(held, status=DONE, finished_at=at)

    def put(self, step: LoopStep, entry: AuditEntry | None = None) -> None:
        """Store ``step`` (replacing its earlier record) and keep ``entry``."""
        self.records[step.as_of, step.step] = step
        if entry is not None:
            self.audit.append(entry)
