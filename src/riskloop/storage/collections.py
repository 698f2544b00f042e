"""SQLCollectionStore: the collection desk's CollectionStore on SQLite or PostgreSQL (it persists, decides nothing).

Each write commits its rows with its audit row in one transaction. ``record`` and ``save_qa_case`` are
compare-and-sets on ``row_version``. Partial unique indexes keep one open plan per case and one open QA case per
call, so a concurrent writer that slips past the reads gets a ConflictError, never a second open row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from riskloop.domain.audit import AuditEntry
from riskloop.domain.collection_work import OPEN, QA_OPEN, SUPERSEDED, Finding, Outcome, Plan, QaCase, RecordedAction
from riskloop.errors import ConflictError
from riskloop.storage.audit import record as audit
from riskloop.storage.collection_models import call_findings, collection_plans, collection_records, qa_cases

_CASES_PER_UPDATE = 500  # case ids bound per superseding statement (well under every driver's parameter limit)
_PLAN_FIELDS = ("status", "row_version")  # what moves on a plan
_QA_FIELDS = ("status", "closed_by", "resolution", "comment", "row_version")  # what moves on a QA case


class SQLCollectionStore:
    """Plans, recorded actions, call findings and QA cases on SQLite or PostgreSQL."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    # --- plans ---------------------------------------------------------------------------------------------

    def save_plans(self, plans: Sequence[Plan], entry: AuditEntry) -> int:
        """Store open plans, superseding each case's open one, in one transaction; returns how many were superseded."""
        cases = sorted({p.case_id for p in plans})
        if len(cases) != len(plans):
            raise ConflictError("plans", "one plan per case in a batch")
        superseded = 0
        try:
            with self.engine.begin() as conn:
                for start in range(0, len(cases), _CASES_PER_UPDATE):
                    done = conn.execute(_supersede(conn.dialect.name, cases[start : start + _CASES_PER_UPDATE]))
                    superseded += done.rowcount
                if plans:
                    conn.execute(collection_plans.insert(), [_plan_row(p) for p in plans])  # executemany: batched
                audit(conn, entry)
        except sa.exc.IntegrityError:  # a concurrent batch opened a plan of one of these cases
            raise ConflictError("plans", "a case of the batch was planned meanwhile; plan again") from None
        return superseded

    def open_plan(self, case_id: str) -> Plan | None:
        """The case's open plan, or ``None``."""
        c = collection_plans.c
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(collection_plans).where(c.case_id == case_id, c.status == OPEN)).first()
        return None if row is None else _plan(row._mapping)

    def plans(self, *, status: str | None, limit: int, after: str | None) -> list[Plan]:
        """Plans (of ``status`` when given) ordered by case id, ``limit`` of them after the case id ``after``."""
        c = collection_plans.c
        stmt = sa.select(collection_plans)
        if status is not None:
            stmt = stmt.where(c.status == status)
        if after is not None:
            stmt = stmt.where(c.case_id > after)
        stmt = stmt.order_by(c.case_id, c.planned_at, c.plan_id).limit(limit)
        with self.engine.connect() as conn:
            return [_plan(r._mapping) for r in conn.execute(stmt)]

    # --- recorded actions ----------------------------------------------------------------------------------

    def record(self, before: Plan, after: Plan, action: RecordedAction, entry: AuditEntry) -> None:
        """Mark the plan acted while it is still ``before`` and store the action; a lost race is a ConflictError."""
        c = collection_plans.c
        lost = ConflictError("plan", f"plan {before.plan_id} changed meanwhile; read it again")
        try:
            with self.engine.begin() as conn:
                updated = conn.execute(
                    collection_plans.update()
                    .where(c.plan_id == before.plan_id, c.row_version == before.row_version, c.status == before.status)
                    .values({k: v for k, v in _plan_row(after).items() if k in _PLAN_FIELDS})
                )
                if updated.rowcount != 1:
                    raise lost
                conn.execute(collection_records.insert(), _action_row(action))
                audit(conn, entry)
        except sa.exc.IntegrityError:  # the plan was acted on by a writer that read the same version
            raise lost from None

    def actions(self, *, case_id: str | None = None, since: dt.datetime | None = None) -> list[RecordedAction]:
        """Recorded actions (of one case, or acted at or after ``since``), oldest first."""
        c = collection_records.c
        stmt = sa.select(collection_records)
        if case_id is not None:
            stmt = stmt.where(c.case_id == case_id)
        if since is not None:
            stmt = stmt.where(c.acted_at >= since)
        with self.engine.connect() as conn:
            return [_action(r._mapping) for r in conn.execute(stmt.order_by(c.acted_at, c.action_id))]

    # --- call checks and QA cases --------------------------------------------------------------------------

    def save_check(
        self, call_id: str, findings: Sequence[Finding], case: QaCase | None, entry: AuditEntry
    ) -> QaCase | None:
        """Replace the call's findings; store ``case`` unless the call has an open QA case; the open case after."""
        ordered = sorted(findings, key=lambda f: (f.turn_no is not None, f.turn_no or 0, f.issue_type))
        q = qa_cases.c
        try:
            with self.engine.begin() as conn:
                conn.execute(call_findings.delete().where(call_findings.c.call_id == call_id))
                if ordered:
                    conn.execute(call_findings.insert(), [_finding_row(i, f) for i, f in enumerate(ordered)])
                row = conn.execute(sa.select(qa_cases).where(q.call_id == call_id, q.status == QA_OPEN)).first()
                current = None if row is None else _qa_case(row._mapping)
                if current is None and case is not None:
                    conn.execute(qa_cases.insert(), _qa_row(case))
                    current = case
                audit(conn, entry)
        except sa.exc.IntegrityError:  # a concurrent check of the same call opened its case first
            raise ConflictError("call_id", f"call {call_id} was checked meanwhile; check it again") from None
        return current

    def findings(self, call_id: str) -> list[Finding]:
        """The findings of ``call_id``'s latest check, in turn order."""
        c = call_findings.c
        stmt = sa.select(call_findings).where(c.call_id == call_id).order_by(c.seq)
        with self.engine.connect() as conn:
            return [
                Finding(r.call_id, r.issue_type, r.source, r.turn_no, r.utterance, float(r.score))
                for r in conn.execute(stmt)
            ]

    def qa_cases(self, *, status: str | None, limit: int) -> list[QaCase]:
        """QA cases (of ``status`` when given), highest score first, then oldest."""
        q = qa_cases.c
        stmt = sa.select(qa_cases)
        if status is not None:
            stmt = stmt.where(q.status == status)
        stmt = stmt.order_by(q.max_score.desc(), q.opened_at, q.qa_case_id).limit(limit)
        with self.engine.connect() as conn:
            return [_qa_case(r._mapping) for r in conn.execute(stmt)]

    def qa_case(self, qa_case_id: str) -> QaCase | None:
        """The QA case ``qa_case_id``, or ``None``."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(qa_cases).where(qa_cases.c.qa_case_id == qa_case_id)).first()
        return None if row is None else _qa_case(row._mapping)

    def save_qa_case(self, before: QaCase, after: QaCase, entry: AuditEntry) -> None:
        """Write ``after`` while the stored case is still ``before``; else a ConflictError."""
        q = qa_cases.c
        with self.engine.begin() as conn:
            updated = conn.execute(
                qa_cases.update()
                .where(q.qa_case_id == before.qa_case_id, q.row_version == before.row_version)
                .values({k: v for k, v in _qa_row(after).items() if k in _QA_FIELDS})
            )
            if updated.rowcount != 1:
                raise ConflictError("qa_case", f"QA case {before.qa_case_id} changed meanwhile; read it again")
            audit(conn, entry)


def _supersede(dialect: str, cases: list[str]) -> sa.Update:
    """The update superseding the open plans of ``cases``.

    On PostgreSQL the ids are one array parameter: an IN list of 500 parameters on a table without statistics yet
    (a first planning run) took 80 ms a statement, the array 5 ms.
    """
    c = collection_plans.c
    if dialect == "postgresql":
        matches = c.case_id == sa.any_(sa.bindparam("cases", cases, type_=postgresql.ARRAY(sa.String)))
    else:
        matches = c.case_id.in_(cases)
    return collection_plans.update().where(c.status == OPEN, matches).values(status=SUPERSEDED,
                                                                            row_version=c.row_version + 1)  # fmt: skip


# --- rows <-> domain objects --------------------------------------------------------------------------------


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)  # SQLite keeps no offset


def _plan_row(p: Plan) -> dict[str, Any]:
    return {"plan_id": p.plan_id, "case_id": p.case_id, "round_no": p.round_no, "arm": p.arm,
            "propensity": p.propensity, "pmf": _json(dict(p.pmf)),
            "expected_net_cents": _json(dict(p.expected_net_cents)), "reasons": _json(list(p.reasons)),
            "policy_id": p.policy_id, "planned_at": p.planned_at, "status": p.status,
            "row_version": p.row_version}  # fmt: skip


def _plan(r: Any) -> Plan:
    return Plan(r["plan_id"], r["case_id"], int(r["round_no"]), r["arm"], float(r["propensity"]),
                json.loads(r["pmf"]), json.loads(r["expected_net_cents"]), tuple(json.loads(r["reasons"])),
                r["policy_id"], _utc(r["planned_at"]), r["status"], int(r["row_version"]))  # fmt: skip


def _action_row(a: RecordedAction) -> dict[str, Any]:
    return {"action_id": a.action_id, "case_id": a.case_id, "plan_id": a.plan_id, "arm": a.arm,
            "propensity": a.propensity, "followed_plan": a.followed_plan, "policy_id": a.policy_id,
            "acted_at": a.acted_at, "recorded_by": a.recorded_by, "agent_id": a.agent_id,
            **vars(a.outcome)}  # fmt: skip


def _action(r: Any) -> RecordedAction:
    outcome = Outcome(bool(r["promise_to_pay"]), int(r["amount_paid_cents"]), bool(r["cured"]), r["days_to_cure"],
                      bool(r["complaint"]))  # fmt: skip
    return RecordedAction(r["action_id"], r["case_id"], r["plan_id"], r["arm"], float(r["propensity"]),
                          bool(r["followed_plan"]), r["policy_id"], _utc(r["acted_at"]), r["recorded_by"],
                          r["agent_id"], outcome)  # fmt: skip


def _finding_row(seq: int, f: Finding) -> dict[str, Any]:
    return {"call_id": f.call_id, "seq": seq, "issue_type": f.issue_type, "source": f.source, "turn_no": f.turn_no,
            "utterance": f.utterance, "score": f.score}  # fmt: skip


def _qa_row(c: QaCase) -> dict[str, Any]:
    return {"qa_case_id": c.qa_case_id, "call_id": c.call_id, "opened_at": c.opened_at,
            "issue_types": _json(list(c.issue_types)), "max_score": c.max_score, "status": c.status,
            "closed_by": c.closed_by, "resolution": c.resolution, "comment": c.comment,
            "dimension_scores": _json(dict(c.dimension_scores)), "row_version": c.row_version}  # fmt: skip


def _qa_case(r: Any) -> QaCase:
    return QaCase(r["qa_case_id"], r["call_id"], _utc(r["opened_at"]), tuple(json.loads(r["issue_types"])),
                  float(r["max_score"]), r["status"], r["closed_by"], r["resolution"], r["comment"],
                  int(r["row_version"]), json.loads(r["dimension_scores"]))  # fmt: skip
