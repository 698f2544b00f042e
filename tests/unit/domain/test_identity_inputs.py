"""Identity inputs as a bank validates them: one ASCII spelling, real regions, birth dates, ages, phones and IPs."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest

from riskloop.config import load_settings
from riskloop.domain.applicant import AgeRange, age_on
from riskloop.domain.fold import fold_identifier
from riskloop.domain.identifiers import (
    canonical_ip,
    normalize_phone,
    resident_id_check_char,
    validate_resident_id,
    validate_uscc,
)
from riskloop.errors import ConfigError, IdentifierError, ValidationError

RID = "110105199003071239"
ON = dt.date(2026, 7, 1)


def rid(born: str, region: str = "110105") -> str:
    body = region + born + "123"
    return body + resident_id_check_char(body)


@pytest.mark.parametrize("zero", ["0", "０", "٠", "۰", "०", "০", "๐", "߀", "𝟎", "𑁦"])
def test_every_digit_script_folds_to_the_ascii_spelling(zero: str) -> None:
    spelled = "".join(chr(ord(zero) + int(c)) for c in RID)
    assert unicodedata.category(zero) == "Nd"
    assert validate_resident_id(spelled) == RID
    assert normalize_phone("".join(chr(ord(zero) + int(c)) for c in "13800138000")) == "13800138000"


def test_spaces_zero_width_and_full_width_letters_fold_away() -> None:
    assert validate_resident_id(" 110105\u200b19491231\u00a0002ｘ\ufeff") == "11010519491231002X"
    assert validate_uscc("９１４２０１００００００００００１Ｙ") == "91420100000000001Y"
    assert normalize_phone("+86\u3000138\u20600013\u200d8000") == "13800138000"
    assert canonical_ip("２０３.０.１１３.７") == "203.0.113.7"


@pytest.mark.parametrize("bad", ["\x00", "\x1b", "\x7f", "\u0085\x00", "\ue000", "\U0010ffff"])
def test_control_and_unassigned_characters_are_refused(bad: str) -> None:
    with pytest.raises(IdentifierError) as info:
        fold_identifier("1101" + bad + "05", "applicant_id")
    assert info.value.field == "applicant_id"


def test_overlong_input_is_refused_before_folding() -> None:
    with pytest.raises(IdentifierError, match="at most 64"):
        fold_identifier("1" * 65, "phone")


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (rid("19900307", "000000"), "province"),
        (rid("19900307", "991234"), "province"),
        (rid("19900307", "721234"), "province"),
        (rid("18991231"), "before 1900"),
        (rid("19900230"), "calendar date"),
    ],
)
def test_resident_ids_need_a_real_province_and_birth_date(raw: str, problem: str) -> None:
    with pytest.raises(IdentifierError, match=problem) as info:
        validate_resident_id(raw, "applicant_id")
    assert raw not in str(info.value)  # never echoed: it is personal data


def test_age_boundaries_on_the_application_date() -> None:
    ages = AgeRange(18, 70)
    ages.check(rid("20080701"), ON)  # 18 today
    ages.check(rid("19560702"), ON)  # 69, turning 70 tomorrow
    ages.check(rid("19550702"), ON)  # 70, turning 71 tomorrow
    for born, problem in [("20080702", "is 17"), ("19550630", "is 71"), ("20270101", "after the application date")]:
        with pytest.raises(ValidationError, match=problem) as info:
            ages.check(rid(born), ON)
        assert info.value.field == "applicant_id"
    assert age_on(dt.date(2000, 2, 29), dt.date(2018, 2, 28)) == 17
    assert age_on(dt.date(2000, 2, 29), dt.date(2018, 3, 1)) == 18


def test_the_application_date_is_china_time() -> None:
    ages = AgeRange(18, 70)
    birthday = rid("20080702")  # 18 on 2 July
    ages.check_at(birthday, dt.datetime(2026, 7, 1, 16, 30, tzinfo=dt.UTC))  # 00:30 on 2 July in Beijing
    with pytest.raises(ValidationError, match="is 17"):
        ages.check_at(birthday, dt.datetime(2026, 7, 1, 15, 30, tzinfo=dt.UTC))


@pytest.mark.parametrize(
    "junk",
    ["-----", "()", "00000000000", "11111111111", "12345678901", "1380013800", "02012345", "0101234567",
     "010-0123-4567", "+1 415 555 0100", "13800138000 ext 1", "١٣٨٠٠١٣٨٠٠"],
)  # fmt: skip
def test_junk_phones_are_refused(junk: str) -> None:
    with pytest.raises(IdentifierError) as info:
        normalize_phone(junk, "phone")
    assert info.value.field == "phone"


@pytest.mark.parametrize(
    ("raw", "number"),
    [("13800138000", "13800138000"), ("8613800138000", "13800138000"), ("010-8765 4321", "01087654321"),
     ("(027) 8765 4321", "02787654321"), ("0755-2345678", "07552345678"), ("0571 8765 4321", "057187654321")],
)  # fmt: skip
def test_mainland_mobiles_and_landlines_are_parsed(raw: str, number: str) -> None:
    assert normalize_phone(raw) == number


@pytest.mark.parametrize(
    "raw",
    ["0.0.0.0", "::", "127.0.0.1", "::1", "224.0.0.1", "ff02::1", "240.0.0.1", "255.255.255.255", "169.254.1.1",
     "fe80::1", "fe80::1%eth0", "1.2.3", "1.2.3.4.5", "01.2.3.4", "my ip", "1.2.3.4/24"],
)  # fmt: skip
def test_ips_that_no_client_has_or_that_are_not_ips_are_refused(raw: str) -> None:
    with pytest.raises(IdentifierError) as info:
        canonical_ip(raw, "ip")
    assert info.value.field == "ip"


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [("10.1.2.3", "10.1.2.3"), ("100.64.0.1", "100.64.0.1"), ("2001:0DB8:0::1", "2001:db8::1"),
     ("::ffff:58.19.24.7", "58.19.24.7"), ("fd00::1", "fd00::1")],
)  # fmt: skip
def test_private_and_shared_addresses_are_accepted_in_one_form(raw: str, canonical: str) -> None:
    assert canonical_ip(raw) == canonical


def test_the_applicant_age_range_is_a_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert load_settings(tmp_path / "home").applicant_age == (18, 70)
    monkeypatch.setenv("RISKLOOP_APPLICANT_AGE", "20-65")
    assert load_settings(tmp_path / "home").applicant_age == (20, 65)
    for bad in ("65-20", "18", "adult", "18-200"):
        monkeypatch.setenv("RISKLOOP_APPLICANT_AGE", bad)
        with pytest.raises(ConfigError, match="RISKLOOP_APPLICANT_AGE"):
            load_settings(tmp_path / "home")
