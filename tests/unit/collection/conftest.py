"""Fixtures of the collection tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from collection_logs import logged_uniform


@pytest.fixture(scope="module")
def segment_log() -> pd.DataFrame:
    return logged_uniform(8_000, np.random.default_rng(7))
