"""Post-loan alerts: three levels, direct or propagated over the enterprise graph, with the evidence that raised them.

An alert is about one enterprise (its credit code) and, when it is on the book, one loan; it belongs to a
period (an as-of day ``YYYY-MM-DD`` or a month ``YYYY-MM``) and is unique per (credit code, signal, period).
Its evidence names the signals, their values and thresholds, and the warning policy (name and version) that
raised it; a propagated alert also carries the path from the enterprise whose alert it derives from (hops of
the graph, ``from`` → ``to`` by an edge kind) and that source alert's id. Nothing in an alert is a raw
personal identifier: path nodes are credit codes or keyed tokens (ADR 0016). Model monitoring raises alerts of
origin ``model`` in the same store and lifecycle: about a model rather than an enterprise (``MODEL_SUBJECT``).
The lifecycle is in ``domain.alert_lifecycle``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from riskloop.domain.access import PRINCIPAL
from riskloop.domain.identifiers import is_valid_uscc, validate_uscc
from riskloop.domain.tables import INDUSTRY_SECTIONS
from riskloop.errors import ValidationError

WARNING, ATTENTION, NOTICE = "warning", "attention", "notice"
LEVELS = (WARNING, ATTENTION, NOTICE)  # highest first
LEVEL_RANK = {WARNING: 3, ATTENTION: 2, NOTICE: 1}
LEVEL_ZH = {WARNING: "预警", ATTENTION: "关注", NOTICE: "提示"}
DIRECT, PROPAGATED, MODEL = "direct", "propagated", "model"
ORIGINS = (DIRECT, PROPAGATED, MODEL)
# A model-monitoring alert is about a model, not an enterprise: it carries this marker in place of a credit code,
# the model and metric in its signal (``model.<metric>:<model id>``), and the as-of month as its period.
MODEL_SUBJECT = "MODEL"
OPEN, ACKNOWLEDGED, ACTIONED, CLOSED = "open", "acknowledged", "actioned", "closed"
STATUSES = (OPEN, ACKNOWLEDGED, ACTIONED, CLOSED)
STATUS_ZH = {OPEN: "待处理", ACKNOWLEDGED: "已确认", ACTIONED: "已处置", CLOSED: "已关闭"}
ENTERPRISE_KINDS = ("company", "individual_business")
ID_PREFIX = "alr_"
ALERT_TOPIC = "post_loan.alert"  # the outbox topic of new and upgraded alerts

_SIGNAL = re.compile(r"^[a-z][a-z0-9_.:-]{0,79}$")
_LOAN = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
_POLICY = re.compile(r"^[A-Za-z0-9._-]{1,60}$")
_ALERT_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_TOKEN = re.compile(r"^[0-9a-f]{24}$")  # a keyed token of the graph (graph.tokens.TOKEN_HEX)
_EDGE = re.compile(r"^[a-z][a-z_]{0,39}$")
_PERIOD = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
Value = float | int | str | bool | None


@dataclass(frozen=True)
class AlertKey:
    """What makes an alert unique: raising the same key again changes nothing (or upgrades its level)."""

    credit_code: str
    signal: str
    period: str


class StoredLevel(NamedTuple):
    """What raising a key again needs to know of its stored alert: its id and level (a narrow read)."""

    alert_id: str
    level: str


@dataclass(frozen=True)
class SignalValue:
    """One signal as the policy saw it: its value, and the threshold (and coefficient) it crossed."""

    name: str
    value: Value
    threshold: Value = None
    coefficient: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return {"name": self.name, "value": self.value, "threshold": self.threshold, "coefficient": self.coefficient}


@dataclass(frozen=True)
class Hop:
    """One step of a propagation path: ``src`` relates to ``dst`` by ``edge_kind`` (credit codes or tokens)."""

    src: str
    dst: str
    edge_kind: str

    def to_dict(self) -> dict[str, str]:
        """Plain JSON-ready fields (``from``, ``to``, ``edge_kind``)."""
        return {"from": self.src, "to": self.dst, "edge_kind": self.edge_kind}


@dataclass(frozen=True)
class Evidence:
    """Why an alert was raised: the signals, the policy, and for a propagated alert its path and source."""

    signals: tuple[SignalValue, ...]
    policy: str
    policy_version: int
    path: tuple[Hop, ...] = ()
    source_alert_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return {
            "signals": [s.to_dict() for s in self.signals],
            "policy": self.policy,
            "policy_version": self.policy_version,
            "path": [h.to_dict() for h in self.path],
            "source_alert_id": self.source_alert_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evidence:
        """The evidence ``to_dict`` wrote."""
        return cls(
            signals=tuple(
                SignalValue(s["name"], s.get("value"), s.get("threshold"), s.get("coefficient"))
                for s in data.get("signals", [])
            ),
            policy=str(data["policy"]),
            policy_version=int(data["policy_version"]),
            path=tuple(Hop(h["from"], h["to"], h["edge_kind"]) for h in data.get("path", [])),
            source_alert_id=data.get("source_alert_id"),
        )


@dataclass(frozen=True)
class RaisedAlert:
    """An alert as monitoring raises it, before it is stored (no id, status or version yet).

    ``source`` names the alert a propagated one derives from by its key, when its id is not known yet (raised in
    the same batch): the desk fills ``evidence.source_alert_id`` from it.
    """

    credit_code: str
    level: str
    signal: str
    period: str
    origin: str
    evidence: Evidence
    loan_id: str | None = None
    industry_section: str | None = None
    enterprise_kind: str | None = None
    officer: str | None = None
    source: AlertKey | None = None

    @property
    def key(self) -> AlertKey:
        """The deduplication key."""
        return AlertKey(self.credit_code, self.signal, self.period)


@dataclass(frozen=True)
class Alert:
    """A stored alert and where it stands."""

    alert_id: str
    credit_code: str
    level: str
    signal: str
    period: str
    origin: str
    evidence: Evidence
    status: str
    created_at: dt.datetime
    updated_at: dt.datetime
    loan_id: str | None = None
    industry_section: str | None = None
    enterprise_kind: str | None = None
    officer: str | None = None
    row_version: int = 0

    @property
    def key(self) -> AlertKey:
        """The deduplication key."""
        return AlertKey(self.credit_code, self.signal, self.period)

    def to_dict(self, *, evidence: bool = True) -> dict[str, Any]:
        """Plain JSON-ready fields, with Chinese labels of the level and status."""
        out: dict[str, Any] = {
            "alert_id": self.alert_id,
            "credit_code": self.credit_code,
            "loan_id": self.loan_id,
            "level": self.level,
            "level_zh": LEVEL_ZH[self.level],
            "signal": self.signal,
            "period": self.period,
            "origin": self.origin,
            "industry_section": self.industry_section,
            "enterprise_kind": self.enterprise_kind,
            "officer": self.officer,
            "status": self.status,
            "status_zh": STATUS_ZH[self.status],
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "row_version": self.row_version,
        }
        if evidence:
            out["evidence"] = self.evidence.to_dict()
        return out


@dataclass(frozen=True)
class AlertFilter:
    """Which alerts a list returns (every given field must match)."""

    level: str | None = None
    industry_section: str | None = None
    officer: str | None = None
    status: str | None = None
    origin: str | None = None

    def matches(self, alert: Alert) -> bool:
        """Whether ``alert`` passes the filter (the fake's query; SQL adapters do the same in SQL)."""
        wanted = (
            (self.level, alert.level),
            (self.industry_section, alert.industry_section),
            (self.officer, alert.officer),
            (self.status, alert.status),
            (self.origin, alert.origin),
        )
        return all(want is None or want == got for want, got in wanted)


def check_filter(found: AlertFilter) -> AlertFilter:
    """``found`` when every field names a known value; else a ValidationError naming the field."""
    _choice("level", found.level, LEVELS)
    _choice("industry", found.industry_section, INDUSTRY_SECTIONS)
    _choice("status", found.status, STATUSES)
    _choice("origin", found.origin, ORIGINS)
    if found.officer is not None and not PRINCIPAL.match(found.officer):
        raise ValidationError("officer", "1-80 letters, digits or . _ @ -")
    return found


def check_alert_id(alert_id: str) -> str:
    """``alert_id`` when it has the shape of an id (else a ValidationError naming ``alert_id``)."""
    if not _ALERT_ID.match(alert_id):
        raise ValidationError("alert_id", "1-40 letters, digits, _ or -")
    return alert_id


def check_raised(raised: RaisedAlert) -> RaisedAlert:
    """``raised`` when every field is valid; else a ValidationError naming the first bad field."""
    if raised.origin == MODEL:
        if raised.credit_code != MODEL_SUBJECT or raised.loan_id is not None:
            raise ValidationError("credit_code", f"a model alert is on no enterprise or loan: {MODEL_SUBJECT!r}")
    elif validate_uscc(raised.credit_code) != raised.credit_code:
        raise ValidationError("credit_code", "give the credit code in its canonical form (ASCII, upper case)")
    _choice("level", raised.level, LEVELS)
    _choice("origin", raised.origin, ORIGINS)
    _choice("industry_section", raised.industry_section, INDUSTRY_SECTIONS)
    _choice("enterprise_kind", raised.enterprise_kind, ENTERPRISE_KINDS)
    if not _SIGNAL.match(raised.signal):
        raise ValidationError("signal", "1-80 characters: lower-case letters, digits and _ . : - (a letter first)")
    check_period(raised.period)
    if raised.loan_id is not None and not _LOAN.match(raised.loan_id):
        raise ValidationError("loan_id", "1-40 letters, digits or . _ -")
    if raised.officer is not None and not PRINCIPAL.match(raised.officer):
        raise ValidationError("officer", "1-80 letters, digits or . _ @ -")
    _check_evidence(raised)
    return raised


def check_period(period: str) -> str:
    """``period`` when it is a day ``YYYY-MM-DD`` or a month ``YYYY-MM``; else a ValidationError naming it."""
    problem = "a day YYYY-MM-DD or a month YYYY-MM"
    if not _PERIOD.match(period):
        raise ValidationError("period", problem)
    try:
        dt.date.fromisoformat(period if len(period) == 10 else f"{period}-01")
    except ValueError:
        raise ValidationError("period", f"{period!r} is not {problem}") from None
    return period


def check_node(node: str, field: str) -> str:
    """A path node: a credit code or a keyed token, never a raw identifier (ADR 0016)."""
    if not (is_valid_uscc(node) or _TOKEN.match(node)):
        raise ValidationError(field, "a path node is a credit code or a keyed token (24 hex), never a raw identifier")
    return node


def _check_evidence(raised: RaisedAlert) -> None:
    found = raised.evidence
    if not found.signals:
        raise ValidationError("evidence.signals", "name at least one signal")
    for i, signal in enumerate(found.signals):
        if not _SIGNAL.match(signal.name):
            raise ValidationError(f"evidence.signals[{i}].name", "lower-case letters, digits and _ . : -")
    if not _POLICY.match(found.policy):
        raise ValidationError("evidence.policy", "1-60 letters, digits or . _ -")
    if found.policy_version < 1:
        raise ValidationError("evidence.policy_version", "a version is 1 or more")
    _check_path(raised)


def _check_path(raised: RaisedAlert) -> None:
    found = raised.evidence
    for i, hop in enumerate(found.path):
        check_node(hop.src, f"evidence.path[{i}].from")
        check_node(hop.dst, f"evidence.path[{i}].to")
        if not _EDGE.match(hop.edge_kind):
            raise ValidationError(f"evidence.path[{i}].edge_kind", "lower-case letters and _")
    if raised.origin != PROPAGATED and (found.path or found.source_alert_id or raised.source):
        raise ValidationError("evidence.path", f"a {raised.origin} alert has no path and no source alert")
    if raised.origin == PROPAGATED:
        if not found.path:
            raise ValidationError("evidence.path", "a propagated alert names its path from the source enterprise")
        if found.path[-1].dst != raised.credit_code:
            raise ValidationError("evidence.path", "the path ends at the alert's enterprise")
        if found.source_alert_id is None and raised.source is None:
            raise ValidationError("evidence.source_alert_id", "a propagated alert names its source alert")
        if found.source_alert_id is not None:
            check_alert_id(found.source_alert_id)


def _choice(name: str, value: str | None, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        raise ValidationError(name, f"{value!r} is not one of {', '.join(allowed)}")
