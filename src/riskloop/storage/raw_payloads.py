"""Pulled payloads in the database: the RawPayloadStore; each body sealed with the workspace's PII keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from riskloop.domain.source_payload import RawPayload
from riskloop.storage.consent_models import raw_payloads
from riskloop.storage.consents import utc

if TYPE_CHECKING:
    from riskloop.privacy.envelope import Sealer

SCOPE = "raw_payloads.body"  # the authenticated field name of a sealed body


class SQLRawPayloadStore:
    """Raw payloads on SQLite or PostgreSQL, sealed at rest."""

    def __init__(self, engine: sa.Engine, sealer: Sealer) -> None:
        self.engine, self.sealer = engine, sealer

    def put(self, payload: RawPayload) -> None:
        """Store ``payload`` with its body sealed."""
        row = {
            "payload_id": payload.payload_id, "source": payload.source, "request_id": payload.request_id,
            "consent_id": payload.consent_id, "subject_token": payload.subject_token, "purpose": payload.purpose,
            "fetched_at": payload.fetched_at, "sha256": payload.sha256, "fields": ",".join(payload.fields),
            "body": self.sealer.record().seal(SCOPE, payload.body),
        }  # fmt: skip
        with self.engine.begin() as conn:
            conn.execute(raw_payloads.insert(), row)

    def get(self, payload_id: str) -> RawPayload | None:
        """One payload with its body opened, or ``None``."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(raw_payloads).where(raw_payloads.c.payload_id == payload_id)).first()
        return None if row is None else self._payload(row)

    def for_request(self, request_id: str) -> list[RawPayload]:
        """The payloads pulled for ``request_id``, oldest first."""
        stmt = (
            sa.select(raw_payloads)
            .where(raw_payloads.c.request_id == request_id)
            .order_by(raw_payloads.c.fetched_at, raw_payloads.c.payload_id)
        )
        with self.engine.connect() as conn:
            return [self._payload(r) for r in conn.execute(stmt)]

    def _payload(self, row: Any) -> RawPayload:
        return RawPayload(
            payload_id=row.payload_id,
            source=row.source,
            request_id=row.request_id,
            consent_id=row.consent_id,
            subject_token=row.subject_token,
            purpose=row.purpose,
            fetched_at=utc(row.fetched_at),
            sha256=row.sha256,
            body=self.sealer.open(SCOPE, row.body),
            fields=tuple(f for f in row.fields.split(",") if f),
        )
