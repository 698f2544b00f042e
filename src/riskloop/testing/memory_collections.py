"""In-memory CollectionStore: the fake behind the port, for tests and the conformance suite."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from riskloop.domain.audit import AuditEntry
from riskloop.domain.collection_work import OPEN, QA_OPEN, SUPERSEDED, Finding, Plan, QaCase, RecordedAction
from riskloop.errors import ConflictError


class MemoryCollectionStore:
    """Plans, actions, findings and QA cases in dictionaries; ``audit`` keeps every entry written."""

    def __init__(self) -> None:
        self._plans: dict[str, Plan] = {}
        self._actions: list[RecordedAction] = []
        self._findings: dict[str, list[Finding]] = {}
        self._qa: dict[str, QaCase] = {}
        self.audit: list[AuditEntry] = []

    def save_plans(self, plans: Sequence[Plan], entry: AuditEntry) -> int:
        """Store open plans, superseding each case's open one."""
        cases = {p.case_id for p in plans}
        if len(cases) != len(plans):
            raise ConflictError("plans", "one plan per case in a batch")
        superseded = 0
        for pid, plan in list(self._plans.items()):
            if plan.case_id in cases and plan.status == OPEN:
                self._plans[pid] = replace(plan, status=SUPERSEDED, row_version=plan.row_version + 1)
                superseded += 1
        self._plans.update({p.plan_id: p for p in plans})
        self.audit.append(entry)
        return superseded

    def open_plan(self, case_id: str) -> Plan | None:
        """The case's open plan, or None."""
        return next((p for p in self._plans.values() if p.case_id == case_id and p.status == OPEN), None)

    def plans(self, *, status: str | None, limit: int, after: str | None) -> list[Plan]:
        """Plans by case id after ``after``."""
        chosen = [p for p in self._plans.values() if (status is None or p.status == status)]
        chosen = [p for p in chosen if after is None or p.case_id > after]
        return sorted(chosen, key=lambda p: (p.case_id, p.planned_at, p.plan_id))[:limit]

    def record(self, before: Plan, after: Plan, action: RecordedAction, entry: AuditEntry) -> None:
        """Compare-and-set the plan, store the action."""
        stored = self._plans.get(before.plan_id)
        if stored is None or stored.row_version != before.row_version or stored.status != before.status:
            raise ConflictError("plan", f"plan {before.plan_id} changed meanwhile; read it again")
        self._plans[after.plan_id] = after
        self._actions.append(action)
        self.audit.append(entry)

    def actions(self, *, case_id: str | None = None, since: dt.datetime | None = None) -> list[RecordedAction]:
        """Recorded actions, oldest first."""
        chosen = [a for a in self._actions if (case_id is None or a.case_id == case_id)]
        chosen = [a for a in chosen if since is None or a.acted_at >= since]
        return sorted(chosen, key=lambda a: (a.acted_at, a.action_id))

    def save_check(
        self, call_id: str, findings: Sequence[Finding], case: QaCase | None, entry: AuditEntry
    ) -> QaCase | None:
        """Replace the call's findings; open ``case`` unless one is open."""
        self._findings[call_id] = sorted(findings, key=lambda f: (f.turn_no is not None, f.turn_no or 0, f.issue_type))
        current = next((c for c in self._qa.values() if c.call_id == call_id and c.status == QA_OPEN), None)
        if current is None and case is not None:
            self._qa[case.qa_case_id] = current = case
        self.audit.append(entry)
        return current

    def findings(self, call_id: str) -> list[Finding]:
        """The call's findings."""
        return list(self._findings.get(call_id, []))

    def qa_cases(self, *, status: str | None, limit: int) -> list[QaCase]:
        """QA cases, highest score first."""
        chosen = [c for c in self._qa.values() if status is None or c.status == status]
        return sorted(chosen, key=lambda c: (-c.max_score, c.opened_at, c.qa_case_id))[:limit]

    def qa_case(self, qa_case_id: str) -> QaCase | None:
        """One QA case, or None."""
        return self._qa.get(qa_case_id)

    def save_qa_case(self, before: QaCase, after: QaCase, entry: AuditEntry) -> None:
        """Compare-and-set a QA case."""
        stored = self._qa.get(before.qa_case_id)
        if stored is None or stored.row_version != before.row_version:
            raise ConflictError("qa_case", f"QA case {before.qa_case_id} changed meanwhile; read it again")
        self._qa[after.qa_case_id] = after
        self.audit.append(entry)
