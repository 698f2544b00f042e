"""Check digits of credit codes and resident IDs, through the validators and the value objects."""

from __future__ import annotations

import pytest
from domain_strategies import resident_id_bodies, uscc_bodies
from hypothesis import given
from hypothesis import strategies as st

from riskloop.domain.identifiers import (
    USCC_CHARSET,
    resident_id_check_char,
    uscc_check_char,
    validate_resident_id,
    validate_uscc,
)
from riskloop.domain.identity import CreditCode, ResidentId
from riskloop.errors import IdentifierError, ValidationError

KNOWN_CODES = ["91350100M000100Y43", "91110000600037341L"]


@pytest.mark.parametrize("code", KNOWN_CODES)
def test_known_credit_codes_validate(code: str) -> None:
    assert validate_uscc(code) == code
    assert CreditCode(code).value == code


def test_known_resident_id_validates_and_lower_x_is_upper_cased() -> None:
    assert validate_resident_id("11010519491231002X") == "11010519491231002X"
    assert ResidentId("11010519491231002x").reveal() == "11010519491231002X"
    assert ResidentId(" 11010519491231002X ").reveal() == "11010519491231002X"


@given(uscc_bodies(), st.sampled_from(USCC_CHARSET))
def test_credit_code_check_char_is_the_only_valid_one(body: str, other: str) -> None:
    check = uscc_check_char(body)
    assert CreditCode(body + check).value == body + check
    if other != check:
        with pytest.raises(IdentifierError, match="check digit"):
            CreditCode.parse(body + other)


@given(resident_id_bodies(), st.sampled_from("0123456789X"))
def test_resident_id_check_char_is_the_only_valid_one(body: str, other: str) -> None:
    check = resident_id_check_char(body)
    assert ResidentId(body + check).reveal() == body + check
    if other != check:
        with pytest.raises(IdentifierError, match="check digit"):
            ResidentId.parse(body + other, field="applicant_id")


def test_credit_code_lower_case_is_accepted_by_the_value_object_only() -> None:
    assert CreditCode("91350100m000100y43").value == "91350100M000100Y43"
    with pytest.raises(IdentifierError, match="alphabet"):
        validate_uscc("91350100m000100y43")


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("91350100M000100Y4", "18 characters"),
        ("91350100M000100Y433", "18 characters"),
        ("91350100M0001I0Y43", "alphabet: I"),
        ("91350100M000O00Y43", "alphabet: O"),
        ("91350100M000S00Y43", "alphabet: S"),
        ("91350100M000V00Y43", "alphabet: V"),
        ("91350100M000Z00Y43", "alphabet: Z"),
        ("21350100M000100Y43", "authority"),
        ("913501A0M000100Y43", "division"),
        ("91350100M000100Y44", "check digit"),
    ],
)
def test_bad_credit_codes_name_the_field(raw: str, problem: str) -> None:
    with pytest.raises(IdentifierError, match=problem) as info:
        CreditCode.parse(raw, field="seller_code")
    assert info.value.field == "seller_code"
    assert isinstance(info.value, ValidationError)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("11010519491231002", "17 digits"),
        ("11010519491231002XX", "17 digits"),
        ("1101051949123100AX", "17 digits"),
        ("110105194902300021", "calendar date"),  # 30 February
        ("110105194913010021", "calendar date"),  # month 13
        ("110105199002290021", "calendar date"),  # 1990 is not a leap year
        ("110105194912310021", "check digit"),
    ],
)
def test_bad_resident_ids_name_the_field(raw: str, problem: str) -> None:
    with pytest.raises(IdentifierError, match=problem) as info:
        ResidentId.parse(raw, field="legal_rep_id")
    assert info.value.field == "legal_rep_id"
    assert raw not in str(info.value)


@pytest.mark.parametrize("raw", [None, 91350100, b"91350100M000100Y43"])
def test_non_strings_are_rejected(raw: object) -> None:
    with pytest.raises(IdentifierError, match="string"):
        CreditCode.parse(raw)
    with pytest.raises(IdentifierError, match="string"):
        ResidentId.parse(raw)
