"""Alerts for tests: valid credit codes, and raised alerts with evidence that names its signal and policy."""

from __future__ import annotations

from typing import Any

from riskloop.domain.alert import DIRECT, PROPAGATED, AlertKey, Evidence, Hop, RaisedAlert, SignalValue
from riskloop.domain.identifiers import uscc_check_char


def credit_code(n: int) -> str:
    """A valid credit code numbered ``n``."""
    body = f"91420100{n:09d}"
    return body + uscc_check_char(body)


def evidence(signal: str = "inflow_drop", value: float = 0.62, threshold: float = 0.5) -> Evidence:
    """The evidence of a direct alert on one signal, by the reference policy version 1."""
    return Evidence((SignalValue(signal, value, threshold, 1.0),), "reference-warning", 1)


def raised(n: int = 1, level: str = "attention", signal: str = "inflow_drop", **changes: Any) -> RaisedAlert:
    """A direct alert on enterprise ``n`` (loan ``L-n``) for June 2026; ``changes`` replace any field."""
    fields: dict[str, Any] = {
        "credit_code": credit_code(n),
        "level": level,
        "signal": signal,
        "period": "2026-06",
        "origin": DIRECT,
        "evidence": evidence(signal),
        "loan_id": f"L-{n}",
        "industry_section": "C",
        "enterprise_kind": "company",
    }
    return RaisedAlert(**{**fields, **changes})


def propagated(source: RaisedAlert, n: int, level: str = "notice", edge: str = "guarantee") -> RaisedAlert:
    """An alert on enterprise ``n`` derived from ``source`` over one ``edge`` (its source named by key)."""
    path = (Hop(source.credit_code, credit_code(n), edge),)
    found = Evidence(source.evidence.signals, source.evidence.policy, source.evidence.policy_version, path)
    return RaisedAlert(
        credit_code(n), level, f"propagated.{source.signal}", source.period, PROPAGATED, found,
        loan_id=f"L-{n}", industry_section="F", enterprise_kind="individual_business",
        source=AlertKey(source.credit_code, source.signal, source.period),
    )  # fmt: skip
