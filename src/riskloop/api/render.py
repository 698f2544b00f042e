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
