"""Check-digit validation and normalisation of Chinese identifiers (credit code, resident ID, phone).

Standards: GB 32100-2015 (unified social credit code), GB 11643-1999 (citizen identity number).
"""

from __future__ import annotations

import datetime as dt
import re

from riskloop.errors import IdentifierError

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 symbols: no I, O, S, V, Z
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
_USCC_AUTHORITIES = {"1", "5", "9", "Y"}

RESIDENT_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_RESIDENT_ID_CHECK = "10X98765432"
_RESIDENT_ID_RE = re.compile(r"^\d{17}[\dX]$")

_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_PHONE_JUNK_RE = re.compile(r"[\s\-()（）.]")


def uscc_check_char(body17: str) -> str:
    """Return the check character for the first 17 characters of a credit code.

    >>> uscc_check_char("91350100M000100Y4")
    '3'
    """
    total = sum(_USCC_VALUE[c] * w for c, w in zip(body17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def validate_uscc(code: str, field: str = "credit_code") -> str:
    """Return ``code`` if it is a well-formed unified social credit code, else raise IdentifierError."""
    if not isinstance(code, str) or len(code) != 18:
        raise IdentifierError(field, "must be 18 characters")
    bad = sorted({c for c in code if c not in _USCC_VALUE})
    if bad:
        raise IdentifierError(field, f"contains characters outside the credit-code alphabet: {''.join(bad)}")
    if code[0] not in _USCC_AUTHORITIES:
        raise IdentifierError(field, f"unknown registration authority {code[0]!r}")
    if not code[2:8].isdigit():
        raise IdentifierError(field, "administrative division (characters 3-8) must be digits")
    if uscc_check_char(code[:17]) != code[17]:
        raise IdentifierError(field, "check digit does not match")
    return code


def is_valid_uscc(code: object) -> bool:
    """True when ``code`` is a valid credit code."""
    try:
        validate_uscc(code)  # type: ignore[arg-type]
    except IdentifierError:
        return False
    return True


def resident_id_check_char(body17: str) -> str:
    """Return the check character for the first 17 digits of a resident ID number."""
    total = sum(int(c) * w for c, w in zip(body17, RESIDENT_ID_WEIGHTS, strict=True))
    return _RESIDENT_ID_CHECK[total % 11]


def validate_resident_id(number: str, field: str = "person_id") -> str:
    """Return ``number`` (upper-cased X) if it is a valid 18-digit resident ID, else raise IdentifierError."""
    if not isinstance(number, str):
        raise IdentifierError(field, "must be a string")
    value = number.strip().upper()
    if not _RESIDENT_ID_RE.match(value):
        raise IdentifierError(field, "must be 17 digits followed by a digit or X")
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdentifierError(field, "birth date (digits 7-14) is not a calendar date") from None
    if resident_id_check_char(value[:17]) != value[17]:
        raise IdentifierError(field, "check digit does not match")
    return value


def is_valid_resident_id(number: object) -> bool:
    """True when ``number`` is a valid resident ID number."""
    try:
        validate_resident_id(number)  # type: ignore[arg-type]
    except IdentifierError:
        return False
    return True


def mask_resident_id(number: str) -> str:
    """Mask a resident ID for display: keep region prefix and check digit only.

    >>> mask_resident_id("11010519491231002X")
    '110105**********2X'
    """
    if len(number) != 18:
        return "*" * len(number)
    return number[:6] + "*" * 10 + number[16:]


def normalize_phone(raw: str, field: str = "phone") -> str:
    """Normalise a mainland mobile or landline number to digits (mobile: 11 digits, no +86).

    >>> normalize_phone("+86 138-0013-8000")
    '13800138000'
    >>> normalize_phone("(027) 8765 4321")
    '02787654321'
    """
    if not isinstance(raw, str):
        raise IdentifierError(field, "must be a string")
    value = _PHONE_JUNK_RE.sub("", raw.strip())
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    elif value.startswith("86") and len(value) == 13:
        value = value[2:]
    if _MOBILE_RE.match(value):
        return value
    if value.startswith("0") and value.isdigit() and 10 <= len(value) <= 12:
        return value
    raise IdentifierError(field, f"not a mainland mobile or landline number: {mask_phone(raw)!r}")


def mask_phone(phone: str) -> str:
    """Mask a phone number for display, keeping the first 3 and last 4 characters."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
