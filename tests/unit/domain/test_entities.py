"""Entity validation (errors name the field), derived values and the identifier value objects."""

from __future__ import annotations

import dataclasses
import datetime as dt
import doctest
import importlib

import pytest
from domain_examples import example_row

from riskloop.domain.application import Application, IdentityVerification
from riskloop.domain.dimensions import FinancialStatement, Invoice, TaxDeclaration
from riskloop.domain.enterprise import Enterprise, Shareholding
from riskloop.domain.identity import BankAccount, CreditCode, DeviceId, Email, IpAddress, Phone
from riskloop.domain.lending import LoanProduct
from riskloop.domain.money import Money, Rate
from riskloop.domain.risk_records import DishonestEntry, Enforcement
from riskloop.domain.rows import from_row
from riskloop.errors import IdentifierError, ValidationError

DOMAIN_MODULES = ["money", "address", "identity", "pii", "identifiers", "enterprise", "dimensions", "risk_records",
                  "lending", "application", "rows"]  # fmt: skip


@pytest.mark.parametrize("name", DOMAIN_MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(f"riskloop.domain.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def _errors_on(field: str, make: object) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        make()  # type: ignore[operator]
    assert info.value.field == field, info.value
    return info.value


def test_face_match_score_out_of_range_names_the_field() -> None:
    _errors_on("face_match_score", lambda: IdentityVerification(True, 1.5))
    _errors_on("face_match_score", lambda: IdentityVerification(True, float("nan")))
    _errors_on("face_match_score", lambda: IdentityVerification(True, True))
    _errors_on("sms_verified", lambda: IdentityVerification("yes", 0.5))  # type: ignore[arg-type]
    assert IdentityVerification(True, 1).face_match_score == 1.0


def test_entity_fields_are_type_checked() -> None:
    ent = from_row("enterprises", example_row("enterprises"))
    assert isinstance(ent, Enterprise)
    _errors_on("legal_rep_id", lambda: dataclasses.replace(ent, legal_rep_id="11010519491231002X"))  # type: ignore[arg-type]
    _errors_on("registered_capital", lambda: dataclasses.replace(ent, registered_capital=Money.of("-1")))
    _errors_on("registered_capital", lambda: dataclasses.replace(ent, registered_capital=Money.of("1", "USD")))
    _errors_on("established_date", lambda: dataclasses.replace(ent, established_date=dt.datetime(2020, 1, 1)))
    _errors_on("name", lambda: dataclasses.replace(ent, name="  "))
    _errors_on("kind", lambda: dataclasses.replace(ent, kind="partnership"))  # type: ignore[arg-type]
    _errors_on("industry_section", lambda: dataclasses.replace(ent, industry_section="Z"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        ent.name = "x"  # type: ignore[misc]


def test_application_times_are_utc() -> None:
    app = from_row("applications", example_row("applications"))
    assert isinstance(app, Application)
    _errors_on("applied_at", lambda: dataclasses.replace(app, applied_at=dt.datetime(2024, 1, 1)))
    beijing = dt.timezone(dt.timedelta(hours=8))
    moved = dataclasses.replace(app, applied_at=dt.datetime(2024, 1, 1, 8, tzinfo=beijing))
    assert moved.applied_at == dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    assert moved.applied_at.utcoffset() == dt.timedelta(0)
    _errors_on("requested_amount", lambda: dataclasses.replace(app, requested_amount=Money.zero()))


def test_financial_ratios_and_zero_denominators() -> None:
    fs = from_row("financial_statements", example_row("financial_statements"))
    assert isinstance(fs, FinancialStatement)
    assert fs.debt_ratio == 0.4
    assert fs.current_ratio is None  # no current liabilities
    assert fs.net_margin is None  # no revenue
    assert fs.gross_margin is None
    _errors_on("report_date", lambda: dataclasses.replace(fs, fiscal_year=2025))
    _errors_on("equity", lambda: dataclasses.replace(fs, equity=Money.of("1", "USD")))


def test_tax_and_invoice_derived_values() -> None:
    decl = from_row("tax_declarations", example_row("tax_declarations"))
    assert isinstance(decl, TaxDeclaration)
    assert decl.unpaid == Money.of("2000")
    assert dataclasses.replace(decl, tax_paid=Money.of("5000")).unpaid == Money.zero()
    _errors_on("filed_date", lambda: dataclasses.replace(decl, filed_date=dt.date(2024, 2, 1)))
    inv = from_row("invoices", example_row("invoices"))
    assert isinstance(inv, Invoice)
    assert inv.gross == Money.of("11300")
    assert inv.counts
    assert not dataclasses.replace(inv, status="red").counts


def test_open_and_listed_periods() -> None:
    enf = from_row("enforcements", example_row("enforcements"))
    assert isinstance(enf, Enforcement)
    assert enf.open_on(dt.date(2030, 1, 1))
    assert not enf.open_on(dt.date(2024, 2, 1))
    _errors_on("closed_date", lambda: dataclasses.replace(enf, closed_date=dt.date(2024, 2, 1)))
    entry = from_row("dishonest_list", example_row("dishonest_list"))
    assert isinstance(entry, DishonestEntry)
    assert entry.listed_on(dt.date(2024, 8, 31))
    assert not entry.listed_on(dt.date(2024, 9, 1))


def test_loan_product_bounds() -> None:
    product = from_row("loan_products", example_row("loan_products"))
    assert isinstance(product, LoanProduct)
    assert product.accepts(Money.of("10000"), 3, Rate(400))
    assert product.accepts(Money.of("3000000"), 36, Rate(1800))
    assert product.violations(Money.of("3000000.01"), 2, Rate(1801)) == (
        "amount ¥3,000,000.01 is above the maximum ¥3,000,000.00",
        "term 2 months is below the minimum 3",
        "rate 18.01% is above the maximum 18.00%",
    )
    _errors_on("max_amount", lambda: dataclasses.replace(product, max_amount=Money.of("1")))
    _errors_on("max_term_months", lambda: dataclasses.replace(product, max_term_months=2))
    _errors_on("max_rate", lambda: dataclasses.replace(product, max_rate=Rate(1)))
    _errors_on("min_term_months", lambda: dataclasses.replace(product, min_term_months=0))


def test_shareholding_rules() -> None:
    holding = from_row("shareholders", example_row("shareholders"))
    assert isinstance(holding, Shareholding)
    _errors_on("holder_id", lambda: dataclasses.replace(holding, holder_id=holding.credit_code))
    _errors_on("holder_id", lambda: dataclasses.replace(holding, holder_kind="person"))
    _errors_on("stake", lambda: dataclasses.replace(holding, stake=Rate(0)))


def test_identifier_value_objects_normalise() -> None:
    assert Phone("+86 138-0013-8000") == Phone("13800138000")
    assert Phone("(027) 8765 4321").reveal() == "02787654321"
    assert Email(" Zhang@Example.COM ") == Email("zhang@example.com")
    assert BankAccount("6222 0212-3456") == BankAccount("622202123456")
    assert IpAddress("2001:0db8::0001").value == "2001:db8::1"
    assert IpAddress("10.0.0.1").version == 4
    assert CreditCode(" 91350100m000100y43 ") == CreditCode("91350100M000100Y43")
    assert str(DeviceId("dev-1")) == "dev-1"


@pytest.mark.parametrize(
    ("cls", "raw", "field"),
    [
        (Phone, "12345", "phone"),
        (Email, "not-an-email", "email"),
        (Email, "a@b", "email"),
        (BankAccount, "12ab5678", "bank_account"),
        (BankAccount, "123", "bank_account"),
        (IpAddress, "256.0.0.1", "ip"),
        (DeviceId, "has space", "device_id"),
        (DeviceId, "x" * 65, "device_id"),
    ],
)
def test_identifier_errors_name_the_field(cls: type, raw: str, field: str) -> None:
    with pytest.raises(IdentifierError) as info:
        cls.parse(raw)  # type: ignore[attr-defined]
    assert info.value.field == field
    with pytest.raises(IdentifierError) as info:
        cls.parse(raw, field="contact")  # type: ignore[attr-defined]
    assert info.value.field == "contact"
