"""The ModelRegistry port: versioned model bundles by name, with their sha256, metrics and status."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from riskloop.domain.collection import POLICY_KIND, QA_KIND
from riskloop.domain.prospect import FORECAST_KIND, SCREENING_KIND
from riskloop.domain.registration import POLICY_KIND as REGISTRATION_POLICY_KIND
from riskloop.domain.text_tags import TEXT_TAGS_KIND
from riskloop.errors import DataSourceError, NotFoundError, ValidationError
from riskloop.scoring.behaviour import KIND as BEHAVIOUR_KIND
from riskloop.scoring.bundle import MANIFEST, served_version, sha256_bytes

REGISTERED, APPROVED, ACTIVE, RETIRED = "registered", "approved", "active", "retired"
STATUSES = (REGISTERED, APPROVED, ACTIVE, RETIRED)
UNKNOWN_AUTHOR = "unknown"  # models registered before their author was recorded
REPORT_FILE = "report.json"  # the validation report training writes beside the bundle (modeling.report)


@dataclass(frozen=True)
class RegisteredModel:
    """One registered bundle; ``model_id`` is ``"<name>-v<version>"``."""

    model_id: str
    name: str
    version: int
    kind: str
    created_at: dt.datetime
    path: str
    manifest_sha256: str
    training_window: Mapping[str, Any]
    features: tuple[str, ...]
    metrics: Mapping[str, Any]
    status: str = REGISTERED
    registered_by: str = UNKNOWN_AUTHOR  # who trained and registered it (never its approver)
    approved_by: str | None = None

    @property
    def served_version(self) -> str:
        """The version its decisions record (``versions.model``), as ``EnsembleScorer.load`` names it."""
        return served_version(Path(self.path), self.manifest_sha256)

    def lifecycle(self) -> dict[str, Any]:
        """Where the model is in its lifecycle, JSON-ready (the CLI and the API list models this way)."""
        return {
            "model_id": self.model_id,
            "name": self.name,
            "version": self.version,
            "kind": self.kind,
            "status": self.status,
            "registered_by": self.registered_by,
            "approved_by": self.approved_by,
            "created_at": self.created_at.isoformat(),
            "manifest_sha256": self.manifest_sha256,
        }


def validation_report(model: RegisteredModel) -> dict[str, Any] | None:
    """The validation report written beside ``model``'s bundle (NaN and infinities as None), or None without one."""
    path = Path(model.path) / REPORT_FILE
    if not path.is_file():
        return None
    try:
        found = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise DataSourceError(f"{path}: unreadable validation report ({exc})") from None
    report: dict[str, Any] | None = finite(found) if isinstance(found, dict) else None
    return report


def finite(value: Any) -> Any:
    """``value`` with NaN and infinities as None (standard JSON)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def manifest_digest(bundle: Path) -> str:
    """sha256 of a bundle's manifest (which holds the sha256 of every other file)."""
    path = bundle / MANIFEST
    if not path.is_file():
        raise NotFoundError(f"{bundle}: no {MANIFEST}; not a model bundle")
    return sha256_bytes(path.read_bytes())


def check_status(status: str) -> str:
    """``status`` if valid, else a ValidationError listing the valid ones."""
    if status not in STATUSES:
        raise ValidationError("status", f"unknown {status!r}; valid: {', '.join(STATUSES)}")
    return status


def model_id(name: str, version: int) -> str:
    """Identifier of version ``version`` of model ``name``."""
    return f"{name}-v{version}"


class ModelRegistry(Protocol):
    """Where trained bundles are recorded; each register() of a name gets the next version.

    Examples
    --------
    >>> registry = InMemoryModelRegistry(clock)  # riskloop.testing.fake_registry  # doctest: +SKIP
    >>> mid = registry.register(path, "sme-fused", "fused-ensemble", {"auc": 0.74}, {"rows": 6000}, features)
    >>> registry.get(mid).version  # doctest: +SKIP
    1

    """

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
        """Record the bundle at ``bundle`` (its manifest sha256 included) by ``registered_by``; return its id."""
        ...

    def get(self, model_id: str) -> RegisteredModel:
        """The registered model ``model_id`` (NotFoundError if there is none)."""
        ...

    def list(self, name: str | None = None) -> list[RegisteredModel]:
        """Registered models, by name then version; only ``name``'s when given."""
        ...

    def set_status(self, model_id: str, status: str) -> RegisteredModel:
        """Change a model's status (registered, approved, active, retired); return it updated."""
        ...


def is_application_model(kind: str) -> bool:
    """Whether a registered model of ``kind`` scores applications (not loans on book, cases or calls)."""
    return kind not in (
        BEHAVIOUR_KIND, POLICY_KIND, QA_KIND, TEXT_TAGS_KIND, REGISTRATION_POLICY_KIND, FORECAST_KIND, SCREENING_KIND
    )  # fmt: skip
