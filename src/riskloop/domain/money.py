"""Money as integer cents and rates as integer basis points; floats are refused."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from riskloop.errors import ValidationError

_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
_SYMBOLS = {"CNY": "¥"}
_CENT = Decimal("0.01")
_BP = Decimal("0.0001")


def _to_decimal(value: object, field: str) -> Decimal:
    """Read ``value`` (str, Decimal or int) as an exact Decimal; refuse floats and non-numbers."""
    if isinstance(value, float):
        raise ValidationError(field, "float is not allowed (binary floats are inexact); pass a str or Decimal")
    if isinstance(value, bool):
        raise ValidationError(field, "must be a number, got bool")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip().replace(",", "").replace("¥", ""))
        except InvalidOperation:
            raise ValidationError(field, f"not a decimal number: {value!r}") from None
    else:
        raise ValidationError(field, f"must be a str, Decimal or int, got {type(value).__name__}")
    if not number.is_finite():
        raise ValidationError(field, f"must be finite, got {value!r}")
    return number


def _require_int(value: object, field: str) -> int:
    if isinstance(value, float):
        raise ValidationError(field, "float is not allowed; pass an integer")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, f"must be an integer, got {type(value).__name__}")
    return value


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount of money held as integer cents (fen).

    Examples
    --------
    >>> Money.of("1234.5") + Money.from_cents(6)
    Money(cents=123456, currency='CNY')
    >>> str(Money.of("-1234.56"))
    '-¥1,234.56'
    >>> Money.of("0.10").to_decimal()
    Decimal('0.10')

    """

    cents: int
    currency: str = "CNY"

    def __post_init__(self) -> None:
        _require_int(self.cents, "cents")
        if not isinstance(self.currency, str) or not _CURRENCY_RE.match(self.currency):
            raise ValidationError("currency", f"must be a 3-letter ISO code, got {self.currency!r}")

    @classmethod
    def of(cls, amount: str | Decimal | int, currency: str = "CNY", *, field: str = "amount") -> Money:
        """Money from an amount in yuan ("123.45", Decimal, int); more than 2 decimals is an error."""
        number = _to_decimal(amount, field)
        cents = number * 100
        if cents != cents.to_integral_value():
            raise ValidationError(field, f"has more than 2 decimal places: {amount!r}")
        return cls(int(cents), currency)

    @classmethod
    def from_decimal(cls, amount: Decimal, currency: str = "CNY", *, field: str = "amount") -> Money:
        """Money from a Decimal amount in yuan."""
        if not isinstance(amount, Decimal):
            raise ValidationError(field, f"must be a Decimal, got {type(amount).__name__}")
        return cls.of(amount, currency, field=field)

    @classmethod
    def from_cents(cls, cents: int, currency: str = "CNY", *, field: str = "cents") -> Money:
        """Money from integer cents."""
        return cls(_require_int(cents, field), currency)

    @classmethod
    def zero(cls, currency: str = "CNY") -> Money:
        """Zero in ``currency``."""
        return cls(0, currency)

    def to_decimal(self) -> Decimal:
        """The amount in yuan as an exact Decimal with two places."""
        return (Decimal(self.cents) / 100).quantize(_CENT)

    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise ValidationError("currency", f"currency mismatch: {self.currency} vs {other.currency}")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.cents + self._same(other).cents, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.cents - self._same(other).cents, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.cents, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.cents), self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.cents < self._same(other).cents

    def __le__(self, other: Money) -> bool:
        return self.cents <= self._same(other).cents

    def __gt__(self, other: Money) -> bool:
        return self.cents > self._same(other).cents

    def __ge__(self, other: Money) -> bool:
        return self.cents >= self._same(other).cents

    def __str__(self) -> str:
        sign = "-" if self.cents < 0 else ""
        units, cents = divmod(abs(self.cents), 100)
        symbol = _SYMBOLS.get(self.currency, self.currency + " ")
        return f"{sign}{symbol}{units:,}.{cents:02d}"


@dataclass(frozen=True, slots=True)
class Rate:
    """A proportion in integer basis points, 0..10000 (an annual rate, a stake).

    Examples
    --------
    >>> Rate.from_percent("4.35")
    Rate(bp=435)
    >>> str(Rate(bp=435)), Rate(bp=435).as_fraction()
    ('4.35%', Decimal('0.0435'))

    """

    bp: int

    def __post_init__(self) -> None:
        _require_int(self.bp, "bp")
        if not 0 <= self.bp <= 10000:
            raise ValidationError("bp", f"must be within 0..10000 basis points, got {self.bp}")

    @classmethod
    def from_bp(cls, bp: int, *, field: str = "bp") -> Rate:
        """Rate from basis points; errors name ``field``."""
        bp = _require_int(bp, field)
        if not 0 <= bp <= 10000:
            raise ValidationError(field, f"must be within 0..10000 basis points, got {bp}")
        return cls(bp)

    @classmethod
    def from_percent(cls, percent: str | Decimal | int, *, field: str = "rate") -> Rate:
        """Rate from a percentage ("4.35" is 435 bp); sub-basis-point precision is an error."""
        return cls._from_scaled(_to_decimal(percent, field) * 100, percent, field)

    @classmethod
    def from_fraction(cls, fraction: str | Decimal | int, *, field: str = "rate") -> Rate:
        """Rate from a fraction ("0.0435" is 435 bp)."""
        return cls._from_scaled(_to_decimal(fraction, field) * 10000, fraction, field)

    @classmethod
    def _from_scaled(cls, bp: Decimal, raw: object, field: str) -> Rate:
        if bp != bp.to_integral_value():
            raise ValidationError(field, f"finer than one basis point: {raw!r}")
        return cls.from_bp(int(bp), field=field)

    def as_fraction(self) -> Decimal:
        """The rate as an exact Decimal fraction (435 bp -> 0.0435)."""
        return (Decimal(self.bp) / 10000).quantize(_BP)

    def __lt__(self, other: Rate) -> bool:
        return self.bp < other.bp

    def __le__(self, other: Rate) -> bool:
        return self.bp <= other.bp

    def __gt__(self, other: Rate) -> bool:
        return self.bp > other.bp

    def __ge__(self, other: Rate) -> bool:
        return self.bp >= other.bp

    def __str__(self) -> str:
        whole, part = divmod(self.bp, 100)
        return f"{whole}.{part:02d}%"
