"""Strategy versions in the database: lifecycle with four eyes, immutable published versions, and a loader.

Lifecycle: ``draft`` → ``submitted`` → ``approved`` → ``active`` → ``retired``. Only the author edits or
submits a draft; the approver is never the author. Submitted versions never change. Activating a version
(a rollback included) is a change requested by one person and approved by another; applying it retires the
version that was active. Every step writes its audit row in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from riskloop.domain.clock import Clock
from riskloop.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from riskloop.rules.engine import Strategy, check_jdm, parse_key, strategy_key
from riskloop.storage.audit import audit
from riskloop.storage.decision_models import strategies, strategy_changes

DRAFT, SUBMITTED, APPROVED, ACTIVE, RETIRED = "draft", "submitted", "approved", "active", "retired"
LOADABLE = (SUBMITTED, APPROVED, ACTIVE, RETIRED)  # immutable from submission on
ACTIVATABLE = (APPROVED, RETIRED)


@dataclass(frozen=True)
class StrategyVersion:
    """One stored version and where it is in its lifecycle."""

    name: str
    version: int
    status: str
    author: str
    approved_by: str | None
    sha256: str
    created_at: dt.datetime

    @property
    def key(self) -> str:
        """``name@version``."""
        return strategy_key(self.name, self.version)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return {
            "name": self.name,
            "version": self.version,
            "key": self.key,
            "status": self.status,
            "author": self.author,
            "approved_by": self.approved_by,
            "sha256": self.sha256,
            "created_at": self.created_at.isoformat(),
        }


class SQLStrategyRepository:
    """Strategy versions and activation changes."""

    def __init__(self, engine: sa.Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def create(self, name: str, content: str, author: str, note: str = "") -> StrategyVersion:
        """A new draft version of ``name`` (1 + the highest version)."""
        Strategy.of(name, 1, content)  # a JDM graph, or a ValidationError
        now = self.clock.now()
        with self.engine.begin() as conn:
            top = conn.execute(sa.select(sa.func.max(strategies.c.version)).where(strategies.c.name == name)).scalar()
            version = int(top or 0) + 1
            conn.execute(
                strategies.insert(),
                {
                    "name": name,
                    "version": version,
                    "content": content,
                    "sha256": Strategy.of(name, version, content).sha256,
                    "status": DRAFT,
                    "author": author,
                    "created_at": now,
                    "approved_by": None,
                    "note": note,
                },
            )
            audit(conn, at=now, actor=author, action="strategy.created", entity="strategy",
                  entity_id=strategy_key(name, version))  # fmt: skip
        return self.get(name, version)

    def edit(self, name: str, version: int, content: str, actor: str) -> StrategyVersion:
        """Replace the content of a draft (its author only); published versions are immutable."""
        check_jdm(content)
        now = self.clock.now()
        with self.engine.begin() as conn:
            row = self._row(conn, name, version)
            if row.status != DRAFT:
                raise ConflictError(
                    "status", f"{strategy_key(name, version)} is {row.status}: published versions are immutable"
                )
            if actor != row.author:
                raise ForbiddenError(f"only the author ({row.author}) edits a draft")
            sha = Strategy.of(name, version, content).sha256
            self._set(conn, name, version, content=content, sha256=sha)
            audit(conn, at=now, actor=actor, action="strategy.edited", entity="strategy",
                  entity_id=strategy_key(name, version), detail={"sha256": sha})  # fmt: skip
        return self.get(name, version)

    def submit(self, name: str, version: int, actor: str) -> StrategyVersion:
        """Draft → submitted, by its author; from here on the content never changes."""
        return self._move(name, version, actor, DRAFT, SUBMITTED, author_only=True)

    def approve(self, name: str, version: int, actor: str) -> StrategyVersion:
        """Submitted → approved, by anyone but the author."""
        return self._move(name, version, actor, SUBMITTED, APPROVED, author_only=False)

    def request_activation(self, name: str, version: int, actor: str, note: str = "") -> int:
        """Ask for ``name@version`` (approved, or retired for a rollback) to become active; returns the change id."""
        now = self.clock.now()
        with self.engine.begin() as conn:
            row = self._row(conn, name, version)
            if row.status not in ACTIVATABLE:
                raise ConflictError(
                    "status",
                    f"{strategy_key(name, version)} is {row.status}; only approved or retired versions activate",
                )
            change = conn.execute(
                strategy_changes.insert().returning(strategy_changes.c.change_id),
                {"name": name, "version": version, "requested_by": actor, "requested_at": now, "status": "pending",
                 "approved_by": None, "note": note},
            ).scalar_one()  # fmt: skip
            audit(conn, at=now, actor=actor, action="strategy.activation_requested", entity="strategy",
                  entity_id=strategy_key(name, version), detail={"change_id": int(change), "note": note})  # fmt: skip
        return int(change)

    def approve_activation(self, change_id: int, actor: str) -> StrategyVersion:
        """Approve and apply a pending activation (never by its requester): the active version is retired."""
        now = self.clock.now()
        with self.engine.begin() as conn:
            change = conn.execute(sa.select(strategy_changes).where(strategy_changes.c.change_id == change_id)).first()
            if change is None:
                raise NotFoundError(f"strategy change {change_id} does not exist")
            if change.status != "pending":
                raise ConflictError("status", f"change {change_id} is {change.status}")
            if actor == change.requested_by:
                raise ForbiddenError("the approver of a change is never its requester")
            row = self._row(conn, change.name, change.version)
            if row.status not in ACTIVATABLE:
                raise ConflictError("status", f"{strategy_key(change.name, change.version)} is {row.status}")
            for current in conn.execute(
                sa.select(strategies.c.version).where(strategies.c.name == change.name, strategies.c.status == ACTIVE)
            ).scalars():
                self._set(conn, change.name, int(current), status=RETIRED)
                audit(conn, at=now, actor=actor, action="strategy.retired", entity="strategy",
                      entity_id=strategy_key(change.name, int(current)), detail={"change_id": change_id})  # fmt: skip
            self._set(conn, change.name, change.version, status=ACTIVE)
            conn.execute(
                strategy_changes.update()
                .where(strategy_changes.c.change_id == change_id)
                .values(status="applied", approved_by=actor)
            )
            audit(conn, at=now, actor=actor, action="strategy.activated", entity="strategy",
                  entity_id=strategy_key(change.name, change.version), detail={"change_id": change_id})  # fmt: skip
        return self.get(change.name, change.version)

    def get(self, name: str, version: int) -> StrategyVersion:
        """One version."""
        with self.engine.connect() as conn:
            return _version(self._row(conn, name, version))

    def versions(self, name: str) -> list[StrategyVersion]:
        """Every version of ``name``, oldest first."""
        stmt = sa.select(strategies).where(strategies.c.name == name).order_by(strategies.c.version)
        with self.engine.connect() as conn:
            return [_version(r) for r in conn.execute(stmt)]

    def active(self, name: str) -> StrategyVersion | None:
        """The active version of ``name``, if any."""
        return next((v for v in self.versions(name) if v.status == ACTIVE), None)

    def content(self, name: str, version: int) -> str:
        """The JDM JSON of one version (drafts included, e.g. to backtest a candidate)."""
        with self.engine.connect() as conn:
            return str(self._row(conn, name, version).content)

    def _move(
        self, name: str, version: int, actor: str, source: str, target: str, *, author_only: bool
    ) -> StrategyVersion:
        now = self.clock.now()
        with self.engine.begin() as conn:
            row = self._row(conn, name, version)
            if row.status != source:
                raise ConflictError("status", f"{strategy_key(name, version)} is {row.status}, not {source}")
            if author_only and actor != row.author:
                raise ForbiddenError(f"only the author ({row.author}) submits a draft")
            if not author_only and actor == row.author:
                raise ForbiddenError("the approver is never the author")
            values: dict[str, Any] = {"status": target}
            if target == APPROVED:
                values["approved_by"] = actor
            self._set(conn, name, version, **values)
            audit(conn, at=now, actor=actor, action=f"strategy.{target}", entity="strategy",
                  entity_id=strategy_key(name, version))  # fmt: skip
        return self.get(name, version)

    @staticmethod
    def _row(conn: sa.Connection, name: str, version: int) -> Any:
        stmt = sa.select(strategies).where(strategies.c.name == name, strategies.c.version == version)
        if conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        found = conn.execute(stmt).first()
        if found is None:
            raise NotFoundError(f"strategy {strategy_key(name, version)} does not exist")
        return found

    @staticmethod
    def _set(conn: sa.Connection, name: str, version: int, **values: Any) -> None:
        conn.execute(
            strategies.update().where(strategies.c.name == name, strategies.c.version == version).values(**values)
        )


class SQLStrategyLoader:
    """StrategyLoader over the database: submitted and later versions only (drafts are still changing)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def load(self, key: str) -> Strategy:
        """The stored version ``key``."""
        name, version = parse_key(key)
        stmt = sa.select(strategies.c.content, strategies.c.status, strategies.c.sha256).where(
            strategies.c.name == name, strategies.c.version == version
        )
        with self.engine.connect() as conn:
            found = conn.execute(stmt).first()
        if found is None or found.status not in LOADABLE:
            raise NotFoundError(f"strategy {key}: not stored or still a draft")
        strategy = Strategy.of(name, version, found.content)
        if strategy.sha256 != found.sha256:
            raise ValidationError("strategy", f"{key}: content does not match its recorded sha256")
        return strategy


def _version(row: Any) -> StrategyVersion:
    created: dt.datetime = row.created_at
    return StrategyVersion(
        name=row.name,
        version=int(row.version),
        status=row.status,
        author=row.author,
        approved_by=row.approved_by,
        sha256=row.sha256,
        created_at=created if created.tzinfo is not None else created.replace(tzinfo=dt.UTC),
    )
