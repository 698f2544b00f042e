"""Credit products a bank offers: the offer a prospect gets (the catalogue itself is parsed here too)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class ProductOffer:
    """The product that fits a prospect and its indicative terms, from one catalogue version."""

    code: str
    name_zh: str
    name_en: str
    limit_cents: int
    tenor_months: int
    rate_low: float  # annual %, the band's floor
    rate_high: float
    catalogue: str  # "products@<version>"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return asdict(self)
