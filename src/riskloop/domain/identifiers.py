"""Check-digit validation and normalisation of identifiers (credit code, resident ID, phone, IP, e-mail, account).

Standards: GB 32100-2015 (unified social credit code), GB 11643-1999 (citizen identity number).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re

from riskloop.domain.fold import ascii_digits, fold_identifier
from riskloop.errors import IdentifierError

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 symbols: no I, O, S, V, Z
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
_USCC_AUTHORITIES = {"1", "5", "9", "Y"}

RESIDENT_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_RESIDENT_ID_CHECK = "10X98765432"
_RESIDENT_ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")
EARLIEST_BIRTH = dt.date(1900, 1, 1)  # no living applicant was born before
# Province-level division codes of GB/T 2260 (the first two digits of a resident ID): 31 provinces,
# autonomous regions and municipalities, Taiwan (71), and Hong Kong, Macao and Taiwan residence permits (81-83).
PROVINCE_CODES = frozenset(
    {f"{c}" for c in (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46)}
    | {f"{c}" for c in (50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83)}
)

_MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
# Area code 010 or 02X with an 8-digit number, or 0 + 3 digits with a 7- or 8-digit number; never 0/1 first.
_LANDLINE_RE = re.compile(r"^0(?:(?:10|2[0-9])[2-9][0-9]{7}|[3-9][0-9]{2}[2-9][0-9]{6,7})$")
_PHONE_SEPARATORS_RE = re.compile(r"[\-().]")
EMAIL_MAX = 254  # RFC 5321's path limit, and the applications table's column
# local@domain.tld: the shape ingest validates and the graph links (``ingest.checks.EMAIL``, ``graph.normalize``)
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ACCOUNT_DIGITS = (6, 32)  # a settlement account number: 6 to 32 digits, as the graph links them


def uscc_check_char(body17: str) -> str:
    """Return the check character for the first 17 characters of a credit code.

    >>> uscc_check_char("91350100M000100Y4")
    '3'
    """
    total = sum(_USCC_VALUE[c] * w for c, w in zip(body17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def validate_uscc(code: str, field: str = "credit_code") -> str:
    """Return ``code`` folded (``domain.fold``: full-width forms too) if a valid credit code, else IdentifierError.

    >>> validate_uscc("９１３５０１００Ｍ０００１００Ｙ４３")
    '91350100M000100Y43'
    """
    code = fold_identifier(code, field)
    if len(code) != 18:
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
    """Return ``number`` folded and upper-cased if it is a valid 18-digit resident ID, else raise IdentifierError.

    Checked: the shape, a province-level division code, a real birth date from 1900 on, the check digit. The
    applicant's age on the application date is ``domain.applicant.AgeRange``'s to check.

    >>> validate_resident_id("１１０１０５１９４９１２３１００２ｘ")
    '11010519491231002X'
    """
    value = fold_identifier(number, field).upper()
    if not _RESIDENT_ID_RE.match(value):
        raise IdentifierError(field, "must be 17 digits followed by a digit or X")
    if value[:2] not in PROVINCE_CODES:
        raise IdentifierError(field, f"region code (digits 1-2) {value[:2]} is not a province-level division")
    birth = resident_birth_date(value, field)
    if birth < EARLIEST_BIRTH:
        raise IdentifierError(field, f"birth date (digits 7-14) is before {EARLIEST_BIRTH.isoformat()}")
    if resident_id_check_char(value[:17]) != value[17]:
        raise IdentifierError(field, "check digit does not match")
    return value


def resident_birth_date(value: str, field: str = "person_id") -> dt.date:
    """The birth date written in digits 7-14 of a folded resident ID."""
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdentifierError(field, "birth date (digits 7-14) is not a calendar date") from None


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
    """Normalise a mainland mobile or landline number to ASCII digits (mobile: 11 digits, no +86).

    Any digit script is folded first (``domain.fold``); spaces, hyphens, dots and brackets are dropped. Junk
    (nothing but separators, one digit repeated) is refused.

    >>> normalize_phone("+86 138-0013-8000")
    '13800138000'
    >>> normalize_phone("(027) 8765 4321")
    '02787654321'
    >>> normalize_phone("１３８００１３８０００")
    '13800138000'
    """
    value = _PHONE_SEPARATORS_RE.sub("", fold_identifier(raw, field))
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    elif value.startswith("86") and len(value) == 13:
        value = value[2:]
    if not ascii_digits(value):
        raise IdentifierError(field, "must be a phone number: digits, with optional +86, spaces and hyphens")
    if len(set(value)) == 1:
        raise IdentifierError(field, "is not a real number (one digit repeated)")
    if _MOBILE_RE.match(value) or _LANDLINE_RE.match(value):
        return value
    raise IdentifierError(
        field, "not a mainland mobile (11 digits, 13-19 prefix) or landline (0 + area code + 7-8 digit number)"
    )


def mask_phone(phone: str) -> str:
    """Mask a phone number for display, keeping the first 3 and last 4 characters."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def canonical_ip(raw: object, field: str = "ip") -> str:
    """Parse an IPv4 or IPv6 client address with ``ipaddress`` and return its canonical (compressed) form.

    Digits in any script are folded; an IPv4-mapped IPv6 address becomes its IPv4 address (one client, one
    key). Addresses no remote client can have are refused: unspecified, loopback, multicast, reserved
    (including broadcast), link-local and zoned (``%eth0``) ones. Private and shared (CGNAT) addresses are
    accepted (a branch kiosk behind the bank's network has one); see ADR 0013.

    >>> canonical_ip("::ffff:203.0.113.7"), canonical_ip("2001:0DB8::0001")
    ('203.0.113.7', '2001:db8::1')
    """
    text = fold_identifier(raw, field).lower()
    if "%" in text:
        raise IdentifierError(field, "must be an address without a zone (%...)")
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise IdentifierError(field, "not an IPv4 or IPv6 address") from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for attribute in ("is_unspecified", "is_loopback", "is_multicast", "is_reserved", "is_link_local"):
        if getattr(address, attribute):
            raise IdentifierError(field, f"{attribute[3:].replace('_', '-')} address: not a client's address")
    return str(address)


def normalize_email(raw: object, field: str = "email") -> str:
    """An e-mail address trimmed and lower-cased (``local@domain.tld``, at most 254 characters), else IdentifierError.

    The key the graph links e-mails by (``graph.normalize.emails``) is this value.

    >>> normalize_email("  Zhang.San@Example.COM ")
    'zhang.san@example.com'
    """
    if not isinstance(raw, str):
        raise IdentifierError(field, f"must be a string, got {type(raw).__name__}")
    value = raw.strip().lower()
    if len(value) > EMAIL_MAX:
        raise IdentifierError(field, f"must be at most {EMAIL_MAX} characters, got {len(value)}")
    if not value.isprintable():
        raise IdentifierError(field, "must not contain control characters")
    if not _EMAIL_RE.match(value):
        raise IdentifierError(field, "not an e-mail address (local@domain.tld, no spaces)")
    return value


def normalize_bank_account(raw: object, field: str = "bank_account") -> str:
    """A bank account number as its ASCII digits (spaces and hyphens dropped; 6 to 32 digits), else IdentifierError.

    Any digit script is folded first (``domain.fold``). The key the graph links accounts by is this value.

    >>> normalize_bank_account("6222 0212-3456 7890 123")
    '6222021234567890123'
    """
    value = fold_identifier(raw, field).replace("-", "")
    low, high = ACCOUNT_DIGITS
    if not ascii_digits(value) or not low <= len(value) <= high:
        raise IdentifierError(field, f"must be {low} to {high} digits (spaces and hyphens allowed)")
    return value
