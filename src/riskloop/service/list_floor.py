"""The bank's lists in a decision: a grey-listed identifier, or lists that could not be read, never approve.

A black-listed identifier reaches the strategy as ``risk.blacklisted`` (its decline rule gives BLACKLIST). A
white-listed one changes nothing here: the white list is not an approval override (ADR 0032).
"""

from __future__ import annotations

from typing import Any

from riskloop.domain.decision import Tier
from riskloop.domain.lists import ListHits

LIST_GREY = "LIST_GREY"
LIST_UNAVAILABLE = "LIST_UNAVAILABLE"
_DECLINES = (Tier.SUGGEST_REJECT, Tier.AUTO_REJECT)


def list_floor(
    hits: ListHits | None, failures: tuple[tuple[str, str], ...], tier: Tier, codes: list[str], notes: dict[str, Any]
) -> tuple[Tier, list[str]]:
    """Refer an approval when an identifier is grey-listed or the lists failed; a decline stays a decline."""
    if hits is not None and not hits.empty:
        notes["lists"] = hits.to_dict()  # which fields matched which entries: the reviewer's evidence
    if any(source == "lists" for source, _ in failures):
        code, why = LIST_UNAVAILABLE, "the lists could not be read"
    elif hits is not None and hits.grey and not hits.black:
        code, why = LIST_GREY, f"grey-listed: {', '.join(hits.grey)}"
    else:
        return tier, codes
    if tier in _DECLINES:
        return tier, codes
    if tier.approves:
        notes["list_floor"] = f"{tier.value} referred: {why}"
        tier = Tier.MANUAL_REVIEW
    return tier, [code, *(c for c in codes if c != code)]
