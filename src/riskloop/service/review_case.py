"""ReviewCase: one review's case view in one read, for the reviewer's console.

The review (status, tier, age, lease, history) with the decision it is about: outcome, tier, limit, rate, reasons
in Chinese and English, the rule trace, and the data the decision stored, grouped by data dimension. The
applicant's identifiers are sealed in the stored inputs and left out here: the reviewer reads them masked, and
audited, through ``GET /v1/decisions/{id}/identifiers``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from riskloop.domain.access import Principal
from riskloop.domain.audit import AuditEntry
from riskloop.domain.decision_record import StoredDecision
from riskloop.features.publish import ENTERPRISE_GROUPS
from riskloop.privacy.fields import REQUEST_FIELDS
from riskloop.service.ports import DecisionStore
from riskloop.service.reviews import ReviewDesk


class ReviewCase:
    """The case view of a review: the review desk's item and history, the stored decision and its data."""

    def __init__(self, desk: ReviewDesk, decisions: DecisionStore) -> None:
        self.desk, self.decisions = desk, decisions

    def view(self, principal: Principal, decision_id: str) -> dict[str, Any]:
        """The review of ``decision_id`` (reviewers and auditors), its history, its decision and stored data."""
        item = self.desk.get(principal, decision_id)  # the role check and the 404 of a decision never queued
        history = self.desk.history(principal, decision_id)
        stored = self.decisions.get(decision_id)
        return {
            "review": {**item.to_dict(), "history": [history_row(e) for e in history]},
            "decision": decision_view(stored),
            "data": data_view(stored.inputs),
        }


def history_row(entry: AuditEntry) -> dict[str, Any]:
    """One audit row as the case's history shows it."""
    return {"at": entry.at.isoformat(), "actor": entry.actor, "action": entry.action, "detail": dict(entry.detail)}


def decision_view(stored: StoredDecision) -> dict[str, Any]:
    """The stored decision: outcome, tier, limit, rate, reasons (zh and en), rule trace, versions."""
    return {
        "decision_id": stored.decision_id,
        "status": stored.status,
        "final_outcome": stored.final_outcome,
        "strategy": stored.strategy,
        **stored.decision.to_dict(),
    }


def data_view(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The stored inputs without the applicant's identifiers, features grouped by data dimension."""
    request = {k: v for k, v in (inputs.get("request") or {}).items() if k not in REQUEST_FIELDS}
    features = inputs.get("features")
    values: Mapping[str, Any] = {} if features is None else features.get("values", {})
    return {
        "application": request,
        "profile": inputs.get("profile"),
        "features_as_of": None if features is None else features.get("as_of"),
        "dimensions": dimensions(values),
        "graph": inputs.get("graph"),
        "lists": inputs.get("lists"),
        "failures": [{"source": s, "detail": d} for s, d in inputs.get("failures", [])],
    }


def dimensions(values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Feature values by data dimension (the published groups), each with its business meaning."""
    out = []
    for group in ENTERPRISE_GROUPS:
        shown = [{"name": n, "meaning": m, "value": values.get(n)} for n, m in group.features]
        available = values.get(f"avail_{group.name}")
        out.append({"dimension": group.dimension, "group": group.name, "available": available, "features": shown})
    return out
