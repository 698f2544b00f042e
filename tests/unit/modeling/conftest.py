"""A small synthetic credit table with three sources, known signal and missing values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskloop.modeling.sources import SourceSpec


def toy_frame(rows: int = 3000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    quality = rng.normal(size=rows)
    frame = pd.DataFrame(
        {
            "a_age": quality + rng.normal(size=rows),
            "a_size": rng.normal(size=rows),
            "b_debt": -quality + rng.normal(size=rows),
            "b_margin": np.where(rng.random(rows) < 0.2, np.nan, quality + rng.normal(size=rows)),
            "c_cases": rng.poisson(np.exp(-1.0 - quality)).astype(float),
            "bureau": 600 + 40 * quality + 40 * rng.normal(size=rows),
        }
    )
    frame["avail_b"] = 1
    frame.loc[rng.random(rows) < 0.15, ["b_debt", "b_margin"]] = np.nan  # no statements for some firms
    y = (rng.random(rows) < 1 / (1 + np.exp(2.5 + 1.2 * quality))).astype(int)
    return frame, y


SOURCES = (
    SourceSpec("a", ("a_age", "a_size"), {"a_age": -1}),
    SourceSpec("b", ("b_debt", "b_margin"), {"b_debt": 1, "b_margin": -1}),
    SourceSpec("c", ("c_cases",), {"c_cases": 1}),
)


@pytest.fixture(scope="module")
def toy() -> tuple[pd.DataFrame, np.ndarray]:
    return toy_frame()


@pytest.fixture(scope="module")
def sources() -> tuple[SourceSpec, ...]:
    return SOURCES
