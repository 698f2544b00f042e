"""A scorecard as a points table: per feature, bin edges and the log-odds (and points) of each bin."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from riskloop.errors import ValidationError
from riskloop.scoring.scaling import Scaling

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class FeatureBins:
    """Bins of one feature: ``(-inf, s0), [s0, s1), ..., [s_k, inf)`` and a last, missing bin.

    ``logits[i]`` is the bin's contribution to the log-odds of bad (coefficient x WOE).
    """

    feature: str
    splits: tuple[float, ...]
    logits: tuple[float, ...]  # len(splits) + 2: the value bins, then the missing bin
    woe: tuple[float, ...]

    def bin_index(self, values: FloatArray) -> npt.NDArray[np.intp]:
        """Bin of each value (the missing bin for NaN)."""
        idx = np.searchsorted(np.asarray(self.splits, dtype=np.float64), values, side="right")
        return np.where(np.isnan(values), len(self.splits) + 1, idx)

    def bin_of(self, value: float) -> int:
        """Bin of one value."""
        return len(self.splits) + 1 if math.isnan(value) else bisect.bisect_right(self.splits, value)

    def label(self, i: int) -> str:
        """Readable interval of bin ``i``."""
        if i == len(self.splits) + 1:
            return "missing"
        lo = "-inf" if i == 0 else f"{self.splits[i - 1]:.6g}"
        hi = "inf" if i == len(self.splits) else f"{self.splits[i]:.6g}"
        return f"[{lo}, {hi})"


@dataclass(frozen=True)
class PointsTable:
    """Log-odds of bad = ``intercept`` + the sum over features of the logit of the row's bin.

    Examples
    --------
    >>> table = PointsTable(-3.0, (FeatureBins("x", (1.0,), (0.0, 0.5, 0.2), (0.0, 1.0, 0.4)),))
    >>> table.logit(np.array([[0.0], [2.0], [np.nan]])).tolist()
    [-3.0, -2.5, -2.8]

    """

    intercept: float
    bins: tuple[FeatureBins, ...]

    @property
    def features(self) -> tuple[str, ...]:
        """Feature names in column order."""
        return tuple(b.feature for b in self.bins)

    def logit(self, matrix: FloatArray) -> FloatArray:
        """Log-odds of bad of each row of ``matrix`` (columns in ``features`` order)."""
        total = np.full(matrix.shape[0], self.intercept, dtype=np.float64)
        for j, b in enumerate(self.bins):  # column by column: the same addition order as ``logit_row``
            total += np.asarray(b.logits, dtype=np.float64)[b.bin_index(matrix[:, j])]
        return total

    def logit_row(self, row: Sequence[float]) -> float:
        """Log-odds of bad of one row; equal bit for bit to ``logit``."""
        total = self.intercept
        for b, value in zip(self.bins, row, strict=True):
            total += b.logits[b.bin_of(value)]
        return total

    def adverse_row(self, row: Sequence[float]) -> list[float]:
        """``adverse`` of one row; equal bit for bit (the same subtraction on the same doubles)."""
        return [b.logits[b.bin_of(v)] - min(b.logits) for b, v in zip(self.bins, row, strict=True)]

    def adverse(self, matrix: FloatArray) -> FloatArray:
        """Per row and feature, how far the row's bin is above the feature's safest bin, in log-odds.

        This is "points below the attribute's maximum" expressed in log-odds; it is never negative.
        """
        out = np.empty(matrix.shape, dtype=np.float64)
        for j, b in enumerate(self.bins):
            logits = np.asarray(b.logits, dtype=np.float64)
            out[:, j] = logits[b.bin_index(matrix[:, j])] - logits.min()
        return out

    def to_json(self, scaling: Scaling) -> dict[str, Any]:
        """The table as plain JSON, with points per bin under ``scaling`` (their sum is the scorecard's points)."""
        return {
            "intercept": self.intercept,
            "base_points": scaling.offset - scaling.factor * self.intercept,
            "scaling": scaling.to_json(),
            "features": [
                {
                    "feature": b.feature,
                    "splits": list(b.splits),
                    "bins": [
                        {
                            "bin": b.label(i),
                            "woe": b.woe[i],
                            "logit": b.logits[i],
                            "points": -scaling.factor * b.logits[i],
                        }
                        for i in range(len(b.logits))
                    ],
                }
                for b in self.bins
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PointsTable:
        """Rebuild a table written by ``to_json``."""
        try:
            bins = tuple(
                FeatureBins(
                    f["feature"],
                    tuple(float(s) for s in f["splits"]),
                    tuple(float(x["logit"]) for x in f["bins"]),
                    tuple(float(x["woe"]) for x in f["bins"]),
                )
                for f in data["features"]
            )
            table = cls(float(data["intercept"]), bins)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError("points table", f"malformed JSON ({exc!r})") from None
        for b in table.bins:
            if len(b.logits) != len(b.splits) + 2 or list(b.splits) != sorted(b.splits):
                raise ValidationError("points table", f"{b.feature}: needs sorted splits and len(splits)+2 bins")
        return table
