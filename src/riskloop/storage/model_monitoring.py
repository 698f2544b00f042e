"""Adapters of model monitoring: champion decisions read for monitoring, and the active model's training reference."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from riskloop.domain.decision_record import CHAMPION
from riskloop.domain.monitored import ModelReference, MonitoredDecision
from riskloop.errors import NotFoundError, StorageError
from riskloop.monitoring.model_figures import REFERENCE_FILE
from riskloop.scoring.registry import RegisteredModel
from riskloop.storage.decision_models import decisions

_COLUMNS = (decisions.c.decision_id, decisions.c.decided_at, decisions.c.tier, decisions.c.strategy,
            decisions.c.pd, decisions.c.final_outcome, decisions.c.decision)  # fmt: skip


class SQLMonitoredDecisions:
    """The MonitoredDecisions port over the ``decisions`` table."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def between(self, start: dt.datetime, end: dt.datetime, *, inputs: bool) -> list[MonitoredDecision]:
        """Champion decisions decided in ``[start, end)``, oldest first (their stored inputs with ``inputs``)."""
        cols = (*_COLUMNS, decisions.c.inputs) if inputs else _COLUMNS
        stmt = (
            sa.select(*cols)
            .where(decisions.c.role == CHAMPION, decisions.c.decided_at >= start, decisions.c.decided_at < end)
            .order_by(decisions.c.decided_at, decisions.c.decision_id)
        )
        out = []
        with self.engine.connect() as conn:
            for row in conn.execute(stmt):
                version = str(json.loads(row.decision).get("versions", {}).get("model", ""))
                decided = row.decided_at if row.decided_at.tzinfo else row.decided_at.replace(tzinfo=dt.UTC)
                out.append(
                    MonitoredDecision(
                        row.decision_id, decided, row.tier, row.strategy, version.split(":", 1)[0],
                        row.pd, row.final_outcome, json.loads(row.inputs) if inputs else {},
                    )
                )  # fmt: skip
        return out


class BundleReferences:
    """The ModelReferences port: the active model's ``monitoring_reference.json``, written next to its bundle."""

    def __init__(self, active: Callable[[], RegisteredModel]) -> None:
        self.active_model = active

    def active(self) -> ModelReference:
        """The active model's reference; NotFoundError when its bundle has none (trained before monitoring)."""
        model = self.active_model()
        path = Path(model.path) / REFERENCE_FILE
        if not path.is_file():
            raise NotFoundError(
                f"model {model.model_id} has no {REFERENCE_FILE} (trained before model monitoring): retrain it "
                "(riskloop train) and approve and activate the new version"
            )
        try:
            return ModelReference(model.model_id, json.loads(path.read_text("utf-8")))
        except (OSError, ValueError) as exc:
            raise StorageError(f"{path}: unreadable ({exc})") from None
