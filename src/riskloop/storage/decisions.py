"""SQLDecisionStore: decisions with their inputs, idempotency keys, shadow decisions and audit rows.

``record`` claims the channel's Idempotency-Key and application id by inserting their row in the same
transaction as the decision and its audit row: the database's primary key (principal, key) and unique
(principal, application id), not a Python lock, make concurrent duplicates produce one decision. The loser
of the race rolls back and reads the winner's claim (``Claim.answer``: its stored response, or a conflict).
The champion's request is logged for the graph checks of every worker (``graph_arrivals``) in the same
transaction, so a retry of the key (answered from the stored claim before anything is written, or rolled
back when it loses the race) never logs it twice; another channel's decision of a logged application id
leaves the log row alone.

``record_many`` writes a batch of entries (decisions made earlier, ``service.history``) in one transaction,
one statement per table; any claim already held rolls the whole batch back and its caller records them one by
one. A history entry is dated by its decision; it logs no arrival (the graph built since holds the application)
and queues no customer notification (the customer was answered when it applied).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from riskloop.domain.audit import AuditEntry
from riskloop.domain.decision import Decision
from riskloop.domain.decision_record import CHAMPION, Claim, DecisionEntry, NewDecision, Recorded, StoredDecision
from riskloop.domain.tenancy import missing
from riskloop.errors import ConfigError, StorageError
from riskloop.graph.tokens import Tokenizer
from riskloop.privacy.envelope import Sealer
from riskloop.privacy.fields import open_inputs, seal_inputs, sealed_fields
from riskloop.storage.arrivals import log_arrivals
from riskloop.storage.audit import audit, audit_row
from riskloop.storage.decision_models import audit_log, decisions, idempotency_keys, outbox, reviews
from riskloop.storage.prepared import PreparedRead
from riskloop.storage.write_lock import WriteLock

# Built once: every POST runs these, and building a statement costs more than SQLite takes to run it.
_CLAIMED = sa.select(
    idempotency_keys.c.idempotency_key,
    idempotency_keys.c.application_id,
    idempotency_keys.c.request_sha256,
    idempotency_keys.c.decision_id,
    idempotency_keys.c.status_code,
    idempotency_keys.c.response,
).where(
    idempotency_keys.c.principal == sa.bindparam("owner"),
    sa.or_(
        idempotency_keys.c.idempotency_key == sa.bindparam("key"),
        idempotency_keys.c.application_id == sa.bindparam("application_id"),
    ),
)
_CLAIMS = sa.select(*_CLAIMED.selected_columns)
_INSERT_KEY, _INSERT_DECISION, _INSERT_REVIEW = idempotency_keys.insert(), decisions.insert(), reviews.insert()
_INSERT_OUTBOX, _INSERT_AUDIT = outbox.insert(), audit_log.insert()
# What a stored decision is read from: the columns it has had since 0009 (a campaign is in its inputs too).
_STORED = [c for c in decisions.c if c.name != "campaign_id"]
CLAIMS_READ = 500  # application ids per claims statement (within every database's bound-parameter limit)
_Built = tuple[DecisionEntry, list[tuple[NewDecision, dict[str, Any]]]]  # an entry and its ``decisions`` rows


class SQLDecisionStore:
    """Decisions on SQLite or PostgreSQL."""

    def __init__(self, engine: sa.Engine, *, sealer: Sealer | None = None, tokenizer: Tokenizer | None = None) -> None:
        self.engine = engine
        self.sealer, self.tokenizer = sealer, tokenizer  # the workspace's PII keys (ADR 0016)
        self._write_lock = WriteLock(engine)
        self._claimed = PreparedRead(engine, _CLAIMED)

    def record(self, entry: DecisionEntry) -> Recorded:
        """Store ``entry``'s decisions under its owner's key, or answer the owner's earlier claim.

        Raises ConflictError naming the header when the key was used with a different body, or naming
        ``application_id`` when the owner had the application decided under another key.
        """
        rows = self._rows(entry)  # the rows' JSON is built first: the write lock is held for the inserts only
        try:
            with self._write_lock.held(), self.engine.begin() as conn:
                self._write(conn, [(entry, rows)])
        except sa.exc.IntegrityError:
            pass  # lost the race on the claim: answered below, outside the handler (no driver error chained)
        else:
            return Recorded(True, entry.champion.decision_id, entry.status_code, entry.response)
        existing = self.claimed(entry.champion.owner or "", entry.key, entry.application_id)
        if existing is None:
            raise StorageError(f"decision {entry.champion.decision_id} could not be stored")
        return existing.answer(entry.key, entry.request_sha256)

    def record_many(self, entries: Sequence[DecisionEntry]) -> bool:
        """Store every entry in one transaction, as ``record`` stores each; False (nothing stored) on any claim.

        A batch of history (``service.history``): one commit and one statement per table instead of one per
        decision. When an entry's key or application id is claimed already, the whole batch rolls back and the
        caller records its entries one by one (``record`` answers each claim).
        """
        if not entries:
            return True
        built = [(entry, self._rows(entry)) for entry in entries]
        try:
            with self._write_lock.held(), self.engine.begin() as conn:
                self._write(conn, built)
        except sa.exc.IntegrityError:
            return False
        return True

    def claims(self, owner: str, application_ids: Sequence[str]) -> dict[str, Claim]:
        """``owner``'s claims of ``application_ids``, by application id (those without a claim are absent)."""
        out: dict[str, Claim] = {}
        t = idempotency_keys.c
        with self.engine.connect() as conn:
            for i in range(0, len(application_ids), CLAIMS_READ):
                chunk = list(application_ids[i : i + CLAIMS_READ])
                stmt = _CLAIMS.where(t.principal == owner, t.application_id.in_(chunk))
                out.update((str(r[1]), _claim(r)) for r in conn.execute(stmt))
        return out

    def _rows(self, entry: DecisionEntry) -> list[tuple[NewDecision, dict[str, Any]]]:
        """The ``decisions`` rows of ``entry`` (the champion's inputs sealed; shadows sharing them stored as is)."""
        champion = entry.champion
        sealed = self._sealed(champion.inputs)
        status = "in_review" if entry.queue_review else "final"
        return [
            (item, _row(item, status, sealed if item.inputs is champion.inputs else None))
            for item in (champion, *entry.shadows)
        ]

    def _write(self, conn: sa.Connection, built: Sequence[_Built]) -> None:
        """Insert the claims, decisions, audit rows, review-queue entries (and, live, arrivals and notifications)."""
        _insert(conn, _INSERT_KEY, [_key_row(entry) for entry, _ in built])
        _insert(conn, _INSERT_DECISION, _same_columns([row for _, rows in built for _, row in rows]))
        _insert(conn, _INSERT_AUDIT, [audit_row(_audited(entry, item)) for entry, rows in built for item, _ in rows])
        _insert(conn, _INSERT_REVIEW, [_review_row(entry.champion) for entry, _ in built if entry.queue_review])
        arrivals, notices = [], []
        for entry, _ in built:
            if entry.history:
                continue  # in the graph built since; its customer was answered when it applied
            champion, at = entry.champion, entry.champion.decision.decided_at
            request = champion.inputs.get("request")
            if isinstance(request, Mapping):
                arrivals.append((request, at))
            if not entry.queue_review:
                notices.append(_notice(champion.decision_id, champion.decision.application_id, _outcome(champion), at))
        log_arrivals(conn, arrivals, self.tokenizer, self.sealer)  # one statement each for the batch
        _insert(conn, _INSERT_OUTBOX, notices)

    def _sealed(self, inputs: Mapping[str, Any]) -> Mapping[str, Any]:
        return inputs if self.sealer is None else seal_inputs(self.sealer, inputs)

    def revealed(
        self, stored: Sequence[StoredDecision], *, actor: str, purpose: str, at: dt.datetime
    ) -> list[StoredDecision]:
        """``stored`` with their inputs' identifiers opened; one audit row per decision opened (``pii.reveal``).

        Raises ConfigError when the store has no keys and an input is sealed.
        """
        out = list(stored)
        opened = [i for i, s in enumerate(stored) if sealed_fields(s.inputs)]
        if not opened:
            return out
        if self.sealer is None:
            raise ConfigError("decision inputs are sealed and this decision store has no PII keys")
        for i in opened:
            out[i] = dataclasses.replace(stored[i], inputs=open_inputs(self.sealer, stored[i].inputs))
        with self._write_lock.held(), self.engine.begin() as conn:
            for i in opened:
                detail = {"purpose": purpose, "fields": "request identifiers"}
                audit(
                    conn,
                    at=at,
                    actor=actor,
                    action="pii.reveal",
                    entity="decision",
                    entity_id=out[i].decision_id,
                    detail=detail,
                )
        return out

    def claimed(self, owner: str, key: str, application_id: str) -> Claim | None:
        """``owner``'s claim of ``key``, else its claim of ``application_id`` under another key, else ``None``."""
        rows = self._claimed.all({"owner": owner, "key": key, "application_id": application_id})
        claims = sorted((_claim(r) for r in rows), key=lambda c: c.key != key)  # the key's own claim first
        return claims[0] if claims else None

    def get(self, decision_id: str) -> StoredDecision:
        """The decision ``decision_id``; NotFoundError when there is none."""
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(*_STORED).where(decisions.c.decision_id == decision_id)).first()
        if found is None:
            raise missing(decision_id)
        return stored_decision(found._mapping)

    def for_application(self, application_id: str) -> list[StoredDecision]:
        """Every decision (champion and shadow) of ``application_id``, oldest first."""
        stmt = (
            sa.select(*_STORED)
            .where(decisions.c.application_id == application_id)
            .order_by(decisions.c.decided_at, decisions.c.decision_id)
        )
        with self.engine.connect() as conn:
            return [stored_decision(r._mapping) for r in conn.execute(stmt)]

    def all(self, role: str | None = None, limit: int | None = None) -> list[StoredDecision]:
        """Stored decisions (of ``role``, when given), oldest first."""
        stmt = sa.select(*_STORED).order_by(decisions.c.decided_at, decisions.c.decision_id)
        if role is not None:
            stmt = stmt.where(decisions.c.role == role)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self.engine.connect() as conn:
            return [stored_decision(r._mapping) for r in conn.execute(stmt)]


def notify(conn: sa.Connection, decision_id: str, application_id: str, outcome: str, at: Any) -> None:
    """Queue the customer notification of a final outcome (delivered by whoever drains the outbox)."""
    conn.execute(_INSERT_OUTBOX, _notice(decision_id, application_id, outcome, at))


def _notice(decision_id: str, application_id: str, outcome: str, at: Any) -> dict[str, Any]:
    """The outbox row of a final outcome's customer notification."""
    payload = {"application_id": application_id, "decision_id": decision_id, "outcome": outcome}
    return {
        "created_at": at,
        "topic": "customer.final_decision",
        "key": application_id,
        "payload": json.dumps(payload, sort_keys=True),
        "sent_at": None,
    }


def _outcome(item: NewDecision) -> str:
    return "approved" if item.decision.tier.approves else "declined"


def _row(item: NewDecision, status: str, inputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
    d = item.decision
    return {
        "decision_id": item.decision_id,
        "application_id": d.application_id,
        "role": item.role,
        "strategy": item.strategy,
        "tier": d.tier.value,
        "score": d.score,
        "pd": d.pd,
        "limit_cents": d.limit_cents,
        "rate_bp": d.rate_bp,
        "decided_at": d.decided_at,
        "decision": json.dumps(d.to_dict(), sort_keys=True, ensure_ascii=False),
        "inputs": json.dumps(item.inputs if inputs is None else inputs, sort_keys=True, ensure_ascii=False),
        "status": status if item.role == CHAMPION else "shadow",
        "final_outcome": _outcome(item) if status == "final" and item.role == CHAMPION else None,
        "owner": item.owner,
        **_campaign(item.inputs),
    }


def _campaign(inputs: Mapping[str, Any]) -> dict[str, str]:
    """The campaign the request names (conversion tracking), for its own indexed column; none: left out (NULL)."""
    request = inputs.get("request")
    campaign = request.get("campaign_id") if isinstance(request, Mapping) else None
    return {"campaign_id": campaign} if isinstance(campaign, str) else {}


def _same_columns(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` with the same keys: one statement inserts them all (a batch where some name a campaign)."""
    if any("campaign_id" in r for r in rows):
        return [{"campaign_id": None, **r} for r in rows]
    return rows


def _insert(conn: sa.Connection, statement: sa.Insert, rows: list[dict[str, Any]]) -> None:
    """One statement for ``rows``: a single row executes alone (the live path's one decision), more as a batch."""
    if len(rows) == 1:
        conn.execute(statement, rows[0])
    elif rows:
        conn.execute(statement, rows)


def _key_row(entry: DecisionEntry) -> dict[str, Any]:
    champion = entry.champion
    return {
        "principal": champion.owner or "",
        "idempotency_key": entry.key,
        "application_id": champion.decision.application_id,
        "request_sha256": entry.request_sha256,
        "decision_id": champion.decision_id,
        "status_code": entry.status_code,
        "response": entry.response,
        "created_at": champion.decision.decided_at,
    }


def _audited(entry: DecisionEntry, item: NewDecision) -> AuditEntry:
    detail: dict[str, Any] = {"tier": item.decision.tier.value, "strategy": item.strategy, "key": entry.key}
    if entry.history:
        detail["recorded"] = "history"  # written after the fact, dated when it was decided
    return AuditEntry(
        at=item.decision.decided_at,
        actor=entry.actor,
        action=f"decision.{item.role}",
        entity="decision",
        entity_id=item.decision_id,
        detail=detail,
    )


def _review_row(item: NewDecision) -> dict[str, Any]:
    d = item.decision
    return {"decision_id": item.decision_id, "tier": d.tier.value, "queued_at": d.decided_at, "status": "open"}


def _claim(row: Any) -> Claim:
    return Claim(str(row[0]), row[1], str(row[2]), str(row[3]), int(row[4]), bytes(row[5]))


def stored_decision(row: Any) -> StoredDecision:
    """A stored decision from its ``decisions`` row; without an ``inputs`` column, with no inputs."""
    return StoredDecision(
        decision_id=row["decision_id"],
        role=row["role"],
        strategy=row["strategy"],
        status=row["status"],
        final_outcome=row["final_outcome"],
        decision=Decision.from_dict(json.loads(row["decision"])),
        inputs=json.loads(row["inputs"]) if "inputs" in row else {},
        owner=row["owner"],
    )
