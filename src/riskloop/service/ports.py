"""Ports the use cases call: progress reporting, and the data sources of the decision pipeline.

Every port has an in-memory implementation in ``riskloop.testing``; adapters live in ``riskloop.storage``
and beside each capability.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from riskloop.domain.decision import DecisionReason
from riskloop.domain.decision_request import DecisionRequest, EnterpriseProfile, GraphSignals
from riskloop.features.online import PublishedFeatures


class Progress(Protocol):
    """Receives progress of long work: ``done`` of ``total`` units of the stage called ``stage``."""

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Report progress."""
        ...


def no_progress(stage: str, done: int, total: int) -> None:
    """A Progress that reports nothing."""


class FeatureLookup(Protocol):
    """The latest published features of an enterprise (``riskloop.features.online.FeatureStore`` is one)."""

    def lookup(self, feature_set: str, credit_code: str) -> PublishedFeatures | None:
        """Features of ``credit_code`` under ``feature_set``, or ``None``."""
        ...


class ProfileSource(Protocol):
    """Registration profile of an enterprise, with the bank's blacklist flag."""

    def profile(self, credit_code: str) -> EnterpriseProfile | None:
        """The profile of ``credit_code``, or ``None`` when the enterprise is unknown."""
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
