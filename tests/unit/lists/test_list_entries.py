"""List entries: values normalised by the identity value objects, expiry and validity, black wins over white."""

from __future__ import annotations

import datetime as dt

import pytest

from riskloop.domain.lists import (
    CHINA,
    ListEntry,
    allowed,
    beijing_time,
    hits,
    new_entry,
    normalise,
    request_identifiers,
)
from riskloop.errors import IdentifierError, ValidationError

T0 = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
CODE = "91420100000000001Y"
PERSON = "110105199003071239"


def entry(list_kind: str, kind: str, value: str, **kw: object) -> ListEntry:
    options: dict[str, object] = {"reason": "test", "source": "manual", "provenance": {}, "valid_from": T0, **kw}
    return new_entry(list_kind, kind, value, **options)  # type: ignore[arg-type]


def test_values_are_normalised_as_the_identity_value_objects_spell_them():
    assert normalise("phone", "+86 138-0013-8000") == "13800138000"
    assert normalise("credit_code", CODE.lower()) == CODE
    assert normalise("email", " Zhang.San@Example.COM ") == "zhang.san@example.com"
    assert normalise("ip", "2001:0db8::0001") == "2001:db8::1"
    with pytest.raises(IdentifierError, match=r"^value"):
        normalise("credit_code", "91420100000000001X")  # wrong check character
    with pytest.raises(ValidationError, match="identifier_kind"):
        normalise("passport", "E1234")


def test_the_label_masks_personal_values_and_shows_a_credit_code_whole():
    assert entry("black", "phone", "13800138000").label == "138****8000"
    assert PERSON not in entry("black", "resident_id", PERSON).label
    assert entry("black", "credit_code", CODE).label == CODE


def test_an_entry_matches_only_from_valid_from_until_it_expires_or_ends():
    e = entry("black", "phone", "13800138000", valid_from=T0, expires_at=T0 + dt.timedelta(days=30))
    assert not e.in_force(T0 - dt.timedelta(seconds=1))  # not yet valid
    assert e.in_force(T0)
    assert not e.in_force(T0 + dt.timedelta(days=30))  # expired
    from dataclasses import replace

    ended = replace(e, ended_at=T0 + dt.timedelta(days=1))
    assert ended.in_force(T0)
    assert not ended.in_force(T0 + dt.timedelta(days=1))


def test_expiry_before_validity_and_missing_reason_are_refused():
    with pytest.raises(ValidationError, match="expires_at"):
        entry("black", "phone", "13800138000", expires_at=T0)
    with pytest.raises(ValidationError, match="reason"):
        entry("black", "phone", "13800138000", reason=" ")
    with pytest.raises(ValidationError, match="kind"):
        entry("purple", "phone", "13800138000")


def test_dates_of_a_bank_file_are_beijing_midnight():
    assert beijing_time("2027-01-01", "expires_at") == dt.datetime(2027, 1, 1, tzinfo=CHINA)
    assert beijing_time("2027-01-01T00:00:00+00:00", "x").utcoffset() == dt.timedelta(0)
    with pytest.raises(ValidationError, match="expires_at"):
        beijing_time("next year", "expires_at")


def _found(*entries: ListEntry) -> dict[tuple[str, str], list[ListEntry]]:
    out: dict[tuple[str, str], list[ListEntry]] = {}
    for e in entries:
        out.setdefault((e.match_kind, e.value or ""), []).append(e)
    return out


def test_black_wins_over_white_and_stale_entries_do_not_match():
    fields = request_identifiers({"credit_code": CODE, "phone": "13800138000", "device_id": "dev-1"})
    black = entry("black", "phone", "13800138000")
    white = entry("white", "phone", "13800138000")
    stale = entry("grey", "device_id", "dev-1", valid_from=T0 + dt.timedelta(days=1))
    found = hits(fields, _found(black, white, stale), T0)
    assert found.black == ("phone",)
    assert found.white == ()
    assert found.grey == ()
    assert hits(fields, _found(stale), T0 + dt.timedelta(days=2)).grey == ("device_id",)


def test_an_applicant_matches_a_listed_legal_representative():
    fields = request_identifiers({"applicant_id": PERSON})
    assert hits(fields, _found(entry("black", "legal_rep_id", PERSON)), T0).black == ("applicant_id",)


def test_a_request_value_that_does_not_normalise_is_not_screened():
    assert request_identifiers({"phone": "not a phone", "ip": "10.0.0.1"}) == [("ip", "ip", "10.0.0.1")]


def test_allowed_needs_a_white_entry_in_force_and_no_black_one():
    white = entry("white", "device_id", "dev-1", expires_at=T0 + dt.timedelta(days=1))
    assert allowed([white], T0)
    assert not allowed([white], T0 + dt.timedelta(days=1))  # expired
    assert not allowed([white, entry("black", "device_id", "dev-1")], T0)
    assert not allowed([], T0)
