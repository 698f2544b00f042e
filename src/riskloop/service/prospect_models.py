"""The forecast model and the screening policy in the model registry: registered, then released by someone else.

Both change who a bank markets to, so both take the registry's four-eyes path (``riskloop models approve`` and
``activate`` by a person other than the author). ``ActiveForecast`` and ``ActiveScreeningPolicy`` are what a
prospect run reads: the active version, its sha256 checked when loaded. With no active forecast a run is refused
(it would rank on nothing); with no active screening policy the shipped one applies.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa

from riskloop.domain.prospect import FORECAST_KIND, SCREENING_KIND
from riskloop.errors import DataSourceError, NotFoundError, ValidationError
from riskloop.forecast.model import ForecastModel
from riskloop.forecast.series import monthly_series
from riskloop.prospecting.policy import ScreeningPolicy, parse_policy, shipped_policy
from riskloop.scoring.bundle import MANIFEST, read_bundle
from riskloop.scoring.registry import ACTIVE, UNKNOWN_AUTHOR, ModelRegistry, RegisteredModel, model_id
from riskloop.service.ports import ModelHome

POLICY_FILE = "screening-policy.json"
NO_FORECAST = (
    "no business-scale forecast model is active (run: riskloop prospects train-forecast, then models approve/activate)"
)


def register_forecast(home: ModelHome, folder: Path, metrics: dict[str, Any], author: str = UNKNOWN_AUTHOR) -> str:
    """Register a trained forecast bundle (its ``manifest.json`` holds every file's sha256); return its id."""
    return home.registry.register(folder, FORECAST_KIND, FORECAST_KIND, metrics, {"as_of": metrics.get("as_of")}, [],
                                  registered_by=author)  # fmt: skip


def forecast_folder(home: ModelHome) -> Path:
    """Where the next forecast version is written."""
    version = max([m.version for m in home.registry.list(FORECAST_KIND)], default=0) + 1
    return home.models / model_id(FORECAST_KIND, version)


class ActiveForecast:
    """The registry's active forecast model over the warehouse's monthly series."""

    def __init__(self, registry: ModelRegistry, root: Path) -> None:
        self.registry, self.root = registry, root
        self._loaded: tuple[str, ForecastModel] | None = None

    def _model(self) -> tuple[RegisteredModel, ForecastModel]:
        found = _active(self.registry, FORECAST_KIND)
        if found is None:
            raise NotFoundError(NO_FORECAST)
        if self._loaded is None or self._loaded[0] != found.manifest_sha256:
            self._loaded = (found.manifest_sha256, ForecastModel.load(Path(found.path), found.manifest_sha256))
        return found, self._loaded[1]

    @property
    def version(self) -> str:
        """Model id and 16 hex digits of its manifest's sha256."""
        found, _ = self._model()
        return f"{found.model_id}:{found.manifest_sha256[:16]}"

    def forecast(self, as_of: dt.date) -> pa.Table:
        """The forecast of every enterprise with sales history before ``as_of``."""
        _, model = self._model()
        return model.forecast(monthly_series(self.root, as_of))


def register_screening_policy(home: ModelHome, path: Path, author: str = UNKNOWN_AUTHOR) -> dict[str, Any]:
    """Validate the policy in ``path`` and register it as the next version (status ``registered``)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValidationError("policy", f"{path}: cannot be read ({exc.strerror})") from None
    policy = parse_policy(raw)
    version = max([m.version for m in home.registry.list(SCREENING_KIND)], default=0) + 1
    folder = home.models / model_id(SCREENING_KIND, version)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, folder / POLICY_FILE)
    manifest = {"kind": SCREENING_KIND, "files": {POLICY_FILE: policy.sha256}}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    metrics = {"policy_version": policy.version, "sha256": policy.sha256}
    registered = home.registry.register(folder, SCREENING_KIND, SCREENING_KIND, metrics, {"source": path.name}, [],
                                        registered_by=author)  # fmt: skip
    return {"model_id": registered, "policy_version": policy.version, "sha256": policy.sha256, "status": "registered",
            "next": f"riskloop models approve {registered}, then activate (another person)"}  # fmt: skip


class ActiveScreeningPolicy:
    """The registry's active screening policy, or the shipped one while none is active."""

    def __init__(self, registry: ModelRegistry) -> None:
        self.registry = registry

    def __call__(self) -> ScreeningPolicy:
        """The policy a run applies now."""
        found = _active(self.registry, SCREENING_KIND)
        if found is None:
            return shipped_policy()
        files = read_bundle(Path(found.path), found.manifest_sha256).files  # every sha256 checked
        if POLICY_FILE not in files:
            raise DataSourceError(f"{found.path}: the registered bundle holds no {POLICY_FILE}")
        return parse_policy(files[POLICY_FILE])


def _active(registry: ModelRegistry, kind: str) -> RegisteredModel | None:
    return next((m for m in registry.list(kind) if m.status == ACTIVE and m.kind == kind), None)
