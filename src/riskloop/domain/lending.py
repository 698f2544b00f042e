"""The bank's lending records: loan products, loans, repayment schedule, repayments, account transactions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from riskloop.domain import _checks as check
from riskloop.domain.identity import BankAccount, CreditCode, ResidentId
from riskloop.domain.money import Money, Rate
from riskloop.domain.tables import FIVE_CLASSES, LOAN_TYPES
from riskloop.errors import ValidationError

MAX_TERM_MONTHS = 120


@dataclass(frozen=True, slots=True)
class LoanProduct:
    """A loan product with amount, term and annual-rate bounds; one row of ``loan_products``.

    Examples
    --------
    >>> p = LoanProduct("TAX-E", "税易贷", Money.of("10000"), Money.of("3000000"), 3, 36, Rate(400), Rate(1800))
    >>> p.violations(Money.of("5000"), 48, Rate(435))
    ('amount ¥5,000.00 is below the minimum ¥10,000.00', 'term 48 months is above the maximum 36')
    >>> p.accepts(Money.of("50000"), 12)
    True

    """

    product_code: str
    name: str
    min_amount: Money
    max_amount: Money
    min_term_months: int
    max_term_months: int
    min_rate: Rate
    max_rate: Rate

    def __post_init__(self) -> None:
        check.text("product_code", self.product_code, 30)
        check.text("name", self.name, 100)
        check.money("min_amount", self.min_amount)
        check.money("max_amount", self.max_amount)
        check.ordered("max_amount", self.min_amount.cents, self.max_amount.cents, "min_amount")
        check.integer("min_term_months", self.min_term_months, 1, MAX_TERM_MONTHS)
        check.integer("max_term_months", self.max_term_months, 1, MAX_TERM_MONTHS)
        check.ordered("max_term_months", self.min_term_months, self.max_term_months, "min_term_months")
        check.instance("min_rate", self.min_rate, Rate)
        check.instance("max_rate", self.max_rate, Rate)
        check.ordered("max_rate", self.min_rate.bp, self.max_rate.bp, "min_rate")

    def violations(self, amount: Money, term_months: int, rate: Rate | None = None) -> tuple[str, ...]:
        """Every way ``amount``, ``term_months`` and (optionally) ``rate`` break the bounds; empty when none."""
        problems: list[str] = []
        if amount < self.min_amount:
            problems.append(f"amount {amount} is below the minimum {self.min_amount}")
        if amount > self.max_amount:
            problems.append(f"amount {amount} is above the maximum {self.max_amount}")
        if term_months < self.min_term_months:
            problems.append(f"term {term_months} months is below the minimum {self.min_term_months}")
        if term_months > self.max_term_months:
            problems.append(f"term {term_months} months is above the maximum {self.max_term_months}")
        if rate is not None and rate < self.min_rate:
            problems.append(f"rate {rate} is below the minimum {self.min_rate}")
        if rate is not None and rate > self.max_rate:
            problems.append(f"rate {rate} is above the maximum {self.max_rate}")
        return tuple(problems)

    def accepts(self, amount: Money, term_months: int, rate: Rate | None = None) -> bool:
        """True when the amount, term and rate are all within bounds."""
        return not self.violations(amount, term_months, rate)


@dataclass(frozen=True, slots=True)
class Loan:
    """A disbursed loan; one row of ``loans``."""

    loan_id: str
    application_id: str
    credit_code: CreditCode
    disbursed_date: dt.date
    principal: Money
    term_months: int
    rate: Rate

    def __post_init__(self) -> None:
        check.text("loan_id", self.loan_id, 40)
        check.text("application_id", self.application_id, 40)
        check.instance("credit_code", self.credit_code, CreditCode)
        check.date("disbursed_date", self.disbursed_date)
        check.money("principal", self.principal)
        if self.principal.cents == 0:
            raise ValidationError("principal", "must be positive")
        check.integer("term_months", self.term_months, 1, MAX_TERM_MONTHS)
        check.instance("rate", self.rate, Rate)


@dataclass(frozen=True, slots=True)
class Installment:
    """One row of a loan's repayment schedule; one row of ``repayment_schedules``."""

    loan_id: str
    installment_no: int
    due_date: dt.date
    principal_due: Money
    interest_due: Money

    def __post_init__(self) -> None:
        check.text("loan_id", self.loan_id, 40)
        check.integer("installment_no", self.installment_no, 1, MAX_TERM_MONTHS)
        check.date("due_date", self.due_date)
        check.money("principal_due", self.principal_due)
        check.money("interest_due", self.interest_due)

    @property
    def total_due(self) -> Money:
        """Principal plus interest due."""
        return self.principal_due + self.interest_due


@dataclass(frozen=True, slots=True)
class Repayment:
    """A payment received against an instalment; one row of ``repayments``."""

    repayment_id: str
    loan_id: str
    installment_no: int
    paid_date: dt.date
    amount: Money
    days_past_due: int = 0

    def __post_init__(self) -> None:
        check.text("repayment_id", self.repayment_id, 40)
        check.text("loan_id", self.loan_id, 40)
        check.integer("installment_no", self.installment_no, 1, MAX_TERM_MONTHS)
        check.date("paid_date", self.paid_date)
        check.money("amount", self.amount)
        check.integer("days_past_due", self.days_past_due, 0, MAX_DAYS_PAST_DUE)


@dataclass(frozen=True, slots=True)
class AccountTransaction:
    """A settlement-account transaction (credits positive, debits negative); one row of ``account_transactions``."""

    txn_id: str
    credit_code: CreditCode
    account: BankAccount
    ts: dt.datetime
    amount: Money
    counterparty: str | None = None
    counterparty_person_id: ResidentId | None = None

    def __post_init__(self) -> None:
        check.text("txn_id", self.txn_id, 40)
        check.instance("credit_code", self.credit_code, CreditCode)
        check.instance("account", self.account, BankAccount)
        object.__setattr__(self, "ts", check.utc_timestamp("ts", self.ts))
        check.money("amount", self.amount, signed=True)
        check.optional_text("counterparty", self.counterparty, 200)
        check.optional_instance("counterparty_person_id", self.counterparty_person_id, ResidentId)

    @property
    def is_credit(self) -> bool:
        """True for money coming in."""
        return self.amount.cents > 0


MAX_DAYS_PAST_DUE = 3650
GUARANTEE_TYPES = ("joint", "general")
INSTITUTION_TYPES = ("bank", "microlender", "consumer_finance", "guarantee", "leasing", "other")
INQUIRY_REASONS = ("loan_approval", "guarantee_review", "post_loan")


def _guarantor(kind: str, code: CreditCode | None, person: ResidentId | None) -> None:
    """An enterprise guarantor has a credit code and no person; a person guarantor a resident ID and no code."""
    check.choice("guarantor_kind", kind, ("person", "enterprise"))
    if (kind == "enterprise") != (code is not None) or (kind == "person") != (person is not None):
        raise ValidationError("guarantor_kind", f"a {kind} guarantor needs its own identifier and only that one")


@dataclass(frozen=True, slots=True)
class Guarantee:
    """A guarantee (担保) of a loan by a person or an enterprise; one row of ``guarantees``."""

    guarantee_id: str
    loan_id: str
    credit_code: CreditCode
    guarantor_kind: str
    guarantor_code: CreditCode | None
    guarantor_person_id: ResidentId | None
    guarantee_type: str
    amount: Money
    start_date: dt.date
    end_date: dt.date

    def __post_init__(self) -> None:
        check.text("guarantee_id", self.guarantee_id, 40)
        check.text("loan_id", self.loan_id, 40)
        check.instance("credit_code", self.credit_code, CreditCode)
        check.optional_instance("guarantor_code", self.guarantor_code, CreditCode)
        check.optional_instance("guarantor_person_id", self.guarantor_person_id, ResidentId)
        _guarantor(self.guarantor_kind, self.guarantor_code, self.guarantor_person_id)
        check.choice("guarantee_type", self.guarantee_type, GUARANTEE_TYPES)
        check.money("amount", self.amount)
        check.date("start_date", self.start_date)
        check.date("end_date", self.end_date)
        check.not_before("end_date", self.end_date, self.start_date, "start_date")


@dataclass(frozen=True, slots=True)
class CreditReport:
    """The bureau's summary of an enterprise's credit elsewhere on a report date; one row of ``credit_reports``."""

    credit_code: CreditCode
    report_date: dt.date
    lenders: int
    loans_outstanding: int
    balance: Money
    overdue_loans: int
    overdue: Money
    max_days_past_due: int
    guarantees_given: int
    guarantee_balance: Money

    def __post_init__(self) -> None:
        check.instance("credit_code", self.credit_code, CreditCode)
        check.date("report_date", self.report_date)
        check.integer("lenders", self.lenders, 0, 500)
        for name in ("loans_outstanding", "overdue_loans", "guarantees_given"):
            check.integer(name, getattr(self, name), 0, 5000)
        for name in ("balance", "overdue", "guarantee_balance"):
            check.money(name, getattr(self, name))
        check.integer("max_days_past_due", self.max_days_past_due, 0, MAX_DAYS_PAST_DUE)


@dataclass(frozen=True, slots=True)
class CreditInquiry:
    """An inquiry into an enterprise's credit report by another institution; one row of ``credit_inquiries``."""

    inquiry_id: str
    credit_code: CreditCode
    inquiry_date: dt.date
    institution_type: str
    reason: str

    def __post_init__(self) -> None:
        check.text("inquiry_id", self.inquiry_id, 40)
        check.instance("credit_code", self.credit_code, CreditCode)
        check.date("inquiry_date", self.inquiry_date)
        check.choice("institution_type", self.institution_type, INSTITUTION_TYPES)
        check.choice("reason", self.reason, INQUIRY_REASONS)


@dataclass(frozen=True, slots=True)
class CreditReportLoan:
    """One loan at another institution as a bureau report lists it; one row of ``credit_report_loans``."""

    credit_code: CreditCode
    report_date: dt.date
    account_no: str
    institution: str
    institution_type: str
    loan_type: str
    opened_date: dt.date
    maturity_date: dt.date
    balance: Money
    overdue: Money
    days_past_due: int
    five_class: str

    def __post_init__(self) -> None:
        check.instance("credit_code", self.credit_code, CreditCode)
        check.date("report_date", self.report_date)
        check.text("account_no", self.account_no, 40)
        check.text("institution", self.institution, 100)
        check.choice("institution_type", self.institution_type, INSTITUTION_TYPES)
        check.choice("loan_type", self.loan_type, LOAN_TYPES)
        check.date("opened_date", self.opened_date)
        check.date("maturity_date", self.maturity_date)
        check.money("balance", self.balance)
        check.money("overdue", self.overdue)
        check.integer("days_past_due", self.days_past_due, 0, MAX_DAYS_PAST_DUE)
        check.choice("five_class", self.five_class, FIVE_CLASSES)
