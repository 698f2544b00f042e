"""Consent records and their one rule; source settings as data (errors name the key); payload validation and
PIPL minimum necessary."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from riskloop.domain.consent import Consent, check_sources, revoke
from riskloop.domain.source_payload import MalformedPayloadError, keep_allowed, parse_payload
from riskloop.domain.source_settings import parse_source
from riskloop.errors import ConfigError, ConflictError, ValidationError
from riskloop.testing.memory_sources import shipped_catalog

T0 = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)


def consent(**changes: object) -> Consent:
    fields: dict[str, object] = {
        "consent_id": "cns_1", "subject_token": "tok-a", "subject_kind": "enterprise", "sources": ("pboc",),
        "purpose": "credit_assessment", "granted_at": T0, "expires_at": T0 + dt.timedelta(days=30),
        "evidence": "AUTH-2026-0001", "recorded_by": "chan",
    }  # fmt: skip
    fields.update(changes)
    return Consent(**fields)  # type: ignore[arg-type]


def test_a_consent_permits_only_its_subject_source_purpose_and_window() -> None:
    c = consent()
    inside = T0 + dt.timedelta(days=1)
    assert c.permits("tok-a", "pboc", "credit_assessment", inside)
    assert c.refusal("tok-b", "pboc", "credit_assessment", inside) == "cns_1 is another subject's"
    assert "does not cover source bank_drop" in str(c.refusal("tok-a", "bank_drop", "credit_assessment", inside))
    assert "is for credit_assessment, not marketing" in str(c.refusal("tok-a", "pboc", "marketing", inside))
    assert "is granted from" in str(c.refusal("tok-a", "pboc", "credit_assessment", T0 - dt.timedelta(seconds=1)))
    assert "expired at" in str(c.refusal("tok-a", "pboc", "credit_assessment", c.expires_at))
    assert c.status(c.expires_at) == "expired"


def test_a_revoked_consent_permits_nothing_from_its_revocation_and_is_revoked_once() -> None:
    at = T0 + dt.timedelta(days=2)
    gone = revoke(consent(), at)
    assert gone.permits("tok-a", "pboc", "credit_assessment", at - dt.timedelta(seconds=1))
    assert "was revoked at" in str(gone.refusal("tok-a", "pboc", "credit_assessment", at))
    assert gone.status(at) == "revoked"
    with pytest.raises(ConflictError, match="already revoked"):
        revoke(gone, at)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"purpose": "resale"}, "purpose"),
        ({"subject_kind": "robot"}, "subject_kind"),
        ({"expires_at": T0}, "expires_at"),
        ({"expires_at": T0 + dt.timedelta(days=5000)}, "expires_at"),
        ({"sources": ()}, "sources"),
        ({"sources": ("PBOC!",)}, "sources"),
        ({"granted_at": dt.datetime(2026, 7, 1)}, "granted_at"),  # naive
    ],
)
def test_a_bad_consent_is_refused_naming_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        consent(**changes)
    assert info.value.field == field


def test_sources_are_deduplicated_and_sorted() -> None:
    assert check_sources(["pboc", "bank_drop", "pboc"]) == ("bank_drop", "pboc")


def test_shipped_settings_parse_and_a_workspace_override_is_laid_over() -> None:
    catalog = shipped_catalog(pboc={"endpoint": "http://gw/v1/reports", "timeout_seconds": 0.5})
    pboc = catalog.get("pboc")
    assert (pboc.configured, pboc.timeout_seconds, pboc.retries) == (True, 0.5, 2)
    assert not catalog.get("bank_drop").configured
    assert "legal_rep_name" in pboc.fields
    assert "legal_rep_name" not in pboc.allowed("credit_assessment")  # declared, never kept
    assert [s.name for s in catalog.configured()] == ["pboc"]
    with pytest.raises(ConfigError, match=r"sources\.nope: unknown source; declared: bank_drop, pboc"):
        catalog.get("nope")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"timeout_seconds": -1}, r"sources\.pboc\.timeout_seconds: must be a number in \[0.001, 120\]"),
        ({"retries": 1.5}, r"sources\.pboc\.retries: must be an integer"),
        ({"tiemout": 1}, r"sources\.pboc\.tiemout: unknown key"),
        ({"kind": "ftp"}, r"sources\.pboc\.kind: 'ftp' is not one of http, file"),
        ({"breaker": {"failures": 3}}, r"sources\.pboc\.breaker\.failures: unknown key"),
        ({"backoff": {"base_seconds": 2, "max_seconds": 1}}, r"sources\.pboc\.backoff\.max_seconds: must be"),
        ({"rate_limit": {"burst": 0}}, r"sources\.pboc\.rate_limit\.burst: must be an integer in \[1,"),
        ({"purposes": {"resale": []}}, r"sources\.pboc\.purposes\.resale: unknown purpose"),
        ({"purposes": {"marketing": ["salary"]}}, r"sources\.pboc\.purposes\.marketing: 'salary' is not a declared"),
        ({"fields": {"x": "decimal"}}, r"sources\.pboc\.fields\.x: 'decimal' is not one of"),
    ],
)
def test_bad_settings_are_a_config_error_naming_the_key(override: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        shipped_catalog(pboc=override)


def test_an_override_of_an_undeclared_source_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"sources\.experian: not a declared source"):
        shipped_catalog(experian={"endpoint": "http://x"})
    with pytest.raises(ConfigError, match=r"sources\.pboc\.fields: missing"):
        parse_source("pboc", {"kind": "http", "purposes": {}})


def test_a_payload_is_validated_naming_the_source_and_field() -> None:
    pboc = shipped_catalog().get("pboc")
    with pytest.raises(MalformedPayloadError, match=r"source pboc: malformed payload: body: not JSON") as info:
        parse_payload(pboc, b'{"bureau_score": 7')
    assert info.value.field == "body"
    with pytest.raises(MalformedPayloadError, match=r"bureau_score: must be int, got str") as info:
        parse_payload(pboc, b'{"report_id": "R", "bureau_score": "700"}')
    assert info.value.field == "bureau_score"
    with pytest.raises(MalformedPayloadError, match="report_id: missing"):
        parse_payload(pboc, b'{"bureau_score": 700}')
    with pytest.raises(MalformedPayloadError, match="must be a JSON object, got list"):
        parse_payload(pboc, b"[]")
    with pytest.raises(MalformedPayloadError, match="overdue_accounts: must be int, got bool"):
        parse_payload(pboc, b'{"report_id": "R", "bureau_score": 700, "overdue_accounts": true}')


def test_minimum_necessary_keeps_only_the_purposes_fields() -> None:
    pboc = shipped_catalog().get("pboc")
    data = parse_payload(pboc, '{"report_id": "R", "bureau_score": 700, "legal_rep_name": "张三", "x": 1}'.encode())
    assert keep_allowed(pboc, "post_loan_monitoring", data) == {
        "report_id": "R", "bureau_score": 700, "overdue_accounts": None,
    }  # fmt: skip
    assert keep_allowed(pboc, "marketing", data) == {}
    assert dataclasses.replace(pboc, purposes={}).allowed("credit_assessment") == ()
