"""Column codecs for the row converters: one load (row value -> domain value) and one dump per column kind."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, SupportsIndex

from riskloop.domain.identity import Address, BankAccount, CreditCode, DeviceId, Email, IpAddress, Phone, ResidentId
from riskloop.domain.money import Money, Rate
from riskloop.errors import ValidationError


@dataclass(frozen=True, slots=True)
class Codec:
    """How one column converts: ``load(value, column)`` to the domain, ``dump(value)`` back to the row."""

    load: Callable[[object, str], Any]
    dump: Callable[[Any], object]


def _as_int(value: object, column: str) -> object:
    """Accept any exact integer (``operator.index``: int, numpy ints); leave the rest for validation."""
    if isinstance(value, bool | float) or not isinstance(value, SupportsIndex):
        return value
    return operator.index(value)


def _as_date(value: object, column: str) -> object:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationError(column, f"not an ISO date (YYYY-MM-DD): {value!r}") from None
    return value


def _as_timestamp(value: object, column: str) -> object:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError(column, f"not an ISO timestamp: {value!r}") from None
    return value


def _as_float(value: object, column: str) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _money(value: object, column: str) -> Money:
    cents = _as_int(value, column)
    if isinstance(cents, float):
        raise ValidationError(column, "money columns hold integer cents; got a float")
    return Money.from_cents(cents, field=column)  # type: ignore[arg-type]


def _rate(value: object, column: str) -> Rate:
    return Rate.from_bp(_as_int(value, column), field=column)  # type: ignore[arg-type]


def _identity(value: Any) -> object:
    return value


def _reveal(value: Any) -> object:
    return value.reveal()


def _str(value: Any) -> object:
    return str(value)


def optional(codec: Codec) -> Codec:
    """The same codec, letting ``None`` through both ways."""
    return Codec(
        lambda value, column: None if value is None else codec.load(value, column),
        lambda value: None if value is None else codec.dump(value),
    )


PLAIN = Codec(lambda value, column: value, _identity)
INT = Codec(_as_int, _identity)
FLOAT = Codec(_as_float, _identity)
DATE = Codec(_as_date, _identity)
TIMESTAMP = Codec(_as_timestamp, _identity)
MONEY = Codec(_money, lambda value: value.cents)
RATE = Codec(_rate, lambda value: value.bp)
CREDIT_CODE = Codec(CreditCode.parse, _str)
RESIDENT_ID = Codec(ResidentId.parse, _reveal)
PHONE = Codec(Phone.parse, _reveal)
EMAIL = Codec(Email.parse, _reveal)
BANK_ACCOUNT = Codec(BankAccount.parse, _reveal)
ADDRESS = Codec(Address.parse, lambda value: value.raw)
DEVICE = Codec(DeviceId.parse, _str)
IP = Codec(IpAddress.parse, _str)


def reveal_or_str(value: Any) -> object:
    """Dump a masked identifier by revealing it, anything else by ``str``."""
    reveal = getattr(value, "reveal", None)
    return reveal() if callable(reveal) else str(value)
