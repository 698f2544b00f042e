"""Online lookup of the latest published features: the FeatureStore port, its record type, and the feature-set version.

Batch runs publish one row of enterprise-level features per credit code; the decision path reads it back with a
single primary-key lookup. Values are stored by name as JSON numbers or ``null`` (a missing value, NaN included),
and under a *feature set*: a version derived from the feature definitions, so that a lookup never mixes values
computed by two different definitions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import pyarrow as pa

from riskloop.errors import ValidationError
from riskloop.features.spec import FeatureGroup

FeatureValue = int | float | None
KEY_COLUMN = "credit_code"


@dataclass(frozen=True)
class PublishedFeatures:
    """The features of one enterprise as last published under one feature set."""

    credit_code: str
    feature_set: str
    as_of: dt.date
    published_at: dt.datetime
    values: Mapping[str, FeatureValue]


class FeatureStore(Protocol):
    """Keeps the latest published features per (credit code, feature set); every backend passes one test suite."""

    def publish(self, feature_set: str, as_of: dt.date, rows: pa.Table) -> int:
        """Store one row per enterprise (``credit_code`` plus feature columns), replacing earlier values.

        Returns the number of enterprises written.
        """
        ...

    def lookup(self, feature_set: str, credit_code: str) -> PublishedFeatures | None:
        """The latest published features of ``credit_code`` under ``feature_set``, or ``None``."""
        ...

    def lookup_many(self, feature_set: str, credit_codes: Iterable[str]) -> dict[str, PublishedFeatures]:
        """Published features of each of ``credit_codes`` that has any, keyed by credit code."""
        ...

    def count(self, feature_set: str) -> int:
        """How many enterprises have features published under ``feature_set``."""
        ...


def feature_set_version(groups: Sequence[FeatureGroup]) -> str:
    """A 12-hex-digit version of ``groups``: changes whenever a name, a feature or the SQL of any group changes.

    Examples
    --------
    >>> from riskloop.features.catalog import GROUPS
    >>> v = feature_set_version(GROUPS[:2])
    >>> len(v), v == feature_set_version(GROUPS[:2]), v == feature_set_version(GROUPS[:3])
    (12, True, False)

    """
    digest = hashlib.sha256()
    for group in groups:
        for part in (group.name, *group.feature_names, group.sql):
            digest.update(part.encode("utf-8"))
            digest.update(b"\x00")
    return digest.hexdigest()[:12]


def clean_value(value: object) -> FeatureValue:
    """A feature value as stored: ints stay ints, finite floats stay floats, NaN/inf/None become ``None``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    raise ValidationError("feature value", f"{value!r} is not a number")


def feature_records(rows: pa.Table) -> list[tuple[str, dict[str, FeatureValue]]]:
    """Split a publishable table into ``(credit_code, {feature: value})`` pairs, values cleaned for storage."""
    if KEY_COLUMN not in rows.column_names:
        raise ValidationError("rows", f"no {KEY_COLUMN!r} column")
    names = [n for n in rows.column_names if n != KEY_COLUMN]
    out: list[tuple[str, dict[str, FeatureValue]]] = []
    for record in rows.to_pylist():
        code = record[KEY_COLUMN]
        if not isinstance(code, str) or not code:
            raise ValidationError(KEY_COLUMN, f"{code!r} is not a credit code")
        out.append((code, {name: clean_value(record[name]) for name in names}))
    return out
