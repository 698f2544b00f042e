"""The rules of an alert's life: raised once per key, then open → acknowledged → actioned → closed.

Raising a stored key again changes nothing unless the level is higher, which upgrades it. Each later step is
taken by a post-loan officer with a comment. Closing is allowed from open and acknowledged too (a false alarm
needs no action); acting needs an acknowledged (or already actioned) alert and records an action on its loan.
An upgrade sends the alert back to ``open``: a more severe level must be acknowledged again. Acknowledging an
unassigned alert assigns it to the officer. Each transition returns the next state with ``row_version`` one
higher and its audit entry, so a store can refuse to write over a state it did not start from
(compare-and-set); a new or upgraded alert also returns the outbox message that pushes it to the officers'
webhook.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from riskloop.domain.alert import (
    ACKNOWLEDGED,
    ACTIONED,
    ALERT_TOPIC,
    CLOSED,
    LEVEL_RANK,
    OPEN,
    Alert,
    RaisedAlert,
)
from riskloop.domain.audit import AuditEntry
from riskloop.domain.outbox import OutboxMessage
from riskloop.errors import ConflictError, ValidationError

FREEZE, REDUCE, REVIEW, COLLECT = "freeze_undrawn_limit", "reduce_limit", "request_review", "start_collection"
ACTIONS = (FREEZE, REDUCE, REVIEW, COLLECT)
ACTION_ZH = {FREEZE: "冻结未用额度", REDUCE: "压降额度", REVIEW: "发起复核", COLLECT: "启动催收"}
MAX_COMMENT = 2000
ENTITY = "alert"


@dataclass(frozen=True)
class LoanAction:
    """An action on a loan taken on an alert: a decision record of its own, with its reasons."""

    action_id: str
    alert_id: str
    credit_code: str
    loan_id: str
    action: str
    reasons: tuple[str, ...]
    actor: str
    at: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return {
            "action_id": self.action_id,
            "alert_id": self.alert_id,
            "credit_code": self.credit_code,
            "loan_id": self.loan_id,
            "action": self.action,
            "action_zh": ACTION_ZH[self.action],
            "reasons": list(self.reasons),
            "actor": self.actor,
            "at": self.at.isoformat(),
        }


def check_comment(comment: str, field: str = "comment") -> str:
    """A non-blank comment of at most ``MAX_COMMENT`` characters (else a ValidationError naming ``field``)."""
    if not comment.strip():
        raise ValidationError(field, "an officer's step needs a comment")
    if len(comment) > MAX_COMMENT:
        raise ValidationError(field, f"at most {MAX_COMMENT} characters")
    return comment


def check_action(action: str) -> str:
    """One of ``ACTIONS`` (else a ValidationError naming ``action``)."""
    if action not in ACTIONS:
        raise ValidationError("action", f"{action!r} is not one of {', '.join(ACTIONS)}")
    return action


def opened(raised: RaisedAlert, alert_id: str, now: dt.datetime, actor: str) -> tuple[Alert, AuditEntry, OutboxMessage]:
    """A new open alert from ``raised`` (already checked), its audit entry and its outbox message."""
    alert = Alert(
        alert_id=alert_id,
        credit_code=raised.credit_code,
        level=raised.level,
        signal=raised.signal,
        period=raised.period,
        origin=raised.origin,
        evidence=raised.evidence,
        status=OPEN,
        created_at=now,
        updated_at=now,
        loan_id=raised.loan_id,
        industry_section=raised.industry_section,
        enterprise_kind=raised.enterprise_kind,
        officer=raised.officer,
    )
    detail = {"level": alert.level, "signal": alert.signal, "period": alert.period, "origin": alert.origin}
    return alert, AuditEntry(now, actor, "alert.raised", ENTITY, alert_id, detail), message(alert, "alert.raised")


def upgraded(
    alert: Alert, raised: RaisedAlert, now: dt.datetime, actor: str
) -> tuple[Alert, AuditEntry, OutboxMessage] | None:
    """``alert`` raised again: ``None`` (nothing changes) unless ``raised`` is of a higher level.

    The higher level brings its evidence, reopens the alert and keeps its assigned officer (or takes the new one).
    """
    if LEVEL_RANK[raised.level] <= LEVEL_RANK[alert.level]:
        return None
    after = replace(
        alert,
        level=raised.level,
        evidence=raised.evidence,
        status=OPEN,
        officer=alert.officer or raised.officer,
        loan_id=alert.loan_id or raised.loan_id,
        updated_at=now,
        row_version=alert.row_version + 1,
    )
    detail = {"from_level": alert.level, "to_level": after.level, "from_status": alert.status}
    entry = AuditEntry(now, actor, "alert.upgraded", ENTITY, alert.alert_id, detail)
    return after, entry, message(after, "alert.upgraded")


def acknowledged(alert: Alert, officer: str, comment: str, now: dt.datetime) -> tuple[Alert, AuditEntry]:
    """``alert`` acknowledged by ``officer``: only an open alert; an unassigned one is assigned to them."""
    check_comment(comment)
    if alert.status != OPEN:
        raise ConflictError("status", f"the alert is {alert.status}; only an open alert is acknowledged")
    after = _moved(alert, ACKNOWLEDGED, now, officer=alert.officer or officer)
    return after, _entry(now, officer, "alert.acknowledged", alert, {"comment": comment})


def acted(  # noqa: PLR0917 - the step's inputs, as every transition takes them
    alert: Alert, officer: str, action: str, reason: str, action_id: str, now: dt.datetime
) -> tuple[Alert, LoanAction, AuditEntry]:
    """``action`` on the alert's loan, for ``reason``: the alert goes ``actioned`` and the action is recorded."""
    check_action(action)
    check_comment(reason, "reason")
    if alert.status == CLOSED:
        raise ConflictError("status", "the alert is closed")
    if alert.status == OPEN:
        raise ConflictError("status", "the alert is open: acknowledge it before acting on its loan")
    if alert.loan_id is None:
        raise ConflictError("loan_id", f"the alert is on no loan of {alert.credit_code}: there is nothing to act on")
    taken = LoanAction(action_id, alert.alert_id, alert.credit_code, alert.loan_id, action, (reason,), officer, now)
    detail = {"action": action, "action_id": action_id, "loan_id": alert.loan_id, "reason": reason}
    return _moved(alert, ACTIONED, now), taken, _entry(now, officer, "alert.actioned", alert, detail)


def closed(alert: Alert, officer: str, comment: str, now: dt.datetime) -> tuple[Alert, AuditEntry]:
    """``alert`` closed by ``officer`` with ``comment``, from any state but closed."""
    check_comment(comment)
    if alert.status == CLOSED:
        raise ConflictError("status", "the alert is already closed")
    return _moved(alert, CLOSED, now), _entry(now, officer, "alert.closed", alert, {"comment": comment})


def message(alert: Alert, event: str) -> OutboxMessage:
    """The outbox message of a new or upgraded alert (keyed by its id, so its events arrive in order)."""
    payload = {"event": event, "alert": alert.to_dict()}
    return OutboxMessage(ALERT_TOPIC, alert.alert_id, payload, alert.updated_at)


def _moved(alert: Alert, status: str, now: dt.datetime, **changes: Any) -> Alert:
    return replace(alert, status=status, updated_at=now, row_version=alert.row_version + 1, **changes)


def _entry(now: dt.datetime, officer: str, action: str, before: Alert, detail: dict[str, Any]) -> AuditEntry:
    return AuditEntry(now, officer, action, ENTITY, before.alert_id, {"from_status": before.status, **detail})
