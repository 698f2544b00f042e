"""The served forecaster: LightGBM quantile models in text, evaluated by LightGBM's C library (numpy, no package).

A model folder holds one LightGBM text model per (kind, horizon, quantile) and ``manifest.json``: the sha256 of
every model file, the feature list, the quantiles and the conformal margins that widen the raw quantile
interval to its calibrated 80 % (ADR 0033). A dormant enterprise (nothing sold, or bought, in the 6 or more
observed months of its last 12) is forecast 0 at the median and the low end. Each target's models see no
more history than their training rows had (``history_caps``: where a warehouse's records are short, the
12-month targets learn from cuts with few months before them; fed longer histories they would extrapolate).
Loading checks every sha256 (and the manifest's own, when the caller
registered one) and refuses a mismatch; nothing is unpickled. ``train.train_forecaster`` writes the folder.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from riskloop.errors import ConfigError, DataSourceError, ValidationError
from riskloop.forecast.features import FEATURE_NAMES, Rows, feature_rows, last_twelve, sums, target
from riskloop.forecast.output import Bounds, exceed_probability, forecast_table, growth_threshold
from riskloop.forecast.schema import HORIZONS, KINDS
from riskloop.forecast.series import MonthlySeries
from riskloop.scoring.booster import NativeBooster

F64 = npt.NDArray[np.float64]
MANIFEST = "manifest.json"
KIND, FORMAT = "riskloop-forecast", 1
QUANTILES = (0.1, 0.5, 0.9)
HISTORY_FEATURE = "history_24"
# A kind with nothing in at least this many observed months of the last 12 is dormant: its median and low
# forecasts are 0, the high one the model's (it may wake). The training data may hold no such enterprise.
DORMANT_MONTHS = 6


def target_name(kind: str, horizon: int) -> str:
    """The name of one forecast target: ``sales_3m`` ..."""
    return f"{kind}_{horizon}m"


def model_file(kind: str, horizon: int, quantile: float) -> str:
    """The LightGBM text file of one quantile model."""
    return f"{target_name(kind, horizon)}_q{round(quantile * 100):02d}.txt"


def hurdle_file(kind: str, horizon: int) -> str:
    """The LightGBM text file of the classifier of "any sales (purchases) in the next ``horizon`` months"."""
    return f"{target_name(kind, horizon)}_any.txt"


def hurdle_quantiles(raw: F64, p_any: F64, zero: F64) -> F64:
    """The 10/50/90 percentiles (rows x 3, ordered) from the quantile models' ``raw`` and the chance of any.

    A percentile ``q`` is the zero sum's target ``zero`` where the chance of nothing, ``1 - p_any``, reaches
    ``q``; the regression's value elsewhere (never below ``zero``).
    """
    ordered = np.sort(raw, axis=1)
    nothing = (1.0 - p_any)[:, None] >= np.asarray(QUANTILES)[None, :]
    out: F64 = np.where(nothing, zero[:, None], np.maximum(ordered, zero[:, None]))
    return out


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Calibration:
    """Conformal margins (target units) added below and above the quantile interval, per history bucket."""

    edges: tuple[float, ...]  # upper bounds (exclusive) of months of history of every bucket but the last
    margins: dict[str, tuple[float, ...]]  # target name -> one margin per bucket

    def margin(self, name: str, history: F64) -> F64:
        """The margin of every row given its months of history."""
        out: F64 = np.asarray(self.margins[name], dtype=np.float64)[np.searchsorted(self.edges, history, "right")]
        return out


class ForecastModel:
    """Quantile models of every (kind, horizon): the forecast sums and their calibrated 80 % intervals."""

    def __init__(self, manifest: dict[str, Any], boosters: dict[str, tuple[NativeBooster, ...]]) -> None:
        self.manifest = manifest
        self.boosters = boosters
        calibration = manifest["calibration"]
        self.calibration = Calibration(
            tuple(float(e) for e in calibration["edges"]),
            {k: tuple(float(m) for m in v) for k, v in calibration["margins"].items()},
        )
        self.history_column = FEATURE_NAMES.index(HISTORY_FEATURE)
        self.history_caps = {name: int(cap) for name, cap in manifest["history_caps"].items()}

    @classmethod
    def load(cls, folder: Path, manifest_sha256: str | None = None) -> ForecastModel:
        """The model in ``folder``, every file checked against the manifest's sha256 (DataSourceError if not)."""
        manifest = _manifest(folder, manifest_sha256)
        boosters: dict[str, tuple[NativeBooster, ...]] = {}
        for kind in KINDS:
            for h in HORIZONS:
                name = target_name(kind, h)
                files = (*(model_file(kind, h, q) for q in QUANTILES), hurdle_file(kind, h))
                boosters[name] = tuple(_booster(folder, manifest, file) for file in files)
        return cls(manifest, boosters)

    def quantiles(self, rows: Rows, kind: str, horizon: int) -> tuple[F64, F64, F64]:
        """The calibrated 10th, 50th and 90th percentiles of the target of every row (target units, ordered)."""
        name = target_name(kind, horizon)
        *quantile_models, hurdle = self.boosters[name]
        raw = np.column_stack([b.raw_scores(rows.matrix) for b in quantile_models])
        p_any = 1.0 / (1.0 + np.exp(-hurdle.raw_scores(rows.matrix)))
        q = hurdle_quantiles(raw, p_any, target(np.zeros(len(rows.base)), horizon, rows.base))
        margin = self.calibration.margin(name, rows.matrix[:, self.history_column])
        return q[:, 0] - margin, q[:, 1], q[:, 2] + margin

    def forecast(self, series: MonthlySeries) -> pa.Table:
        """Forecasts (FORECAST_SCHEMA) of every enterprise of ``series`` with any history, as of its ``as_of``."""
        rows = np.flatnonzero(series.history_months > 0)
        chosen = series.take(rows)
        last12 = last_twelve(chosen)
        capped = {cap: feature_rows(chosen.recent(cap)) for cap in sorted(set(self.history_caps.values()))}
        watched = chosen.observed[:, -12:].sum(axis=1) >= DORMANT_MONTHS
        bounds: dict[tuple[str, int], Bounds] = {}
        growth = np.full(len(rows), np.nan)
        for kind in KINDS:
            dormant = watched & (last12[kind] == 0)
            running: list[F64] = [np.zeros(len(rows))] * 3
            for h in HORIZONS:
                seen = capped[self.history_caps[target_name(kind, h)]]
                lo, mid, hi = self.quantiles(seen, kind, h)
                if (kind, h) == ("sales", 12):
                    growth = _growth_probability(last12["sales"], seen.base, lo, mid, hi)
                zero = target(np.zeros(len(rows)), h, seen.base)
                quantile = (np.where(dormant, zero, lo), np.where(dormant, zero, mid), hi)
                # a longer sum of non-negative months is never smaller: each bound at least the shorter one's
                running = [np.maximum(sums(q, h, seen.base), r) for q, r in zip(quantile, running, strict=True)]
                bounds[(kind, h)] = (running[0], running[1], running[2])
        return forecast_table(series, rows, bounds, last12, growth)


def _growth_probability(last: F64, base: F64, lo: F64, mid: F64, hi: F64) -> F64:
    """The chance that the next 12 months' sales reach 1.2 times the last 12 months' (NaN where those are 0)."""
    threshold = target(growth_threshold(last), 12, base)
    out: F64 = np.where(last > 0, exceed_probability(threshold, lo, mid, hi), np.nan)
    return out


def _manifest(folder: Path, manifest_sha256: str | None) -> dict[str, Any]:
    try:
        raw = (folder / MANIFEST).read_bytes()
    except OSError as exc:
        raise DataSourceError(f"{folder}: not a forecast model ({exc.strerror}: {exc.filename})") from None
    if manifest_sha256 is not None and hashlib.sha256(raw).hexdigest() != manifest_sha256:
        raise DataSourceError(f"{folder / MANIFEST}: sha256 does not match the registered one; refusing to load")
    try:
        manifest: dict[str, Any] = json.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"{folder / MANIFEST}: not JSON ({exc})") from None
    if manifest.get("kind") != KIND or manifest.get("format") != FORMAT:
        raise ValidationError("manifest", f"{folder}: not a {KIND} model of format {FORMAT}")
    if tuple(manifest.get("features", ())) != FEATURE_NAMES:
        raise ConfigError(f"{folder / MANIFEST}: trained on other features than this riskloop computes")
    return manifest


def _booster(folder: Path, manifest: dict[str, Any], name: str) -> NativeBooster:
    expected = manifest.get("files", {}).get(name)
    path = folder / name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataSourceError(f"{path}: missing from the forecast model ({exc.strerror})") from None
    if expected is None or hashlib.sha256(data).hexdigest() != expected:
        raise DataSourceError(f"{path}: sha256 does not match the manifest; refusing to load")
    try:
        booster = NativeBooster(data.decode("utf-8"), name)
    except (ValidationError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not a LightGBM model ({exc})") from None
    if booster.feature_names and booster.feature_names != FEATURE_NAMES:
        raise ConfigError(f"{path}: its features are not the manifest's")
    return booster
