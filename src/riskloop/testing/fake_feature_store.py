"""InMemoryFeatureStore: the FeatureStore port in a dict, for tests and examples."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pyarrow as pa

from riskloop.domain.clock import Clock
from riskloop.features.online import PublishedFeatures, feature_records


class InMemoryFeatureStore:
    """Keeps the latest published features per (feature set, credit code) in memory; behaves like SQLFeatureStore."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._rows: dict[tuple[str, str], PublishedFeatures] = {}

    def publish(self, feature_set: str, as_of: dt.date, rows: pa.Table) -> int:
        """Replace the features of every enterprise in ``rows``; return how many."""
        published_at = self.clock.now()
        records = feature_records(rows)
        for code, values in records:
            self._rows[(feature_set, code)] = PublishedFeatures(code, feature_set, as_of, published_at, dict(values))
        return len(records)

    def lookup(self, feature_set: str, credit_code: str) -> PublishedFeatures | None:
        """The published features of ``credit_code`` under ``feature_set``, or ``None``."""
        return self._rows.get((feature_set, credit_code))

    def lookup_many(self, feature_set: str, credit_codes: Iterable[str]) -> dict[str, PublishedFeatures]:
        """Published features of each of ``credit_codes`` that has any, keyed by credit code."""
        found = ((code, self._rows.get((feature_set, code))) for code in credit_codes)
        return {code: item for code, item in found if item is not None}

    def count(self, feature_set: str) -> int:
        """How many enterprises have features published under ``feature_set``."""
        return sum(1 for fs, _ in self._rows if fs == feature_set)

    def latest_published(self, feature_set: str) -> dt.datetime | None:
        """When features were last published under ``feature_set``, or ``None`` if never."""
        times = [f.published_at for (fs, _), f in self._rows.items() if fs == feature_set]
        return max(times, default=None)
