"""InMemoryModelRegistry: the ModelRegistry port kept in a dict, for tests and embedded use."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from riskloop.domain.clock import Clock, SystemClock
from riskloop.errors import NotFoundError
from riskloop.scoring.registry import RegisteredModel, check_status, manifest_digest, model_id


class InMemoryModelRegistry:
    """Registered models in memory; behaves as the SQL adapter does (same conformance tests)."""

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self._models: dict[str, RegisteredModel] = {}

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
        version = 1 + max((m.version for m in self._models.values() if m.name == name), default=0)
        mid = model_id(name, version)
        self._models[mid] = RegisteredModel(
            mid, name, version, kind, self._clock.now(), str(bundle), digest,
            dict(training_window), tuple(features), dict(metrics),
        )  # fmt: skip
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
