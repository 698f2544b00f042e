"""CollectionDesk: next best actions, recorded actions with logged propensities, QA of calls (issue 16).

- ``plan`` (a batch job: ``riskloop collections plan``) asks the active policy for every open case's next round
  and stores one open plan per case, superseding the case's earlier open plan.
- Collectors list cases with their next best action and record what they did and what it brought: the action
  logs the plan's probability of the arm taken (``domain.collection_work.recorded``), so the history the loop
  retrains on and evaluates candidates with carries a propensity on every row.
- ``check`` scores a call's transcript; a finding at or above the checker's threshold opens a QA case for the
  collection lead, who confirms or dismisses it. Utterances are scrubbed of identifiers before they are stored.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from riskloop.domain.access import AUDITOR, COLLECTION_LEAD, COLLECTOR, Principal, require_role
from riskloop.domain.audit import AuditEntry
from riskloop.domain.clock import Clock
from riskloop.domain.collection_work import (
    OPEN,
    PLAN_STATUSES,
    QA_CLOSED,
    QA_OPEN,
    Finding,
    Plan,
    QaCase,
    RecordedAction,
    check_case_id,
    check_outcome,
    closed_case,
    opens_case,
    recorded,
)
from riskloop.errors import NotFoundError, ValidationError
from riskloop.privacy.scrub import scrub
from riskloop.service.collection_ports import CheckedCall, Checker, Chooser, CollectionStore

CASE_READERS, RECORDERS = (COLLECTOR, COLLECTION_LEAD, AUDITOR), (COLLECTOR, COLLECTION_LEAD)
QA_READERS, LEADS = (COLLECTION_LEAD, AUDITOR), (COLLECTION_LEAD,)
MAX_PAGE = 500
JOB = "collections-job"  # the actor of batch plans in the audit log


def _new_id(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(12)


class CollectionDesk:
    """The collection team's use cases over the store (``store``) at the clock's now."""

    def __init__(self, store: CollectionStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    # --- the batch job -------------------------------------------------------------------------------------

    def plan(self, cases: Sequence[tuple[str, int]], contexts: Any, chooser: Chooser, *, seed: int) -> dict[str, Any]:
        """Choose and store the next best action of each ``(case_id, round_no)`` (one row of ``contexts`` each)."""
        if len(cases) == 0:
            return {"planned": 0, "superseded": 0, "policy_id": chooser.policy_id, "by_action": {}}
        choices = chooser.choose_rows(contexts, seed)
        if len(choices) != len(cases):
            raise ValidationError("contexts", f"{len(cases)} cases but the policy returned {len(choices)} choices")
        now = self.clock.now()
        plans = [
            Plan(_new_id("pln_"), check_case_id(case), int(round_no), c.arm, c.propensity, dict(c.pmf),
                 dict(c.expected_net_cents), c.reasons, chooser.policy_id, now)
            for (case, round_no), c in zip(cases, choices, strict=True)
        ]  # fmt: skip
        by_action: dict[str, int] = {}
        for p in plans:
            action = p.arm.partition("@")[0]
            by_action[action] = by_action.get(action, 0) + 1
        detail = {"plans": len(plans), "policy_id": chooser.policy_id, "seed": seed}
        superseded = self.store.save_plans(
            plans, AuditEntry(now, JOB, "collection.planned", "policy", chooser.policy_id, detail)
        )
        return {"planned": len(plans), "superseded": superseded, "policy_id": chooser.policy_id,
                "by_action": dict(sorted(by_action.items()))}  # fmt: skip

    # --- collectors ----------------------------------------------------------------------------------------

    def cases(self, principal: Principal, *, status: str | None = OPEN, limit: int = 50,
              after: str | None = None) -> list[Plan]:  # fmt: skip
        """Plans by case id (open ones by default): each case's next best action, its reasons and propensity."""
        require_role(principal, CASE_READERS, "listing collection cases")
        if status is not None and status not in PLAN_STATUSES:
            raise ValidationError("status", f"one of {', '.join(PLAN_STATUSES)}")
        if not 1 <= limit <= MAX_PAGE:
            raise ValidationError("limit", f"from 1 to {MAX_PAGE}")
        return self.store.plans(
            status=status, limit=limit, after=None if after is None else check_case_id(after, "after")
        )

    def case(self, principal: Principal, case_id: str) -> dict[str, Any]:
        """One case: its open plan (if any) and the actions recorded on it."""
        require_role(principal, CASE_READERS, "reading a collection case")
        check_case_id(case_id)
        plan = self.store.open_plan(case_id)
        actions = self.store.actions(case_id=case_id)
        if plan is None and not actions:
            raise NotFoundError(f"no collection case {case_id!r} is planned (run: riskloop collections plan)")
        return {
            "case_id": case_id,
            "plan": None if plan is None else plan.as_dict(),
            "actions": [a.as_dict() for a in actions],
        }

    def record(self, principal: Principal, case_id: str, body: Mapping[str, Any]) -> RecordedAction:
        """Record the action taken on a case's open plan and its outcome (the arm defaults to the plan's)."""
        require_role(principal, RECORDERS, "recording a collection action")
        check_case_id(case_id)
        plan = self.store.open_plan(case_id)
        if plan is None:
            raise NotFoundError(f"case {case_id!r} has no open plan (run: riskloop collections plan)")
        arm = body.get("arm", plan.arm)
        if not isinstance(arm, str):
            raise ValidationError("arm", "a string action@window")
        agent = body.get("agent_id")
        if agent is not None and (not isinstance(agent, str) or not 1 <= len(agent) <= 40):
            raise ValidationError("agent_id", "1-40 characters, or null")
        outcome = check_outcome(body)
        now = self.clock.now()
        after, action = recorded(plan, arm, action_id=_new_id("cac_"), at=now, by=principal.name, agent_id=agent,
                                 outcome=outcome)  # fmt: skip
        detail = {"plan_id": plan.plan_id, "arm": arm, "followed_plan": action.followed_plan,
                  "propensity": action.propensity}  # fmt: skip
        self.store.record(
            plan, after, action, AuditEntry(now, principal.name, "collection.recorded", "case", case_id, detail)
        )
        return action

    def history(self, since: dt.datetime | None = None) -> list[RecordedAction]:
        """Recorded actions (since a time): what the loop retrains the policy on."""
        return self.store.actions(since=since)

    # --- transcript quality ---------------------------------------------------------------------------------

    def check(self, principal: Principal | None, checker: Checker, call_id: str, started_at: dt.datetime,
              turns: Sequence[tuple[int, str, str]]) -> dict[str, Any]:  # fmt: skip
        """Check one call's transcript, store its findings and open a QA case when one is at the threshold.

        ``principal`` None is the batch job (``riskloop collections qa``).
        """
        if principal is not None:
            require_role(principal, RECORDERS, "submitting a call transcript")
        check_case_id(call_id, "call_id")
        checked = checker.check_call(call_id, started_at, turns)
        findings = tuple(_scrubbed(f) for f in checked.findings)
        now = self.clock.now()
        case = None
        if opens_case(findings, checked.threshold):
            issues = tuple(sorted({f.issue_type for f in findings if f.score >= checked.threshold}))
            case = QaCase(_new_id("qac_"), call_id, now, issues, max(f.score for f in findings),
                          dimension_scores=dict(checked.dimension_scores))  # fmt: skip
        actor = JOB if principal is None else principal.name
        detail = {"findings": len(findings), "checker": checked.checker, "opens_case": case is not None}
        stored = self.store.save_check(
            call_id, findings, case, AuditEntry(now, actor, "collection.call_checked", "call", call_id, detail)
        )
        return {
            "call_id": call_id,
            "checker": checked.checker,
            "dimension_scores": dict(checked.dimension_scores),
            "findings": [f.as_dict() for f in findings],
            "qa_case": None if stored is None else stored.as_dict(),
        }

    def findings(self, principal: Principal, call_id: str) -> list[Finding]:
        """The findings of a call's latest check."""
        require_role(principal, (*RECORDERS, AUDITOR), "reading call findings")
        return self.store.findings(check_case_id(call_id, "call_id"))

    def qa_cases(self, principal: Principal, *, status: str | None = QA_OPEN, limit: int = 50) -> list[QaCase]:
        """QA cases for the lead, highest score first."""
        require_role(principal, QA_READERS, "listing QA cases")
        if status is not None and status not in (QA_OPEN, QA_CLOSED):
            raise ValidationError("status", f"one of {QA_OPEN}, {QA_CLOSED}")
        if not 1 <= limit <= MAX_PAGE:
            raise ValidationError("limit", f"from 1 to {MAX_PAGE}")
        return self.store.qa_cases(status=status, limit=limit)

    def close_qa_case(self, principal: Principal, qa_case_id: str, body: Mapping[str, Any]) -> QaCase:
        """The lead confirms or dismisses a QA case (audited; a lost race is a ConflictError)."""
        require_role(principal, LEADS, "closing a QA case")
        before = self.store.qa_case(check_case_id(qa_case_id, "qa_case_id"))
        if before is None:
            raise NotFoundError(f"no QA case {qa_case_id!r}")
        comment = body.get("comment")
        if comment is not None and not isinstance(comment, str):
            raise ValidationError("comment", "a string, or null")
        resolution = body.get("resolution")
        if not isinstance(resolution, str):
            raise ValidationError("resolution", "confirmed or dismissed")
        after = closed_case(before, by=principal.name, resolution=resolution, comment=comment)
        detail = {"resolution": resolution, "call_id": before.call_id}
        self.store.save_qa_case(
            before,
            after,
            AuditEntry(self.clock.now(), principal.name, "collection.qa_closed", "qa_case", qa_case_id, detail),
        )
        return after


def _scrubbed(finding: Finding) -> Finding:
    """The finding with its utterance scrubbed of identifiers (phone, ID and card numbers) before it is stored."""
    text = scrub(finding.utterance)
    return finding if text == finding.utterance else Finding(
        finding.call_id, finding.issue_type, finding.source, finding.turn_no, text, finding.score
    )  # fmt: skip


def checked_summary(checked: CheckedCall) -> dict[str, Any]:
    """A checker's verdict, JSON-ready (the CLI's dry run)."""
    return {
        "checker": checked.checker,
        "threshold": checked.threshold,
        "dimension_scores": dict(checked.dimension_scores),
        "findings": [f.as_dict() for f in checked.findings],
    }
