"""Applying the fusion: the stacker's design row, its logistic regression and the calibration to a PD."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from riskloop.errors import ValidationError

FloatArray = npt.NDArray[np.float64]
CALIBRATIONS = ("isotonic", "platt")


@dataclass(frozen=True)
class Fusion:
    """Logistic regression over centred sub-model scores, source flags and direct inputs.

    The design row is, in order: for each sub-model ``has(source) * (score - neutral)`` (a missing source
    contributes its neutral value, i.e. 0 after centring); for each source its 0/1 "has data" flag; for
    each direct input its standardised value (0 when missing), then for each direct input a 0/1 "missing"
    flag.

    Examples
    --------
    >>> f = Fusion(("tax:gbdt",), ("tax",), (-2.0,), ("tax",), (), (), (), -2.5, (1.0, -0.5))
    >>> f.logit(f.design(np.array([[-1.0]]), np.array([[1.0]]), np.zeros((1, 0)))).tolist()
    [-2.0]

    """

    sub_models: tuple[str, ...]
    sub_sources: tuple[str, ...]
    neutral: tuple[float, ...]
    sources: tuple[str, ...]
    direct: tuple[str, ...]
    direct_mean: tuple[float, ...]
    direct_scale: tuple[float, ...]
    intercept: float
    coef: tuple[float, ...]
    # The stacker's coefficients when the score is one sub-model alone (``coef`` all 0 but its own): reasons
    # still weigh every sub-model's attributions by them. Empty: reasons use ``coef``.
    reason_coef: tuple[float, ...] = ()

    @property
    def explaining(self) -> tuple[float, ...]:
        """Coefficients that weigh the attributions behind reasons."""
        return self.reason_coef or self.coef

    @property
    def inputs(self) -> tuple[str, ...]:
        """Names of the design columns, in order."""
        return (
            self.sub_models
            + tuple(f"has:{s}" for s in self.sources)
            + tuple(f"direct:{d}" for d in self.direct)
            + tuple(f"missing:{d}" for d in self.direct)
        )

    def weight(self, sub_model: str) -> float:
        """Fusion coefficient of one sub-model's score."""
        return self.coef[self.sub_models.index(sub_model)]

    def design(self, sub_scores: FloatArray, has: FloatArray, direct: FloatArray) -> FloatArray:
        """Design matrix from sub-scores (rows x sub-models), has-flags (rows x sources) and raw direct inputs."""
        source_col = [self.sources.index(s) for s in self.sub_sources]
        centred = np.where(has[:, source_col] > 0, sub_scores - np.asarray(self.neutral), 0.0)
        missing = np.isnan(direct)
        scaled = np.where(missing, 0.0, (direct - np.asarray(self.direct_mean)) / np.asarray(self.direct_scale))
        return np.hstack([centred, has, scaled, missing.astype(np.float64)])

    def logit(self, design: FloatArray) -> FloatArray:
        """Stacker log-odds of bad; a running sum over columns so that one row and a batch agree bit for bit."""
        if design.shape[1] != len(self.coef):
            raise ValidationError("fusion", f"design has {design.shape[1]} columns, coefficients {len(self.coef)}")
        total = np.full(design.shape[0], self.intercept, dtype=np.float64)
        for j, c in enumerate(self.coef):
            total += c * design[:, j]
        return total

    def to_json(self) -> dict[str, Any]:
        """Plain JSON: named coefficients, neutral values and the standardisation of direct inputs."""
        reasons = (
            {"reason_coefficients": dict(zip(self.inputs, self.reason_coef, strict=True))} if self.reason_coef else {}
        )
        return {
            **reasons,
            "intercept": self.intercept,
            "coefficients": dict(zip(self.inputs, self.coef, strict=True)),
            "sub_models": [
                {"name": m, "source": s, "neutral": n}
                for m, s, n in zip(self.sub_models, self.sub_sources, self.neutral, strict=True)
            ],
            "sources": list(self.sources),
            "direct": [
                {"column": d, "mean": m, "scale": s}
                for d, m, s in zip(self.direct, self.direct_mean, self.direct_scale, strict=True)
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fusion:
        """Rebuild from ``to_json`` output."""
        subs, direct = data["sub_models"], data["direct"]
        fusion = cls(
            tuple(m["name"] for m in subs),
            tuple(m["source"] for m in subs),
            tuple(float(m["neutral"]) for m in subs),
            tuple(data["sources"]),
            tuple(d["column"] for d in direct),
            tuple(float(d["mean"]) for d in direct),
            tuple(float(d["scale"]) for d in direct),
            float(data["intercept"]),
            (),
        )
        named = {"coef": data["coefficients"], "reason_coef": data.get("reason_coefficients") or {}}
        values: dict[str, tuple[float, ...]] = {}
        for field, coefficients in named.items():
            if coefficients and set(coefficients) != set(fusion.inputs):
                raise ValidationError("fusion", f"{field} {sorted(coefficients)} do not match inputs {fusion.inputs}")
            values[field] = tuple(float(coefficients[name]) for name in fusion.inputs) if coefficients else ()
        if not values["coef"] and fusion.inputs:
            raise ValidationError("fusion", f"no coefficients for inputs {fusion.inputs}")
        return cls(**{**fusion.__dict__, **values})


@dataclass(frozen=True)
class Calibrator:
    """Maps the stacker's log-odds to a PD: isotonic (piecewise linear through knots) or Platt (logistic).

    Examples
    --------
    >>> Calibrator("platt", slope=1.0, intercept=0.0).apply(np.array([0.0])).tolist()
    [0.5]

    """

    method: str
    knots_x: tuple[float, ...] = ()
    knots_y: tuple[float, ...] = ()
    slope: float = 1.0
    intercept: float = 0.0

    def __post_init__(self) -> None:
        if self.method not in CALIBRATIONS:
            raise ValidationError("calibration", f"unknown method {self.method!r}; valid: {', '.join(CALIBRATIONS)}")
        if self.method == "isotonic" and (not self.knots_x or len(self.knots_x) != len(self.knots_y)):
            raise ValidationError("calibration", "isotonic calibration needs knots_x and knots_y of equal length")

    def apply(self, logit: FloatArray) -> FloatArray:
        """PD of each stacker log-odds (isotonic clips outside the knots, as scikit-learn does)."""
        if self.method == "isotonic":
            return np.asarray(np.interp(logit, np.asarray(self.knots_x), np.asarray(self.knots_y)), dtype=np.float64)
        return np.asarray(1.0 / (1.0 + np.exp(-(self.slope * logit + self.intercept))), dtype=np.float64)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON."""
        if self.method == "isotonic":
            return {"method": self.method, "knots_x": list(self.knots_x), "knots_y": list(self.knots_y)}
        return {"method": self.method, "slope": self.slope, "intercept": self.intercept}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calibrator:
        """Rebuild from ``to_json`` output."""
        return cls(
            str(data["method"]),
            tuple(float(x) for x in data.get("knots_x", ())),
            tuple(float(y) for y in data.get("knots_y", ())),
            float(data.get("slope", 1.0)),
            float(data.get("intercept", 0.0)),
        )
