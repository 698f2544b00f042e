"""SQLListStore: the lists on the database; a value is found by its keyed token (one indexed read), sealed at rest.

No raw value is stored: ``token`` (HMAC under the workspace key, ``Tokenizer``) is the lookup key and
``sealed_value`` (AES-GCM envelope, ``Sealer``) is opened only for a reader allowed to see it, with an audit row.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol

import sqlalchemy as sa

from riskloop.domain.audit import AuditEntry
from riskloop.domain.lists import MATCH_KIND, ListEntry, ListVersion, allowed, normalise
from riskloop.errors import ConfigError, ConflictError, IdentifierError, NotFoundError, ValidationError
from riskloop.storage.audit import record_many
from riskloop.storage.list_models import list_entries, list_versions
from riskloop.storage.prepared import PreparedRead

SEAL_FIELD = "list_entries.value"
_E = list_entries.c


FIND_SLOTS = 32  # tokens per read: one statement compiled once, unused slots bound to a token no entry has
NO_TOKEN = ""  # tokens are hex digests: none is empty


class Tokens(Protocol):
    """The keyed tokens of identifiers (``graph.tokens.Tokenizer``)."""

    def token(self, kind: str, value: str) -> str:
        """Token of one normalised value."""
        ...


class Seals(Protocol):
    """Seals and opens values at rest (``privacy.envelope.Sealer``)."""

    def record(self) -> Any:
        """A data key for one record: ``.seal(field, value)``."""
        ...

    def open(self, field: str, sealed: str) -> str:
        """The raw value of ``sealed``."""
        ...


class SQLListStore:
    """ListStore on the database (``list_entries``, ``list_versions``, ``audit_log``)."""

    def __init__(self, engine: sa.Engine, tokenizer: Tokens, sealer: Seals | None) -> None:
        self.engine, self.tokenizer, self._sealer = engine, tokenizer, sealer
        slots = [sa.bindparam(f"t{i}", type_=_E.token.type) for i in range(FIND_SLOTS)]
        self._find = PreparedRead(engine, sa.select(list_entries).where(_E.token.in_(slots)))

    @property
    def sealer(self) -> Seals:
        """The sealer; a store built for lookups only (serving's screen) has none."""
        if self._sealer is None:
            raise ConfigError("this list store looks values up only: it cannot seal or open them")
        return self._sealer

    def _token(self, match_kind: str, value: str) -> str:
        return self.tokenizer.token(f"list.{match_kind}", value)  # its own kinds: list tokens never join the graph

    def save(
        self, entries: Sequence[ListEntry], *, action: str, actor: str, at: dt.datetime, detail: Mapping[str, Any]
    ) -> tuple[ListVersion, list[ListEntry]]:
        """Store ``entries`` as one new version, each audited."""
        with self.engine.begin() as conn:
            version = int(conn.execute(
                list_versions.insert().returning(list_versions.c.version),
                {"action": action, "actor": actor, "at": _utc(at), "detail": json.dumps(dict(detail), sort_keys=True)},
            ).scalar_one())  # fmt: skip
            saved = [_with(e, f"L{uuid.uuid4().hex[:20]}", version) for e in entries]
            if saved:
                record = self.sealer.record()  # one data key per version (a fresh nonce per value)
                conn.execute(list_entries.insert(), [self._row(e, record) for e in saved])
            audits = [_audit(e, action, actor, at) for e in saved]
            audits.append(AuditEntry(at, actor, action, "list_version", str(version),
                                     {**detail, "entries": len(saved)}))  # fmt: skip
            record_many(conn, audits)
        return ListVersion(version, action, actor, at, dict(detail)), saved

    def _row(self, e: ListEntry, record: Any) -> dict[str, Any]:
        assert e.value is not None  # a new entry carries its value (a graph-keyed one: its token and label)
        return {
            "entry_id": e.entry_id, "list_kind": e.list_kind, "identifier_kind": e.identifier_kind,
            "token": self._token(*e.match_key), "sealed_value": record.seal(SEAL_FIELD, e.value),
            "label": e.label, "reason": e.reason, "source": e.source,
            "provenance": json.dumps(dict(e.provenance), sort_keys=True), "valid_from": _utc(e.valid_from),
            "expires_at": None if e.expires_at is None else _utc(e.expires_at), "version": e.version,
            "ended_at": None, "ended_by": None, "end_reason": None, "ended_version": None,
        }  # fmt: skip

    def end(self, entry_id: str, *, actor: str, at: dt.datetime, reason: str) -> ListEntry:
        """End-date ``entry_id`` at ``at`` as a new version, audited."""
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(list_entries).where(_E.entry_id == entry_id).with_for_update()).first()
            if row is None:
                raise NotFoundError(f"list entry {entry_id} does not exist")
            if row.ended_at is not None:
                raise ConflictError("entry_id", f"{entry_id} was already ended at {row.ended_at.isoformat()}")
            version = int(conn.execute(
                list_versions.insert().returning(list_versions.c.version),
                {"action": "list.end", "actor": actor, "at": _utc(at),
                 "detail": json.dumps({"entry_id": entry_id, "reason": reason})},
            ).scalar_one())  # fmt: skip
            changes = {"ended_at": _utc(at), "ended_by": actor, "end_reason": reason, "ended_version": version}
            conn.execute(list_entries.update().where(_E.entry_id == entry_id).values(**changes))
            record_many(conn, [AuditEntry(at, actor, "list.end", "list_entry", entry_id,
                                          {"version": version, "reason": reason})])  # fmt: skip
            ended = conn.execute(sa.select(list_entries).where(_E.entry_id == entry_id)).one()
        return _entry(ended, None)

    def entries(
        self, *, list_kind: str | None, include_ended: bool, reveal_to: str | None, at: dt.datetime
    ) -> list[ListEntry]:
        """Stored entries, oldest first; values opened for ``reveal_to`` only, with an audit row."""
        stmt = sa.select(list_entries).order_by(_E.version, _E.entry_id)
        if list_kind is not None:
            stmt = stmt.where(_E.list_kind == list_kind)
        if not include_ended:
            stmt = stmt.where(_E.ended_at.is_(None))
        with self.engine.begin() as conn:
            rows = conn.execute(stmt).all()
            if reveal_to is not None and rows:
                record_many(conn, [AuditEntry(at, reveal_to, "pii.reveal", "list_entries", list_kind or "all",
                                              {"entries": [r.entry_id for r in rows]})])  # fmt: skip
        return [_entry(r, self.sealer.open(SEAL_FIELD, r.sealed_value) if reveal_to else None) for r in rows]

    def counts(self) -> dict[str, int]:
        """Entries not ended, by list kind (readiness; expiry is not applied here)."""
        stmt = sa.select(_E.list_kind, sa.func.count()).where(_E.ended_at.is_(None)).group_by(_E.list_kind)
        with self.engine.connect() as conn:
            return {kind: int(n) for kind, n in conn.execute(stmt).all()}

    def versions(self) -> list[ListVersion]:
        """Every version, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(list_versions).order_by(list_versions.c.version)).all()
        return [ListVersion(r.version, r.action, r.actor, _aware(r.at), json.loads(r.detail)) for r in rows]

    def find(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[ListEntry]]:
        """Entries of each (match kind, value) in ``keys``, by token: one indexed read, no value opened."""
        by_token = {self._token(kind, value): (kind, value) for kind, value in keys}
        if not by_token:
            return {}
        tokens, rows = list(by_token), []
        for start in range(0, len(tokens), FIND_SLOTS):  # a request's identifiers fit one read
            chunk = tokens[start : start + FIND_SLOTS]
            chunk += [NO_TOKEN] * (FIND_SLOTS - len(chunk))
            rows += self._find.all({f"t{i}": token for i, token in enumerate(chunk)})
        found: dict[tuple[str, str], list[ListEntry]] = {}
        for r in rows:
            key = by_token[r.token]
            found.setdefault(key, []).append(_entry(r, key[1]))
        return found

    def allows(self, kind: str, value: str, at: dt.datetime) -> bool:
        """True when ``value`` is white-listed and not black-listed at ``at`` (an invalid value: False)."""
        try:
            normal = normalise(kind, value)
        except (IdentifierError, ValidationError):
            return False
        key = (MATCH_KIND[kind], normal)
        return allowed(self.find([key]).get(key, []), at)


def _with(e: ListEntry, entry_id: str, version: int) -> ListEntry:
    return replace(e, entry_id=entry_id, version=version)


def _utc(t: dt.datetime) -> dt.datetime:
    return t.astimezone(dt.UTC)  # SQLite keeps no offset: every time is stored in UTC


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)  # SQLite hands back naive UTC


def _maybe(t: dt.datetime | None) -> dt.datetime | None:
    return None if t is None else _aware(t)


def _entry(r: Any, value: str | None) -> ListEntry:
    return ListEntry(
        r.list_kind, r.identifier_kind, value, r.label, r.reason, r.source, json.loads(r.provenance),
        _aware(r.valid_from), _maybe(r.expires_at), r.entry_id, r.version, _maybe(r.ended_at), r.ended_by,
        r.end_reason,
    )  # fmt: skip


def _audit(e: ListEntry, action: str, actor: str, at: dt.datetime) -> AuditEntry:
    detail = {"kind": e.list_kind, "identifier_kind": e.identifier_kind, "label": e.label, "source": e.source,
              "version": e.version, "provenance": dict(e.provenance)}  # fmt: skip
    return AuditEntry(at, actor, action, "list_entry", e.entry_id, detail)
