"""A feature group: the features of one data source, computed by one point-in-time SQL query.

Every group reads the spine ``spine(application_id, credit_code, as_of)`` and the contract tables, and
returns one row per application. Point-in-time rule: a record is visible only when its dating column
(filing, report, listing, issue date ...) is strictly before ``as_of``; a later record never changes a
feature, and a status that changes later (an enforcement closed after ``as_of``) is read as of ``as_of``.
The SQL is plain DuckDB SQL close to ANSI so that it can be transpiled for other engines.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FeatureGroup:
    """Features of one data source computed by one SQL query over the spine."""

    name: str
    dimension: str
    tables: tuple[str, ...]
    features: tuple[tuple[str, str], ...]  # (feature name, business meaning)
    sql: str

    @property
    def feature_names(self) -> tuple[str, ...]:
        """Names of the features this group yields."""
        return tuple(name for name, _ in self.features)
