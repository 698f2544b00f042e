"""Ports of the data-source use cases: a source to pull from, stored consents, stored raw payloads, a sleeper.

Writes are atomic with their audit row; a revocation is a compare-and-set on the consent not being revoked yet.
In-memory implementations: ``riskloop.testing.memory_sources``.
"""

from __future__ import annotations

from typing import Protocol

from riskloop.domain.audit import AuditEntry
from riskloop.domain.consent import Consent
from riskloop.domain.source_payload import RawPayload, SourceQuery


class DataSource(Protocol):
    """One external source (an HTTP gateway, a file drop)."""

    def fetch(self, query: SourceQuery, timeout: float) -> bytes:
        """The raw payload about ``query.subject`` within ``timeout`` seconds; SourceError when there is none."""
        ...


class ConsentStore(Protocol):
    """Recorded consents, searched by subject token."""

    def add(self, consent: Consent, entry: AuditEntry) -> None:
        """Store a new consent with ``entry``; ConflictError when its id exists."""
        ...

    def get(self, consent_id: str) -> Consent | None:
        """One consent, or ``None``."""
        ...

    def for_subject(self, subject_token: str) -> list[Consent]:
        """Every consent of a subject, oldest grant first (then by id)."""
        ...

    def save(self, before: Consent, after: Consent, entry: AuditEntry) -> None:
        """Record ``after``'s revocation with ``entry`` while ``before`` is unrevoked, else ConflictError."""
        ...

    def audit(self, entry: AuditEntry) -> None:
        """Append one audit row on its own (a refused pull)."""
        ...


class RawPayloadStore(Protocol):
    """Pulled payloads, sealed at rest, with their lineage."""

    def put(self, payload: RawPayload) -> None:
        """Store ``payload`` (its body sealed)."""
        ...

    def get(self, payload_id: str) -> RawPayload | None:
        """One payload with its body opened, or ``None``."""
        ...

    def for_request(self, request_id: str) -> list[RawPayload]:
        """The payloads pulled for ``request_id``, oldest first."""
        ...


class Sleeper(Protocol):
    """Waits between attempts (``time.sleep``; tests advance a clock instead)."""

    def __call__(self, seconds: float, /) -> None:
        """Wait ``seconds``."""
        ...


class Tokens(Protocol):
    """Keyed tokens of identifiers (the workspace's tokenizer)."""

    def token(self, kind: str, value: str) -> str:
        """The token of ``value`` as a ``kind``."""
        ...
