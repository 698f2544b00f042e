"""Train the global forecaster: LightGBM quantile regressions on cut points inside every enterprise's own history.

Self-supervised, no truth: for each cut ``k`` months before ``as_of`` (3 to ``months_back``, at the same day of
month as ``as_of``), each sampled enterprise's series as it was known on that day (``MonthlySeries.at``: the
VAT filed and invoices issued before it) gives a row of features, and the months after it, known on ``as_of``,
the targets: for every kind and horizon ``h <= k``, the log of the mean month of the next ``h`` against the
recent level (``features.target``). Per (kind, horizon): three quantile regressions (10/50/90: direct
multi-horizon) and a classifier of "any at all in the next h months" (the hurdle of zero-inflated series: a
quantile is 0 where the chance of nothing reaches it, which a regression of ratios cannot say exactly).
Enterprises are split in two: the models learn on one part; on the other (``calibration_share``) the
10-90 interval is widened by split-conformal margins (per bucket of months of history) to cover 80 %.
The manifest keeps, per target, the longest history its rows had (``history_caps``): serving feeds the target's
models no more (a warehouse's 30 months of declarations give the 12-month targets rows with at most 18).
Deterministic: fixed threads, ``deterministic=True``, seeded sampling; the manifest holds no wall-clock time.
Training code: imports the ``lightgbm`` package; serving (``forecast.model``) never imports this module.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt

from riskloop.errors import ValidationError
from riskloop.forecast.features import CATEGORICAL, FEATURE_MONTHS, FEATURE_NAMES, feature_rows, target
from riskloop.forecast.model import (
    FORMAT,
    HISTORY_FEATURE,
    KIND,
    MANIFEST,
    QUANTILES,
    hurdle_file,
    hurdle_quantiles,
    model_file,
    sha256_file,
    target_name,
)
from riskloop.forecast.schema import HORIZONS, INTERVAL, KINDS
from riskloop.forecast.series import MonthlySeries, monthly_series, shift_months

F64 = npt.NDArray[np.float64]
Progress = Callable[[str, int, int], None]
HISTORY_EDGES = (6.0, 12.0)  # buckets of months of history (of the last 24) with their own conformal margin
STARTED_FEATURE = "started_24"  # months since the first observed one: the history a row's features saw
POSITIVE_EPS = 1e-9  # above the target of a zero sum: something was sold (bought)
MIN_BUCKET_ROWS = 200  # a bucket with fewer calibration rows takes the target's overall margin


def no_progress(stage: str, done: int, total: int) -> None:
    """A progress callback that reports nothing."""


@dataclass(frozen=True)
class ForecastConfig:
    """Fixed hyper-parameters of the quantile models and of the sampling of training rows."""

    rounds: int = 300
    learning_rate: float = 0.05
    num_leaves: int = 31
    min_data_in_leaf: int = 100
    feature_fraction: float = 0.9
    lambda_l2: float = 1.0
    max_rows: int = 400_000  # sampled (enterprise, cut) rows, over every cut
    months_back: int = 24  # the earliest cut, months before as_of
    calibration_share: float = 0.2
    threads: int = 2  # fixed, so that a seed gives the same trees on any machine

    def params(self, alpha: float, seed: int) -> dict[str, Any]:
        """LightGBM's training parameters of the ``alpha`` quantile model."""
        return {
            "objective": "quantile",
            "alpha": alpha,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_data_in_leaf,
            "feature_fraction": self.feature_fraction,
            "lambda_l2": self.lambda_l2,
            "seed": seed,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": self.threads,
            "verbose": -1,
        }


@dataclass(frozen=True)
class TrainingRows:
    """Sampled (enterprise, cut) rows: features, the enterprise's index, the sales level, every target.

    A target is NaN where it is unknown (its months not all before the training day).
    """

    matrix: F64
    firm: npt.NDArray[np.intp]
    base: F64
    targets: dict[str, F64]


def train_forecaster(
    root: Path,
    as_of: dt.date,
    out: Path,
    seed: int = 0,
    progress: Progress = no_progress,
    *,
    config: ForecastConfig | None = None,
) -> Path:
    """Train the forecaster on the warehouse at ``root`` as known on ``as_of`` and write its folder ``out``.

    Parameters
    ----------
    root : Path
        The warehouse (``monthly_series``' root).
    as_of : datetime.date
        The training day: only records filed or issued before it are read.
    out : Path
        The model folder to write (created; files replaced): the LightGBM text models and ``manifest.json``.
    seed : int
        Seeds the sampling of rows, the calibration split and LightGBM.
    progress : callable
        Called with (stage, done, total).
    config : ForecastConfig, optional
        Hyper-parameters; ``ForecastConfig()`` when omitted.

    Returns
    -------
    Path
        ``out``, for ``ForecastModel.load``.

    """
    cfg = config or ForecastConfig()
    if cfg.months_back < max(HORIZONS):
        raise ValidationError("months_back", f"{cfg.months_back}: at least {max(HORIZONS)}, the longest horizon")
    rng = np.random.default_rng(seed)
    series = monthly_series(root, as_of, months=FEATURE_MONTHS + cfg.months_back)
    rows = training_rows(series, cfg, rng, progress)
    calibrate = rng.random(len(series)) < cfg.calibration_share
    held = calibrate[rows.firm]
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    margins: dict[str, list[float]] = {}
    caps: dict[str, int] = {}
    figures: dict[str, dict[str, Any]] = {}
    lgb_seed = int(rng.integers(0, 2**31 - 1))
    total = len(KINDS) * len(HORIZONS)
    if len(rows.firm) == 0:
        raise ValidationError("root", f"no enterprise has history before {as_of} to learn from")
    for step, (kind, h) in enumerate(((k, h) for k in KINDS for h in HORIZONS), start=1):
        name = target_name(kind, h)
        y = rows.targets[name]
        fit, cal = ~np.isnan(y) & ~held, ~np.isnan(y) & held
        if fit.sum() < cfg.min_data_in_leaf * 2 or cal.sum() == 0:
            raise ValidationError("root", f"too few enterprises with {h} months after a cut to train {name}")
        positive = y > target(np.zeros(len(y)), h, rows.base) + POSITIVE_EPS
        boosters = _fit_quantiles(rows.matrix[fit], y[fit], cfg, lgb_seed)
        hurdle = _fit_hurdle(rows.matrix[fit], positive[fit], cfg, lgb_seed)
        for booster, file in (
            *zip(boosters, (model_file(kind, h, q) for q in QUANTILES), strict=True),
            (hurdle, hurdle_file(kind, h)),
        ):
            path = out / file
            path.write_text(booster.model_to_string(), encoding="utf-8")
            files[path.name] = sha256_file(path)
        raw = np.column_stack([b.predict(rows.matrix[cal]) for b in boosters])
        p_any = np.asarray(hurdle.predict(rows.matrix[cal]), dtype=np.float64)
        predicted = hurdle_quantiles(raw, p_any, target(np.zeros(int(cal.sum())), h, rows.base[cal]))
        history = rows.matrix[cal, FEATURE_NAMES.index(HISTORY_FEATURE)]
        margins[name], figures[name] = _calibrate(predicted, y[cal], history)
        caps[name] = int(np.max(rows.matrix[~np.isnan(y), FEATURE_NAMES.index(STARTED_FEATURE)]))
        figures[name] |= {"positive_share": round(float(positive[fit].mean()), 4)}
        figures[name] |= {"fit_rows": int(fit.sum())}
        progress("fit", step, total)
    manifest = {
        "kind": KIND,
        "format": FORMAT,
        "as_of": as_of.isoformat(),
        "seed": seed,
        "features": list(FEATURE_NAMES),
        "categorical": list(CATEGORICAL),
        "quantiles": list(QUANTILES),
        "interval": INTERVAL,
        "calibration": {"edges": list(HISTORY_EDGES), "margins": margins},
        "history_caps": caps,
        "files": files,
        "config": asdict(cfg),
        "training": {"enterprises": len(series), "rows": len(rows.firm), "targets": figures},
        "lightgbm": lgb.__version__,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return out


def training_rows(
    series: MonthlySeries, cfg: ForecastConfig, rng: np.random.Generator, progress: Progress = no_progress
) -> TrainingRows:
    """Sampled rows of every cut 3 to ``cfg.months_back`` months before ``series.as_of``, with their targets."""
    cuts = range(min(HORIZONS), cfg.months_back + 1)
    share = min(1.0, cfg.max_rows / max(1, len(series) * len(cuts)))
    months = len(series.months)
    matrices, firms, bases = [], [], []
    targets: dict[str, list[F64]] = {target_name(k, h): [] for k in KINDS for h in HORIZONS}
    for step, back in enumerate(cuts, start=1):
        sample = np.flatnonzero(rng.random(len(series)) < share)
        view = series.take(sample).at(shift_months(series.as_of, -back))
        known = view.history_months > 0
        sample, view = sample[known], view.take(np.flatnonzero(known))
        if len(sample):
            features = feature_rows(view)
            matrices.append(features.matrix)
            firms.append(sample)
            bases.append(features.base)
            start = months - back
            for kind in KINDS:
                future = np.asarray(getattr(series, kind)[sample, start : start + max(HORIZONS)], dtype=np.float64)
                for h in HORIZONS:
                    y = np.full(len(sample), np.nan)
                    if back >= h:
                        window = future[:, :h]
                        y = np.where(np.isnan(window).any(axis=1), np.nan, target(window.sum(axis=1), h, features.base))
                    targets[target_name(kind, h)].append(y)
        progress("rows", step, len(cuts))
    if not matrices:
        raise ValidationError("root", f"no enterprise has history before {series.as_of} to learn from")
    return TrainingRows(
        np.vstack(matrices),
        np.concatenate(firms),
        np.concatenate(bases),
        {name: np.concatenate(parts) for name, parts in targets.items()},
    )


def _fit_quantiles(matrix: F64, y: F64, cfg: ForecastConfig, seed: int) -> list[lgb.Booster]:
    """One LightGBM quantile regression per ``QUANTILES`` on one binned dataset."""
    data = lgb.Dataset(
        matrix,
        label=y,
        feature_name=list(FEATURE_NAMES),
        categorical_feature=[FEATURE_NAMES.index(c) for c in CATEGORICAL],
        params={"verbose": -1, "num_threads": cfg.threads},
        free_raw_data=False,
    )
    return [lgb.train(cfg.params(q, seed), data, num_boost_round=cfg.rounds) for q in QUANTILES]


def _fit_hurdle(matrix: F64, positive: npt.NDArray[np.bool_], cfg: ForecastConfig, seed: int) -> lgb.Booster:
    """The classifier of "anything in the next h months" (binary log loss, the same trees' settings)."""
    data = lgb.Dataset(
        matrix,
        label=positive.astype(np.float64),
        feature_name=list(FEATURE_NAMES),
        categorical_feature=[FEATURE_NAMES.index(c) for c in CATEGORICAL],
        params={"verbose": -1, "num_threads": cfg.threads},
    )
    params = cfg.params(0.5, seed) | {"objective": "binary"}
    del params["alpha"]
    return lgb.train(params, data, num_boost_round=cfg.rounds)


def _calibrate(predicted: F64, y: F64, history: F64) -> tuple[list[float], dict[str, Any]]:
    """Split-conformal margins (CQR) per history bucket, and the raw and calibrated coverage of the rows."""
    score = np.maximum(predicted[:, 0] - y, y - predicted[:, 2])
    bucket = np.searchsorted(HISTORY_EDGES, history, side="right")
    overall = _conformal_quantile(score)
    margins = [
        _conformal_quantile(score[bucket == b]) if (bucket == b).sum() >= MIN_BUCKET_ROWS else overall
        for b in range(len(HISTORY_EDGES) + 1)
    ]
    margin = np.asarray(margins)[bucket]
    figures = {
        "calibration_rows": len(y),
        "raw_coverage": round(float(np.mean(score <= 0)), 4),
        "calibrated_coverage": round(float(np.mean(score <= margin)), 4),
    }
    return [round(m, 6) for m in margins], figures


def _conformal_quantile(score: F64) -> float:
    """The ``ceil((n + 1) * INTERVAL) / n`` empirical quantile of the conformity scores (0 when none)."""
    n = len(score)
    if n == 0:
        return 0.0
    level = min(1.0, math.ceil((n + 1) * INTERVAL) / n)
    return float(np.quantile(score, level, method="higher"))
