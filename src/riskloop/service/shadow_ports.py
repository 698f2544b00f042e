"""Ports of the shadow report (``service.shadow_report``): stored shadow and champion decisions, registered models.

SQL adapter: ``storage.shadow``; in memory: ``riskloop.testing.memory_shadow``. Outcome records come through
``model_monitoring_ports.OutcomeRecords``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Protocol

from riskloop.domain.decision_record import StoredDecision
from riskloop.scoring.registry import RegisteredModel


class PairedDecisions(Protocol):
    """Stored decisions, read without their inputs (``inputs`` is empty)."""

    def shadows(self, start: dt.datetime | None, end: dt.datetime | None) -> list[StoredDecision]:
        """Shadow decisions decided in ``[start, end)`` (an open end when None), oldest first."""
        ...

    def champions(self, application_ids: Collection[str]) -> list[StoredDecision]:
        """Every champion decision of ``application_ids`` (of every channel), oldest first."""
        ...


class RegisteredModels(Protocol):
    """The model registry, read."""

    def get(self, model_id: str) -> RegisteredModel:
        """The model ``model_id``; NotFoundError when it is not registered."""
        ...
