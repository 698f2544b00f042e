"""Out-of-time splits by date: the latest days, never a day cut in two, a stratified in-time test part."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskloop.errors import ValidationError
from riskloop.modeling.splits import time_split


def test_latest_share_is_out_of_time_and_parts_partition_rows() -> None:
    rng = np.random.default_rng(0)
    dates = pd.Series(pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 365, 2000), unit="D"))
    y = (rng.random(2000) < 0.1).astype(int)
    split = time_split(dates, y, seed=3)
    all_rows = np.concatenate([split.train, split.test, split.oot])
    assert sorted(all_rows.tolist()) == list(range(2000))
    assert 0.13 < len(split.oot) / 2000 < 0.17
    assert dates.iloc[split.oot].min() > dates.iloc[np.concatenate([split.train, split.test])].max()
    assert str(dates.iloc[split.oot].min().date()) == split.oot_from
    assert y[split.test].mean() == pytest.approx(y[np.concatenate([split.train, split.test])].mean(), abs=0.01)
    again = time_split(dates, y, seed=3)
    assert np.array_equal(split.test, again.test)


def test_needs_two_days() -> None:
    with pytest.raises(ValidationError, match="two days"):
        time_split(pd.Series(pd.to_datetime(["2024-01-01"] * 3)), [0, 1, 0])
