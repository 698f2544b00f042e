"""The bank's lending records: loan products, loans, repayment schedule, repayments, account transactions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from riskloop.domain import _checks as check
from riskloop.domain.identity import BankAccount, CreditCode
from riskloop.domain.money import Money, Rate
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

    def __post_init__(self) -> None:
        check.text("repayment_id", self.repayment_id, 40)
        check.text("loan_id", self.loan_id, 40)
        check.integer("installment_no", self.installment_no, 1, MAX_TERM_MONTHS)
        check.date("paid_date", self.paid_date)
        check.money("amount", self.amount)


@dataclass(frozen=True, slots=True)
class AccountTransaction:
    """A settlement-account transaction (credits positive, debits negative); one row of ``account_transactions``."""

    txn_id: str
    credit_code: CreditCode
    account: BankAccount
    ts: dt.datetime
    amount: Money
    counterparty: str | None = None

    def __post_init__(self) -> None:
        check.text("txn_id", self.txn_id, 40)
        check.instance("credit_code", self.credit_code, CreditCode)
        check.instance("account", self.account, BankAccount)
        object.__setattr__(self, "ts", check.utc_timestamp("ts", self.ts))
        check.money("amount", self.amount, signed=True)
        check.optional_text("counterparty", self.counterparty, 200)

    @property
    def is_credit(self) -> bool:
        """True for money coming in."""
        return self.amount.cents > 0
