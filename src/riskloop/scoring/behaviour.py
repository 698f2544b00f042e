"""The behaviour score served (行为评分): LightGBM text from a sha256-checked bundle, without the training stack.

A behaviour bundle holds ``behaviour.json`` (format, kind, features in matrix order, horizon, bad definition),
``gbdt-behaviour.txt`` (LightGBM text), ``training.json`` (window, rows, cross-validated figures) and
``manifest.json`` (the sha256 of every other file). The PD is the logistic of the booster's raw score, which
is the sum of its tree contributions (``pred_contrib``): the same call gives the score and its reasons.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from riskloop.errors import ValidationError
from riskloop.scoring.booster import NativeBooster
from riskloop.scoring.bundle import read_bundle

KIND = "behaviour-gbdt"
FORMAT = 1
SPEC, BOOSTER, TRAINING = "behaviour.json", "gbdt-behaviour.txt", "training.json"
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Reason:
    """One input that raised a loan's behaviour PD: its value and its contribution (log-odds)."""

    feature: str
    value: float | None
    contribution: float


@dataclass(frozen=True)
class BehaviourScores:
    """PD of each row and its top reasons (largest positive contributions first)."""

    pd: FloatArray
    reasons: list[tuple[Reason, ...]]


def feature_matrix(table: pa.Table, features: Sequence[str]) -> FloatArray:
    """The ``features`` columns of ``table`` as a float matrix (an empty value is NaN); a missing column is an error."""
    absent = [f for f in features if f not in table.column_names]
    if absent:
        raise ValidationError("features", f"the rows lack {absent}")
    if table.num_rows == 0:
        return np.empty((0, len(features)), dtype=np.float64)
    cols = [pc.cast(table[f], pa.float64()).to_numpy() for f in features]
    return np.ascontiguousarray(np.column_stack(cols), dtype=np.float64)


class BehaviourModel:
    """A behaviour score ready to score rows.

    Examples
    --------
    >>> model = BehaviourModel.load(Path("models/behaviour-v1"))  # doctest: +SKIP
    >>> scores = model.score(rows)  # rows: signals + history of loans on the book  # doctest: +SKIP
    >>> scores.pd[0], scores.reasons[0][0].feature  # doctest: +SKIP
    (0.18, 'days_past_due')

    """

    def __init__(self, text: str, spec: dict[str, Any], version: str = "") -> None:
        self.features: tuple[str, ...] = tuple(spec["features"])
        self.spec, self.version = spec, version
        self.booster = NativeBooster(text, BOOSTER)
        if self.booster.num_feature != len(self.features):
            raise ValidationError(
                "bundle", f"{BOOSTER} reads {self.booster.num_feature} features, spec names {len(self.features)}"
            )

    @classmethod
    def load(cls, folder: Path, manifest_sha256: str | None = None) -> BehaviourModel:
        """Read a behaviour bundle after checking every file's sha256 (and the manifest's, when given)."""
        read = read_bundle(folder, manifest_sha256)
        try:
            spec = json.loads(read.files[SPEC])
            if read.meta.get("kind") != KIND or spec.get("format") != FORMAT or spec.get("kind") != KIND:
                raise ValidationError("bundle", f"{folder}: not a {KIND} bundle of format {FORMAT}")
            text = read.files[BOOSTER].decode()
        except (KeyError, TypeError, json.JSONDecodeError) as exc:
            raise ValidationError("bundle", f"{folder}: malformed behaviour bundle ({exc!r})") from None
        return cls(text, spec, f"{folder.name}:{read.manifest_sha256[:16]}")

    def contributions(self, matrix: FloatArray) -> FloatArray:
        """Per-row contributions of every feature, then the expected value (log-odds; they sum to the raw score)."""
        return self.booster.contributions(matrix)

    def score_matrix(self, matrix: FloatArray, top: int = 3) -> BehaviourScores:
        """PD and the ``top`` reasons of each row of ``matrix`` (columns in ``features`` order)."""
        if matrix.shape[0] == 0:
            return BehaviourScores(np.empty(0, dtype=np.float64), [])
        contrib = self.contributions(matrix)
        pd_ = 1.0 / (1.0 + np.exp(-contrib.sum(axis=1)))
        order = np.argsort(-contrib[:, :-1], axis=1, kind="stable")[:, :top]
        reasons = []
        for i, picks in enumerate(order):
            found = tuple(
                Reason(self.features[j], None if np.isnan(v := matrix[i, j]) else float(v), float(contrib[i, j]))
                for j in picks
                if contrib[i, j] > 0
            )
            reasons.append(found)
        return BehaviourScores(pd_, reasons)

    def score(self, rows: pa.Table, top: int = 3) -> BehaviourScores:
        """PD and top reasons of every row of ``rows`` (a table holding the model's ``features``)."""
        return self.score_matrix(feature_matrix(rows, self.features), top)
