"""The stores of the use-case ports on each backend (in memory, SQLite, PostgreSQL), and how a test inspects them.

A ``*Backend`` bundles a store with what the conformance tests read beside it: the audit trail of an entity
and, for reviews, the decisions they finalise and the outbox. The SQL side reads the tables; the memory side
reads the fake's lists.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from riskloop.domain.audit import AuditEntry
from riskloop.domain.outbox import OutboxMessage
from riskloop.domain.review import ReviewSubject
from riskloop.storage.alerts import SQLAlertStore
from riskloop.storage.api_keys import SQLApiKeys
from riskloop.storage.audit import audit_trail
from riskloop.storage.collections import SQLCollectionStore
from riskloop.storage.decision_models import decisions, outbox
from riskloop.storage.outbox import SQLOutbox, write_message
from riskloop.storage.reviews import SQLReviewQueue
from riskloop.storage.strategies import SQLStrategyRepository
from riskloop.testing.memory_alerts import MemoryAlerts
from riskloop.testing.memory_api_keys import MemoryApiKeys
from riskloop.testing.memory_collections import MemoryCollectionStore
from riskloop.testing.memory_reviews import MemoryReviews
from riskloop.testing.memory_strategies import MemoryStrategies

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
Trail = list[tuple[str, str, dict[str, Any]]]  # actor, action, detail


@dataclass
class ReviewBackend:
    store: Any
    seed: Callable[[ReviewSubject], None]  # a decided decision a review can be about
    decision: Callable[[str], tuple[str, str | None]]  # its status and final outcome
    notices: Callable[[], list[dict[str, str]]]  # outbox payloads, oldest first
    trail: Callable[[str], Trail]


@dataclass
class AlertBackend:
    store: Any  # an AlertStore
    outbox: Any  # the OutboxStore its messages go to
    trail: Callable[[str], Trail]


@dataclass
class CollectionBackend:
    store: Any  # a CollectionStore
    trail: Callable[[str], Trail]


@dataclass
class OutboxBackend:
    store: Any  # an OutboxStore
    write: Callable[[OutboxMessage], None]  # what a store does in the transaction of its change


@dataclass
class StrategyBackend:
    store: Any
    trail: Callable[[str], Trail]


@dataclass
class KeyBackend:
    store: Any
    trail: Callable[[str], Trail]


def _memory_trail(entries: list[AuditEntry]) -> Callable[[str], Trail]:
    return lambda entity_id: [(e.actor, e.action, dict(e.detail)) for e in entries if e.entity_id == entity_id]


def _sql_trail(engine: sa.Engine) -> Callable[[str], Trail]:
    return lambda entity_id: [(r["actor"], r["action"], r["detail"]) for r in audit_trail(engine, entity_id)]


def memory_reviews() -> ReviewBackend:
    fake = MemoryReviews()
    return ReviewBackend(
        fake,
        fake.add_decision,
        lambda d: fake.decision_status[d],
        lambda: [{"application_id": n.application_id, "decision_id": n.decision_id, "outcome": n.outcome}
                 for n in fake.outbox],
        _memory_trail(fake.audit),
    )  # fmt: skip


def sql_reviews(engine: sa.Engine) -> ReviewBackend:
    def seed(subject: ReviewSubject) -> None:
        row = {"decision_id": subject.decision_id, "application_id": subject.application_id, "role": subject.role,
               "strategy": "reference@1", "tier": subject.tier, "score": None, "pd": None, "limit_cents": 0,
               "rate_bp": 0, "decided_at": NOW, "decision": "{}", "inputs": "{}", "status": "final",
               "final_outcome": None}  # fmt: skip
        with engine.begin() as conn:
            conn.execute(decisions.insert(), row)

    def decision(decision_id: str) -> tuple[str, str | None]:
        stmt = sa.select(decisions.c.status, decisions.c.final_outcome).where(decisions.c.decision_id == decision_id)
        with engine.connect() as conn:
            status, outcome = conn.execute(stmt).one()
        return str(status), outcome

    def notices() -> list[dict[str, str]]:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(outbox.c.payload).order_by(outbox.c.outbox_id)).scalars()
            return [json.loads(r) for r in rows]

    return ReviewBackend(SQLReviewQueue(engine), seed, decision, notices, _sql_trail(engine))


def memory_strategies() -> StrategyBackend:
    fake = MemoryStrategies()
    return StrategyBackend(fake, _memory_trail(fake.audit))


def sql_strategies(engine: sa.Engine) -> StrategyBackend:
    return StrategyBackend(SQLStrategyRepository(engine), _sql_trail(engine))


def memory_keys() -> KeyBackend:
    fake = MemoryApiKeys()
    return KeyBackend(fake, _memory_trail(fake.audit))


def sql_keys(engine: sa.Engine) -> KeyBackend:
    return KeyBackend(SQLApiKeys(engine), _sql_trail(engine))


def memory_alerts() -> AlertBackend:
    fake = MemoryAlerts()
    return AlertBackend(fake, fake.outbox, _memory_trail(fake.audit))


def sql_alerts(engine: sa.Engine) -> AlertBackend:
    return AlertBackend(SQLAlertStore(engine), SQLOutbox(engine), _sql_trail(engine))


def memory_outbox() -> OutboxBackend:
    fake = MemoryAlerts().outbox
    return OutboxBackend(fake, fake.write)


def sql_outbox(engine: sa.Engine) -> OutboxBackend:
    def write(message: OutboxMessage) -> None:
        with engine.begin() as conn:
            write_message(conn, message)

    return OutboxBackend(SQLOutbox(engine), write)


def memory_collections() -> CollectionBackend:
    fake = MemoryCollectionStore()
    return CollectionBackend(fake, _memory_trail(fake.audit))


def sql_collections(engine: sa.Engine) -> CollectionBackend:
    return CollectionBackend(SQLCollectionStore(engine), _sql_trail(engine))
