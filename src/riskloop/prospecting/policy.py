"""The screening policy: which enterprises are never prospects, and how graph risk discounts the rest.

A bank tunes it, so it is data: a JSON file with a version, registered and released with four eyes like the
registration policy (``service.prospect_policy``); the shipped file is used while none is active.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from riskloop.errors import ValidationError

KIND = "prospect-screening"
SHIPPED = "screening-policy.json"
_TOP = {"kind", "version", "note", "exclusions", "graph_discount", "keep"}
_EXCLUSIONS = {"active_statuses", "pd_ceiling", "min_years", "min_last_12m_sales_yuan", "exclude_gang_members",
               "exclude_dishonest", "exclude_defaulted"}  # fmt: skip
_DISCOUNT = {"related_risk", "propagated_risk", "per_bad_neighbour", "max_bad_neighbours"}


@dataclass(frozen=True)
class ScreeningPolicy:
    """Parsed screening policy (see ``data/screening-policy.json``)."""

    version: str
    active_statuses: tuple[str, ...]
    pd_ceiling: float
    min_years: float
    min_last_12m_sales_yuan: float
    exclude_gang_members: bool
    exclude_dishonest: bool
    exclude_defaulted: bool
    related_risk: float
    propagated_risk: float
    per_bad_neighbour: float
    max_bad_neighbours: int
    keep: int
    sha256: str


def parse_policy(raw: bytes) -> ScreeningPolicy:
    """Validate a policy document; a ValidationError names the key and the problem."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError("policy", f"is not JSON: {exc}") from None
    top = _object(data, "policy", _TOP)
    if top.get("kind") != KIND:
        raise ValidationError("kind", f"must be {KIND!r}")
    version = top.get("version")
    if not isinstance(version, str) or not version.strip() or len(version) > 40:
        raise ValidationError("version", "give a version of 1 to 40 characters")
    ex = _object(top.get("exclusions"), "exclusions", _EXCLUSIONS)
    gd = _object(top.get("graph_discount"), "graph_discount", _DISCOUNT)
    statuses = ex.get("active_statuses")
    if not isinstance(statuses, list) or not statuses or not all(isinstance(s, str) and s for s in statuses):
        raise ValidationError("exclusions.active_statuses", "give a non-empty list of statuses")
    return ScreeningPolicy(
        version=version,
        active_statuses=tuple(statuses),
        pd_ceiling=_number(ex, "exclusions.pd_ceiling", 0.0, 1.0),
        min_years=_number(ex, "exclusions.min_years", 0.0, 100.0),
        min_last_12m_sales_yuan=_number(ex, "exclusions.min_last_12m_sales_yuan", 0.0, 1e12),
        exclude_gang_members=_flag(ex, "exclusions.exclude_gang_members"),
        exclude_dishonest=_flag(ex, "exclusions.exclude_dishonest"),
        exclude_defaulted=_flag(ex, "exclusions.exclude_defaulted"),
        related_risk=_number(gd, "graph_discount.related_risk", 0.0, 1.0),
        propagated_risk=_number(gd, "graph_discount.propagated_risk", 0.0, 1.0),
        per_bad_neighbour=_number(gd, "graph_discount.per_bad_neighbour", 0.0, 1.0),
        max_bad_neighbours=int(_number(gd, "graph_discount.max_bad_neighbours", 0, 1000, integer=True)),
        keep=int(_number(top, "keep", 1, 10_000_000, integer=True)),
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def shipped_policy() -> ScreeningPolicy:
    """The policy shipped with the package."""
    return parse_policy(resources.files("riskloop.prospecting").joinpath("data", SHIPPED).read_bytes())


def _object(value: object, field: str, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError(field, "must be a JSON object")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ValidationError(f"{field}.{unknown[0]}" if field != "policy" else unknown[0], "is not a known key")
    missing = sorted(allowed - set(value) - {"note"})
    if missing:
        raise ValidationError(f"{field}.{missing[0]}" if field != "policy" else missing[0], "is required")
    return value


def _number(data: dict[str, Any], field: str, lo: float, hi: float, *, integer: bool = False) -> float:
    value = data[field.rsplit(".", 1)[-1]]
    ok = isinstance(value, int) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not ok or not lo <= value <= hi:
        kind = "an integer" if integer else "a number"
        raise ValidationError(field, f"must be {kind} from {lo:g} to {hi:g}, got {value!r}")
    return float(value)


def _flag(data: dict[str, Any], field: str) -> bool:
    value = data[field.rsplit(".", 1)[-1]]
    if not isinstance(value, bool):
        raise ValidationError(field, f"must be true or false, got {value!r}")
    return value
