"""The fused credit model: per-source sub-models stacked on out-of-fold scores, calibrated, scaled to points.

Training (``fit_ensemble``): k stratified folds; every sub-model's out-of-fold log-odds (trained only on
rows that have its source) feed a logistic-regression stacker together with each source's "has data"
flag and the direct inputs; the stacker's own out-of-fold log-odds fit the calibration; sub-models and
stacker are then refitted on all rows. ``cross_validate`` wraps the whole of that in an outer k-fold.
Every data-driven choice (GBDT rounds and tree size, stacker penalty, calibration method) is made on the
rows ``fit_ensemble`` is given, so under ``cross_validate`` never on the outer test fold.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas import DataFrame
from sklearn.model_selection import StratifiedKFold

from riskloop.errors import ConfigError, ValidationError
from riskloop.modeling.calibration import fit_calibrator
from riskloop.modeling.catboost_model import CatBoostSubModel
from riskloop.modeling.fusion import FUSION_MODES, choose_fusion, fit_fusion
from riskloop.modeling.gbdt import GBDTClassifier, auto_settings
from riskloop.modeling.metrics import auc, ks
from riskloop.modeling.scorecard import ScorecardClassifier
from riskloop.modeling.sources import SourceSpec
from riskloop.modeling.tuning import Space, Tuned, catboost_space, gbdt_space, tune
from riskloop.scoring.fusion import CALIBRATIONS
from riskloop.scoring.model import CATBOOST, GBDT, SCORECARD, TREES, ServingEnsemble, SubModelRef, has_data
from riskloop.scoring.points import PointsTable
from riskloop.scoring.reasons import Reason, ReasonCatalog, explain
from riskloop.scoring.scaling import Scaling

__all__ = ["CVResult", "Ensemble", "EnsembleConfig", "EnsembleScores", "Reason", "cross_validate", "fit_ensemble"]

FloatArray = npt.NDArray[np.float64]
MIN_SOURCE_ROWS = 50  # fewer rows with a source's data than this cannot train its sub-models
AUTO = "auto"
ISOTONIC_MIN_BADS = 10_000  # "auto" calibration: isotonic from this many training bads, Platt below


class SubModel(Protocol):
    """What the ensemble needs of a sub-model (scikit-learn's estimator contract, log-odds scores)."""

    def fit(self, x: npt.ArrayLike, y: npt.ArrayLike, sample_weight: FloatArray | None = None) -> Any: ...
    def decision_function(self, x: npt.ArrayLike) -> FloatArray: ...


def _scorecard(spec: SourceSpec, _config: EnsembleConfig) -> ScorecardClassifier:
    return ScorecardClassifier(spec.features, dict(spec.monotone))


def _gbdt(spec: SourceSpec, config: EnsembleConfig) -> GBDTClassifier:
    return GBDTClassifier(
        spec.features,
        dict(spec.monotone),
        rounds=config.gbdt_rounds,
        learning_rate=config.gbdt_learning_rate,
        num_leaves=config.gbdt_leaves or 7,
        min_data_in_leaf=config.gbdt_min_child_samples or 50,
        feature_fraction=config.gbdt_feature_fraction,
        bagging_fraction=config.gbdt_bagging_fraction,
        seed=config.seed,
    )


def _catboost(spec: SourceSpec, config: EnsembleConfig) -> CatBoostSubModel:
    return CatBoostSubModel(
        spec.features,
        dict(spec.monotone),
        rounds=config.catboost_rounds,
        learning_rate=config.catboost_learning_rate,
        depth=config.catboost_depth,
        l2_leaf_reg=config.catboost_l2_leaf_reg,
        seed=config.seed,
        seeds=config.catboost_seeds,
        threads=config.n_jobs,  # CatBoost's result does not depend on its threads (tests/unit/modeling)
    )


def _sized(model: SubModel, labels: FloatArray, config: EnsembleConfig, weight: FloatArray | None) -> SubModel:
    """``model`` with the data-size rule's tree size for ``labels``, where the config leaves it to the rule.

    With row weights the rule counts weighted rows and bads (a fuzzy-augmented application counts once).
    """
    if not isinstance(model, GBDTClassifier):
        return model
    w = np.ones_like(labels) if weight is None else weight
    rule = auto_settings(max(round(float(w.sum())), 1), round(float(w @ labels)))
    return model.set_params(  # type: ignore[no-any-return]
        num_leaves=config.gbdt_leaves or rule.num_leaves,
        min_data_in_leaf=config.gbdt_min_child_samples or rule.min_data_in_leaf,
    )


KINDS: dict[str, Callable[[SourceSpec, EnsembleConfig], SubModel]] = {
    SCORECARD: _scorecard,
    GBDT: _gbdt,
    CATBOOST: _catboost,
}
# Each tree kind's search space and the settings its untuned model starts from (the search's first trial).
SPACES: dict[str, Space] = {GBDT: gbdt_space, CATBOOST: catboost_space}
TUNED = {
    GBDT: ("num_leaves", "min_data_in_leaf", "feature_fraction", "bagging_fraction", "lambda_l2"),
    CATBOOST: ("depth", "l2_leaf_reg", "random_strength", "subsample", "learning_rate"),
}


@dataclass(frozen=True)
class EnsembleConfig:
    """How to build the ensemble.

    Examples
    --------
    >>> EnsembleConfig(kinds=("gbdt",), direct_inputs=("app_bureau_score",), calibration="platt").folds
    5

    Defaults that depend on the data (documented in docs/models.md): ``calibration="auto"`` is isotonic
    with at least ``ISOTONIC_MIN_BADS`` training bads, Platt below; ``gbdt_leaves`` and
    ``gbdt_min_child_samples`` of None follow ``gbdt.auto_settings`` per sub-model; ``gbdt_early_stopping``
    rounds of patience choose the number of rounds (at most ``gbdt_rounds``) on the ensemble's own folds
    (0: exactly ``gbdt_rounds``); ``stacker_c`` None is chosen by out-of-fold log-loss.

    """

    kinds: tuple[str, ...] = (SCORECARD, GBDT)
    folds: int = 5
    seed: int = 0
    direct_inputs: tuple[str, ...] = ()
    calibration: str = AUTO
    gbdt_rounds: int = 2000
    gbdt_early_stopping: int = 50
    gbdt_learning_rate: float = 0.05
    gbdt_leaves: int | None = None
    gbdt_min_child_samples: int | None = None
    gbdt_feature_fraction: float = 0.5
    gbdt_bagging_fraction: float = 0.8
    catboost_rounds: int = 1000
    catboost_learning_rate: float | None = None  # None: CatBoost's own choice from the data size and rounds
    catboost_early_stopping: int = 0  # 0: every fold boosts catboost_rounds (see CatBoostSubModel.cross_fit)
    catboost_depth: int = 6
    catboost_l2_leaf_reg: float | None = None  # None: CatBoost's 3, with its learning rate chosen from the data
    catboost_seeds: int = 1  # CatBoost models averaged per sub-model (seed, seed + 1, ...): bagging for few bads
    tune_trials: int = 0  # Optuna trials per tree sub-model on the ensemble's folds; 0: the settings above
    tune_seconds: float | None = None  # wall-clock cap of one sub-model's search after its first (untuned) trial
    stacker_c: float | None = None
    stacker_non_negative: bool = True
    # "stack": the stacker scores; "best": the best sub-model alone scores (the stacker's weights still explain);
    # "auto": the better of the two on the training rows' out-of-fold scores. The stack is the default: it
    # measured at least as well as the best sub-model, and choosing per fit measured worse (ADR 0039).
    fusion: str = "stack"
    base_points: float = 600.0
    base_odds: float = 50.0
    pdo: float = 40.0
    n_jobs: int = 1  # threads fitting sub-models; results do not depend on it

    def __post_init__(self) -> None:
        unknown = [k for k in self.kinds if k not in KINDS]
        if unknown or not self.kinds:
            raise ConfigError(f"kinds: unknown {unknown or 'empty'}; valid: {', '.join(KINDS)}")
        if self.calibration not in (*CALIBRATIONS, AUTO):
            raise ConfigError(f"calibration: unknown {self.calibration!r}; valid: {', '.join(CALIBRATIONS)}, {AUTO}")
        if self.gbdt_rounds < 1 or self.gbdt_early_stopping < 0 or not 0 < self.gbdt_learning_rate <= 1:
            raise ConfigError("gbdt_rounds must be positive, gbdt_early_stopping >= 0, gbdt_learning_rate in (0, 1]")
        if not (0 < self.gbdt_feature_fraction <= 1 and 0 < self.gbdt_bagging_fraction <= 1):
            raise ConfigError("gbdt_feature_fraction and gbdt_bagging_fraction must be in (0, 1]")
        if (self.gbdt_leaves or 2) < 2 or (self.gbdt_min_child_samples or 1) < 1 or (self.stacker_c or 1) <= 0:
            raise ConfigError("gbdt_leaves needs at least 2, gbdt_min_child_samples at least 1, stacker_c > 0")
        rate = self.catboost_learning_rate or 1.0
        if self.catboost_rounds < 1 or not 0 < rate <= 1 or self.catboost_early_stopping < 0:
            raise ConfigError("catboost_rounds must be positive, catboost_learning_rate in (0, 1], early stopping >= 0")
        if not 1 <= self.catboost_depth <= 6:
            raise ConfigError(f"catboost_depth: 1 to 6 (at most 64 leaves), got {self.catboost_depth}")
        if self.tune_trials < 0 or (self.tune_seconds is not None and self.tune_seconds <= 0):
            raise ConfigError("tune_trials must be >= 0 and tune_seconds positive when given")
        if self.fusion not in FUSION_MODES:
            raise ConfigError(f"fusion: unknown {self.fusion!r}; valid: {', '.join(FUSION_MODES)}")
        if self.n_jobs < 1 or self.catboost_seeds < 1:
            name, value = ("n_jobs", self.n_jobs) if self.n_jobs < 1 else ("catboost_seeds", self.catboost_seeds)
            raise ConfigError(f"{name}: needs at least 1, got {value}")
        if self.folds < 2:
            raise ConfigError(f"folds: needs at least 2, got {self.folds}")
        if self.base_odds <= 0 or self.pdo <= 0:
            raise ConfigError("base_odds and pdo must be positive")

    @property
    def scaling(self) -> Scaling:
        """The PDO scaling of this configuration."""
        return Scaling(self.base_points, self.base_odds, self.pdo)

    def calibration_for(self, bads: int) -> str:
        """The calibration method used for a training set with ``bads`` bads.

        Examples
        --------
        >>> EnsembleConfig().calibration_for(300), EnsembleConfig().calibration_for(20_000)
        ('platt', 'isotonic')

        """
        if self.calibration != AUTO:
            return self.calibration
        return "isotonic" if bads >= ISOTONIC_MIN_BADS else "platt"


@dataclass(frozen=True)
class EnsembleScores:
    """PD, points and each sub-model's log-odds of bad (a missing source's neutral value) per row."""

    pd: FloatArray
    points: FloatArray
    sub_scores: DataFrame  # (``pd`` names the PD field in this class body)


@dataclass(frozen=True)
class CVResult:
    """Out-of-fold results of the whole pipeline (sub-models, fusion, calibration) under k-fold."""

    oof_pd: FloatArray
    oof_sub: pd.DataFrame
    fold_auc: list[float]
    auc: float
    ks: float


class Ensemble:
    """A fitted ensemble: scores, reasons and a plain-file bundle.

    Examples
    --------
    >>> ens = fit_ensemble(frame, y, default_sources(), EnsembleConfig(direct_inputs=("app_bureau_score",)))
    >>> scores = ens.predict(frame)  # scores.pd, scores.points, scores.sub_scores  # doctest: +SKIP
    >>> ens.reasons(frame.head(2))[0][0].code  # doctest: +SKIP
    'RSK_DISHONEST'

    """

    def __init__(
        self,
        serving: ServingEnsemble,
        sources: Sequence[SourceSpec],
        config: EnsembleConfig,
        training: Mapping[str, Any],
        catalog: ReasonCatalog | None = None,
        *,
        prep: Mapping[str, Any] | None = None,
    ) -> None:
        self.serving = serving
        self.sources = tuple(sources)
        self.config = config
        self.training = dict(training)
        self.catalog = catalog or ReasonCatalog.default()
        self.sub_model_names: tuple[str, ...] = tuple(m.name for m in serving.sub_models)
        # A table model's preparation (``modeling.table_prep.TablePrep.to_dict``): raw columns to its features.
        self.prep: Mapping[str, Any] | None = prep

    @property
    def features(self) -> tuple[str, ...]:
        """Every input column the ensemble reads (source features, then direct inputs)."""
        return self.serving.columns

    def predict(self, frame: pd.DataFrame) -> EnsembleScores:
        """PD, points and sub-model scores of every row of ``frame``."""
        batch = self.serving.score(frame)
        subs = pd.DataFrame(batch.sub_scores, columns=list(self.sub_model_names), index=frame.index)
        return EnsembleScores(batch.pd, batch.points, subs)

    def score_row(self, values: Mapping[str, float | None]) -> tuple[float, float]:
        """PD and points of one row (the fast serving path); equal to ``predict`` on the same row."""
        return self.serving.score_row(values)

    def reasons(self, frame: pd.DataFrame, top_k: int = 4) -> list[list[Reason]]:
        """Top ``top_k`` adverse reasons of each row, in catalogue codes and business language."""
        return explain(self.serving, frame, self.catalog, top_k)

    def save(self, folder: Path, meta: Mapping[str, Any]) -> Path:
        """Write the bundle (plain files and a sha256 manifest); return the manifest path."""
        from riskloop.modeling.bundle import save_ensemble

        return save_ensemble(self, folder, meta)

    @classmethod
    def load(cls, folder: Path, manifest_sha256: str | None = None) -> Ensemble:
        """Load a bundle after checking every file's sha256 (and the manifest's, when given); nothing is unpickled."""
        from riskloop.modeling.bundle import load_ensemble

        return load_ensemble(folder, manifest_sha256)


def _labels(y: npt.ArrayLike, rows: int) -> FloatArray:
    labels = np.asarray(y, dtype=np.float64)
    if labels.shape != (rows,) or not np.isin(labels, (0.0, 1.0)).all():
        raise ValidationError("y", f"needs {rows} labels of 0 or 1")
    if labels.min() == labels.max():
        raise ValidationError("y", "needs both good and bad outcomes")
    return labels


def _check(frame: pd.DataFrame, sources: Sequence[SourceSpec], config: EnsembleConfig) -> None:
    if not sources or len({s.name for s in sources}) != len(sources):
        raise ConfigError(f"sources: need distinct names, got {[s.name for s in sources]}")
    unknown = [k for s in sources for k in s.kinds if k not in KINDS]
    if unknown:
        raise ConfigError(f"source kinds: unknown {unknown}; valid: {', '.join(KINDS)}")
    needed = [f for s in sources for f in s.features] + list(config.direct_inputs)
    absent = [c for c in dict.fromkeys(needed) if c not in frame.columns]
    if absent:
        raise ValidationError("frame", f"missing columns {absent}")


Job = tuple[SubModelRef, SourceSpec, FloatArray, npt.NDArray[np.bool_]]
Folds = list[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]]


@dataclass
class _SubModels:
    """Fitted sub-models of one ``_fit``: references, out-of-fold scores, artifacts and chosen GBDT rounds."""

    refs: list[SubModelRef]
    oof: list[FloatArray]
    tables: dict[str, PointsTable]
    texts: dict[str, str]
    rounds: dict[str, int]
    tuning: dict[str, dict[str, Any]]  # per tuned sub-model: its search history and chosen settings


def _take(weight: FloatArray | None, rows: npt.NDArray[np.intp]) -> FloatArray | None:
    return None if weight is None else weight[rows]


def _fit_one(
    job: Job, labels: FloatArray, folds: Folds, config: EnsembleConfig, fold: int, *, weight: FloatArray | None
) -> Any:
    """Fold ``fold``'s out-of-fold scores, or for ``fold == len(folds)`` the model fitted on every row."""
    ref, spec, x, mask = job
    n = len(labels)
    train, test = folds[fold] if fold < len(folds) else (np.arange(n), np.zeros(0, dtype=np.intp))
    train, test = train[mask[train]], test[mask[test]]
    w = _take(weight, train)
    model = _sized(KINDS[ref.kind](spec, config), labels[train], config, w).fit(x[train], labels[train], w)
    return (test, model.decision_function(x[test])) if fold < len(folds) else model


def _cross_fit(
    job: Job, labels: FloatArray, folds: Folds, config: EnsembleConfig, weight: FloatArray | None
) -> list[Any]:
    """A tree's out-of-fold scores with rounds chosen by early stopping on the folds, then its final fit.

    With ``config.tune_trials`` its settings are searched first (``modeling.tuning``) on the same folds; the
    third item is then the search's history, else None.
    """
    ref, spec, x, mask = job
    rows = np.flatnonzero(mask)
    position = np.full(len(labels), -1, dtype=np.intp)
    position[rows] = np.arange(rows.size)
    inner = [(position[tr[mask[tr]]], position[te[mask[te]]]) for tr, te in folds]
    w = _take(weight, rows)
    model = _sized(KINDS[ref.kind](spec, config), labels[rows], config, w)
    assert isinstance(model, GBDTClassifier | CatBoostSubModel)
    tuned: Tuned | None = None
    patience = config.catboost_early_stopping if ref.kind == CATBOOST else config.gbdt_early_stopping
    if config.tune_trials > 0:
        start = {k: model.get_params()[k] for k in TUNED[ref.kind]}
        tuned = tune(
            model,
            SPACES[ref.kind],
            start,
            data=(x[rows], labels[rows], inner),
            patience=patience,
            trials=config.tune_trials,
            seconds=config.tune_seconds,
            seed=config.seed,
            weight=w,
        )
        scores, chosen = tuned.oof, tuned.rounds
        model.set_params(**tuned.params)
    else:
        scores, chosen = model.cross_fit(x[rows], labels[rows], inner, patience, w)
    return [(rows, scores), model.set_params(rounds=chosen).fit(x[rows], labels[rows], w), tuned]


def _crossed(kind: str, config: EnsembleConfig) -> bool:
    """Whether sub-models of ``kind`` are cross-fitted (rounds or settings chosen on the folds), not fitted per fold."""
    patience = config.catboost_early_stopping if kind == CATBOOST else config.gbdt_early_stopping
    return kind in TREES and (patience > 0 or config.tune_trials > 0)


def _fit_sub_models(
    jobs: list[Job], labels: FloatArray, folds: Folds, config: EnsembleConfig, weight: FloatArray | None
) -> _SubModels:
    # Every fit is independent and seeded, so running them on threads changes nothing in the result;
    # LightGBM, CatBoost and the CP-SAT solver of optbinning release the GIL while they work.
    with ThreadPoolExecutor(max_workers=config.n_jobs) as pool:
        futures = [
            [pool.submit(_cross_fit, job, labels, folds, config, weight)]
            if _crossed(job[0].kind, config)
            else [pool.submit(_fit_one, job, labels, folds, config, f, weight=weight) for f in range(len(folds) + 1)]
            for job in jobs
        ]
    out = _SubModels([], [], {}, {}, {}, {})
    for (ref, _, _, _), parts in zip(jobs, futures, strict=True):
        results = [part.result() for part in parts]
        tuned = None
        if len(results) == 1:  # a cross-fitted tree: [out-of-fold part, final model, search history]
            results, tuned = results[0][:2], results[0][2]
        oof = np.zeros(len(labels), dtype=np.float64)
        for test, scores in results[:-1]:  # out of fold: the stacker never sees a sub-model's in-sample scores
            oof[test] = scores
        model = results[-1]
        out.refs.append(ref)
        out.oof.append(oof)
        if isinstance(model, ScorecardClassifier):
            out.tables[ref.name] = model.table_
        elif isinstance(model, GBDTClassifier | CatBoostSubModel):
            out.texts[ref.name] = model.text_
            out.rounds[ref.name] = int(model.rounds)
        if tuned is not None:
            out.tuning[ref.name] = tuned.to_json()
    return out


def _folds(labels: FloatArray, config: EnsembleConfig, groups: npt.NDArray[np.int64] | None) -> Folds:
    """Stratified k folds; with ``groups``, rows of one group (an augmented application's copies) share a fold."""
    n = len(labels)
    splitter = StratifiedKFold(config.folds, shuffle=True, random_state=config.seed)
    if groups is None:
        return list(splitter.split(np.zeros(n), labels))
    keys, first, member = np.unique(groups, return_index=True, return_inverse=True)
    # Stratify groups by their label, a group holding both labels (a fuzzy pair) in a stratum of its own.
    mixed = np.bincount(member, weights=labels, minlength=keys.size) / np.bincount(member, minlength=keys.size)
    stratum = np.where((mixed > 0) & (mixed < 1), 2, labels[first]).astype(np.int64)
    fold_of = np.empty(keys.size, dtype=np.intp)
    for f, (_, test) in enumerate(splitter.split(np.zeros(keys.size), stratum)):
        fold_of[test] = f
    row_fold = fold_of[member]
    return [(np.flatnonzero(row_fold != f), np.flatnonzero(row_fold == f)) for f in range(config.folds)]


def _fit(
    frame: pd.DataFrame,
    labels: FloatArray,
    sources: Sequence[SourceSpec],
    config: EnsembleConfig,
    *,
    weight: FloatArray | None = None,
    groups: npt.NDArray[np.int64] | None = None,
) -> Ensemble:
    _check(frame, sources, config)
    n = len(frame)
    folds = _folds(labels, config, groups)
    has = np.zeros((n, len(sources)), dtype=np.float64)
    jobs: list[Job] = []
    for s, spec in enumerate(sources):
        x = frame.loc[:, list(spec.features)].to_numpy(dtype=np.float64, na_value=np.nan)
        mask = has_data(frame, spec.name, x)
        has[:, s] = mask
        if mask.sum() < MIN_SOURCE_ROWS or np.unique(labels[mask]).size < 2:
            raise ValidationError(spec.name, f"{int(mask.sum())} rows with data; too few (or one class) to train")
        jobs += [
            (SubModelRef(f"{spec.name}:{kind}", spec.name, kind), spec, x, mask) for kind in spec.kinds or config.kinds
        ]
    fitted = _fit_sub_models(jobs, labels, folds, config, weight)
    refs, tables, texts = fitted.refs, fitted.tables, fitted.texts
    direct = frame.loc[:, list(config.direct_inputs)].to_numpy(dtype=np.float64, na_value=np.nan)
    oof_sub = np.column_stack(fitted.oof)
    names = [r.name for r in refs]
    fusion, oof_logit = fit_fusion(
        names,
        sub_sources=[r.source for r in refs],
        sources=[s.name for s in sources],
        direct=config.direct_inputs,
        oof_sub=oof_sub,
        has=has,
        direct_values=direct,
        y=labels,
        folds=folds,
        c=config.stacker_c,
        non_negative=config.stacker_non_negative,
        weight=weight,
    )
    design = fusion.design(oof_sub, has, direct)
    fusion, oof_logit, chosen = choose_fusion(
        fusion, oof_logit, design, labels, mode=config.fusion, weight=weight, seed=config.seed
    )
    calibration = config.calibration_for(int(labels.sum() if weight is None else round(float(weight @ labels))))
    calibrator = fit_calibrator(calibration, oof_logit, labels, weight)
    serving = ServingEnsemble(
        {s.name: s.features for s in sources},
        refs,
        tables=tables,
        booster_texts=texts,
        fusion=fusion,
        calibrator=calibrator,
        scaling=config.scaling,
    )
    for j, r in enumerate(refs):
        oof_sub[has[:, [s.name for s in sources].index(r.source)] == 0, j] = fusion.neutral[j]
    oof_pd = calibrator.apply(oof_logit)
    training = {
        "rows": n,
        "bad_rate": float(labels.mean()),
        "oof_auc": {name: auc(labels, oof_sub[:, j]) for j, name in enumerate(names)},
        "oof_auc_fused": auc(labels, oof_pd),
        "oof_ks_fused": ks(labels, oof_pd),
        "config": asdict(config),
        "calibration": calibration,
        "gbdt_rounds": fitted.rounds,
        "tuning": fitted.tuning,
        "fusion": chosen,
    }
    return Ensemble(serving, sources, config, training)


def fit_ensemble(
    frame: pd.DataFrame,
    y: npt.ArrayLike,
    sources: Sequence[SourceSpec],
    config: EnsembleConfig,
    *,
    weight: npt.ArrayLike | None = None,
    groups: npt.ArrayLike | None = None,
) -> Ensemble:
    """Fit sub-models per source and kind, the stacker on their out-of-fold scores, and the calibration.

    Parameters
    ----------
    frame : DataFrame
        One row per application: every source's features, optional ``avail_<source>`` flags, direct inputs.
    y : array of 0/1
        1 = bad.
    sources : sequence of SourceSpec
        Usually ``default_sources()``.
    config : EnsembleConfig
        Sub-model kinds, folds, seed, direct inputs, calibration and scaling.
    weight : array of positive floats, optional
        Row weights for every fit (sub-models, stacker, calibration); reject inference's fuzzy augmentation.
    groups : array of ints, optional
        Rows of one group stay in one fold (the two copies of a fuzzy-augmented application).

    Examples
    --------
    >>> ens = fit_ensemble(frame, y, default_sources(), EnsembleConfig(seed=1))  # doctest: +SKIP
    >>> ens.sub_model_names[:2]  # doctest: +SKIP
    ('registration:scorecard', 'registration:gbdt')

    """
    labels = _labels(y, len(frame))
    w = None if weight is None else np.asarray(weight, dtype=np.float64)
    if w is not None and (w.shape != labels.shape or not np.all(w >= 0) or not w.sum() > 0):
        raise ValidationError("weight", f"needs {labels.size} non-negative row weights, not all 0")
    g = None if groups is None else np.asarray(groups, dtype=np.int64)
    if g is not None and g.shape != labels.shape:
        raise ValidationError("groups", f"needs {labels.size} group ids")
    return _fit(frame, labels, sources, config, weight=w, groups=g)


def outer_folds(y: npt.ArrayLike, config: EnsembleConfig) -> Folds:
    """The stratified folds ``cross_validate`` scores on (a benchmark fits other learners on the same)."""
    labels = np.asarray(y)
    outer = StratifiedKFold(config.folds, shuffle=True, random_state=config.seed + 1)
    return list(outer.split(np.zeros(len(labels)), labels))


class FoldPlan(Protocol):
    """Sets each ensemble fit's configuration as a run goes (``service.train_budget.BudgetPlan``: the time left)."""

    def before(self, fit: int) -> EnsembleConfig:
        """The configuration of ensemble fit ``fit`` (0, 1, ... in the order they run)."""

    def after(self, fit: int, model: Ensemble) -> None:
        """Ensemble fit ``fit`` ended with ``model``."""


def cross_validate(
    frame: pd.DataFrame,
    y: npt.ArrayLike,
    sources: Sequence[SourceSpec],
    config: EnsembleConfig,
    progress: Callable[[int, int], None] | None = None,
    *,
    plan: FoldPlan | None = None,
) -> CVResult:
    """Stratified k-fold of the whole pipeline: each outer fold is scored by an ensemble fitted without it.

    ``progress`` is told ``(folds done, folds)`` before the first fold and after each. ``plan``, when given,
    sets each fold's configuration (its search time); the folds themselves come from ``config``.

    Examples
    --------
    >>> cv = cross_validate(frame, y, default_sources(), EnsembleConfig(folds=3))  # doctest: +SKIP
    >>> round(cv.auc, 3)  # doctest: +SKIP
    0.781

    """
    labels = _labels(y, len(frame))
    _check(frame, sources, config)
    oof_pd = np.zeros(len(frame), dtype=np.float64)
    oof_sub: pd.DataFrame | None = None
    fold_auc: list[float] = []
    folds = outer_folds(labels, config)
    if progress is not None:
        progress(0, len(folds))
    for fold, (train, test) in enumerate(folds):
        model = _fit(frame.iloc[train], labels[train], sources, config if plan is None else plan.before(fold))
        if plan is not None:
            plan.after(fold, model)
        scores = model.predict(frame.iloc[test])
        oof_pd[test] = scores.pd
        if oof_sub is None:
            oof_sub = pd.DataFrame(np.nan, index=frame.index, columns=list(model.sub_model_names))
        oof_sub.iloc[test] = scores.sub_scores.to_numpy()
        fold_auc.append(auc(labels[test], scores.pd))
        if progress is not None:
            progress(len(fold_auc), len(folds))
    assert oof_sub is not None  # folds >= 2 guarantees a first fold
    return CVResult(oof_pd, oof_sub, fold_auc, auc(labels, oof_pd), ks(labels, oof_pd))
