"""Ports the use cases call: progress reporting, and the data sources of the decision pipeline.

Every port has an in-memory implementation in ``riskloop.testing``; adapters live in ``riskloop.storage``
and beside each capability.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from riskloop.domain.decision import DecisionReason
from riskloop.domain.decision_record import Claim, DecisionEntry, Recorded, StoredDecision
from riskloop.domain.decision_request import DecisionRequest, EnterpriseProfile, GraphSignals
from riskloop.features.online import PublishedFeatures

if TYPE_CHECKING:
    from riskloop.scoring.registry import ModelRegistry, RegisteredModel


class IdentityOpener(Protocol):
    """Opens stored identifiers of ingested tables (keyed tokens) for one actor and purpose, audited."""

    def __call__(self, kind: str, stored: Sequence[str]) -> Mapping[str, str]:
        """The written value of each keyed form in ``stored`` of ``kind``; raw values and unknown tokens absent."""
        ...


class Progress(Protocol):
    """Receives progress of long work: ``done`` of ``total`` units of the stage called ``stage``."""

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Report progress."""
        ...


def no_progress(stage: str, done: int, total: int) -> None:
    """A Progress that reports nothing."""


@dataclass(frozen=True)
class ModelHome:
    """Where training reads and writes: the warehouse, the models folder, the model registry, the graph key."""

    warehouse: Path
    models: Path
    registry: ModelRegistry
    graph_key: Callable[[], bytes]  # read only when the graph source is trained


class ModelApprovals(Protocol):
    """The model registry's lifecycle: status changes written with their audit rows (``service.models``)."""

    def get(self, model_id: str) -> RegisteredModel:
        """The registered model ``model_id``; NotFoundError when there is none."""
        ...

    def mark_approved(self, model_id: str, approver: str) -> RegisteredModel:
        """Registered → approved by ``approver``; ConflictError from any other status."""
        ...

    def mark_active(self, model_id: str, actor: str) -> RegisteredModel:
        """Approved (or retired) → active, retiring the active model of its name; ConflictError otherwise."""
        ...


class FeatureLookup(Protocol):
    """The latest published features of an enterprise (``riskloop.features.online.FeatureStore`` is one)."""

    def lookup(self, feature_set: str, credit_code: str) -> PublishedFeatures | None:
        """Features of ``credit_code`` under ``feature_set``, or ``None``."""
        ...


class ProfileSource(Protocol):
    """Registration profile of an enterprise, with the bank's blacklist flag."""

    def profile(self, credit_code: str, as_of: dt.date | None = None) -> EnterpriseProfile | None:
        """The profile of ``credit_code`` as registered on ``as_of`` (default: the latest), ``None`` if unknown."""
        ...


class GraphChecks(Protocol):
    """Per-application relationship-graph checks: gangs, shared contacts and devices, propagated risk."""

    def check(self, request: DecisionRequest) -> GraphSignals:
        """Signals and evidence for ``request``; raising means the checks are unavailable."""
        ...


class Scorer(Protocol):
    """The fused credit model on the serving path."""

    @property
    def version(self) -> str:
        """Model id and bundle digest."""
        ...

    @property
    def reasons_version(self) -> str:
        """Version of the model's reason catalogue."""
        ...

    def score(self, values: Mapping[str, float | None]) -> tuple[float, float]:
        """PD and points of one row of model inputs."""
        ...

    def reasons(self, values: Mapping[str, float | None], top_k: int) -> list[DecisionReason]:
        """Top adverse factors of one row, as catalogue reasons."""
        ...


class DecisionStore(Protocol):
    """Stores decisions under their owners' claims, with audit rows and review-queue entries, in one transaction.

    A claim is per owner (the channel principal): its Idempotency-Key, and the application id it decides.
    """

    def record(self, entry: DecisionEntry) -> Recorded:
        """Store ``entry``'s decisions under its owner's key, or ``Claim.answer`` the owner's earlier claim."""
        ...

    def claimed(self, owner: str, key: str, application_id: str) -> Claim | None:
        """``owner``'s claim of ``key``, else its claim of ``application_id`` under another key, else ``None``."""
        ...

    def get(self, decision_id: str) -> StoredDecision:
        """The decision ``decision_id``; NotFoundError when there is none."""
        ...
