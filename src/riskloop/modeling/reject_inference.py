"""Reject inference: give the applications without an outcome (rejected, undrawn) a place in training.

Outcomes exist only for funded loans, so a model fitted on them learns the risk of the population the
old policy approved, not of everyone who applies. Two standard remedies, both pure functions over arrays:

* **fuzzy augmentation** (``fuzzy_augment``): every application without an outcome enters twice, as bad
  with weight ``p`` and as good with weight ``1 - p``, ``p`` being the known-good-bad model's PD;
* **parcelling** (``parcel``): applications without an outcome are banded by that PD and drawn bad at
  their band's observed bad rate (times ``factor``, as rejects are usually worse than the approved of the
  same score), seeded.

The caller fits the known-good-bad model, scores the unknowns and refits on the augmented sample
(``service.train`` with ``--reject-inference fuzzy``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from riskloop.errors import ValidationError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
METHODS = ("none", "fuzzy", "parcel")


@dataclass(frozen=True)
class Augmented:
    """A training sample over the rows ``[known..., unknown...]``: which row, its label, weight and group.

    ``row`` indexes the known rows first (0 .. n_known - 1), then the unknown ones; ``group`` is the
    application (both copies of a fuzzy-augmented application share it, so cross-validation keeps them
    in the same fold).
    """

    row: IntArray
    y: IntArray
    weight: FloatArray
    group: IntArray

    def __post_init__(self) -> None:
        sizes = {self.row.size, self.y.size, self.weight.size, self.group.size}
        if len(sizes) != 1:
            raise ValidationError("augmented", f"row, y, weight and group differ in length: {sorted(sizes)}")


def _checked(y_known: npt.ArrayLike, p_unknown: npt.ArrayLike) -> tuple[IntArray, FloatArray]:
    y = np.asarray(y_known, dtype=np.int64)
    p = np.asarray(p_unknown, dtype=np.float64)
    if y.ndim != 1 or not np.isin(y, (0, 1)).all():
        raise ValidationError("y_known", "needs a 1-d array of 0 or 1")
    if p.ndim != 1 or not np.all((p >= 0.0) & (p <= 1.0)):
        raise ValidationError("p_unknown", "needs a 1-d array of probabilities in [0, 1]")
    return y, p


def fuzzy_augment(y_known: npt.ArrayLike, p_unknown: npt.ArrayLike, *, unknown_weight: float = 1.0) -> Augmented:
    """Known rows once (weight 1); each unknown row twice: bad with weight ``p``, good with ``1 - p``.

    ``unknown_weight`` scales the unknowns' total weight (1: each counts as one application).

    Examples
    --------
    >>> a = fuzzy_augment([0, 1], [0.25])
    >>> a.row.tolist(), a.y.tolist(), a.weight.tolist(), a.group.tolist()
    ([0, 1, 2, 2], [0, 1, 1, 0], [1.0, 1.0, 0.25, 0.75], [0, 1, 2, 2])

    """
    y, p = _checked(y_known, p_unknown)
    if not unknown_weight > 0:
        raise ValidationError("unknown_weight", f"{unknown_weight}: must be positive")
    n, m = y.size, p.size
    unknown = np.arange(n, n + m, dtype=np.int64)
    row = np.concatenate([np.arange(n, dtype=np.int64), np.repeat(unknown, 2)])
    labels = np.concatenate([y, np.tile(np.array([1, 0], dtype=np.int64), m)])
    weight = np.concatenate([np.ones(n), unknown_weight * np.column_stack([p, 1.0 - p]).ravel()])
    return Augmented(row, labels, weight, row.copy())


def parcel(
    p_known: npt.ArrayLike,
    y_known: npt.ArrayLike,
    p_unknown: npt.ArrayLike,
    *,
    bands: int = 10,
    factor: float = 1.0,
    seed: int = 0,
) -> Augmented:
    """Known rows as they are; each unknown row once, drawn bad at its PD band's known bad rate x ``factor``.

    Bands are equal-count bands of the known rows' PD; an unknown row falls in the band of its own PD.

    Examples
    --------
    >>> a = parcel([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1], [0.05, 0.95], bands=2)
    >>> a.y.tolist(), a.weight.tolist()
    ([0, 0, 1, 1, 0, 1], [1.0, 1.0, 1.0, 1.0, 1.0, 1.0])

    """
    y, p = _checked(y_known, p_unknown)
    known = np.asarray(p_known, dtype=np.float64)
    if known.shape != y.shape or y.size == 0:
        raise ValidationError("p_known", f"needs one PD per known row ({y.size}), got shape {known.shape}")
    if bands < 1 or factor < 0:
        raise ValidationError("bands", f"bands {bands} must be >= 1 and factor {factor} >= 0")
    edges = np.unique(np.quantile(known, np.linspace(0.0, 1.0, bands + 1)[1:-1]))
    band_known, band_unknown = np.searchsorted(edges, known, "right"), np.searchsorted(edges, p, "right")
    rate = np.bincount(band_known, weights=y, minlength=edges.size + 1) / np.maximum(
        np.bincount(band_known, minlength=edges.size + 1), 1
    )
    drawn = np.random.default_rng(seed).random(p.size) < np.clip(rate[band_unknown] * factor, 0.0, 1.0)
    n = y.size
    row = np.arange(n + p.size, dtype=np.int64)
    return Augmented(row, np.concatenate([y, drawn.astype(np.int64)]), np.ones(row.size), row.copy())
