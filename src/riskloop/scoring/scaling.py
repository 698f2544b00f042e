"""Score scaling: PD to points, with base points at base odds and points to double the odds (PDO)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
PD_FLOOR = 1e-6  # an isotonic PD of exactly 0 or 1 would be an infinite number of points


@dataclass(frozen=True)
class Scaling:
    """Points = offset + factor * ln(good:bad odds), so that doubling the odds adds ``pdo`` points.

    Examples
    --------
    >>> s = Scaling(600.0, 50.0, 40.0)
    >>> round(float(s.points_from_logit(np.array([-math.log(50.0)]))[0]), 6)
    600.0
    >>> round(float(s.points_from_logit(np.array([-math.log(100.0)]))[0]), 6)
    640.0

    """

    base_points: float = 600.0
    base_odds: float = 50.0
    pdo: float = 40.0

    @property
    def factor(self) -> float:
        """Points per unit of log-odds."""
        return self.pdo / math.log(2.0)

    @property
    def offset(self) -> float:
        """Points at even odds."""
        return self.base_points - self.factor * math.log(self.base_odds)

    def points_from_logit(self, logit_bad: FloatArray) -> FloatArray:
        """Points of log-odds of bad ``logit_bad`` (higher points = safer)."""
        return np.asarray(self.offset - self.factor * logit_bad, dtype=np.float64)

    def points_from_pd(self, pd: FloatArray) -> FloatArray:
        """Points of probabilities of default, clipped to ``[PD_FLOOR, 1 - PD_FLOOR]``."""
        p = np.clip(pd, PD_FLOOR, 1.0 - PD_FLOOR)
        return self.points_from_logit(np.log(p) - np.log1p(-p))

    def to_json(self) -> dict[str, float]:
        """Plain dict for the bundle."""
        return {"base_points": self.base_points, "base_odds": self.base_odds, "pdo": self.pdo}
