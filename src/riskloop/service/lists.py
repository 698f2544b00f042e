"""The bank's lists as a use case: load a file, add, end-date, show, screen a decision, black-list a confirmed gang.

A file load is validated row by row; every bad row is named (file, row, field, reason). With ``quarantine`` the
good rows are stored and the bad ones reported as quarantined; without it a file with any bad row is refused
whole. Nothing is silently dropped. Who may do what is checked here (``domain.access``): list keepers edit,
reviewers confirm gangs, auditors and list keepers may see raw values (each such read audited).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from riskloop.domain.access import AUDITOR, LIST_KEEPER, REVIEWER, Principal, require_role
from riskloop.domain.clock import Clock
from riskloop.domain.decision_request import DecisionRequest
from riskloop.domain.lists import (
    BLACK,
    LIST_KINDS,
    MATCH_KIND,
    GraphIdentifier,
    ListEntry,
    ListHits,
    ListVersion,
    beijing_time,
    graph_entry,
    graph_match_kind,
    hits,
    new_entry,
)
from riskloop.domain.lists import request_identifiers as identifiers_of
from riskloop.errors import DataSourceError, ValidationError
from riskloop.service.list_ports import GangFinder, ListStore

RAW_VIEW = (AUDITOR, LIST_KEEPER)  # the roles that may see listed values whole
COLUMNS = ("identifier_kind", "value", "reason", "valid_from", "expires_at")


@dataclass(frozen=True)
class RowProblem:
    """A bad row of a list file: where and why (never its value: it may be personal data)."""

    file: str
    row: int
    field: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"file": self.file, "row": self.row, "field": self.field, "reason": self.reason}


def check_kind(list_kind: str) -> str:
    """``list_kind`` if it is black, grey or white; a ValidationError naming ``kind`` otherwise."""
    if list_kind not in LIST_KINDS:
        raise ValidationError("kind", f"{list_kind!r} is not one of {', '.join(LIST_KINDS)}")
    return list_kind


class ListDesk:
    """Use cases of the lists on a ``ListStore``; times from ``clock``."""

    def __init__(self, store: ListStore, clock: Clock) -> None:
        self.store, self.clock = store, clock

    def load(
        self,
        principal: Principal,
        rows: Sequence[tuple[int, Mapping[str, object]]],
        *,
        file: str,
        list_kind: str,
        quarantine: bool = False,
    ) -> dict[str, Any]:
        """Validate the numbered ``rows`` of ``file`` and store the good ones as one version (see the module doc)."""
        require_role(principal, (LIST_KEEPER,), "loading a list file")
        check_kind(list_kind)
        actor = principal.name
        now = self.clock.now()
        good: list[ListEntry] = []
        problems: list[RowProblem] = []
        for number, row in rows:
            try:
                good.append(self._row_entry(row, list_kind, now, {"file": file, "row": str(number)}))
            except ValidationError as err:
                problems.append(RowProblem(file, number, err.field, err.problem))
        report: dict[str, Any] = {"file": file, "kind": list_kind, "rows": len(rows),
                                  "problems": [p.to_dict() for p in problems]}  # fmt: skip
        if problems and not quarantine:
            return {**report, "status": "refused", "stored": 0, "quarantined": 0, "version": None}
        detail = {"file": file, "kind": list_kind, "rows": len(rows), "quarantined": [p.to_dict() for p in problems]}
        version, _ = self.store.save(good, action="list.load", actor=actor, at=now, detail=detail)
        status = "loaded" if not problems else "loaded with quarantine"
        return {**report, "status": status, "stored": len(good), "quarantined": len(problems),
                "version": version.version}  # fmt: skip

    def _row_entry(
        self, row: Mapping[str, object], list_kind: str, now: dt.datetime, provenance: Mapping[str, str]
    ) -> ListEntry:
        unknown = sorted(set(row) - set(COLUMNS))
        if unknown:
            raise ValidationError(unknown[0], f"unknown column; the columns are {', '.join(COLUMNS)}")
        kind, value = row.get("identifier_kind"), row.get("value")
        if not isinstance(kind, str) or not kind.strip():
            raise ValidationError("identifier_kind", "missing")
        if value is None or str(value).strip() == "":
            raise ValidationError("value", "missing")
        reason = str(row.get("reason") or "").strip()
        if not reason:
            raise ValidationError("reason", "missing")
        return new_entry(
            list_kind, kind.strip(), str(value), reason=reason, source="file", provenance=provenance,
            valid_from=_time(row.get("valid_from"), "valid_from") or now,
            expires_at=_time(row.get("expires_at"), "expires_at"),
        )  # fmt: skip

    def add(
        self,
        principal: Principal,
        *,
        list_kind: str,
        identifier_kind: str,
        value: str,
        reason: str,
        valid_from: object = None,
        expires_at: object = None,
    ) -> ListEntry:
        """Add one entry by hand (a list keeper), as one version."""
        require_role(principal, (LIST_KEEPER,), "editing the lists")
        now = self.clock.now()
        entry = new_entry(
            check_kind(list_kind), identifier_kind, value, reason=reason, source="manual",
            provenance={"by": principal.name}, valid_from=_time(valid_from, "valid_from") or now,
            expires_at=_time(expires_at, "expires_at"),
        )  # fmt: skip
        _, [saved] = self.store.save([entry], action="list.add", actor=principal.name, at=now, detail={})
        return _masked(saved)

    def end(self, principal: Principal, entry_id: str, reason: str) -> ListEntry:
        """End-date an entry now (a list keeper): it stops matching, and stays in the history."""
        require_role(principal, (LIST_KEEPER,), "editing the lists")
        if not reason.strip():
            raise ValidationError("reason", "say why the entry is removed")
        return _masked(self.store.end(entry_id, actor=principal.name, at=self.clock.now(), reason=reason.strip()))

    def show(
        self, principal: Principal, *, list_kind: str | None = None, include_ended: bool = False, reveal: bool = False
    ) -> list[ListEntry]:
        """Entries for ``principal``: values masked, or whole with ``reveal`` for the roles that may (audited)."""
        if list_kind is not None:
            check_kind(list_kind)
        if reveal:
            require_role(principal, RAW_VIEW, "seeing listed values whole", field="reveal")
        return self.store.entries(
            list_kind=list_kind, include_ended=include_ended, reveal_to=principal.name if reveal else None,
            at=self.clock.now(),
        )  # fmt: skip

    def versions(self) -> list[ListVersion]:
        """Every version of the lists, oldest first."""
        return self.store.versions()

    def confirm_gang(
        self,
        principal: Principal,
        gang_id: str,
        *,
        credit_codes: Sequence[str],
        identifiers: Sequence[tuple[str, str]],
        evidence: str,
        reason: str = "confirmed fraud gang",
        graph_identifiers: Sequence[GraphIdentifier] = (),
    ) -> dict[str, Any]:
        """A reviewer confirms a detected gang as fraud: its credit codes and shared identifiers are black-listed.

        ``identifiers`` are raw values from the case file; ``graph_identifiers`` the shared ones gang detection
        found, known by graph key only (listed by it, matched by it: ``StoreListScreen``). Every entry's
        provenance names the gang, the reviewer and the evidence (a graph-keyed one also the link and the token);
        the whole confirmation is one version with a ``gang.confirm`` audit row. One reviewer suffices
        (ADR 0032): an entry is end-dated if wrong.
        """
        require_role(principal, (REVIEWER,), "confirming a gang")
        if not gang_id.strip() or not evidence.strip():
            raise ValidationError("evidence" if gang_id.strip() else "gang_id", "required")
        if not credit_codes:
            raise ValidationError("credit_codes", "a confirmed gang lists at least one member's credit code")
        now = self.clock.now()
        provenance = {"gang_id": gang_id, "reviewer": principal.name, "evidence": evidence}
        pairs = [("credit_code", c) for c in credit_codes] + list(identifiers)
        entries = []
        for i, (kind, value) in enumerate(pairs):
            try:
                entries.append(new_entry(BLACK, kind, value, reason=reason, source="gang_confirmed",
                                         provenance=provenance, valid_from=now))  # fmt: skip
            except ValidationError as err:
                raise ValidationError(f"identifiers[{i}].{err.field}", err.problem) from None
        keyed = {e.match_key for e in entries}
        for found in graph_identifiers:
            entry = graph_entry(BLACK, found, reason=reason, source="gang_confirmed", provenance=provenance,
                                valid_from=now)  # fmt: skip
            if entry.match_key not in keyed:
                keyed.add(entry.match_key)
                entries.append(entry)
        detail = {"gang_id": gang_id, "evidence": evidence, "entries": len(entries)}
        version, saved = self.store.save(entries, action="gang.confirm", actor=principal.name, at=now, detail=detail)
        return {"gang_id": gang_id, "reviewer": principal.name, "version": version.version,
                "entries": [_masked(e).to_dict() for e in saved]}  # fmt: skip

    def confirm_detected_gang(
        self,
        principal: Principal,
        gang_id: str,
        finder: GangFinder,
        *,
        evidence: str,
        credit_codes: Sequence[str] = (),
        identifiers: Sequence[tuple[str, str]] = (),
        until: dt.datetime | None = None,
        window_days: float | None = None,
    ) -> dict[str, Any]:
        """``confirm_gang`` of the gang as detection finds it: its members and shared identifiers, plus those given.

        The role is checked before detection runs (it reads every application).
        """
        require_role(principal, (REVIEWER,), "confirming a gang")
        found = finder.gang(gang_id, until=until, window_days=window_days)
        codes = list(credit_codes) + [c for c in found.credit_codes if c not in credit_codes]
        return self.confirm_gang(principal, gang_id, credit_codes=codes, identifiers=identifiers, evidence=evidence,
                                 graph_identifiers=found.identifiers)  # fmt: skip


class GraphKeys(Protocol):
    """A request's identifiers keyed as the graph keys them (``graph.shared.request_keys`` under the graph key)."""

    def __call__(self, request: Mapping[str, object]) -> list[tuple[str, str, str]]:
        """``(field, graph kind, key hex)`` of each personal identifier of ``request``."""
        ...


class StoreListScreen:
    """The decision pipeline's screen on a ``ListStore``: one indexed read per application.

    With ``graph_keys``, the request's personal identifiers are also looked up by graph key, so identifiers a
    confirmed gang shared (listed by graph key, their raw values unknown) match in the same read.
    """

    def __init__(self, store: ListStore, graph_keys: GraphKeys | None = None) -> None:
        self.store, self.graph_keys = store, graph_keys

    def screen(self, request: DecisionRequest, at: dt.datetime) -> ListHits:
        """The request's identifiers found on the lists in force at ``at``."""
        values = request.to_dict()
        fields = identifiers_of(values)
        if self.graph_keys is not None:
            fields += [(name, graph_match_kind(kind), key) for name, kind, key in self.graph_keys(values)]
        if not fields:
            return ListHits()
        found = self.store.find([(kind, value) for _, kind, value in fields])
        return hits(fields, found, at)


class UnavailableListScreen:
    """A screen whose lists cannot be read: every decision records the failure and is referred (LIST_UNAVAILABLE)."""

    def __init__(self, why: str) -> None:
        self.why = why

    def screen(self, request: DecisionRequest, at: dt.datetime) -> ListHits:
        """Raise: the lists are unavailable."""
        raise DataSourceError(f"lists unavailable: {self.why}")


def match_key(identifier_kind: str, value: str) -> tuple[str, str]:
    """The (match kind, value) key an entry of ``identifier_kind`` is looked up by."""
    return MATCH_KIND[identifier_kind], value


def _time(raw: object, field: str) -> dt.datetime | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return beijing_time(raw, field)


def _masked(entry: ListEntry) -> ListEntry:
    return replace(entry, value=None)
