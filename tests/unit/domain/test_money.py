"""Money in integer cents and rates in basis points: exact, float-free, one currency at a time."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskloop.domain.money import Money, Rate
from riskloop.errors import ValidationError

two_place_decimals = st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False, allow_infinity=False)


def test_constructors_agree() -> None:
    assert Money.of("123.45") == Money.from_decimal(Decimal("123.45")) == Money.from_cents(12345) == Money(12345)
    assert Money.of(5) == Money.from_cents(500)
    assert Money.of("1,234.50").cents == 123450


@pytest.mark.parametrize(
    "make",
    [
        lambda: Money.of(0.1),  # type: ignore[arg-type]
        lambda: Money.from_cents(1.0),  # type: ignore[arg-type]
        lambda: Money(1.5),  # type: ignore[arg-type]
        lambda: Rate.from_percent(4.35),  # type: ignore[arg-type]
        lambda: Rate.from_bp(435.0),  # type: ignore[arg-type]
    ],
)
def test_floats_are_refused_with_a_clear_error(make: object) -> None:
    with pytest.raises(ValidationError, match="float"):
        make()  # type: ignore[operator]


@given(two_place_decimals)
def test_decimal_round_trip_is_exact(amount: Decimal) -> None:
    money = Money.of(amount)
    assert money.to_decimal() == amount
    assert Money.of(str(amount)) == money
    assert Money.of(str(money.to_decimal())) == money


@given(st.integers(-(10**15), 10**15), st.integers(-(10**15), 10**15))
def test_arithmetic_and_order_follow_the_cents(a: int, b: int) -> None:
    assert Money(a) + Money(b) == Money(a + b)
    assert Money(a) - Money(b) == Money(a - b)
    assert (Money(a) < Money(b)) == (a < b)
    assert (Money(a) >= Money(b)) == (a >= b)
    assert -Money(a) == Money(-a)


def test_sub_cent_amounts_are_refused() -> None:
    with pytest.raises(ValidationError, match="2 decimal places") as info:
        Money.of("0.001", field="requested_amount")
    assert info.value.field == "requested_amount"


@pytest.mark.parametrize("bad", ["abc", "", "NaN", "Infinity", None, True])
def test_non_numbers_are_refused(bad: object) -> None:
    with pytest.raises(ValidationError):
        Money.of(bad)  # type: ignore[arg-type]


def test_currency_mismatch_is_an_error() -> None:
    usd = Money.of("1", "USD")
    with pytest.raises(ValidationError, match="currency mismatch"):
        _ = Money.of("1") + usd
    with pytest.raises(ValidationError, match="currency mismatch"):
        _ = Money.of("1") < usd
    with pytest.raises(ValidationError, match="currency"):
        Money(1, "yuan")
    assert Money.of("1") != usd


def test_display() -> None:
    assert str(Money.of("1234.56")) == "¥1,234.56"
    assert str(Money.of("-0.05")) == "-¥0.05"
    assert str(Money.of("1234567.8")) == "¥1,234,567.80"
    assert str(Money.of("9.99", "USD")) == "USD 9.99"


def test_rates() -> None:
    assert Rate.from_percent("4.35") == Rate.from_fraction("0.0435") == Rate.from_bp(435) == Rate(435)
    assert Rate(435).as_fraction() == Decimal("0.0435")
    assert str(Rate(435)) == "4.35%"
    assert Rate(1) < Rate(2)
    with pytest.raises(ValidationError, match="basis point"):
        Rate.from_percent("4.355")
    with pytest.raises(ValidationError, match=r"0\.\.10000") as info:
        Rate.from_bp(10001, field="rate_bp")
    assert info.value.field == "rate_bp"
    with pytest.raises(ValidationError):
        Rate(-1)
