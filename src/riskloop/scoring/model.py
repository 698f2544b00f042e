"""The serving ensemble: per-source points tables and compiled boosters, fusion, calibration and points."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from riskloop.errors import ValidationError
from riskloop.scoring.booster import NativeBooster
from riskloop.scoring.fusion import Calibrator, Fusion
from riskloop.scoring.points import PointsTable
from riskloop.scoring.scaling import Scaling
from riskloop.scoring.trees import CompiledForest

if TYPE_CHECKING:  # frames are the batch path's input; the serving path never builds one
    import pandas as pd

FloatArray = npt.NDArray[np.float64]
SCORECARD, GBDT, CATBOOST = "scorecard", "gbdt", "catboost"
# Tree sub-models: each is served from LightGBM text (a CatBoost model is converted to it when trained).
TREES = frozenset({GBDT, CATBOOST})
# Split tests per booster the compiled forest makes in about the time of a call into LightGBM's C library; beyond
# them LightGBM walks the trees (``python -m benchmarks.bench_batch_scoring`` times both; ADR 0009, stop 26).
NATIVE_WORK_PER_BOOSTER = 2_000


@dataclass(frozen=True)
class SubModelRef:
    """One sub-model: ``name`` is ``"<source>:<kind>"``; its features are its source's."""

    name: str
    source: str
    kind: str


@dataclass(frozen=True)
class BatchScores:
    """Everything a batch of rows scores to; sub-scores of a missing source hold the source's neutral value."""

    pd: FloatArray
    points: FloatArray
    logit: FloatArray  # stacker log-odds before calibration
    sub_scores: FloatArray  # rows x sub-models, log-odds of bad
    has: FloatArray  # rows x sources, 1.0 when the source had data for the row


def availability(source: str) -> str:
    """Column of the run-level availability flag of ``source`` (as the feature engine names it)."""
    return f"avail_{source}"


def has_data(frame: pd.DataFrame, source: str, values: FloatArray) -> npt.NDArray[np.bool_]:
    """Rows whose ``source`` was available (``avail_<source>``, when present) and has a known feature."""
    flag = availability(source)
    avail = frame[flag].to_numpy(dtype=np.float64, na_value=0.0) > 0 if flag in frame.columns else True
    return np.asarray(avail & ~np.isnan(values).all(axis=1))


class ServingEnsemble:
    """Scores rows from plain artifacts only: points tables, LightGBM text, fusion and calibration JSON.

    Examples
    --------
    >>> model = ServingEnsemble(sources, subs, tables, texts, fusion, calibrator, Scaling())  # doctest: +SKIP
    >>> model.score_row({"tax_grade_score": 3.0, "app_bureau_score": 650.0})  # doctest: +SKIP
    (0.031, 638.2)

    """

    def __init__(
        self,
        sources: Mapping[str, Sequence[str]],
        sub_models: Sequence[SubModelRef],
        *,
        tables: Mapping[str, PointsTable],
        booster_texts: Mapping[str, str],
        fusion: Fusion,
        calibrator: Calibrator,
        scaling: Scaling,
    ) -> None:
        self.sources = {name: tuple(features) for name, features in sources.items()}
        self.sub_models = tuple(sub_models)
        self.tables = dict(tables)
        self.booster_texts = dict(booster_texts)
        self.fusion, self.calibrator, self.scaling = fusion, calibrator, scaling
        if tuple(m.name for m in self.sub_models) != fusion.sub_models or tuple(self.sources) != fusion.sources:
            raise ValidationError("ensemble", "the fusion's sub-models or sources do not match the ensemble's")
        features = [f for fs in self.sources.values() for f in fs]
        self.columns: tuple[str, ...] = tuple(dict.fromkeys(features + list(fusion.direct)))
        index = {c: i for i, c in enumerate(self.columns)}
        self._source_cols = {s: [index[f] for f in fs] for s, fs in self.sources.items()}
        self._direct_cols = [index[d] for d in fusion.direct]
        self._gbdt = [m for m in self.sub_models if m.kind in TREES]
        self._boosters = {m.name: NativeBooster(booster_texts[m.name], f"{m.kind}-{m.source}.txt") for m in self._gbdt}
        texts = [booster_texts[m.name] for m in self._gbdt]  # checked by NativeBooster above
        self._forest = CompiledForest.from_texts(texts, [self._source_cols[m.source] for m in self._gbdt])
        splits = self._forest.splits
        # From this many rows LightGBM's C library scores the trees (``_raw``).
        self.native_from = max(1, math.ceil(NATIVE_WORK_PER_BOOSTER * len(self._gbdt) / max(splits, 1)))
        self._source_pos = {s: i for i, s in enumerate(self.sources)}

    def matrix(self, frame: pd.DataFrame) -> tuple[FloatArray, FloatArray]:
        """Feature matrix (columns in ``columns`` order) and has-data flags (rows x sources) of ``frame``."""
        absent = [c for c in self.columns if c not in frame.columns]
        if absent:
            raise ValidationError("frame", f"missing columns {absent}")
        x = frame.loc[:, list(self.columns)].to_numpy(dtype=np.float64, na_value=np.nan)
        has = np.empty((len(frame), len(self.sources)), dtype=np.float64)
        for j, (source, cols) in enumerate(self._source_cols.items()):
            has[:, j] = has_data(frame, source, x[:, cols])
        return x, has

    def score(self, frame: pd.DataFrame) -> BatchScores:
        """Score every row of ``frame``."""
        x, has = self.matrix(frame)
        sub = np.empty((len(frame), len(self.sub_models)), dtype=np.float64)
        raw = self._raw(x)
        for j, m in enumerate(self.sub_models):
            if m.kind == SCORECARD:
                sub[:, j] = self.tables[m.name].logit(x[:, self._source_cols[m.source]])
            else:
                sub[:, j] = raw[:, self._gbdt.index(m)]
            missing = has[:, self._source_pos[m.source]] == 0
            sub[missing, j] = self.fusion.neutral[j]
        logit = self.fusion.logit(self.fusion.design(sub, has, x[:, self._direct_cols]))
        pd_ = self.calibrator.apply(logit)
        return BatchScores(pd_, self.scaling.points_from_pd(pd_), logit, sub, has)

    def _raw(self, x: FloatArray) -> FloatArray:
        """The boosters' raw scores of the rows of ``x``, one column per tree sub-model.

        The compiled forest tests every split of every tree in one vectorised pass: the fastest for a few rows
        of small trees (a decision). LightGBM's C library walks each tree to its leaf: the fastest for many rows
        or big trees (a thousand CatBoost trees of 64 leaves: about 35 times faster on 30,000 rows). The switch
        is at ``NATIVE_WORK_PER_BOOSTER`` split tests per booster. Both add the same leaf values in tree order,
        so the scores are the same to the bit (tested): a row scores the same in a batch of any size.
        """
        if not self._gbdt:
            return np.zeros((len(x), 0))
        if len(x) < self.native_from:
            return self._forest.raw(x)
        return np.column_stack(
            [self._boosters[m.name].raw_scores(x[:, self._source_cols[m.source]]) for m in self._gbdt]
        )

    def score_row(self, values: Mapping[str, float | None]) -> tuple[float, float]:
        """PD and points of one row given as a mapping of column to value; equal bit for bit to ``score``."""
        x = [math.nan if (v := values.get(c)) is None else float(v) for c in self.columns]
        has = {}
        for source, cols in self._source_cols.items():
            avail = values.get(availability(source), 1.0)
            has[source] = avail is not None and float(avail) > 0 and any(not math.isnan(x[i]) for i in cols)
        raw = self._raw(np.array([x]))[0]
        logit = self.fusion.intercept
        k = 0
        for j, m in enumerate(self.sub_models):  # same addition order as Fusion.logit over the design columns
            if has[m.source]:
                if m.kind == SCORECARD:
                    score = self.tables[m.name].logit_row([x[i] for i in self._source_cols[m.source]])
                else:
                    score = float(raw[self._gbdt.index(m)])
                logit += self.fusion.coef[j] * (score - self.fusion.neutral[j])
            else:
                logit += self.fusion.coef[j] * 0.0
            k = j + 1
        for source in self.sources:
            logit += self.fusion.coef[k] * (1.0 if has[source] else 0.0)
            k += 1
        direct = [x[i] for i in self._direct_cols]
        for d, value in enumerate(direct):
            scaled = 0.0 if math.isnan(value) else (value - self.fusion.direct_mean[d]) / self.fusion.direct_scale[d]
            logit += self.fusion.coef[k] * scaled
            k += 1
        for value in direct:
            logit += self.fusion.coef[k] * (1.0 if math.isnan(value) else 0.0)
            k += 1
        pd_ = self.calibrator.apply(np.array([logit]))
        return float(pd_[0]), float(self.scaling.points_from_pd(pd_)[0])

    def booster(self, name: str) -> NativeBooster:
        """The LightGBM booster of tree sub-model ``name`` (for ``pred_contrib``)."""
        return self._boosters[name]

    def impacts(self, frame: pd.DataFrame) -> tuple[list[tuple[str, str]], FloatArray]:
        """Adverse impact of each (source, feature) on the fused log-odds, per row.

        Scorecards give how far each attribute sits above its safest bin, trees their ``pred_contrib``;
        both are weighted by the sub-model's fusion coefficient. A missing source adds the effect of its
        "has data" flag under ``(source, "")``; direct inputs add their term of the fusion.
        """
        x, has = self.matrix(frame)
        explaining = self.fusion.explaining
        keys: dict[tuple[str, str], int] = {}
        columns: list[FloatArray] = []

        def add(key: tuple[str, str], value: FloatArray) -> None:
            if key in keys:
                columns[keys[key]] = columns[keys[key]] + value
            else:
                keys[key] = len(columns)
                columns.append(np.asarray(value, dtype=np.float64))

        for j, m in enumerate(self.sub_models):
            cols, present = self._source_cols[m.source], has[:, self._source_pos[m.source]]
            if m.kind == SCORECARD:
                parts = self.tables[m.name].adverse(x[:, cols])
            else:
                parts = self.booster(m.name).contributions(x[:, cols])[:, :-1]
            for f, feature in enumerate(self.sources[m.source]):
                add((m.source, feature), explaining[j] * parts[:, f] * present)
        k = len(self.sub_models)
        for s, source in enumerate(self.sources):
            add((source, ""), -explaining[k + s] * (1.0 - has[:, s]))
        k += len(self.sources)
        direct = x[:, self._direct_cols]
        design = self.fusion.design(np.zeros((len(frame), len(self.sub_models))), has, direct)
        n_direct = len(self.fusion.direct)
        for d, name in enumerate(self.fusion.direct):
            add(("direct", name), explaining[k + d] * design[:, k + d])
            add(("direct", f"missing:{name}"), explaining[k + n_direct + d] * design[:, k + n_direct + d])
        return list(keys), np.column_stack(columns) if columns else np.zeros((len(frame), 0))

    def describe(self) -> dict[str, Any]:
        """Sources, sub-models and design inputs, for manifests and reports."""
        return {
            "sources": {s: list(fs) for s, fs in self.sources.items()},
            "sub_models": [m.name for m in self.sub_models],
            "fusion_inputs": list(self.fusion.inputs),
            "calibration": self.calibrator.method,
        }
