"""The FeatureEngine port: compute feature groups for a spine of applications as of their dates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import pyarrow as pa

from riskloop.features.spec import FeatureGroup

SPINE_SCHEMA = pa.schema([("application_id", pa.string()), ("credit_code", pa.string()), ("as_of", pa.date32())])


def availability_column(group: FeatureGroup) -> str:
    """Name of the 0/1 column telling whether a group's source was available for the run."""
    return f"avail_{group.name}"


class FeatureEngine(Protocol):
    """Computes point-in-time features; every backend passes the same conformance tests."""

    def compute(self, spine: pa.Table, groups: Sequence[FeatureGroup]) -> pa.Table:
        """Return one row per spine row (same order): ``application_id``, each group's features, availability.

        A group whose source tables are missing yields empty features and ``avail_<group> = 0`` instead
        of failing, so callers can refer such applications to review rather than decide without the data.
        """
        ...
