"""AlertDesk: post-loan alerts raised by monitoring (idempotently) and worked by post-loan officers.

``raise_many`` stores what monitoring raised: once per (credit code, signal, period), a higher level upgrading
the stored alert; every new or upgraded alert is pushed through the outbox in the same transaction. Officers
list, read, acknowledge, act on the loan and close; auditors read. Each officer step loads the alert, applies
the rule of ``domain.alert_lifecycle`` at the clock's now, and saves it through the port with its audit row
(compare-and-set: of two officers moving one alert at once, one wins and the other gets a ConflictError).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from riskloop.domain.access import AUDITOR, POST_LOAN_OFFICER, Principal, require_role
from riskloop.domain.alert import (
    DIRECT,
    ID_PREFIX,
    Alert,
    AlertFilter,
    AlertKey,
    RaisedAlert,
    check_alert_id,
    check_filter,
    check_raised,
)
from riskloop.domain.alert_lifecycle import (
    LoanAction,
    acknowledged,
    acted,
    check_action,
    check_comment,
    closed,
    opened,
    upgraded,
)
from riskloop.domain.audit import AuditEntry
from riskloop.domain.clock import Clock
from riskloop.domain.outbox import OutboxMessage
from riskloop.errors import ConflictError, NotFoundError, ValidationError
from riskloop.privacy.scrub import scrub
from riskloop.service.alert_ports import AlertStore

READERS, OFFICERS = (POST_LOAN_OFFICER, AUDITOR), (POST_LOAN_OFFICER,)
MAX_PAGE = 200
_RAISE_TRIES = 3  # raising is idempotent: a lost race is read again and merged
_ADD_BATCH = 2000  # new alerts stored per transaction when monitoring raises a batch


def new_alert_id() -> str:
    """A random alert id (``alr_`` and 22 URL-safe characters), from the operating system's CSPRNG."""
    return ID_PREFIX + secrets.token_urlsafe(16)


def new_action_id() -> str:
    """A random loan-action id."""
    return "act_" + secrets.token_urlsafe(16)


@dataclass(frozen=True)
class RaiseResult:
    """What a batch raised: the stored alert of each input (in input order) and what happened to each."""

    alerts: list[Alert]
    raised: int
    upgraded: int
    unchanged: int

    def to_dict(self) -> dict[str, Any]:
        """Counts and the ids (JSON-ready)."""
        return {"raised": self.raised, "upgraded": self.upgraded, "unchanged": self.unchanged,
                "alert_ids": [a.alert_id for a in self.alerts]}  # fmt: skip


@dataclass(frozen=True)
class AlertPage:
    """One page of a list."""

    alerts: list[Alert]
    total: int
    limit: int
    offset: int

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields (alerts without their evidence)."""
        following = self.offset + len(self.alerts)
        return {
            "alerts": [a.to_dict(evidence=False) for a in self.alerts],
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
            "next_offset": following if following < self.total else None,
        }


@dataclass(frozen=True)
class AlertView:
    """An alert with its evidence, the actions taken on its loan and its history."""

    alert: Alert
    actions: list[LoanAction]
    history: list[AuditEntry]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return {
            **self.alert.to_dict(),
            "actions": [a.to_dict() for a in self.actions],
            "history": [{"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "detail": dict(e.detail)}
                        for e in self.history],
        }  # fmt: skip


class AlertDesk:
    """Post-loan alerts for officers (auditors read them; channels never do)."""

    def __init__(
        self,
        store: AlertStore,
        clock: Clock,
        new_id: Callable[[], str] = new_alert_id,
        new_action: Callable[[], str] = new_action_id,
    ) -> None:
        self.store, self.clock, self.new_id, self.new_action = store, clock, new_id, new_action

    def raise_many(self, alerts: Iterable[RaisedAlert], *, actor: str) -> RaiseResult:
        """Store what monitoring raised (``actor``: the job, for the audit rows); raising twice changes nothing.

        Every alert is checked before any is stored (a ValidationError names the input and field). Direct alerts
        are stored before propagated ones, so a propagated alert naming its ``source`` by key finds its id.
        """
        batch = list(alerts)
        for i, raised in enumerate(batch):
            _checked(raised, i)
        keys = {raised.key for raised in batch}
        for i, raised in enumerate(batch):  # a missing source fails the batch before anything is stored
            if raised.source is not None and raised.source not in keys and self.store.find_key(raised.source) is None:
                raise ValidationError(f"alerts[{i}].source", f"no alert {_key(raised.source)} was raised")
        stored: dict[int, Alert] = {}
        counts = {"raised": 0, "upgraded": 0, "unchanged": 0}
        known = self.store.find_keys(list(keys)) if len(keys) == len(batch) else None
        for phase in (DIRECT, None):  # direct alerts first: propagated ones name them as their source
            chosen = [i for i in range(len(batch)) if (batch[i].origin == DIRECT) == (phase == DIRECT)]
            if known is None:  # a key twice in the batch: one by one, each reading what the one before stored
                outcomes = {i: self._raise_one(self._sourced(batch[i], i), actor) for i in chosen}
            else:
                outcomes = self._raise_batch({i: self._sourced(batch[i], i, known) for i in chosen}, known, actor)
            for i, (alert, outcome) in outcomes.items():
                stored[i] = alert
                counts[outcome] += 1
                if known is not None:
                    known[alert.key] = alert
        return RaiseResult([stored[i] for i in range(len(batch))], **counts)

    def _raise_batch(
        self, batch: dict[int, RaisedAlert], known: dict[AlertKey, Alert], actor: str
    ) -> dict[int, tuple[Alert, str]]:
        """``_raise_one`` of each alert, new and upgraded ones written together (a transaction per ``_ADD_BATCH``)."""
        out: dict[int, tuple[Alert, str]] = {}
        fresh: list[tuple[int, tuple[Alert, AuditEntry, OutboxMessage]]] = []
        ups: list[tuple[int, tuple[Alert, Alert, AuditEntry, OutboxMessage]]] = []
        for i, raised in batch.items():
            existing = known.get(raised.key)
            if existing is None:
                fresh.append((i, opened(raised, self.new_id(), self.clock.now(), actor)))
                continue
            change = upgraded(existing, raised, self.clock.now(), actor)
            if change is None:
                out[i] = (existing, "unchanged")
            else:
                ups.append((i, (existing, *change)))
        for start in range(0, len(ups), _ADD_BATCH):
            changes = ups[start : start + _ADD_BATCH]
            try:
                self.store.save_many([item for _, item in changes])
                out |= {i: (item[1], "upgraded") for i, item in changes}
            except ConflictError:  # changed meanwhile (acknowledged, upgraded by another run): each read again
                out |= {i: self._raise_one(batch[i], actor) for i, _ in changes}
        for start in range(0, len(fresh), _ADD_BATCH):
            chunk = fresh[start : start + _ADD_BATCH]
            try:
                self.store.add_many([item for _, item in chunk])
                out |= {i: (item[0], "raised") for i, item in chunk}
            except ConflictError:  # raised meanwhile by another run: each read again and merged
                out |= {i: self._raise_one(batch[i], actor) for i, _ in chunk}
        return out

    def list(self, principal: Principal, where: AlertFilter, *, limit: int = 50, offset: int = 0) -> AlertPage:
        """Alerts matching ``where``, newest first, ``limit`` (1-200) from ``offset``."""
        require_role(principal, READERS, "reading alerts")
        check_filter(where)
        if not 1 <= limit <= MAX_PAGE:
            raise ValidationError("limit", f"from 1 to {MAX_PAGE}")
        if offset < 0:
            raise ValidationError("offset", "0 or more")
        found, total = self.store.page(where, limit=limit, offset=offset)
        return AlertPage(found, total, limit, offset)

    def get(self, principal: Principal, alert_id: str) -> AlertView:
        """The alert ``alert_id`` with its evidence, actions and history."""
        require_role(principal, READERS, "reading an alert")
        alert = self._load(alert_id)
        return AlertView(alert, self.store.actions(alert_id), self.store.history(alert_id))

    def acknowledge(self, principal: Principal, alert_id: str, comment: str) -> Alert:
        """Acknowledge an open alert (an unassigned one is assigned to the officer)."""
        require_role(principal, OFFICERS, "acknowledging an alert")
        check_comment(comment)
        before = self._load(alert_id)
        after, entry = acknowledged(before, principal.name, comment, self.clock.now())
        self.store.save(before, after, entry)
        return after

    def act(self, principal: Principal, alert_id: str, action: str, reason: str) -> tuple[Alert, LoanAction]:
        """Take ``action`` on the alert's loan for ``reason``, recorded as a loan action."""
        require_role(principal, OFFICERS, "acting on an alert")
        check_action(action)
        check_comment(reason, "reason")
        before = self._load(alert_id)
        after, taken, entry = acted(before, principal.name, action, reason, self.new_action(), self.clock.now())
        self.store.save(before, after, entry, action=taken)
        return after, taken

    def close(self, principal: Principal, alert_id: str, comment: str) -> Alert:
        """Close the alert with ``comment`` (from open, acknowledged or actioned)."""
        require_role(principal, OFFICERS, "closing an alert")
        check_comment(comment)
        before = self._load(alert_id)
        after, entry = closed(before, principal.name, comment, self.clock.now())
        self.store.save(before, after, entry)
        return after

    def _load(self, alert_id: str) -> Alert:
        check_alert_id(alert_id)
        found = self.store.find(alert_id)
        if found is None:
            raise NotFoundError(f"alert {alert_id} does not exist")
        return found

    def _sourced(self, raised: RaisedAlert, index: int, known: dict[AlertKey, Alert] | None = None) -> RaisedAlert:
        """``raised`` with its source alert's id filled in from its ``source`` key (looked up in ``known`` first)."""
        if raised.source is None or raised.evidence.source_alert_id is not None:
            return raised
        source = (known or {}).get(raised.source) or self.store.find_key(raised.source)
        if source is None:  # checked before the batch started: only a concurrent delete gets here
            raise NotFoundError(f"alerts[{index}].source: no alert {_key(raised.source)}")
        return replace(raised, evidence=replace(raised.evidence, source_alert_id=source.alert_id))

    def _raise_one(self, raised: RaisedAlert, actor: str) -> tuple[Alert, str]:
        for _ in range(_RAISE_TRIES):
            existing = self.store.find_key(raised.key)
            now = self.clock.now()
            try:
                if existing is None:
                    alert, entry, message = opened(raised, self.new_id(), now, actor)
                    self.store.add(alert, entry, message)
                    return alert, "raised"
                change = upgraded(existing, raised, now, actor)
                if change is None:
                    return existing, "unchanged"
                after, entry, message = change
                self.store.save(existing, after, entry, message=message)
                return after, "upgraded"
            except ConflictError:  # a concurrent raise of the same key won: read it again and merge
                continue
        raise ConflictError("alert", f"alert {_key(raised.key)} kept changing while it was raised; raise it again")


def _checked(raised: RaisedAlert, index: int) -> None:
    try:
        check_raised(raised)
        _no_identifiers(raised)
    except ValidationError as exc:
        raise ValidationError(f"alerts[{index}].{exc.field}", exc.problem) from None


def _no_identifiers(raised: RaisedAlert) -> None:
    """Evidence holds no raw personal identifier (resident ID, phone, e-mail): they travel as tokens only."""
    for i, signal in enumerate(raised.evidence.signals):
        for name, value in (("value", signal.value), ("threshold", signal.threshold)):
            if isinstance(value, str) and scrub(value) != value:
                raise ValidationError(
                    f"evidence.signals[{i}].{name}", "holds a personal identifier; send a keyed token instead"
                )


def _key(key: AlertKey) -> str:
    return f"({key.credit_code}, {key.signal}, {key.period})"
