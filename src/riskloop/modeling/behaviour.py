"""Training the behaviour score: one seeded LightGBM on labelled month-end snapshots, saved as a plain-file bundle.

The number of boosting rounds is chosen by early stopping on folds grouped by loan (a loan's months never
sit on both sides of a fold), then the booster is refit on every row. The bundle format is
``scoring.behaviour``'s; nothing is pickled.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from riskloop.errors import ValidationError
from riskloop.modeling.artifacts import write_bundle
from riskloop.modeling.gbdt import GBDTClassifier, auto_settings
from riskloop.modeling.metrics import auc as auc_of
from riskloop.scoring.behaviour import BOOSTER, FORMAT, KIND, SPEC, TRAINING, feature_matrix

MAX_ROUNDS, PATIENCE, MIN_BADS = 600, 50, 10


@dataclass(frozen=True)
class TrainedBehaviour:
    """A fitted behaviour booster (LightGBM text) with its cross-validated figures."""

    text: str
    features: tuple[str, ...]
    rounds: int
    rows: int
    bads: int
    cv_auc: float
    oof_pd: npt.NDArray[np.float64]


def loan_folds(loans: Sequence[str], folds: int, seed: int) -> list[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]]:
    """``folds`` train/test splits of row positions, every loan's rows in one test fold (seeded)."""
    unique = sorted(set(loans))
    rng = np.random.default_rng(seed)
    fold_of = dict(zip(unique, rng.permutation(len(unique)) % folds, strict=True))
    assign = np.array([fold_of[loan] for loan in loans])
    return [(np.flatnonzero(assign != k), np.flatnonzero(assign == k)) for k in range(folds)]


def fit_behaviour(rows: pa.Table, features: Sequence[str], *, folds: int = 5, seed: int = 0) -> TrainedBehaviour:
    """Fit on ``rows`` (the ``features``, ``loan_id`` and 0/1 ``bad``).

    Examples
    --------
    >>> trained = fit_behaviour(labelled, FEATURES, seed=7)  # doctest: +SKIP
    >>> trained.rounds, round(trained.cv_auc, 3)  # doctest: +SKIP
    (128, 0.874)

    """
    y = np.asarray(rows["bad"].to_numpy(), dtype=np.float64)
    bads = int(y.sum())
    if bads < MIN_BADS or len(y) - bads < MIN_BADS:
        raise ValidationError(
            "labels", f"{len(y):,} mature snapshots hold {bads:,} bad: too few to train (needs {MIN_BADS} of each)"
        )
    x = feature_matrix(rows, features)
    size = auto_settings(len(y), bads)
    model = GBDTClassifier(
        tuple(features),
        rounds=MAX_ROUNDS,
        num_leaves=size.num_leaves,
        min_data_in_leaf=size.min_data_in_leaf,
        seed=seed,
    )
    split = loan_folds(rows["loan_id"].to_pylist(), folds, seed)
    oof, rounds = model.cross_fit(x, y, split, patience=PATIENCE)
    model.set_params(rounds=max(rounds, 1)).fit(x, y)
    oof_pd = 1.0 / (1.0 + np.exp(-oof))
    return TrainedBehaviour(model.text_, tuple(features), rounds, len(y), bads, float(auc_of(y, oof_pd)), oof_pd)


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n").encode()


def save_behaviour(trained: TrainedBehaviour, folder: Path, meta: Mapping[str, Any]) -> Path:
    """Write the bundle under ``folder``; ``meta`` (window, horizon, bad definition) goes to the spec and manifest."""
    spec = {"format": FORMAT, "kind": KIND, "features": list(trained.features), **meta}
    training = {
        **meta,
        "rows": trained.rows,
        "bads": trained.bads,
        "rounds": trained.rounds,
        "cv_auc": round(trained.cv_auc, 6),
    }
    files = {SPEC: _json(spec), BOOSTER: trained.text.encode(), TRAINING: _json(training)}
    return write_bundle(folder, files, {**meta, "kind": KIND})
