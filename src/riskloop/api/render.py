"""Response bodies rendered once as bytes: what POST returns is stored and returned again on a retry."""

from __future__ import annotations

import json
from typing import Any

from riskloop.domain.decision import Decision


def decision_body(decision_id: str, decision: Decision, status: str, *, trace: bool = False, **extra: Any) -> bytes:
    """The JSON of a decision (``DecisionOut``), keys sorted, UTF-8."""
    data = decision.to_dict()
    if not trace:
        data.pop("trace")
    data.update(decision_id=decision_id, status=status, **extra)
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def posted_body(decision_id: str, decision: Decision) -> bytes:
    """What ``POST /v1/applications`` returns for a new decision (in review until a human closes it, else final)."""
    status = "in_review" if decision.tier.needs_human else "final"
    outcome = None if decision.tier.needs_human else ("approved" if decision.tier.approves else "declined")
    return decision_body(decision_id, decision, status, final_outcome=outcome)
