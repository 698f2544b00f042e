"""The table of registration screening's per-key state (migration 0024)."""

from __future__ import annotations

import sqlalchemy as sa

from riskloop.storage.models import metadata

registration_velocity = sa.Table(
    "registration_velocity",
    metadata,
    sa.Column("kind", sa.String(20), primary_key=True, comment="phone, device_id, ip_subnet ... or platform"),
    sa.Column("key", sa.String(64), primary_key=True, comment="keyed token of the value, never the value"),
    sa.Column("state", sa.Text(), nullable=False, comment="admission.state.KeyState as JSON: bounded"),
    sa.Column("last_seen", sa.BigInteger(), nullable=False, index=True, comment="epoch second of the latest use"),
    comment="Registration screening: windowed uses per keyed identifier; idle keys are deleted after retention.",
)
