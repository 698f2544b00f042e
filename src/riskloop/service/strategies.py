"""StrategyLifecycle: drafts, submission, four-eyes approval, activation and rollback over a StrategyStore.

Each call loads the version (or change), applies the rule of ``domain.strategy_lifecycle`` and saves the
transition with its audit rows through the port, which refuses it when the stored state moved meanwhile
(compare-and-set): of two approvals of one activation, exactly one applies it. A strategy name may carry a
validator of its content beyond being a JDM graph (the product catalogue's ``products``: wired in the
composition root), run on every create and edit: an invalid draft is refused before anything is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from riskloop.domain.access import ANALYST, APPROVER, Principal, can, require_role
from riskloop.domain.audit import AuditEntry
from riskloop.domain.clock import Clock
from riskloop.domain.strategy_lifecycle import (
    CHANGE_STATUSES,
    ActivationChange,
    StrategyVersion,
    activation,
    approved,
    check_activatable,
    check_pending,
    draft,
    edited,
    overview,
    submitted,
)
from riskloop.errors import NotFoundError, ValidationError
from riskloop.rules.engine import Strategy, strategy_key
from riskloop.service.strategy_ports import StrategyStore

_READERS = can("strategy.read")
Validator = Callable[[str], object]  # checks a version's content; raises ValidationError naming the field


class StrategyLifecycle:
    """Strategy versions for analysts (author, submit, request activations) and approvers (approve).

    Parameters
    ----------
    store : StrategyStore
        Versions, contents, changes and their audit rows.
    clock : Clock
        The time of every transition.
    validators : Mapping[str, Validator]
        By strategy name, a check of the content run on create and edit (after the JDM check).

    """

    def __init__(
        self, store: StrategyStore, clock: Clock, validators: Mapping[str, Validator] = MappingProxyType({})
    ) -> None:
        self.store, self.clock, self.validators = store, clock, dict(validators)

    def create(self, principal: Principal, name: str, content: str, note: str = "") -> StrategyVersion:
        """A new draft version of ``name`` (1 + the highest version), authored by ``principal``."""
        require_role(principal, (ANALYST,), "authoring a strategy")
        sha = self._checked(name, 1, content)
        top = max((v.version for v in self.store.versions(name)), default=0)
        now = self.clock.now()
        new = draft(name, top + 1, principal.name, sha, now, note=note)
        self.store.add(new, content, _entry(now, principal, "strategy.created", new.key))
        return new

    def edit(self, principal: Principal, name: str, version: int, content: str) -> StrategyVersion:
        """Replace a draft's content (its author only); published versions are immutable."""
        require_role(principal, (ANALYST,), "editing a strategy")
        sha = self._checked(name, version, content)
        before = self._load(name, version)
        after = edited(before, principal.name, sha)
        now = self.clock.now()
        self.store.save(before, after, _entry(now, principal, "strategy.edited", after.key, {"sha256": sha}), content)
        return after

    def submit(self, principal: Principal, name: str, version: int) -> StrategyVersion:
        """Draft → submitted, by its author; from here on the content never changes."""
        require_role(principal, (ANALYST,), "submitting a strategy")
        before = self._load(name, version)
        after = submitted(before, principal.name)
        self.store.save(before, after, _entry(self.clock.now(), principal, "strategy.submitted", after.key))
        return after

    def approve(self, principal: Principal, name: str, version: int) -> StrategyVersion:
        """Submitted → approved, by anyone but the author."""
        require_role(principal, (APPROVER,), "approving a strategy")
        before = self._load(name, version)
        after = approved(before, principal.name)
        self.store.save(before, after, _entry(self.clock.now(), principal, "strategy.approved", after.key))
        return after

    def request_activation(self, principal: Principal, name: str, version: int, note: str = "") -> int:
        """Ask for ``name@version`` (approved, or retired for a rollback) to become active; the change id."""
        require_role(principal, (ANALYST,), "requesting an activation")
        target = check_activatable(self._load(name, version))
        now = self.clock.now()
        change = ActivationChange(0, name, version, principal.name, now, note=note)
        entry = _entry(now, principal, "strategy.activation_requested", target.key, {"note": note})
        return self.store.add_change(change, entry)

    def approve_activation(self, principal: Principal, change_id: int) -> StrategyVersion:
        """Approve and apply a pending activation (never by its requester): the active version is retired."""
        require_role(principal, (APPROVER,), "approving an activation")
        change = self.store.change(change_id)
        if change is None:
            raise NotFoundError(f"strategy change {change_id} does not exist")
        check_pending(change, principal.name)  # before reading the versions: the cheaper refusals first
        target = self._load(change.name, change.version)
        current = self.store.active(change.name)
        applied = activation(change, target, [] if current is None else [current], principal.name)
        now, detail = self.clock.now(), {"change_id": change_id}
        *retired, (_, active) = applied.moves
        entries = [_entry(now, principal, "strategy.retired", after.key, detail) for _, after in retired]
        entries.append(_entry(now, principal, "strategy.activated", active.key, detail))
        self.store.apply(applied, entries)
        return applied.activated

    def versions(self, principal: Principal, name: str) -> list[StrategyVersion]:
        """Every version of ``name``, oldest first."""
        require_role(principal, _READERS, "reading strategies")
        return self.store.versions(name)

    def catalogue(self, principal: Principal) -> list[dict[str, Any]]:
        """Every strategy: name, active and latest version, count of versions by status."""
        require_role(principal, _READERS, "reading strategies")
        return [overview(name, self.store.versions(name)) for name in self.store.names()]

    def changes(self, principal: Principal, status: str | None = None) -> list[ActivationChange]:
        """Activation changes (of ``status`` when given: ``pending`` for the approver's worklist), oldest first."""
        require_role(principal, _READERS, "reading strategy changes")
        if status is not None and status not in CHANGE_STATUSES:
            raise ValidationError("status", f"unknown {status!r}; valid: {', '.join(CHANGE_STATUSES)}")
        return self.store.list_changes(status)

    def get(self, principal: Principal, name: str, version: int) -> StrategyVersion:
        """One version."""
        require_role(principal, _READERS, "reading strategies")
        return self._load(name, version)

    def _checked(self, name: str, version: int, content: str) -> str:
        """The content's digest once it is a JDM graph and passes the name's validator (else ValidationError)."""
        sha = Strategy.of(name, version, content).sha256
        validator = self.validators.get(name)
        if validator is not None:
            validator(content)
        return sha

    def _load(self, name: str, version: int) -> StrategyVersion:
        found = self.store.find(name, version)
        if found is None:
            raise NotFoundError(f"strategy {strategy_key(name, version)} does not exist")
        return found


def _entry(
    now: dt.datetime, principal: Principal, action: str, key: str, detail: Mapping[str, Any] | None = None
) -> AuditEntry:
    return AuditEntry(now, principal.name, action, "strategy", key, dict(detail or {}))
