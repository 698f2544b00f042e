"""DecisionLookup: reading a stored decision, as the reader's tenancy allows (``domain.tenancy``)."""

from __future__ import annotations

from riskloop.domain.access import AUDITOR, CHANNEL, REVIEWER, Principal, require_role
from riskloop.domain.decision_record import StoredDecision
from riskloop.domain.tenancy import visible
from riskloop.service.ports import DecisionStore

READERS = (CHANNEL, REVIEWER, AUDITOR)


class DecisionLookup:
    """GET /v1/decisions/{id}: a channel reads its own decisions, reviewers and auditors every one."""

    def __init__(self, store: DecisionStore) -> None:
        self.store = store

    def get(self, principal: Principal, decision_id: str) -> StoredDecision:
        """The decision ``decision_id``; NotFoundError when it does not exist or is another channel's."""
        require_role(principal, READERS, "reading a decision")
        stored = self.store.get(decision_id)
        visible(principal, decision_id, stored.owner, stored.role)
        return stored
