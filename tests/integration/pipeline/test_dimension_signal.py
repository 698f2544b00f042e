"""Each data dimension carries signal about default, and none alone gives the answer away.

Features come from the product's own point-in-time feature layer; the label is the universe's ground truth.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from riskloop.features.backends.duckdb import DuckDBFeatureEngine
from riskloop.features.catalog import GROUPS, groups_of_dimension
from riskloop.features.spine import application_spine
from riskloop.synth.params import UniverseParams
from riskloop.synth.universe import generate_universe

DIMENSIONS = ("registration", "financial", "government", "tax", "risk")


@pytest.fixture(scope="module")
def universe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("universe")
    generate_universe(UniverseParams(enterprises=25_000, seed=11), out, workers=1)
    return out


@pytest.fixture(scope="module")
def joined(universe: Path) -> pd.DataFrame:
    """Every feature group of every application (a group's features never depend on another's), with its label."""
    tables = universe / "tables"
    frame = DuckDBFeatureEngine(tables, threads=1).compute(application_spine(tables), GROUPS).to_pandas()
    truth = pq.read_table(universe / "truth" / "applications.parquet").to_pandas()
    return frame.merge(truth[["application_id", "defaulted"]], on="application_id", validate="one_to_one")


@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_single_dimension_beats_random_but_not_oracle(joined: pd.DataFrame, dimension: str) -> None:
    names = [n for g in groups_of_dimension(dimension) for n in g.feature_names]
    names = [n for n in names if joined[n].notna().any()]  # text tags exist only once `riskloop text tag` ran
    x = joined[names].to_numpy(dtype=np.float64, na_value=np.nan)
    y = joined["defaulted"].astype(int).to_numpy()
    model = HistGradientBoostingClassifier(max_iter=80, learning_rate=0.08, max_leaf_nodes=15, random_state=0)
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    scores = cross_val_predict(model, x, y, cv=folds, method="predict_proba")[:, 1]
    auc = roc_auc_score(y, scores)
    print(f"{dimension}: AUC {auc:.3f}")
    assert 0.55 < auc < 0.9, f"{dimension}: AUC {auc:.3f}"


def test_no_single_field_gives_the_answer_away(joined: pd.DataFrame) -> None:
    y = joined["defaulted"].astype(int).to_numpy()
    strongest = {}
    for name in (n for g in GROUPS for n in g.feature_names):
        values = joined[name].to_numpy(dtype=np.float64, na_value=np.nan)
        filled = np.where(np.isnan(values), np.nanmedian(values) if np.isfinite(values).any() else 0.0, values)
        auc = roc_auc_score(y, filled)
        strongest[name] = max(auc, 1 - auc)
    best = max(strongest, key=strongest.__getitem__)
    assert strongest[best] < 0.8, f"{best} alone reaches AUC {strongest[best]:.3f}"
    assert sum(a > 0.55 for a in strongest.values()) >= 8  # signal is spread over many fields
