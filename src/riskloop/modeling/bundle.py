"""The ensemble's bundle: plain JSON and LightGBM text files with a sha256 manifest; never a pickle.

Layout: ``ensemble.json`` (sources, sub-models, scaling, config), ``scorecard-<source>.json`` (points
tables), ``gbdt-<source>.txt`` (LightGBM text), ``fusion.json``, ``calibration.json``, ``features.json``,
``training.json`` (window, rows, out-of-fold metrics), ``reason_catalog.json`` and ``manifest.json``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskloop.errors import ValidationError
from riskloop.modeling.artifacts import read_bundle, write_bundle
from riskloop.modeling.sources import SourceSpec
from riskloop.scoring.fusion import Calibrator, Fusion
from riskloop.scoring.model import GBDT, SCORECARD, ServingEnsemble, SubModelRef
from riskloop.scoring.points import PointsTable
from riskloop.scoring.reasons import ReasonCatalog
from riskloop.scoring.scaling import Scaling

if TYPE_CHECKING:
    from riskloop.modeling.ensemble import Ensemble

KIND = "fused-ensemble"
FORMAT = 1


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n").encode()


def _file(ref: SubModelRef) -> str:
    return f"{ref.kind}-{ref.source}.{'json' if ref.kind == SCORECARD else 'txt'}"


def save_ensemble(ensemble: Ensemble, folder: Path, meta: Mapping[str, Any]) -> Path:
    """Write ``ensemble`` under ``folder``; ``meta`` (e.g. ``training_window``) goes to the manifest."""
    serving = ensemble.serving
    files: dict[str, bytes] = {}
    for ref in serving.sub_models:
        if ref.kind == SCORECARD:
            files[_file(ref)] = _json(serving.tables[ref.name].to_json(serving.scaling))
        else:
            files[_file(ref)] = serving.booster_texts[ref.name].encode()
    files["ensemble.json"] = _json(
        {
            "format": FORMAT,
            "kind": KIND,
            "sources": [
                {"name": s.name, "features": list(s.features), "monotone": dict(s.monotone), "kinds": list(s.kinds)}
                for s in ensemble.sources
            ],
            "sub_models": [
                {"name": r.name, "source": r.source, "kind": r.kind, "file": _file(r)} for r in serving.sub_models
            ],
            "scaling": serving.scaling.to_json(),
            "config": ensemble.training.get("config", {}),
        }
    )
    files["fusion.json"] = _json(serving.fusion.to_json())
    files["calibration.json"] = _json(serving.calibrator.to_json())
    files["features.json"] = _json(list(serving.columns))
    window = meta.get("training_window", {})
    files["training.json"] = _json({**ensemble.training, "training_window": window})
    files["reason_catalog.json"] = _json(ensemble.catalog.data)
    manifest = {
        **meta,
        "kind": KIND,
        "sub_models": list(ensemble.sub_model_names),
        "reason_catalog_version": ensemble.catalog.version,
    }
    return write_bundle(folder, files, manifest)


def load_ensemble(folder: Path) -> Ensemble:
    """Read a bundle written by ``save_ensemble``; every file is checked against its sha256 first."""
    from riskloop.modeling.ensemble import Ensemble, EnsembleConfig

    meta, files = read_bundle(folder)
    try:
        spec = json.loads(files["ensemble.json"])
        if meta.get("kind") != KIND or spec.get("format") != FORMAT:
            raise ValidationError("bundle", f"{folder}: not a {KIND} bundle of format {FORMAT}")
        refs = [SubModelRef(m["name"], m["source"], m["kind"]) for m in spec["sub_models"]]
        file_of = {m["name"]: m["file"] for m in spec["sub_models"]}
        tables = {
            r.name: PointsTable.from_json(json.loads(files[file_of[r.name]])) for r in refs if r.kind == SCORECARD
        }
        texts = {r.name: files[file_of[r.name]].decode() for r in refs if r.kind == GBDT}
        sources = [
            SourceSpec(s["name"], tuple(s["features"]), s["monotone"], tuple(s.get("kinds", ())))
            for s in spec["sources"]
        ]
        serving = ServingEnsemble(
            {s.name: s.features for s in sources},
            refs,
            tables=tables,
            booster_texts=texts,
            fusion=Fusion.from_json(json.loads(files["fusion.json"])),
            calibrator=Calibrator.from_json(json.loads(files["calibration.json"])),
            scaling=Scaling(**spec["scaling"]),
        )
        training = json.loads(files["training.json"])
        settings: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in spec["config"].items()}
        config = EnsembleConfig(**settings)
        catalog = ReasonCatalog(json.loads(files["reason_catalog.json"]))
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise ValidationError("bundle", f"{folder}: malformed ensemble bundle ({exc!r})") from None
    return Ensemble(serving, sources, config, training, catalog)
