"""The bank's black, grey and white lists: entries, what a value of each identifier kind is, and when one matches.

An entry lists one identifier (a credit code, a person's resident ID, a phone...) on one list for a reason, from a
source, with its provenance, in force from ``valid_from`` until ``expires_at`` or until it is ended (removal
end-dates an entry, it never deletes it). Black wins over white; grey refers; white never approves (it only
exempts from registration anti-abuse checks: ``allows``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from riskloop.domain.identity import BankAccount, CreditCode, DeviceId, Email, IpAddress, Phone, ResidentId
from riskloop.domain.pii import KEYED_PREFIX
from riskloop.errors import IdentifierError, ValidationError

BLACK, GREY, WHITE = "black", "grey", "white"
LIST_KINDS = (BLACK, GREY, WHITE)
SOURCES = ("manual", "file", "gang_confirmed", "legacy_file", "registration_screen")  # the last: a blocked sign-up
CHINA = dt.timezone(dt.timedelta(hours=8), "CST")  # a date in a bank's file is a Beijing date

_PARSERS: dict[str, Callable[[object, str], str]] = {
    "credit_code": lambda raw, f: CreditCode.parse(raw, f).value,
    "resident_id": lambda raw, f: ResidentId.parse(raw, f).reveal(),
    "legal_rep_id": lambda raw, f: ResidentId.parse(raw, f).reveal(),
    "phone": lambda raw, f: Phone.parse(raw, f).reveal(),
    "device_id": lambda raw, f: DeviceId.parse(raw, f).value,
    "bank_account": lambda raw, f: BankAccount.parse(raw, f).reveal(),
    "email": lambda raw, f: Email.parse(raw, f).reveal(),
    "ip": lambda raw, f: IpAddress.parse(raw, f).value,
}
IDENTIFIER_KINDS = tuple(_PARSERS)
# What a value is matched as: an applicant's resident ID and a legal representative's are one person.
MATCH_KIND = {kind: kind for kind in IDENTIFIER_KINDS} | {"resident_id": "person", "legal_rep_id": "person"}
# The graph's node kind of each identifier kind a confirmed gang lists by graph key (its raw value is unknown).
GRAPH_KIND = {"phone": "phone", "device_id": "device", "bank_account": "bank_account", "email": "email",
              "resident_id": "person", "legal_rep_id": "person"}  # fmt: skip
IDENTIFIER_OF_GRAPH = {"phone": "phone", "device": "device_id", "bank_account": "bank_account", "email": "email",
                       "person": "resident_id"}  # fmt: skip
GRAPH_KEY_HEX = 16  # a graph key is matched by its token's first 16 hex digits (the graph's lookup key)
# The decision request's fields screened against the lists, with the identifier kind of each.
REQUEST_FIELDS = {
    "credit_code": "credit_code",
    "applicant_id": "resident_id",
    "phone": "phone",
    "device_id": "device_id",
    "bank_account": "bank_account",
    "email": "email",
    "ip": "ip",
}


def normalise(kind: str, raw: object, field: str = "value") -> str:
    """The one spelling of ``raw`` as an identifier of ``kind``; IdentifierError naming ``field`` if invalid."""
    parser = _PARSERS.get(kind)
    if parser is None:
        raise ValidationError("identifier_kind", f"{kind!r} is not one of {', '.join(IDENTIFIER_KINDS)}")
    return parser(raw, field)


def mask(kind: str, value: str) -> str:
    """The label shown to roles that may not see ``value`` (a credit code is public and shown whole)."""
    if kind == "credit_code":
        return value
    if kind in ("resident_id", "legal_rep_id"):
        return ResidentId(value).masked
    if kind in ("phone", "bank_account", "email"):
        return {"phone": Phone, "bank_account": BankAccount, "email": Email}[kind](value).masked
    return value[:4] + "****"


def beijing_time(raw: object, field: str) -> dt.datetime:
    """A date (midnight in Beijing) or a datetime (Beijing when it names no zone) as an aware datetime."""
    if isinstance(raw, dt.datetime):
        return raw if raw.tzinfo is not None else raw.replace(tzinfo=CHINA)
    if isinstance(raw, dt.date):
        return dt.datetime.combine(raw, dt.time(), CHINA)
    text = str(raw).strip()
    try:
        if len(text) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), CHINA)
        return beijing_time(dt.datetime.fromisoformat(text), field)
    except ValueError:
        raise ValidationError(field, f"{text!r} is not a date (YYYY-MM-DD) or an ISO date and time") from None


@dataclass(frozen=True)
class ListEntry:
    """One identifier on one list. ``value`` is the normalised identifier, ``None`` where the reader may not see it."""

    list_kind: str
    identifier_kind: str
    value: str | None
    label: str
    reason: str
    source: str
    provenance: Mapping[str, str]
    valid_from: dt.datetime
    expires_at: dt.datetime | None = None
    entry_id: str = ""
    version: int = 0
    ended_at: dt.datetime | None = None
    ended_by: str | None = None
    end_reason: str | None = None

    def __post_init__(self) -> None:
        if self.list_kind not in LIST_KINDS:
            raise ValidationError("kind", f"{self.list_kind!r} is not one of {', '.join(LIST_KINDS)}")
        if self.source not in SOURCES:
            raise ValidationError("source", f"{self.source!r} is not one of {', '.join(SOURCES)}")
        if not self.reason.strip() or len(self.reason) > 200:
            raise ValidationError("reason", "give a reason of 1 to 200 characters")
        if self.valid_from.tzinfo is None or (self.expires_at is not None and self.expires_at.tzinfo is None):
            raise ValidationError("valid_from", "times must name their zone")
        if self.expires_at is not None and self.expires_at <= self.valid_from:
            raise ValidationError("expires_at", "must be after valid_from")

    def in_force(self, at: dt.datetime) -> bool:
        """True when the entry matches at ``at``: valid from, not expired, not ended."""
        ends = [t for t in (self.expires_at, self.ended_at) if t is not None]
        return self.valid_from <= at and all(at < t for t in ends)

    @property
    def match_kind(self) -> str:
        """The kind the value is matched as (``MATCH_KIND``)."""
        return MATCH_KIND[self.identifier_kind]

    @property
    def match_key(self) -> tuple[str, str]:
        """The (match kind, value) the entry is looked up by; a graph-keyed entry's is its graph key.

        Only an entry that carries its value has one (a new entry, or one read whole).
        """
        if self.value is None:
            raise ValueError("an entry read without its value has no match key")
        token = graph_token(self.value)
        if token is not None:
            return graph_match_kind(GRAPH_KIND[self.identifier_kind]), token[:GRAPH_KEY_HEX]
        return self.match_kind, self.value

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (times as ISO text)."""
        iso = {n: None if getattr(self, n) is None else getattr(self, n).isoformat()
               for n in ("valid_from", "expires_at", "ended_at")}  # fmt: skip
        return {
            "entry_id": self.entry_id,
            "kind": self.list_kind,
            "identifier_kind": self.identifier_kind,
            "value": self.value,
            "label": self.label,
            "reason": self.reason,
            "source": self.source,
            "provenance": dict(self.provenance),
            "version": self.version,
            "ended_by": self.ended_by,
            "end_reason": self.end_reason,
            **iso,
        }


def new_entry(
    list_kind: str,
    identifier_kind: str,
    raw: object,
    *,
    reason: str,
    source: str,
    provenance: Mapping[str, str],
    valid_from: dt.datetime,
    expires_at: dt.datetime | None = None,
) -> ListEntry:
    """A validated entry of ``raw`` (errors name ``identifier_kind`` or ``value``)."""
    value = normalise(identifier_kind, raw)
    return ListEntry(list_kind, identifier_kind, value, mask(identifier_kind, value), reason.strip(), source,
                     dict(provenance), valid_from, expires_at)  # fmt: skip


def graph_match_kind(graph_kind: str) -> str:
    """The match kind of identifiers known by the graph's key: apart from values, never equal to one."""
    return f"graph.{graph_kind}"


def graph_token(value: str) -> str | None:
    """The graph token a graph-keyed value (``tok1:<token>:<label>``) carries, or None for a plain value."""
    if not value.startswith(KEYED_PREFIX):
        return None
    token = value[len(KEYED_PREFIX) :].split(":", 1)[0]
    return token if len(token) >= GRAPH_KEY_HEX else None


@dataclass(frozen=True)
class GraphIdentifier:
    """A gang's shared identifier as gang detection knows it: graph kind, token, masked label, how it links."""

    graph_kind: str
    token: str
    label: str
    link: str  # the edge kind: uses_phone, uses_device, logged_in_from, uses_email, uses_bank_account, applied_by
    enterprises: int = 2  # member enterprises that used it

    def __post_init__(self) -> None:
        if self.graph_kind not in IDENTIFIER_OF_GRAPH:
            raise ValidationError("graph_kind", f"{self.graph_kind!r} is not one of {', '.join(IDENTIFIER_OF_GRAPH)}")
        if len(self.token) < GRAPH_KEY_HEX or any(c not in "0123456789abcdef" for c in self.token):
            raise ValidationError("token", f"a graph token is at least {GRAPH_KEY_HEX} lower-case hex digits")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"graph_kind": self.graph_kind, "token": self.token, "label": self.label, "link": self.link,
                "enterprises": self.enterprises}  # fmt: skip


@dataclass(frozen=True)
class DetectedGang:
    """A gang as detection finds it now: its members' credit codes and the personal identifiers they share."""

    gang_id: str
    credit_codes: tuple[str, ...]
    identifiers: tuple[GraphIdentifier, ...] = ()


def graph_entry(
    list_kind: str,
    found: GraphIdentifier,
    *,
    reason: str,
    source: str,
    provenance: Mapping[str, str],
    valid_from: dt.datetime,
) -> ListEntry:
    """An entry of an identifier known by its graph key only: value ``tok1:<token>:<label>``, never the raw one."""
    label = found.label[:80]
    return ListEntry(list_kind, IDENTIFIER_OF_GRAPH[found.graph_kind], f"{KEYED_PREFIX}{found.token}:{label}",
                     label, reason.strip(), source,
                     {**provenance, "link": found.link, "graph_token": found.token}, valid_from)  # fmt: skip


@dataclass(frozen=True)
class ListHits:
    """What the lists say of one application: the request fields found on each list, and the entries behind them.

    A field both black- and white-listed counts as black only (black wins over white).
    """

    black: tuple[str, ...] = ()
    grey: tuple[str, ...] = ()
    white: tuple[str, ...] = ()
    entries: tuple[str, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        """True when nothing matched."""
        return not (self.black or self.grey or self.white)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"black": list(self.black), "grey": list(self.grey), "white": list(self.white),
                "entries": list(self.entries)}  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ListHits:
        """The hits ``to_dict`` wrote."""
        return cls(*(tuple(data.get(n, ())) for n in ("black", "grey", "white", "entries")))


def request_identifiers(values: Mapping[str, object]) -> list[tuple[str, str, str]]:
    """``(field, match kind, normalised value)`` of each screened field of a request; an invalid value is skipped.

    A value that does not normalise cannot be on a list (every listed value was normalised the same way).
    """
    found = []
    for name, kind in REQUEST_FIELDS.items():
        raw = values.get(name)
        if raw is None:
            continue
        try:
            found.append((name, MATCH_KIND[kind], normalise(kind, raw, name)))
        except IdentifierError:
            continue
    return found


def hits(
    fields: Iterable[tuple[str, str, str]], found: Mapping[tuple[str, str], Sequence[ListEntry]], at: dt.datetime
) -> ListHits:
    """The hits of a request's ``fields`` given the entries ``found`` per (match kind, value); stale ones ignored.

    A field may come more than once (by its value and by its graph key): it is named once per list.
    """
    live: dict[str, list[ListEntry]] = {}
    for name, kind, value in fields:
        live.setdefault(name, []).extend(e for e in found.get((kind, value), ()) if e.in_force(at))
    lists: dict[str, list[str]] = {BLACK: [], GREY: [], WHITE: []}
    for name, entries in live.items():
        kinds = {e.list_kind for e in entries}
        for list_kind in LIST_KINDS:
            if list_kind in kinds and not (list_kind == WHITE and BLACK in kinds):
                lists[list_kind].append(name)
    ids = {e.entry_id for entries in live.values() for e in entries}
    return ListHits(tuple(lists[BLACK]), tuple(lists[GREY]), tuple(lists[WHITE]), tuple(sorted(ids)))


def allowed(entries: Iterable[ListEntry], at: dt.datetime) -> bool:
    """True when ``entries`` (of one value) hold a white entry in force at ``at`` and no black one."""
    kinds = {e.list_kind for e in entries if e.in_force(at)}
    return WHITE in kinds and BLACK not in kinds


@dataclass(frozen=True)
class ListVersion:
    """One change of the lists (a file load, an addition, an end-dating, a confirmed gang): a version."""

    version: int
    action: str
    actor: str
    at: dt.datetime
    detail: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"version": self.version, "action": self.action, "actor": self.actor, "at": self.at.isoformat(),
                "detail": dict(self.detail)}  # fmt: skip
