"""The baseline model: one deterministic LightGBM over all feature groups, stored as plain text.

The per-source sub-models, stacking and calibration of the credit-models work replace it; the
baseline exists so the platform can be run end to end and compared against.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
import pandas as pd

from riskloop.errors import ValidationError
from riskloop.modeling.artifacts import write_bundle
from riskloop.scoring.bundle import read_bundle

MODEL_FILE = "model.txt"
PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 40,
    "feature_fraction": 0.8,
    "lambda_l2": 1.0,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 2,
    "verbose": -1,
}
ROUNDS = 250


@dataclass(frozen=True)
class BaselineModel:
    """A trained booster and the ordered feature names it expects."""

    booster: lgb.Booster
    features: tuple[str, ...]

    def predict_pd(self, frame: pd.DataFrame) -> npt.NDArray[np.float64]:
        """Probability of default for each row of ``frame`` (columns named as ``features``)."""
        missing = [f for f in self.features if f not in frame.columns]
        if missing:
            raise ValidationError("features", f"missing columns {missing}")
        matrix = frame.loc[:, list(self.features)].to_numpy(dtype=np.float64, na_value=np.nan)
        return np.asarray(self.booster.predict(matrix), dtype=np.float64)

    def save(self, folder: Path, meta: dict[str, Any]) -> Path:
        """Write the model as LightGBM text plus a manifest with sha256; return the manifest path."""
        text = self.booster.model_to_string().encode()
        return write_bundle(
            folder, {MODEL_FILE: text}, {**meta, "kind": "baseline-lightgbm", "features": list(self.features)}
        )

    @classmethod
    def load(cls, folder: Path) -> BaselineModel:
        """Load a saved model after checking its sha256 (no unpickling)."""
        read = read_bundle(folder)
        booster = lgb.Booster(model_str=read.files[MODEL_FILE].decode())
        return cls(booster, tuple(read.meta["features"]))


def train_baseline(frame: pd.DataFrame, label: npt.ArrayLike, features: tuple[str, ...], seed: int) -> BaselineModel:
    """Fit the baseline booster on ``frame[features]`` against 0/1 ``label``."""
    y = np.asarray(label, dtype=np.float64)
    if len(np.unique(y)) < 2:
        raise ValidationError("label", "needs both good and bad outcomes to train")
    matrix = frame.loc[:, list(features)].to_numpy(dtype=np.float64, na_value=np.nan)
    data = lgb.Dataset(matrix, label=y, feature_name=list(features), free_raw_data=True)
    booster = lgb.train({**PARAMS, "seed": seed}, data, num_boost_round=ROUNDS)
    return BaselineModel(booster, features)
