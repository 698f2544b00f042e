"""Replay: re-run a stored decision from its stored inputs, strategy version and time; compare field by field."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from riskloop.domain.decision_record import StoredDecision
from riskloop.service.decide import Decider, DecisionInputs


@dataclass(frozen=True)
class Replayed:
    """The outcome of one replay: identical, or the fields that differ."""

    decision_id: str
    identical: bool
    differences: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return {"decision_id": self.decision_id, "identical": self.identical, "differences": list(self.differences)}


def replay(stored: StoredDecision, decider: Decider) -> Replayed:
    """Decide ``stored``'s inputs again with its strategy at its decision time, with ``decider``'s model.

    A model other than the one recorded is reported as a difference of ``versions``.
    """
    inputs = DecisionInputs.from_dict(stored.inputs)
    again = decider.decide_inputs(inputs, stored.decision.decided_at, stored.strategy).decision
    before, after = stored.decision.to_dict(), again.to_dict()
    differences = tuple(k for k in sorted(before) if _canonical(before[k]) != _canonical(after[k]))
    return Replayed(stored.decision_id, not differences, differences)


def replay_all(stored: Iterable[StoredDecision], decider: Decider) -> dict[str, Any]:
    """Replay every decision; summary with the ones that differ."""
    results = [replay(s, decider) for s in stored]
    different = [r.to_dict() for r in results if not r.identical]
    return {"replayed": len(results), "identical": len(results) - len(different), "different": different}


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
