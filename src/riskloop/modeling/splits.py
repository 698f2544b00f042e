"""Train / test / out-of-time splits of applications by date, seeded and reproducible."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from riskloop.errors import ValidationError

IntArray = npt.NDArray[np.intp]
OOT_SHARE = 0.15
TEST_SHARE = 0.2


@dataclass(frozen=True)
class Split:
    """Row positions of each part; ``oot_from`` is the first date of the out-of-time part."""

    train: IntArray
    test: IntArray
    oot: IntArray
    oot_from: str

    def parts(self) -> dict[str, IntArray]:
        """The three parts by name, in order."""
        return {"train": self.train, "test": self.test, "oot": self.oot}


def time_split(
    dates: pd.Series,
    y: npt.ArrayLike,
    oot_share: float = OOT_SHARE,
    test_share: float = TEST_SHARE,
    seed: int = 0,
) -> Split:
    """Split rows: the latest ~``oot_share`` by date are out-of-time, the rest train / test stratified at random.

    The out-of-time part starts at the first date at which the cumulative share of rows (oldest first)
    exceeds ``1 - oot_share``, so a day is never split between parts. Of the earlier rows, ``test_share`` of the
    goods and of the bads (rounded) form the in-time test part, drawn with ``numpy.random.default_rng(seed)``.

    Examples
    --------
    >>> days = pd.Series(pd.to_datetime([f"2024-01-{d:02d}" for d in range(1, 21)]))
    >>> s = time_split(days, [0, 1] * 10)
    >>> len(s.train), len(s.test), len(s.oot), s.oot_from
    (13, 4, 3, '2024-01-18')

    """
    labels = np.asarray(y, dtype=np.int64)
    when = pd.to_datetime(dates).dt.normalize().to_numpy()
    if len(when) != len(labels):
        raise ValidationError("dates", f"{len(when)} dates for {len(labels)} labels")
    if not 0 < oot_share < 1 or not 0 < test_share < 1:
        raise ValidationError("share", f"oot_share {oot_share} and test_share {test_share} must be in (0, 1)")
    days, counts = np.unique(when, return_counts=True)
    if len(days) < 2:
        raise ValidationError("dates", "an out-of-time split needs applications on at least two days")
    share = np.cumsum(counts) / counts.sum()
    first_oot = int(np.clip(np.searchsorted(share, 1 - oot_share + 1e-12, side="right"), 1, len(days) - 1))
    cut = days[first_oot]
    oot = np.flatnonzero(when >= cut)
    early = np.flatnonzero(when < cut)
    rng = np.random.default_rng(seed)
    test = []
    for value in (0, 1):
        members = early[labels[early] == value]
        take = round(len(members) * test_share)
        test.append(rng.choice(members, size=take, replace=False) if take else members[:0])
    test_rows = np.sort(np.concatenate(test)).astype(np.intp)
    train = np.setdiff1d(early, test_rows).astype(np.intp)
    return Split(train, test_rows, oot.astype(np.intp), str(pd.Timestamp(cut).date()))
