"""ConsentStore and RawPayloadStore conformance: the in-memory fakes and the SQL adapters (SQLite, PostgreSQL)
store consents, find them by subject token, revoke once with the audit row, and keep payloads with lineage."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from riskloop.domain.audit import AuditEntry
from riskloop.domain.consent import Consent, revoke
from riskloop.domain.source_payload import RawPayload
from riskloop.errors import ConflictError
from riskloop.privacy.envelope import Sealer
from riskloop.storage.audit import audit_trail
from riskloop.storage.consent_models import raw_payloads
from riskloop.storage.consents import SQLConsentStore
from riskloop.storage.raw_payloads import SQLRawPayloadStore
from riskloop.testing.keys import MemoryKeyProvider
from riskloop.testing.memory_sources import MemoryConsents, MemoryRawPayloads

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


@dataclass
class Backend:
    consents: Any
    payloads: Any
    trail: Callable[[str], list[tuple[str, str]]]
    engine: sa.Engine | None


@pytest.fixture
def backend(port_engine: sa.Engine | None) -> Backend:
    if port_engine is None:
        fake = MemoryConsents()
        return Backend(fake, MemoryRawPayloads(),
                       lambda i: [(e.actor, e.action) for e in fake.audit_rows if e.entity_id == i], None)  # fmt: skip
    sealer = Sealer(MemoryKeyProvider())
    return Backend(SQLConsentStore(port_engine), SQLRawPayloadStore(port_engine, sealer),
                   lambda i: [(r["actor"], r["action"]) for r in audit_trail(port_engine, i)], port_engine)  # fmt: skip


def consent(consent_id: str, token: str = "tok-a", at: dt.datetime = NOW) -> Consent:
    return Consent(consent_id, token, "enterprise", ("pboc", "bank_drop"), "credit_assessment", at,
                   at + dt.timedelta(days=90), "AUTH-7", "chan")  # fmt: skip


def entry(action: str, consent_id: str) -> AuditEntry:
    return AuditEntry(NOW, "chan", action, "consent", consent_id, {"purpose": "credit_assessment"})


def test_consents_read_back_by_id_and_by_subject(backend: Backend) -> None:
    later = consent("cns_b", at=NOW + dt.timedelta(hours=1))
    first = consent("cns_a")
    other = consent("cns_c", token="tok-b")
    for c in (later, first, other):
        backend.consents.add(c, entry("consent.recorded", c.consent_id))
    assert backend.consents.get("cns_a") == first
    assert backend.consents.get("cns_x") is None
    assert backend.consents.for_subject("tok-a") == [first, later]
    assert backend.consents.for_subject("tok-z") == []
    assert backend.trail("cns_a") == [("chan", "consent.recorded")]
    with pytest.raises(ConflictError, match="exists"):
        backend.consents.add(first, entry("consent.recorded", "cns_a"))


def test_a_consent_is_revoked_once_with_its_audit_row(backend: Backend) -> None:
    c = consent("cns_a")
    backend.consents.add(c, entry("consent.recorded", "cns_a"))
    gone = revoke(c, NOW + dt.timedelta(days=1))
    backend.consents.save(c, gone, entry("consent.revoked", "cns_a"))
    assert backend.consents.get("cns_a") == gone
    with pytest.raises(ConflictError, match="revoked meanwhile"):  # a second revocation read before the first
        backend.consents.save(c, dataclasses.replace(gone, revoked_at=NOW), entry("consent.revoked", "cns_a"))
    assert backend.consents.get("cns_a") == gone
    backend.consents.audit(entry("source.pull_refused", "cns_a"))
    assert [a for _, a in backend.trail("cns_a")] == ["consent.recorded", "consent.revoked", "source.pull_refused"]


def test_payloads_keep_their_lineage_and_the_body_is_sealed_at_rest(backend: Backend) -> None:
    body = '{"bureau_score":700,"report_id":"RPT-91420100000000001Y"}'
    second = RawPayload("raw_2", "pboc", "APP-1", "cns_a", "tok-a", "credit_assessment", NOW + dt.timedelta(seconds=1),
                        "b" * 64, body, ("bureau_score", "report_id"))  # fmt: skip
    first = dataclasses.replace(second, payload_id="raw_1", fetched_at=NOW, sha256="a" * 64)
    backend.payloads.put(second)
    backend.payloads.put(first)
    assert backend.payloads.get("raw_1") == first
    assert backend.payloads.get("raw_x") is None
    assert backend.payloads.for_request("APP-1") == [first, second]
    assert backend.payloads.for_request("APP-2") == []
    if backend.engine is not None:
        with backend.engine.connect() as conn:
            stored = conn.execute(sa.select(raw_payloads.c.body)).scalars().all()
        assert all(s.startswith("pii1:") for s in stored)
        assert not any("91420100000000001Y" in s for s in stored)
