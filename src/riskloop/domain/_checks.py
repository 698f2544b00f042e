"""Field validators shared by the domain dataclasses; each raises ValidationError naming the field."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection
from typing import Any, TypeVar

from riskloop.domain.address import validate_address
from riskloop.domain.identifiers import (
    canonical_ip,
    normalize_bank_account,
    normalize_email,
    normalize_phone,
    validate_resident_id,
    validate_uscc,
)
from riskloop.domain.money import Money
from riskloop.domain.pii import PROTECTED_PREFIXES
from riskloop.errors import ValidationError

T = TypeVar("T")


def text(field: str, value: object, max_length: int) -> str:
    """Require a non-blank string of at most ``max_length`` characters."""
    if not isinstance(value, str):
        raise ValidationError(field, f"must be a string, got {type(value).__name__}")
    if not value.strip():
        raise ValidationError(field, "must not be empty")
    if len(value) > max_length:
        raise ValidationError(field, f"must be at most {max_length} characters, got {len(value)}")
    return value


def optional_text(field: str, value: object, max_length: int) -> str | None:
    """Like :func:`text` but ``None`` is allowed."""
    return None if value is None else text(field, value, max_length)


def integer(field: str, value: object, lo: int | None = None, hi: int | None = None) -> int:
    """Require an int (not a bool) within ``lo..hi`` inclusive."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, f"must be an integer, got {type(value).__name__}")
    if lo is not None and value < lo:
        raise ValidationError(field, f"must be >= {lo}, got {value}")
    if hi is not None and value > hi:
        raise ValidationError(field, f"must be <= {hi}, got {value}")
    return value


def unit_interval(field: str, value: object) -> float:
    """Require a finite real number in 0..1 (an int 0 or 1 is accepted and becomes a float)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(field, f"must be a number in 0..1, got {type(value).__name__}")
    number = float(value)
    if math.isnan(number) or not 0.0 <= number <= 1.0:
        raise ValidationError(field, f"must be in 0..1, got {value!r}")
    return number


def finite_numbers(field: str, values: object) -> None:
    """Require a mapping of names (strings) to finite real numbers (not bools)."""
    if not isinstance(values, dict):
        raise ValidationError(field, f"must be a mapping, got {type(values).__name__}")
    for name, value in values.items():
        if not isinstance(name, str) or isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError(f"{field}.{name}", f"must be a number, got {type(value).__name__}")
        if not math.isfinite(value):
            raise ValidationError(f"{field}.{name}", f"must be finite, got {value!r}")


def boolean(field: str, value: object) -> bool:
    """Require a bool."""
    if not isinstance(value, bool):
        raise ValidationError(field, f"must be true or false, got {type(value).__name__}")
    return value


def choice(field: str, value: object, allowed: Collection[str]) -> str:
    """Require one of ``allowed``; the message lists the valid values."""
    if not isinstance(value, str) or value not in allowed:
        raise ValidationError(field, f"must be one of {', '.join(allowed)}; got {value!r}")
    return value


def date(field: str, value: object) -> dt.date:
    """Require a calendar date (a datetime is rejected: it carries a time of day)."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValidationError(field, f"must be a date, got {type(value).__name__}")
    return value


def optional_date(field: str, value: object) -> dt.date | None:
    """Like :func:`date` but ``None`` is allowed."""
    return None if value is None else date(field, value)


def month_start(field: str, value: object) -> dt.date:
    """Require the first day of a month."""
    day = date(field, value)
    if day.day != 1:
        raise ValidationError(field, f"must be the first day of a month, got {day.isoformat()}")
    return day


def not_before(field: str, value: dt.date | None, start: dt.date, start_field: str) -> None:
    """Require ``value`` (when given) to be on or after ``start``."""
    if value is not None and value < start:
        raise ValidationError(field, f"must not be before {start_field} ({start.isoformat()})")


def utc_timestamp(field: str, value: object) -> dt.datetime:
    """Require a timezone-aware datetime; return it converted to UTC."""
    if not isinstance(value, dt.datetime):
        raise ValidationError(field, f"must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(field, "must be timezone-aware (UTC); got a naive datetime")
    return value.astimezone(dt.UTC)


def instance(field: str, value: object, cls: type[T]) -> T:
    """Require an instance of ``cls``."""
    if not isinstance(value, cls):
        raise ValidationError(field, f"must be a {cls.__name__}, got {type(value).__name__}")
    return value


def optional_instance(field: str, value: object, cls: type[T]) -> T | None:
    """Like :func:`instance` but ``None`` is allowed."""
    return None if value is None else instance(field, value, cls)


def money(field: str, value: object, *, signed: bool = False) -> Money:
    """Require a CNY Money amount, non-negative unless ``signed``."""
    amount = instance(field, value, Money)
    if amount.currency != "CNY":
        raise ValidationError(field, f"must be in CNY, got {amount.currency}")
    if not signed and amount.cents < 0:
        raise ValidationError(field, f"must not be negative, got {amount}")
    return amount


def ordered(field: str, low: int, high: int, low_field: str) -> None:
    """Require ``low <= high``; the error names ``field`` (the upper bound)."""
    if high < low:
        raise ValidationError(field, f"must be >= {low_field} ({low}), got {high}")


_DEVICE_MAX = 64


def identity(request: Any) -> dict[str, str | None]:
    """The identifiers of a request folded and validated: credit code, applicant, phone, IP, address, e-mail, account.

    Each error names its field; an identifier that is ``None`` stays ``None`` (the minimum identity is the
    decision's to enforce: it refers, see ``domain.applicant``).
    """
    device = request.device_id
    if device is not None:
        text("device_id", device, _DEVICE_MAX)
        if not device.isascii() or not device.isprintable() or " " in device:
            raise ValidationError("device_id", "must be printable ASCII characters without spaces")
    applicant, phone, ip = request.applicant_id, request.phone, request.ip
    address, email, account = request.address, request.email, request.bank_account
    for name, value in (("device_id", device), ("address", address), ("email", email)):
        if isinstance(value, str) and value.startswith(PROTECTED_PREFIXES):  # the others cannot take this shape
            raise ValidationError(name, "must be the value as written, not a stored token or sealed value")
    return {
        "credit_code": validate_uscc(request.credit_code, "credit_code"),
        "applicant_id": None if applicant is None else validate_resident_id(applicant, "applicant_id"),
        "phone": None if phone is None else normalize_phone(phone, "phone"),
        "ip": None if ip is None else canonical_ip(ip, "ip"),
        "address": None if address is None else validate_address(address, "address"),
        "email": None if email is None else normalize_email(email, "email"),
        "bank_account": None if account is None else normalize_bank_account(account, "bank_account"),
    }
