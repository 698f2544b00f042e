"""The ports of collection: the collection store, the chooser of next best actions and the transcript checker.

Store writes are atomic: a step's rows and its audit row commit together or not at all. ``record`` and
``save_qa_case`` are compare-and-sets on the state read (``row_version``): of two collectors recording against
one plan, one wins and the other gets a ConflictError. In-memory implementation:
``riskloop.testing.memory_collections``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from riskloop.domain.audit import AuditEntry
from riskloop.domain.collection_work import Finding, Plan, QaCase, RecordedAction


class CollectionStore(Protocol):
    """Plans, recorded actions, QA findings and QA cases."""

    def save_plans(self, plans: Sequence[Plan], entry: AuditEntry) -> int:
        """Store new open plans; an open plan of the same case is superseded. Returns how many were superseded."""
        ...

    def open_plan(self, case_id: str) -> Plan | None:
        """The open plan of ``case_id``, or ``None``."""
        ...

    def plans(self, *, status: str | None, limit: int, after: str | None) -> list[Plan]:
        """Plans (of ``status`` when given) ordered by case id, ``limit`` of them after the case id ``after``."""
        ...

    def record(self, before: Plan, after: Plan, action: RecordedAction, entry: AuditEntry) -> None:
        """Mark the plan acted (while still ``before``) and store the action; a lost race is a ConflictError."""
        ...

    def actions(self, *, case_id: str | None = None, since: dt.datetime | None = None) -> list[RecordedAction]:
        """Recorded actions (of one case, or acted at or after ``since``), oldest first."""
        ...

    def save_check(
        self, call_id: str, findings: Sequence[Finding], case: QaCase | None, entry: AuditEntry
    ) -> QaCase | None:
        """Replace the findings of ``call_id``; store ``case`` unless the call already has an open QA case.

        Returns the call's open QA case after the write (the stored one, the new one, or ``None``).
        """
        ...

    def findings(self, call_id: str) -> list[Finding]:
        """The findings of ``call_id``'s latest check, in turn order."""
        ...

    def qa_cases(self, *, status: str | None, limit: int) -> list[QaCase]:
        """QA cases (of ``status`` when given), highest score first, then oldest."""
        ...

    def qa_case(self, qa_case_id: str) -> QaCase | None:
        """The QA case ``qa_case_id``, or ``None``."""
        ...

    def save_qa_case(self, before: QaCase, after: QaCase, entry: AuditEntry) -> None:
        """Write ``after`` while the stored case is still ``before``; else a ConflictError."""
        ...


@dataclass(frozen=True)
class Choice:
    """What a policy chose for one case's next round."""

    arm: str
    propensity: float
    pmf: Mapping[str, float]
    expected_net_cents: Mapping[str, int]
    reasons: tuple[str, ...]


class Chooser(Protocol):
    """The active collection policy: a next best action per case context."""

    policy_id: str

    def choose_rows(self, contexts: Any, seed: int) -> list[Choice]:
        """One Choice per row of ``contexts`` (a frame of case contexts), seeded exploration."""
        ...


@dataclass(frozen=True)
class CheckedCall:
    """A transcript checker's verdict on one call."""

    findings: tuple[Finding, ...]
    dimension_scores: Mapping[str, int]
    threshold: float
    checker: str  # ``<name>@<version>``


class Checker(Protocol):
    """The transcript quality check."""

    def check_call(self, call_id: str, started_at: dt.datetime, turns: Sequence[tuple[int, str, str]]) -> CheckedCall:
        """Findings of one call (turns as ``(turn_no, speaker, text)``); malformed turns are a ValidationError."""
        ...
