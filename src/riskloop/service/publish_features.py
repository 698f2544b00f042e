"""Publish the enterprise-level features of every enterprise, as of one date, for online lookup."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from riskloop.features.engine import FeatureEngine
from riskloop.features.online import FeatureStore
from riskloop.features.publish import ENTERPRISE_FEATURE_SET, ENTERPRISE_GROUPS, enterprise_spine, publishable
from riskloop.service.ports import Progress, no_progress


@dataclass(frozen=True)
class PublishResult:
    """What a publish run wrote."""

    feature_set: str
    as_of: dt.date
    enterprises: int

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields (``as_of`` as ISO text)."""
        return {**asdict(self), "as_of": self.as_of.isoformat()}


def publish_features(
    engine: FeatureEngine, store: FeatureStore, root: Path, as_of: dt.date, progress: Progress = no_progress
) -> PublishResult:
    """Compute ``ENTERPRISE_GROUPS`` for every enterprise under ``root`` as of ``as_of`` and publish them.

    Parameters
    ----------
    engine : FeatureEngine
        Computes the features (DuckDB or Spark; both give the same values).
    store : FeatureStore
        Where the values are published, under ``ENTERPRISE_FEATURE_SET``.
    root : Path
        The warehouse (Parquet tables) to read.
    as_of : datetime.date
        Only records dated before this day are used.
    progress : Progress
        Receives the stages ``spine``, ``compute`` and ``publish``.

    Returns
    -------
    PublishResult
        The feature-set version, the date and the number of enterprises published.

    """
    progress("spine", 0, 1)
    spine = enterprise_spine(root, as_of)
    progress("compute", 0, spine.num_rows)
    features = engine.compute(spine, ENTERPRISE_GROUPS)
    progress("publish", 0, features.num_rows)
    written = store.publish(ENTERPRISE_FEATURE_SET, as_of, publishable(features))
    progress("publish", written, features.num_rows)
    return PublishResult(feature_set=ENTERPRISE_FEATURE_SET, as_of=as_of, enterprises=written)
