"""Financial, government-affairs and tax records: statements, social security, housing fund, tax, invoices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from riskloop.domain import _checks as check
from riskloop.domain.identity import CreditCode
from riskloop.domain.money import Money
from riskloop.domain.tables import BUYER_KINDS, TAX_GRADES
from riskloop.errors import ValidationError

TaxType = Literal["VAT", "CIT"]
TaxGrade = Literal["A", "B", "M", "C", "D"]
InvoiceStatus = Literal["normal", "void", "red"]
TAX_TYPES = ("VAT", "CIT")
INVOICE_STATUSES = ("normal", "void", "red")
_UNSIGNED_ITEMS = (
    "total_assets", "total_liabilities", "current_assets", "current_liabilities", "revenue", "operating_cost",
)  # fmt: skip
_SIGNED_ITEMS = ("equity", "net_profit", "operating_cash_flow")


def _ratio(numerator: Money, denominator: Money) -> float | None:
    """``numerator / denominator`` as a float, or None when the denominator is zero."""
    if denominator.cents == 0:
        return None
    return numerator.cents / denominator.cents


@dataclass(frozen=True, slots=True)
class FinancialStatement:
    """One fiscal year's balance sheet and income statement (两表); one row of ``financial_statements``.

    Examples
    --------
    >>> from riskloop.domain.identity import CreditCode
    >>> m = Money.of
    >>> fs = FinancialStatement(CreditCode("91350100M000100Y43"), 2023, dt.date(2024, 4, 30), m("1000"), m("400"),
    ...     m("600"), m("300"), m("600"), m("2000"), m("1500"), m("100"), m("80"))
    >>> fs.current_ratio, fs.debt_ratio, fs.net_margin
    (2.0, 0.4, 0.05)

    """

    credit_code: CreditCode
    fiscal_year: int
    report_date: dt.date
    total_assets: Money
    total_liabilities: Money
    current_assets: Money
    current_liabilities: Money
    equity: Money
    revenue: Money
    operating_cost: Money
    net_profit: Money
    operating_cash_flow: Money

    def __post_init__(self) -> None:
        check.instance("credit_code", self.credit_code, CreditCode)
        check.integer("fiscal_year", self.fiscal_year, 1990, 2100)
        check.date("report_date", self.report_date)
        if self.report_date.year < self.fiscal_year:
            raise ValidationError("report_date", f"must not be before the end of fiscal year {self.fiscal_year}")
        for name in _UNSIGNED_ITEMS:
            check.money(name, getattr(self, name))
        for name in _SIGNED_ITEMS:
            check.money(name, getattr(self, name), signed=True)

    @property
    def current_ratio(self) -> float | None:
        """Current assets / current liabilities; None when there are no current liabilities."""
        return _ratio(self.current_assets, self.current_liabilities)

    @property
    def debt_ratio(self) -> float | None:
        """Total liabilities / total assets; None when there are no assets."""
        return _ratio(self.total_liabilities, self.total_assets)

    @property
    def net_margin(self) -> float | None:
        """Net profit / revenue; None when there is no revenue."""
        return _ratio(self.net_profit, self.revenue)

    @property
    def gross_margin(self) -> float | None:
        """(Revenue - operating cost) / revenue; None when there is no revenue."""
        return _ratio(self.revenue - self.operating_cost, self.revenue)


@dataclass(frozen=True, slots=True)
class SocialSecurityMonth:
    """One month of social-security contributions; one row of ``social_security``."""

    credit_code: CreditCode
    month: dt.date
    headcount: int
    paid: Money
    arrears: Money

    def __post_init__(self) -> None:
        check.instance("credit_code", self.credit_code, CreditCode)
        check.month_start("month", self.month)
        check.integer("headcount", self.headcount, 0)
        check.money("paid", self.paid)
        check.money("arrears", self.arrears)


@dataclass(frozen=True, slots=True)
class HousingFundMonth:
    """One month of housing-provident-fund contributions; one row of ``housing_fund``."""

    credit_code: CreditCode
    month: dt.date
    contributors: int
    paid: Money

    def __post_init__(self) -> None:
        check.instance("credit_code", self.credit_code, CreditCode)
        check.month_start("month", self.month)
        check.integer("contributors", self.contributors, 0)
        check.money("paid", self.paid)


@dataclass(frozen=True, slots=True)
class TaxDeclaration:
    """One VAT or CIT declaration for a period; one row of ``tax_declarations``."""

    credit_code: CreditCode
    period: dt.date
    tax_type: TaxType
    declared_revenue: Money
    tax_payable: Money
    tax_paid: Money
    filed_date: dt.date

    def __post_init__(self) -> None:
        check.instance("credit_code", self.credit_code, CreditCode)
        check.month_start("period", self.period)
        check.choice("tax_type", self.tax_type, TAX_TYPES)
        check.money("declared_revenue", self.declared_revenue)
        check.money("tax_payable", self.tax_payable)
        check.money("tax_paid", self.tax_paid)
        check.date("filed_date", self.filed_date)
        check.not_before("filed_date", self.filed_date, self.period, "period")

    @property
    def unpaid(self) -> Money:
        """Tax payable not yet paid (never negative)."""
        return max(self.tax_payable - self.tax_paid, Money.zero())


@dataclass(frozen=True, slots=True)
class TaxCreditGrade:
    """An annual tax credit grade A/B/M/C/D; one row of ``tax_credit_grades``."""

    credit_code: CreditCode
    year: int
    grade: TaxGrade
    published_date: dt.date

    def __post_init__(self) -> None:
        check.instance("credit_code", self.credit_code, CreditCode)
        check.integer("year", self.year, 1990, 2100)
        check.choice("grade", self.grade, TAX_GRADES)
        check.date("published_date", self.published_date)


@dataclass(frozen=True, slots=True)
class Invoice:
    """A VAT invoice between a seller and a buyer; one row of ``invoices``."""

    invoice_no: str
    seller_code: CreditCode
    buyer_code: CreditCode | None  # None: a consumer, who has no credit code
    issue_date: dt.date
    amount: Money
    tax: Money
    status: InvoiceStatus
    buyer_kind: str = "enterprise"

    def __post_init__(self) -> None:
        check.text("invoice_no", self.invoice_no, 20)
        check.instance("seller_code", self.seller_code, CreditCode)
        check.choice("buyer_kind", self.buyer_kind, BUYER_KINDS)
        check.optional_instance("buyer_code", self.buyer_code, CreditCode)
        if (self.buyer_kind == "enterprise") != (self.buyer_code is not None):
            raise ValidationError("buyer_code", "an enterprise buyer has a credit code; a consumer has none")
        check.date("issue_date", self.issue_date)
        check.money("amount", self.amount)
        check.money("tax", self.tax)
        check.choice("status", self.status, INVOICE_STATUSES)

    @property
    def gross(self) -> Money:
        """Amount including tax."""
        return self.amount + self.tax

    @property
    def counts(self) -> bool:
        """True for a normal invoice (void and red-letter invoices do not count as sales)."""
        return self.status == "normal"
