"""Migration 0009 on a database with decisions: owners from the audit log, claims scoped per channel."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import command

from riskloop.storage.engine import make_engine
from riskloop.storage.migrate import alembic_config, upgrade

T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
# (decision, key, application id, channel, minutes after T0): web decided APP-1 twice before 0009
LEGACY = [("d1", "k1", "APP-1", "web", 0), ("d2", "k2", "APP-1", "web", 1), ("d3", "k3", "APP-1", "branch", 2)]


def _legacy(engine: sa.Engine) -> None:
    meta = sa.MetaData()
    decisions, keys, audit = (
        sa.Table(n, meta, autoload_with=engine) for n in ("decisions", "idempotency_keys", "audit_log")
    )
    with engine.begin() as conn:
        for did, key, app, channel, minutes in LEGACY:
            at = T0 + dt.timedelta(minutes=minutes)
            conn.execute(
                decisions.insert(),
                {
                    "decision_id": did,
                    "application_id": app,
                    "role": "champion",
                    "strategy": "reference@1",
                    "tier": "auto_approve",
                    "limit_cents": 1,
                    "rate_bp": 1,
                    "decided_at": at,
                    "decision": "{}",
                    "inputs": "{}",
                    "status": "final",
                },
            )
            conn.execute(
                keys.insert(),
                {
                    "idempotency_key": key,
                    "request_sha256": "x" * 64,
                    "decision_id": did,
                    "status_code": 201,
                    "response": b"{}",
                    "created_at": at,
                },
            )
            conn.execute(audit.insert(), {
                "at": at, "actor": channel, "action": "decision.champion", "entity": "decision", "entity_id": did,
                "detail": "{}",
            })  # fmt: skip


def test_0009_fills_owners_and_keeps_legacy_duplicates_answerable(db_url: str) -> None:
    upgrade(db_url, revision="0007")
    engine = make_engine(db_url)
    _legacy(engine)
    upgrade(db_url)
    with engine.connect() as conn:
        owners = dict(conn.execute(sa.text("SELECT decision_id, owner FROM decisions")).all())
        claims = set(conn.execute(sa.text("SELECT principal, idempotency_key, application_id FROM idempotency_keys")))
    assert owners == {"d1": "web", "d2": "web", "d3": "branch"}
    # the first decision of (web, APP-1) holds the application id; the second keeps its key for retries
    assert claims == {("web", "k1", "APP-1"), ("web", "k2", None), ("branch", "k3", "APP-1")}
    command.downgrade(alembic_config(db_url), "0007")
    with engine.connect() as conn:
        keys = set(conn.execute(sa.text("SELECT idempotency_key, decision_id FROM idempotency_keys")))
        columns = {c["name"] for c in sa.inspect(conn).get_columns("decisions")}
    engine.dispose()
    assert keys == {("k1", "d1"), ("k2", "d2"), ("k3", "d3")}
    assert "owner" not in columns
