"""Ports of model monitoring: recent champion decisions, the active model's reference, and outcome records.

Adapters: ``storage.model_monitoring`` (decisions, bundle references) and ``storage.outcomes`` (records).
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from riskloop.domain.monitored import ModelReference, MonitoredDecision
from riskloop.domain.outcome import DecisionOutcome


class MonitoredDecisions(Protocol):
    """Stored champion decisions."""

    def between(self, start: dt.datetime, end: dt.datetime, *, inputs: bool) -> list[MonitoredDecision]:
        """Champion decisions decided in ``[start, end)``, oldest first (their stored inputs with ``inputs``)."""
        ...


class ModelReferences(Protocol):
    """The active application model and its training reference."""

    def active(self) -> ModelReference:
        """The active model's reference; NotFoundError naming what to run when there is none."""
        ...


class OutcomeRecords(Protocol):
    """Stored decision outcomes."""

    def all(self) -> list[DecisionOutcome]:
        """Every outcome record."""
        ...
