"""Ports of registration screening.

The bank's allow-list, the lists a block holds identifiers on, the bounded per-key velocity state, and where
the active thresholds come from.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from riskloop.admission.policy import Policy
from riskloop.admission.state import Key, Step, T
from riskloop.domain.lists import ListEntry, ListVersion

ALLOWLIST_KINDS = ("phone", "device_id", "ip", "credit_code", "legal_rep_id")


class Allowlist(Protocol):
    """The bank's white list (``lists``): whether ``value`` of ``kind`` is listed and unexpired at ``at``.

    ``kind`` is one of ``ALLOWLIST_KINDS``; ``value`` is normalised as ``domain.registration.Registration`` holds it.
    """

    def allows(self, kind: str, value: str, at: datetime.datetime) -> bool:
        """Whether the allow-list holds ``value`` of ``kind`` at ``at``."""
        ...


class VelocityStore(Protocol):
    """Per-key screening state (``admission.state.KeyState``) under keyed values, never raw identifiers."""

    def update(self, keys: Sequence[Key], step: Step[T]) -> T:
        """Read the states of ``keys`` (None: never seen), call ``step``, write the states it returns; atomically.

        Concurrent updates of one key are serialised: none is lost.
        """
        ...

    def expire(self, before: int) -> int:
        """Forget every key idle since before epoch second ``before``; return how many were forgotten."""
        ...

    def size(self) -> int:
        """Keys held."""
        ...


class HoldList(Protocol):
    """The bank's lists as a block writes to them (the ``lists`` ListStore's lookup and save, nothing more)."""

    def find(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[ListEntry]]:
        """Every entry of each (match kind, normalised value) of ``keys``: one indexed read."""
        ...

    def save(
        self, entries: Sequence[ListEntry], *, action: str, actor: str, at: datetime.datetime, detail: Mapping[str, Any]
    ) -> tuple[ListVersion, list[ListEntry]]:
        """Store ``entries`` as one new version, an audit row per entry and one for the version (one transaction)."""
        ...


@dataclass(frozen=True)
class ActivePolicy:
    """The thresholds screening uses now and where they come from (``registration-policy-v2``, or shipped)."""

    policy: Policy
    source: str

    @property
    def label(self) -> str:
        """``<version> (<source>)``: what a verdict and readiness say."""
        return f"{self.policy.version} ({self.source})"


class PolicySource(Protocol):
    """Where screening reads its thresholds on every registration (the registry's active version)."""

    def current(self) -> ActivePolicy:
        """The thresholds in force; DataSourceError when the active version's files fail their sha256."""
        ...
