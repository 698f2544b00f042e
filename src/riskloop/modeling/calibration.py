"""Fitting the calibration of the stacker's out-of-fold log-odds to PDs: isotonic or Platt."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from riskloop.errors import ConfigError
from riskloop.scoring.fusion import CALIBRATIONS, Calibrator


def fit_calibrator(
    method: str, logit: npt.ArrayLike, y: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
) -> Calibrator:
    """Fit a calibrator mapping stacker log-odds to the observed bad rate.

    Fit it on out-of-fold log-odds: in-sample ones are over-confident and would be calibrated too wide.

    Examples
    --------
    >>> cal = fit_calibrator("platt", [-3.0, -1.0, 0.5, 2.0], [0, 0, 1, 1])
    >>> 0.0 < cal.apply(np.array([0.0]))[0] < 1.0
    True

    """
    x, labels = np.asarray(logit, dtype=np.float64), np.asarray(y, dtype=np.float64)
    w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if method == "isotonic":
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(x, labels, sample_weight=w)
        return Calibrator(
            "isotonic",
            tuple(float(v) for v in iso.X_thresholds_),
            tuple(float(v) for v in iso.y_thresholds_),
        )
    if method == "platt":
        reg = LogisticRegression(C=1e6, max_iter=1000).fit(
            x[:, None], labels, sample_weight=w
        )  # ~unpenalised: 2 parameters
        return Calibrator("platt", slope=float(reg.coef_[0, 0]), intercept=float(reg.intercept_[0]))
    raise ConfigError(f"calibration {method!r}: unknown; valid: {', '.join(CALIBRATIONS)}")
