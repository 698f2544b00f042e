"""In-memory fakes of the data-source ports: consents, raw payloads, a scripted source, a sleeper on a clock."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from riskloop.domain.audit import AuditEntry
from riskloop.domain.clock import Clock
from riskloop.domain.consent import Consent
from riskloop.domain.source_payload import RawPayload, SourceError, SourceQuery
from riskloop.domain.source_settings import SourceCatalog, parse_catalog
from riskloop.errors import ConflictError
from riskloop.graph.tokens import Tokenizer
from riskloop.service.consents import ConsentDesk
from riskloop.service.source_ports import ConsentStore, DataSource, RawPayloadStore, Sleeper
from riskloop.service.sources import SourcePuller
from riskloop.testing.clock import SteppingClock


@dataclass
class MemoryConsents:
    """Consents by id with their audit rows; each write is atomic under one lock."""

    consents: dict[str, Consent] = field(default_factory=dict)
    audit_rows: list[AuditEntry] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, consent: Consent, entry: AuditEntry) -> None:
        """Store a new consent with ``entry``."""
        with self._lock:
            if consent.consent_id in self.consents:
                raise ConflictError("consent_id", f"{consent.consent_id} exists")
            self.consents[consent.consent_id] = consent
            self.audit_rows.append(entry)

    def get(self, consent_id: str) -> Consent | None:
        """One consent, or ``None``."""
        return self.consents.get(consent_id)

    def for_subject(self, subject_token: str) -> list[Consent]:
        """Every consent of a subject, oldest grant first."""
        found = [c for c in self.consents.values() if c.subject_token == subject_token]
        return sorted(found, key=lambda c: (c.granted_at, c.consent_id))

    def save(self, before: Consent, after: Consent, entry: AuditEntry) -> None:
        """Record the revocation while unrevoked (compare-and-set), with ``entry``."""
        with self._lock:
            stored = self.consents.get(before.consent_id)
            if stored is None or stored.revoked_at is not None:
                raise ConflictError("consent_id", f"{before.consent_id} was revoked meanwhile")
            self.consents[after.consent_id] = after
            self.audit_rows.append(entry)

    def audit(self, entry: AuditEntry) -> None:
        """Append one audit row."""
        with self._lock:
            self.audit_rows.append(entry)


@dataclass
class MemoryRawPayloads:
    """Payloads by id (bodies kept as given: nothing here is at rest)."""

    payloads: dict[str, RawPayload] = field(default_factory=dict)

    def put(self, payload: RawPayload) -> None:
        """Store ``payload``."""
        self.payloads[payload.payload_id] = payload

    def get(self, payload_id: str) -> RawPayload | None:
        """One payload, or ``None``."""
        return self.payloads.get(payload_id)

    def for_request(self, request_id: str) -> list[RawPayload]:
        """The payloads of ``request_id``, oldest first."""
        return sorted((p for p in self.payloads.values() if p.request_id == request_id), key=lambda p: p.fetched_at)


Answer = bytes | SourceError


@dataclass
class ScriptedSource:
    """A DataSource answering from a script (bytes or a fault per call, then ``default``); logs every query."""

    script: list[Answer] = field(default_factory=list)
    default: Answer | Callable[[SourceQuery], Answer] = b'{"report_id": "R1", "bureau_score": 700}'
    queries: list[SourceQuery] = field(default_factory=list)
    timeouts: list[float] = field(default_factory=list)

    def fetch(self, query: SourceQuery, timeout: float) -> bytes:
        """The next scripted answer."""
        self.queries.append(query)
        self.timeouts.append(timeout)
        answer = self.script.pop(0) if self.script else self.default
        if callable(answer):
            answer = answer(query)
        if isinstance(answer, SourceError):
            raise answer
        return answer


@dataclass
class ClockSleeper:
    """A Sleeper that advances a stepping clock instead of waiting, and logs the waits."""

    clock: SteppingClock
    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        """Advance the clock by ``seconds``."""
        self.waits.append(seconds)
        self.clock.advance(seconds=seconds)


def _as_ports(c: MemoryConsents, p: MemoryRawPayloads, s: ScriptedSource, z: ClockSleeper) -> tuple[
    ConsentStore, RawPayloadStore, DataSource, Sleeper
]:  # fmt: skip
    return c, p, s, z  # mypy checks the fakes against their ports here


def shipped_catalog(**sources: dict[str, Any]) -> SourceCatalog:
    """The shipped source settings with ``sources``' keys laid over (``pboc={"endpoint": url}``)."""
    shipped = json.loads(resources.files("riskloop.connectors").joinpath("data/sources.json").read_text("utf-8"))
    return parse_catalog(shipped, {"sources": sources} if sources else None)


@dataclass
class PullerKit:
    """A SourcePuller on in-memory ports, with the ports at hand."""

    puller: SourcePuller
    consents: MemoryConsents
    payloads: MemoryRawPayloads
    desk: ConsentDesk
    sleeper: ClockSleeper | RealSleeper


@dataclass
class RealSleeper:
    """A Sleeper that waits (``time.sleep``) and logs the waits."""

    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        """Wait ``seconds``."""
        self.waits.append(seconds)
        time.sleep(seconds)


def memory_puller(
    clock: SteppingClock | Clock,
    sources: dict[str, DataSource],
    catalog: SourceCatalog | None = None,
    seed: int = 7,
) -> PullerKit:
    """A puller over ``sources`` (name → adapter) on in-memory stores.

    On a ``SteppingClock`` it sleeps by advancing the clock; on any other clock (the system's) it sleeps.
    """
    consents, payloads = MemoryConsents(), MemoryRawPayloads()
    sleeper = ClockSleeper(clock) if isinstance(clock, SteppingClock) else RealSleeper()
    tokens = Tokenizer(b"consent-test-key" * 2)
    catalog = catalog or shipped_catalog(**{name: {"endpoint": f"memory:{name}"} for name in sources})
    puller = SourcePuller(catalog=catalog, sources=sources, consents=consents, payloads=payloads, tokens=tokens,
                          clock=clock, sleep=sleeper, seed=seed)  # fmt: skip
    return PullerKit(puller, consents, payloads, ConsentDesk(consents, tokens, clock), sleeper)
