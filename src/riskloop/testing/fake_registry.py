"""InMemoryModelRegistry: the ModelRegistry port kept in a dict, for tests and embedded use."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from riskloop.domain.clock import Clock, SystemClock
from riskloop.errors import ConflictError, NotFoundError
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


class InMemoryModelRegistry:
    """Registered models in memory; behaves as the SQL adapter does (same conformance tests).

    ``audit`` holds the rows the SQL adapter writes to the audit log: ``(actor, action, model_id)``.
    """

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self._models: dict[str, RegisteredModel] = {}
        self.audit: list[tuple[str, str, str]] = []

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
        version = 1 + max((m.version for m in self._models.values() if m.name == name), default=0)
        mid = model_id(name, version)
        self._models[mid] = RegisteredModel(
            mid, name, version, kind, self._clock.now(), str(bundle), digest,
            dict(training_window), tuple(features), dict(metrics), REGISTERED, registered_by,
        )  # fmt: skip
        self.audit.append((registered_by, "model.registered", mid))
        return mid

    def get(self, model_id: str) -> RegisteredModel:
        """The model ``model_id``."""
        try:
            return self._models[model_id]
        except KeyError:
            raise NotFoundError(f"no registered model {model_id!r}") from None

    def list(self, name: str | None = None) -> list[RegisteredModel]:
        """Models by name then version."""
        found = [m for m in self._models.values() if name is None or m.name == name]
        return sorted(found, key=lambda m: (m.name, m.version))

    def set_status(self, model_id: str, status: str) -> RegisteredModel:
        """Change the status of ``model_id``."""
        updated = dataclasses.replace(self.get(model_id), status=check_status(status))
        self._models[model_id] = updated
        return updated

    def mark_approved(self, model_id: str, approver: str) -> RegisteredModel:
        """Registered → approved by ``approver`` (ConflictError from any other status)."""
        approved = dataclasses.replace(self._expect(model_id, REGISTERED), status=APPROVED, approved_by=approver)
        self._models[model_id] = approved
        self.audit.append((approver, "model.approved", model_id))
        return approved

    def mark_active(self, model_id: str, actor: str) -> RegisteredModel:
        """Approved or retired → active; the active model of the same name is retired."""
        model = self._expect(model_id, APPROVED, RETIRED)
        for other in self.list(model.name):
            if other.status == ACTIVE and other.model_id != model_id:
                self._models[other.model_id] = dataclasses.replace(other, status=RETIRED)
                self.audit.append((actor, "model.retired", other.model_id))
        self._models[model_id] = dataclasses.replace(model, status=ACTIVE)
        self.audit.append((actor, "model.activated", model_id))
        return self._models[model_id]

    def _expect(self, model_id: str, *sources: str) -> RegisteredModel:
        model = self.get(model_id)
        if model.status not in sources:
            raise ConflictError("status", f"{model_id} is {model.status}, not {' or '.join(sources)}")
        return model
