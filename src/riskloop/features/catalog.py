"""The registered feature groups; adding a source is one entry here."""

from __future__ import annotations

from riskloop.features.firm import FINANCIAL, GOVERNMENT, REGISTRATION
from riskloop.features.risk import APPLICATION, RISK
from riskloop.features.spec import FeatureGroup
from riskloop.features.tax import INVOICES, TAX
from riskloop.features.text import TEXT_TAGS

GROUPS: tuple[FeatureGroup, ...] = (REGISTRATION, FINANCIAL, GOVERNMENT, TAX, INVOICES, RISK, TEXT_TAGS, APPLICATION)
GROUPS_BY_NAME: dict[str, FeatureGroup] = {g.name: g for g in GROUPS}


def groups_of_dimension(dimension: str) -> tuple[FeatureGroup, ...]:
    """Feature groups fed by one data dimension of the product (registration, financial, ...)."""
    return tuple(g for g in GROUPS if g.dimension == dimension)
