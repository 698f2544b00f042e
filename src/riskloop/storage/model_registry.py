"""SQLModelRegistry: the ModelRegistry port over the ``model_registry`` table (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from riskloop.domain.clock import Clock, SystemClock
from riskloop.errors import NotFoundError, StorageError
from riskloop.scoring.registry import RegisteredModel, check_status, manifest_digest, model_id
from riskloop.storage.models import model_registry as table

ATTEMPTS = 3  # two writers racing for the same next version: the unique constraint makes one retry


def _row_to_model(row: sa.RowMapping) -> RegisteredModel:
    created = row["created_at"]
    if created.tzinfo is None:  # SQLite gives naive datetimes back; they were stored as UTC
        created = created.replace(tzinfo=dt.UTC)
    return RegisteredModel(
        row["model_id"], row["name"], int(row["version"]), row["kind"], created, row["path"],
        row["manifest_sha256"], json.loads(row["training_window"]), tuple(json.loads(row["features"])),
        json.loads(row["metrics"]), row["status"],
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
    ) -> str:
        """Record ``bundle`` as the next version of ``name``."""
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
                            status="registered",
                        )
                    )  # fmt: skip
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
        with self._engine.begin() as conn:
            done = conn.execute(table.update().where(table.c.model_id == model_id).values(status=status))
        if done.rowcount == 0:
            raise NotFoundError(f"no registered model {model_id!r}")
        return self.get(model_id)
