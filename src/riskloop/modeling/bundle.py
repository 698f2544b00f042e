"""Writing the ensemble's bundle (plain JSON and LightGBM text with a sha256 manifest; never a pickle).

The format (file names, kind, version) is defined in ``scoring.bundle``, which also reads it: loading an
``Ensemble`` is the serving read plus the training-side objects (source specs, configuration).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskloop.errors import ValidationError
from riskloop.modeling.artifacts import write_bundle
from riskloop.modeling.sources import SourceSpec
from riskloop.scoring.bundle import (
    CALIBRATION,
    ENSEMBLE,
    FEATURES,
    FORMAT,
    FUSION,
    KIND,
    PREP,
    REASONS,
    TRAINING,
    load_serving,
    sub_model_file,
)
from riskloop.scoring.model import SCORECARD

if TYPE_CHECKING:
    from riskloop.modeling.ensemble import Ensemble

__all__ = ["KIND", "load_ensemble", "save_ensemble"]


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n").encode()


def save_ensemble(ensemble: Ensemble, folder: Path, meta: Mapping[str, Any]) -> Path:
    """Write ``ensemble`` under ``folder``; ``meta`` (e.g. ``training_window``) goes to the manifest."""
    serving = ensemble.serving
    files: dict[str, bytes] = {}
    for ref in serving.sub_models:
        if ref.kind == SCORECARD:
            files[sub_model_file(ref)] = _json(serving.tables[ref.name].to_json(serving.scaling))
        else:
            files[sub_model_file(ref)] = serving.booster_texts[ref.name].encode()
    files[ENSEMBLE] = _json(
        {
            "format": FORMAT,
            "kind": KIND,
            "sources": [
                {"name": s.name, "features": list(s.features), "monotone": dict(s.monotone), "kinds": list(s.kinds)}
                for s in ensemble.sources
            ],
            "sub_models": [
                {"name": r.name, "source": r.source, "kind": r.kind, "file": sub_model_file(r)}
                for r in serving.sub_models
            ],
            "scaling": serving.scaling.to_json(),
            "config": ensemble.training.get("config", {}),
        }
    )
    files[FUSION] = _json(serving.fusion.to_json())
    files[CALIBRATION] = _json(serving.calibrator.to_json())
    files[FEATURES] = _json(list(serving.columns))
    window = meta.get("training_window", {})
    files[TRAINING] = _json({**ensemble.training, "training_window": window})
    files[REASONS] = _json(ensemble.catalog.data)
    if ensemble.prep is not None:
        files[PREP] = _json(ensemble.prep)
    manifest = {
        **meta,
        "kind": KIND,
        "sub_models": list(ensemble.sub_model_names),
        "reason_catalog_version": ensemble.catalog.version,
    }
    return write_bundle(folder, files, manifest)


def load_ensemble(folder: Path, manifest_sha256: str | None = None) -> Ensemble:
    """Read a bundle written by ``save_ensemble``; every file is checked against its sha256 first.

    With ``manifest_sha256`` (the registry's) the manifest itself must match it too.
    """
    from riskloop.modeling.ensemble import Ensemble, EnsembleConfig

    bundle = load_serving(folder, manifest_sha256)
    sources = [SourceSpec(s.name, s.features, s.monotone, s.kinds) for s in bundle.sources]
    settings: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in bundle.config.items()}
    try:
        config = EnsembleConfig(**settings)
    except TypeError as exc:
        raise ValidationError("bundle", f"{folder}: malformed ensemble bundle ({exc!r})") from None
    return Ensemble(bundle.serving, sources, config, bundle.training, bundle.catalog, prep=bundle.prep)
