"""The model bundle format, defined once: plain files verified against a sha256 manifest, read into serving objects.

A fused-ensemble bundle holds ``ensemble.json`` (sources, sub-models, scaling, config), ``scorecard-<source>.json``
(points tables), ``gbdt-<source>.txt`` and ``catboost-<source>.txt`` (LightGBM text; a CatBoost model is converted
when trained), ``fusion.json``, ``calibration.json``, ``features.json``, ``training.json`` (window, rows,
out-of-fold metrics), ``reason_catalog.json``, for a model trained on a table ``table_prep.json`` (how its raw
columns become features) and ``manifest.json`` (the sha256 of every other file). The training side
(``modeling.bundle``) writes it with the names defined here; serving reads it here, without the training stack
(scikit-learn, optbinning and the rest are never imported).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskloop.errors import DataSourceError, ValidationError
from riskloop.scoring.fusion import Calibrator, Fusion
from riskloop.scoring.model import SCORECARD, TREES, ServingEnsemble, SubModelRef
from riskloop.scoring.points import PointsTable
from riskloop.scoring.reasons import ReasonCatalog
from riskloop.scoring.scaling import Scaling

MANIFEST = "manifest.json"
KIND = "fused-ensemble"
FORMAT = 1
ENSEMBLE, FUSION, CALIBRATION = "ensemble.json", "fusion.json", "calibration.json"
FEATURES, TRAINING, REASONS = "features.json", "training.json", "reason_catalog.json"
PREP = "table_prep.json"  # a model trained on a table: how its raw columns become features (optional)


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def served_version(folder: Path, manifest_sha256: str) -> str:
    """The model version decisions record (``versions.model``): folder name, 16 hex digits of the manifest's sha256.

    Examples
    --------
    >>> served_version(Path("models/sme-v2"), "4f86939adcfe6acf147075ebca5133583aab")
    'sme-v2:4f86939adcfe6acf'

    """
    return f"{folder.name}:{manifest_sha256[:16]}"


def sub_model_file(ref: SubModelRef) -> str:
    """File name of a sub-model's artifact: a points table (JSON) or a LightGBM text model."""
    return f"{ref.kind}-{ref.source}.{'json' if ref.kind == SCORECARD else 'txt'}"


@dataclass(frozen=True)
class BundleFiles:
    """A bundle's files, each checked against the manifest; ``manifest_sha256`` is that of the manifest read."""

    meta: dict[str, Any]
    files: dict[str, bytes]
    manifest_sha256: str


def read_bundle(folder: Path, manifest_sha256: str | None = None) -> BundleFiles:
    """Read a bundle, verifying every file against its manifest (and the manifest against ``manifest_sha256``)."""
    path = folder / MANIFEST
    if not path.is_file():
        raise DataSourceError(f"{folder}: no {MANIFEST}; not a model bundle")
    raw = path.read_bytes()
    digest = sha256_bytes(raw)
    if manifest_sha256 is not None and digest != manifest_sha256:
        raise DataSourceError(f"{path}: sha256 does not match the registered {manifest_sha256}; refusing to load")
    meta: dict[str, Any] = json.loads(raw)
    files = {}
    for name, expected in meta.get("files", {}).items():
        try:
            data = (folder / name).read_bytes()
        except OSError as exc:
            raise DataSourceError(f"{folder / name}: listed in the manifest but unreadable ({exc.strerror})") from None
        if sha256_bytes(data) != expected:
            raise DataSourceError(f"{folder / name}: sha256 does not match the manifest; refusing to load")
        files[name] = data
    return BundleFiles(meta, files, digest)


@dataclass(frozen=True)
class BundleSource:
    """A data source as the bundle records it: its features, monotone directions and sub-model kinds."""

    name: str
    features: tuple[str, ...]
    monotone: Mapping[str, int]
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class ServingBundle:
    """A fused-ensemble bundle read for scoring; ``config`` and ``training`` are the JSON the trainer wrote."""

    serving: ServingEnsemble
    sources: tuple[BundleSource, ...]
    catalog: ReasonCatalog
    config: dict[str, Any]
    training: dict[str, Any]
    meta: dict[str, Any]
    manifest_sha256: str
    prep: dict[str, Any] | None = None  # ``PREP`` as written, for the batch scorer (``modeling.table_prep``)


def load_serving(folder: Path, manifest_sha256: str | None = None) -> ServingBundle:
    """Read a fused-ensemble bundle after checking every file's sha256; nothing is unpickled.

    Examples
    --------
    >>> bundle = load_serving(Path("models/demo/ensemble"))  # doctest: +SKIP
    >>> bundle.serving.score_row({"tax_grade_score": 3.0, "app_bureau_score": 650.0})  # doctest: +SKIP
    (0.031, 638.2)

    """
    read = read_bundle(folder, manifest_sha256)
    files = read.files
    try:
        spec = json.loads(files[ENSEMBLE])
        if read.meta.get("kind") != KIND or spec.get("format") != FORMAT:
            raise ValidationError("bundle", f"{folder}: not a {KIND} bundle of format {FORMAT}")
        refs = [SubModelRef(m["name"], m["source"], m["kind"]) for m in spec["sub_models"]]
        unknown = sorted({r.kind for r in refs if r.kind != SCORECARD and r.kind not in TREES})
        if unknown:
            raise ValidationError("bundle", f"{folder}: sub-model kinds {unknown} are not known to this version")
        file_of = {m["name"]: m["file"] for m in spec["sub_models"]}
        tables = {
            r.name: PointsTable.from_json(json.loads(files[file_of[r.name]])) for r in refs if r.kind == SCORECARD
        }
        texts = {r.name: files[file_of[r.name]].decode() for r in refs if r.kind in TREES}
        sources = tuple(
            BundleSource(s["name"], tuple(s["features"]), s["monotone"], tuple(s.get("kinds", ())))
            for s in spec["sources"]
        )
        serving = ServingEnsemble(
            {s.name: s.features for s in sources},
            refs,
            tables=tables,
            booster_texts=texts,
            fusion=Fusion.from_json(json.loads(files[FUSION])),
            calibrator=Calibrator.from_json(json.loads(files[CALIBRATION])),
            scaling=Scaling(**spec["scaling"]),
        )
        catalog = ReasonCatalog(json.loads(files[REASONS]))
        training = json.loads(files[TRAINING])
        config = dict(spec["config"])
        prep = json.loads(files[PREP]) if PREP in files else None
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise ValidationError("bundle", f"{folder}: malformed ensemble bundle ({exc!r})") from None
    return ServingBundle(serving, sources, catalog, config, training, read.meta, read.manifest_sha256, prep)
