"""The strategy lifecycle's rules: draft → submitted → approved by someone else → active → retired.

Only the author edits or submits a draft; the approver is never the author; from submission on a version
never changes. Activating a version (a rollback included) is a change requested by one principal and
approved by another; applying it retires the version that was active. Each transition returns the next
state with ``row_version`` one higher, so a store can refuse to write over a state it did not start from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from riskloop.errors import ConflictError, ForbiddenError

DRAFT, SUBMITTED, APPROVED, ACTIVE, RETIRED = "draft", "submitted", "approved", "active", "retired"
LOADABLE = (SUBMITTED, APPROVED, ACTIVE, RETIRED)  # immutable from submission on
ACTIVATABLE = (APPROVED, RETIRED)
PENDING, APPLIED = "pending", "applied"


@dataclass(frozen=True)
class StrategyVersion:
    """One stored version and where it is in its lifecycle."""

    name: str
    version: int
    status: str
    author: str
    approved_by: str | None
    sha256: str
    created_at: dt.datetime
    note: str = ""
    row_version: int = 0

    @property
    def key(self) -> str:
        """``name@version`` (the rule engine's key, ``rules.engine.strategy_key``)."""
        return f"{self.name}@{self.version}"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return {
            "name": self.name,
            "version": self.version,
            "key": self.key,
            "status": self.status,
            "author": self.author,
            "approved_by": self.approved_by,
            "sha256": self.sha256,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class ActivationChange:
    """A request to make ``name@version`` active: pending until another principal approves and applies it."""

    change_id: int
    name: str
    version: int
    requested_by: str
    requested_at: dt.datetime
    status: str = PENDING
    approved_by: str | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return {
            "change_id": self.change_id,
            "name": self.name,
            "version": self.version,
            "key": f"{self.name}@{self.version}",
            "requested_by": self.requested_by,
            "requested_at": self.requested_at.isoformat(),
            "status": self.status,
            "approved_by": self.approved_by,
            "note": self.note,
        }


@dataclass(frozen=True)
class Activation:
    """Applying an approved change: the change, then each version's move (retirements first), before → after."""

    change: tuple[ActivationChange, ActivationChange]
    moves: tuple[tuple[StrategyVersion, StrategyVersion], ...]

    @property
    def activated(self) -> StrategyVersion:
        """The version made active."""
        return self.moves[-1][1]


STATUSES = (DRAFT, SUBMITTED, APPROVED, ACTIVE, RETIRED)
CHANGE_STATUSES = (PENDING, APPLIED)


def overview(name: str, versions: list[StrategyVersion]) -> dict[str, Any]:
    """One strategy at a glance: its active and latest versions and how many versions are in each status."""
    active = next((v.version for v in versions if v.status == ACTIVE), None)
    latest = max((v.version for v in versions), default=None)
    counts = {status: sum(v.status == status for v in versions) for status in STATUSES}
    return {"name": name, "active_version": active, "latest_version": latest, "by_status": counts}


def draft(name: str, version: int, author: str, sha256: str, now: dt.datetime, *, note: str = "") -> StrategyVersion:
    """A new draft."""
    return StrategyVersion(name, version, DRAFT, author, None, sha256, now, note)


def edited(current: StrategyVersion, actor: str, sha256: str) -> StrategyVersion:
    """A draft with new content (digest ``sha256``), by its author only; published versions are immutable."""
    if current.status != DRAFT:
        raise ConflictError("status", f"{current.key} is {current.status}: published versions are immutable")
    if actor != current.author:
        raise ForbiddenError(f"only the author ({current.author}) edits a draft")
    return replace(current, sha256=sha256, row_version=current.row_version + 1)


def submitted(current: StrategyVersion, actor: str) -> StrategyVersion:
    """Draft → submitted, by its author."""
    _expect(current, DRAFT)
    if actor != current.author:
        raise ForbiddenError(f"only the author ({current.author}) submits a draft")
    return replace(current, status=SUBMITTED, row_version=current.row_version + 1)


def approved(current: StrategyVersion, actor: str) -> StrategyVersion:
    """Submitted → approved, by anyone but the author."""
    _expect(current, SUBMITTED)
    if actor == current.author:
        raise ForbiddenError("the approver is never the author")
    return replace(current, status=APPROVED, approved_by=actor, row_version=current.row_version + 1)


def check_activatable(current: StrategyVersion) -> StrategyVersion:
    """``current`` if it may be activated: approved, or retired (a rollback)."""
    if current.status not in ACTIVATABLE:
        raise ConflictError("status", f"{current.key} is {current.status}; only approved or retired versions activate")
    return current


def check_pending(change: ActivationChange, actor: str) -> None:
    """A change is approved once, never by its requester."""
    if change.status != PENDING:
        raise ConflictError("status", f"change {change.change_id} is {change.status}")
    if actor == change.requested_by:
        raise ForbiddenError("the approver of a change is never its requester")


def activation(
    change: ActivationChange, target: StrategyVersion, actives: list[StrategyVersion], actor: str
) -> Activation:
    """Approve and apply ``change`` (never by its requester): ``target`` becomes active, ``actives`` retire."""
    check_pending(change, actor)
    if target.status not in ACTIVATABLE:
        raise ConflictError("status", f"{target.key} is {target.status}")
    moves = [(v, replace(v, status=RETIRED, row_version=v.row_version + 1)) for v in actives]
    moves.append((target, replace(target, status=ACTIVE, row_version=target.row_version + 1)))
    return Activation((change, replace(change, status=APPLIED, approved_by=actor)), tuple(moves))


def _expect(current: StrategyVersion, status: str) -> None:
    if current.status != status:
        raise ConflictError("status", f"{current.key} is {current.status}, not {status}")
