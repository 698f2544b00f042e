"""SQLModelRegistry: the ModelRegistry port over the ``model_registry`` table (SQLite and PostgreSQL).

Status changes of the lifecycle (``mark_approved``, ``mark_active``) write their audit rows in the same
transaction, and apply only from the status they expect (a concurrent change is a ConflictError); who may
make them is the use case's rule (``riskloop.service.models``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from riskloop.domain.clock import Clock, SystemClock
from riskloop.errors import ConflictError, NotFoundError, StorageError
from riskloop.scoring.registry import (
    ACTIVE,
    APPROVED,
    REGISTERED,
    RETIRED,
    UNKNOWN_AUTHOR,
    RegisteredModel,
    check_status,
    manifest_digest,
    model_id,
)
from riskloop.storage.audit import audit
from riskloop.storage.models import model_registry as table

ATTEMPTS = 3  # two writers racing for the same next version: the unique constraint makes one retry


def _row_to_model(row: sa.RowMapping) -> RegisteredModel:
    created = row["created_at"]
    if created.tzinfo is None:  # SQLite gives naive datetimes back; they were stored as UTC
        created = created.replace(tzinfo=dt.UTC)
    return RegisteredModel(
        row["model_id"], row["name"], int(row["version"]), row["kind"], created, row["path"],
        row["manifest_sha256"], json.loads(row["training_window"]), tuple(json.loads(row["features"])),
        json.loads(row["metrics"]), row["status"], row["registered_by"], row["approved_by"],
    )  # fmt: skip


class SQLModelRegistry:
    """Registered models in the database.

    Examples
    --------
    >>> registry = SQLModelRegistry(make_engine("sqlite:///riskloop.db"))  # doctest: +SKIP
    >>> registry.register(bundle, "sme-fused", "fused-ensemble", metrics, window, features)  # doctest: +SKIP
    'sme-fused-v1'

    """

    def __init__(self, engine: sa.Engine, clock: Clock | None = None) -> None:
        self._engine = engine
        self._clock = clock or SystemClock()

    def register(  # noqa: PLR0917 - the port's documented positional signature
        self,
        bundle: Path,
        name: str,
        kind: str,
        metrics: Mapping[str, Any],
        training_window: Mapping[str, Any],
        features: Sequence[str],
        *,
        registered_by: str = UNKNOWN_AUTHOR,
    ) -> str:
        """Record ``bundle`` as the next version of ``name``, registered by ``registered_by``."""
        digest = manifest_digest(bundle)
        for _ in range(ATTEMPTS):
            try:
                with self._engine.begin() as conn:
                    latest = conn.execute(sa.select(sa.func.max(table.c.version)).where(table.c.name == name))
                    version = (latest.scalar() or 0) + 1
                    mid = model_id(name, version)
                    conn.execute(
                        table.insert().values(
                            model_id=mid, name=name, version=version, kind=kind, created_at=self._clock.now(),
                            path=str(bundle), manifest_sha256=digest,
                            training_window=json.dumps(dict(training_window), sort_keys=True, default=str),
                            features=json.dumps(list(features)), metrics=json.dumps(dict(metrics), sort_keys=True),
                            status=REGISTERED, registered_by=registered_by,
                        )
                    )  # fmt: skip
                    audit(conn, at=self._clock.now(), actor=registered_by, action="model.registered", entity="model",
                          entity_id=mid, detail={"sha256": digest})  # fmt: skip
                return mid
            except sa.exc.IntegrityError:
                continue
        raise StorageError(f"could not register a new version of {name!r}: concurrent registrations kept winning")

    def get(self, model_id: str) -> RegisteredModel:
        """The model ``model_id``."""
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(table).where(table.c.model_id == model_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"no registered model {model_id!r}")
        return _row_to_model(row)

    def list(self, name: str | None = None) -> list[RegisteredModel]:
        """Models by name then version."""
        query = sa.select(table).order_by(table.c.name, table.c.version)
        if name is not None:
            query = query.where(table.c.name == name)
        with self._engine.connect() as conn:
            return [_row_to_model(r) for r in conn.execute(query).mappings()]

    def set_status(self, model_id: str, status: str) -> RegisteredModel:
        """Change the status of ``model_id``."""
        check_status(status)
        try:
            with self._engine.begin() as conn:
                done = conn.execute(table.update().where(table.c.model_id == model_id).values(status=status))
        except sa.exc.IntegrityError:
            raise ConflictError("status", f"another model of the name of {model_id} is active") from None
        if done.rowcount == 0:
            raise NotFoundError(f"no registered model {model_id!r}")
        return self.get(model_id)

    def mark_approved(self, model_id: str, approver: str) -> RegisteredModel:
        """Registered → approved by ``approver``, with its audit row (ConflictError from any other status)."""
        now = self._clock.now()
        with self._engine.begin() as conn:
            self._move(conn, model_id, (REGISTERED,), APPROVED, approved_by=approver)
            audit(conn, at=now, actor=approver, action="model.approved", entity="model", entity_id=model_id)
        return self.get(model_id)

    def mark_active(self, model_id: str, actor: str) -> RegisteredModel:
        """Approved (or retired: a rollback) → active; the active model of the same name is retired. Audited."""
        now = self._clock.now()
        try:
            with self._engine.begin() as conn:
                name = conn.execute(sa.select(table.c.name).where(table.c.model_id == model_id)).scalar()
                others = sa.select(table.c.model_id).where(
                    table.c.name == name, table.c.status == ACTIVE, table.c.model_id != model_id
                )
                for previous in conn.execute(others).scalars().all():  # retired first: one active model per name
                    conn.execute(table.update().where(table.c.model_id == previous).values(status=RETIRED))
                    audit(conn, at=now, actor=actor, action="model.retired", entity="model", entity_id=previous,
                          detail={"replaced_by": model_id})  # fmt: skip
                self._move(conn, model_id, (APPROVED, RETIRED), ACTIVE)
                audit(conn, at=now, actor=actor, action="model.activated", entity="model", entity_id=model_id)
        except sa.exc.IntegrityError:  # a concurrent activation of the same name committed first
            raise ConflictError("status", f"another model named like {model_id} was activated meanwhile") from None
        return self.get(model_id)

    @staticmethod
    def _move(conn: sa.Connection, model_id: str, sources: tuple[str, ...], target: str, **values: str) -> str:
        """Set ``target`` status if the model is in one of ``sources``; return its name."""
        done = conn.execute(
            table.update()
            .where(table.c.model_id == model_id, table.c.status.in_(sources))
            .values(status=target, **values)
        )
        row = conn.execute(sa.select(table.c.name, table.c.status).where(table.c.model_id == model_id)).first()
        if row is None:
            raise NotFoundError(f"no registered model {model_id!r}")
        if done.rowcount != 1:
            raise ConflictError("status", f"{model_id} is {row.status}, not {' or '.join(sources)}")
        return str(row.name)
