"""The table contract: every input table, its columns, keys and where it is stored.

One source of truth read by the generator (Parquet schemas), ingestion (validation schemas),
storage (database tables) and docs/data-formats.md. Money is integer cents (``money``); rates and
stakes are integer basis points. Nothing here imports a data library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from riskloop.domain.collection import ACTIONS, CHANNELS, ISSUE_TYPES, SPEAKERS, WINDOWS
from riskloop.domain.text_tags import DOC_TYPES, NO_TAG, TAGS

Kind = Literal["str", "int", "money", "signed_money", "float", "bool", "date", "timestamp", "category"]
Format = Literal["uscc", "resident_id", "phone", "ip", "email", "month_start"]
Store = Literal["sql", "warehouse"]
Dimension = Literal["registration", "financial", "government", "tax", "risk", "bank"]
PiiKind = Literal["person", "phone", "email", "address", "bank_account", "name"]
_FORMAT_PII: dict[str, PiiKind] = {"resident_id": "person", "phone": "phone", "email": "email"}


@dataclass(frozen=True)
class Column:
    """One column: its kind, whether it may be empty, and the checks a value must pass."""

    name: str
    kind: Kind
    doc: str
    nullable: bool = False
    values: tuple[str, ...] = ()  # allowed values of a category
    min: float | None = None
    max: float | None = None
    format: Format | None = None
    not_future: bool = False  # a date/timestamp after the ingest clock's "now" is invalid
    max_length: int | None = None
    scrub: bool = False  # free text: resident IDs, phones and e-mails in it are masked on ingest
    age_at: str | None = None  # a resident ID: the person's age on this column's date must be in the applicant range
    # Personal data kept only as a keyed token at rest (ADR 0016): the identifier kind its token is made for. A
    # resident ID, phone or e-mail format implies it; ``pii_by`` names a column whose value picks the kind per row.
    pii: PiiKind | None = None
    pii_by: tuple[str, tuple[tuple[str, PiiKind], ...]] | None = None
    # A column added to a table later: a file without it (or an empty cell) reads as this value, so older files
    # load as before.
    default: str | None = None
    # (column, value): this column is required when that column has that value, and must be empty otherwise.
    present_when: tuple[str, str] | None = None

    @property
    def pii_kind(self) -> PiiKind | None:
        """The identifier kind this column's values are tokenised as (None: not personal, or chosen per row)."""
        return self.pii or (_FORMAT_PII.get(self.format) if self.format else None)

    @property
    def personal(self) -> bool:
        """Whether any value of this column may be a personal identifier."""
        return self.pii_kind is not None or self.pii_by is not None


@dataclass(frozen=True)
class Table:
    """One input table: its columns, its primary key, its data dimension and its store."""

    name: str
    dimension: Dimension
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    store: Store
    partition_date: str | None = None  # column that dates a record, for point-in-time reads
    references: dict[str, str] = field(default_factory=dict)  # column -> "table.column"
    # A versioned master table (ADR 0020): a changed row of a loaded key is a new version from this column's day
    # (optional on input, the ingest's as-of day when empty), so a row is identified by ``key`` + this column.
    valid_from: str | None = None
    # Rows sharing this column's value are one record (a call's turns): one bad row quarantines them all, and the
    # value must name a loaded row of the table ``references`` gives for it.
    whole_by: str | None = None
    # Within a ``whole_by`` record, this int column numbers the rows 1..n, without gaps or repeats.
    sequence: str | None = None

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        """Column names in contract order."""
        return tuple(c.name for c in self.columns)

    @property
    def row_key(self) -> tuple[str, ...]:
        """What identifies a stored row: the key, plus the valid-from day of a versioned table."""
        return (*self.key, self.valid_from) if self.valid_from else self.key


def _code(name: str = "credit_code", doc: str = "Unified social credit code (18 chars, check digit)") -> Column:
    return Column(name, "str", doc, format="uscc")


def _code_or_null(name: str, doc: str) -> Column:
    return Column(name, "str", doc, nullable=True, format="uscc")


def _money(name: str, doc: str, nullable: bool = False) -> Column:
    return Column(name, "money", doc + " (integer cents, >= 0)", nullable=nullable, min=0)


def _signed(name: str, doc: str) -> Column:
    return Column(name, "signed_money", doc + " (integer cents, may be negative)")


def _date(name: str, doc: str, nullable: bool = False) -> Column:
    return Column(name, "date", doc, nullable=nullable, not_future=True)


def _ts(name: str, doc: str) -> Column:
    return Column(name, "timestamp", doc + " (UTC)", not_future=True)


# A registered change of legal representative holds resident IDs; of address, addresses.
_CHANGED_PII: tuple[str, tuple[tuple[str, PiiKind], ...]] = (
    "change_type",
    (("legal_rep", "person"), ("address", "address")),
)

INDUSTRY_SECTIONS = tuple("ABCDEFGHIJKLMNOPQRST")  # GB/T 4754-2017 sections
TAX_GRADES = ("A", "B", "M", "C", "D")
ABNORMAL_REASONS = ("no_annual_report", "unreachable_address", "false_information", "no_disclosure")
INSTITUTION_TYPES = ("bank", "microlender", "consumer_finance", "guarantee", "leasing", "other")
INQUIRY_REASONS = ("loan_approval", "guarantee_review", "post_loan")
BUYER_KINDS = ("enterprise", "consumer")
LOAN_TYPES = ("working_capital", "fixed_asset", "trade_finance", "bill_discount", "acceptance", "other")
FIVE_CLASSES = ("normal", "special_mention", "substandard", "doubtful", "loss")  # 五级分类

TABLES: tuple[Table, ...] = (
    # --- registration (工商) ---
    Table(
        "enterprises",
        "registration",
        "One row per enterprise or individual business.",
        (
            _code(),
            Column("name", "str", "Registered name", max_length=200),
            Column("kind", "category", "Legal form", values=("company", "individual_business")),
            Column("industry_section", "category", "GB/T 4754 section letter", values=INDUSTRY_SECTIONS),
            _date("established_date", "Date of establishment"),
            _money("registered_capital_cents", "Registered capital"),
            Column("region_code", "str", "6-digit administrative division code", max_length=6),
            Column("address", "str", "Registered address as written", max_length=300, pii="address"),
            Column("phone", "str", "Registered contact phone", format="phone"),
            Column("legal_rep_id", "str", "Resident ID of the legal representative", format="resident_id"),
            Column("status", "category", "Registration status", values=("active", "abnormal", "revoked")),
            Column(
                "valid_from",
                "date",
                "Day this version of the registration took effect; empty: the ingest's as-of day",
                nullable=True,
                not_future=True,
            ),
        ),
        key=("credit_code",),
        store="sql",
        references={"legal_rep_id": "persons.person_id"},
        valid_from="valid_from",
    ),
    Table(
        "persons",
        "registration",
        "Natural persons: legal representatives, shareholders, officers, applicants.",
        (
            Column(
                "person_id",
                "str",
                "Resident ID number (18 chars, check digit); masked in every output",
                format="resident_id",
            ),
            Column("name", "str", "Full name", max_length=50, pii="name"),
            Column("phone", "str", "Mobile phone", nullable=True, format="phone"),
        ),
        key=("person_id",),
        store="sql",
    ),
    Table(
        "shareholders",
        "registration",
        "Shareholdings: who holds what stake in an enterprise.",
        (
            _code(),
            Column("holder_kind", "category", "Person or enterprise holder", values=("person", "enterprise")),
            Column(
                "holder_id",
                "str",
                "Resident ID (person) or credit code (enterprise)",
                max_length=18,
                pii_by=("holder_kind", (("person", "person"),)),
            ),
            Column("stake_bp", "int", "Stake in basis points (10000 = 100 %)", min=1, max=10000),
            _date("since_date", "Date the stake was registered"),
        ),
        key=("credit_code", "holder_id"),
        store="sql",
        partition_date="since_date",
    ),
    Table(
        "officers",
        "registration",
        "Officers and the legal representative of an enterprise.",
        (
            _code(),
            Column("person_id", "str", "Resident ID", format="resident_id"),
            Column(
                "role", "category", "Office held", values=("legal_rep", "director", "supervisor", "manager", "finance")
            ),
            _date("since_date", "Date of appointment"),
        ),
        key=("credit_code", "person_id", "role"),
        store="sql",
        partition_date="since_date",
    ),
    Table(
        "registration_changes",
        "registration",
        "Registered changes (legal representative, address, capital ...).",
        (
            Column("change_id", "str", "Unique change record id", max_length=40),
            _code(),
            _date("change_date", "Date the change was registered"),
            Column(
                "change_type",
                "category",
                "What changed",
                values=("legal_rep", "address", "capital", "name", "scope", "shareholder"),
            ),
            Column("before_value", "str", "Value before", nullable=True, max_length=300, pii_by=_CHANGED_PII),
            Column("after_value", "str", "Value after", nullable=True, max_length=300, pii_by=_CHANGED_PII),
        ),
        key=("change_id",),
        store="sql",
        partition_date="change_date",
    ),
    # --- financial (财务) ---
    Table(
        "financial_statements",
        "financial",
        "Annual balance sheet and income statement (两表).",
        (
            _code(),
            Column("fiscal_year", "int", "Fiscal year", min=1990, max=2100),
            _date("report_date", "Date the statement was filed (visible from then on)"),
            _money("total_assets_cents", "Total assets"),
            _money("total_liabilities_cents", "Total liabilities"),
            _money("current_assets_cents", "Current assets"),
            _money("current_liabilities_cents", "Current liabilities"),
            _signed("equity_cents", "Owners' equity"),
            _money("revenue_cents", "Operating revenue"),
            _money("operating_cost_cents", "Operating cost"),
            _signed("net_profit_cents", "Net profit"),
            _signed("operating_cash_flow_cents", "Net operating cash flow"),
        ),
        key=("credit_code", "fiscal_year"),
        store="warehouse",
        partition_date="report_date",
    ),
    # --- government affairs (政务) ---
    Table(
        "social_security",
        "government",
        "Monthly social-security contributions.",
        (
            _code(),
            Column("month", "date", "First day of the contribution month", format="month_start", not_future=True),
            Column("headcount", "int", "Insured employees", min=0),
            _money("paid_cents", "Contributions paid"),
            _money("arrears_cents", "Contributions overdue"),
        ),
        key=("credit_code", "month"),
        store="warehouse",
        partition_date="month",
    ),
    Table(
        "housing_fund",
        "government",
        "Monthly housing-provident-fund contributions.",
        (
            _code(),
            Column("month", "date", "First day of the contribution month", format="month_start", not_future=True),
            Column("contributors", "int", "Employees contributing", min=0),
            _money("paid_cents", "Contributions paid"),
        ),
        key=("credit_code", "month"),
        store="warehouse",
        partition_date="month",
    ),
    # --- tax (税务) ---
    Table(
        "tax_declarations",
        "tax",
        "Monthly VAT and annual CIT declarations and payments.",
        (
            _code(),
            Column("period", "date", "First day of the tax period", format="month_start", not_future=True),
            Column("tax_type", "category", "Tax", values=("VAT", "CIT")),
            _money("declared_revenue_cents", "Declared taxable revenue"),
            _money("tax_payable_cents", "Tax payable"),
            _money("tax_paid_cents", "Tax paid"),
            _date("filed_date", "Date the declaration was filed"),
        ),
        key=("credit_code", "period", "tax_type"),
        store="warehouse",
        partition_date="filed_date",
    ),
    Table(
        "tax_credit_grades",
        "tax",
        "Annual tax credit grade (A/B/M/C/D).",
        (
            _code(),
            Column("year", "int", "Assessment year", min=1990, max=2100),
            Column("grade", "category", "Grade", values=TAX_GRADES),
            _date("published_date", "Date the grade was published"),
        ),
        key=("credit_code", "year"),
        store="warehouse",
        partition_date="published_date",
    ),
    Table(
        "invoices",
        "tax",
        "VAT invoices: seller, buyer, amount, status.",
        (
            Column("invoice_no", "str", "Invoice number (unique)", max_length=20),
            _code("seller_code", "Credit code of the seller"),
            Column(
                "buyer_code",
                "str",
                "Credit code of an enterprise buyer; empty for a consumer",
                nullable=True,
                format="uscc",
                present_when=("buyer_kind", "enterprise"),
            ),
            _date("issue_date", "Issue date"),
            _money("amount_cents", "Amount excluding tax"),
            _money("tax_cents", "VAT amount"),
            Column("status", "category", "normal, void, or red-letter (credit note)", values=("normal", "void", "red")),
            Column(
                "buyer_kind",
                "category",
                "enterprise (with a credit code) or consumer (a natural person, no code); absent or empty: enterprise",
                nullable=True,  # an empty value (an earlier file's) is the default, never stored empty
                values=BUYER_KINDS,
                default="enterprise",
            ),
        ),
        key=("invoice_no",),
        store="warehouse",
        partition_date="issue_date",
    ),
    # --- risk (风险) ---
    Table(
        "litigations",
        "risk",
        "Court cases an enterprise is party to.",
        (
            Column("case_no", "str", "Court case number", max_length=60),
            _code(),
            Column("role", "category", "Party role", values=("plaintiff", "defendant")),
            _date("filed_date", "Date the case was filed"),
            Column("cause", "str", "Cause of action", max_length=100),
            _money("amount_cents", "Amount in dispute"),
        ),
        key=("case_no", "credit_code"),
        store="warehouse",
        partition_date="filed_date",
    ),
    Table(
        "enforcements",
        "risk",
        "Court enforcement (被执行) records.",
        (
            Column("case_no", "str", "Enforcement case number", max_length=60),
            _code(),
            _date("filed_date", "Date enforcement was filed"),
            _money("amount_cents", "Amount to enforce"),
            _date("closed_date", "Date closed, empty while open", nullable=True),
        ),
        key=("case_no",),
        store="warehouse",
        partition_date="filed_date",
    ),
    Table(
        "dishonest_list",
        "risk",
        "Dishonest-debtor list (失信被执行人) entries.",
        (
            Column("case_no", "str", "Underlying case number", max_length=60),
            _code(),
            _date("listed_date", "Date listed"),
            _date("removed_date", "Date removed, empty while listed", nullable=True),
        ),
        key=("case_no",),
        store="warehouse",
        partition_date="listed_date",
    ),
    Table(
        "admin_penalties",
        "risk",
        "Administrative penalties (tax, market regulation, environment ...).",
        (
            Column("penalty_id", "str", "Penalty decision number", max_length=60),
            _code(),
            _date("penalty_date", "Date of the decision"),
            Column("authority", "category", "Issuing authority", values=("tax", "market", "environment", "safety")),
            _money("amount_cents", "Fine"),
        ),
        key=("penalty_id",),
        store="warehouse",
        partition_date="penalty_date",
    ),
    Table(
        "abnormal_operations",
        "risk",
        "Abnormal-operation list (经营异常名录) entries of the market regulator.",
        (
            Column("record_id", "str", "Listing record id", max_length=40),
            _code(),
            _date("listed_date", "Date listed"),
            Column("reason", "category", "Why the enterprise was listed", values=ABNORMAL_REASONS),
            _date("removed_date", "Date removed from the list, empty while listed", nullable=True),
        ),
        key=("record_id",),
        store="warehouse",
        partition_date="listed_date",
    ),
    Table(
        "equity_freezes",
        "risk",
        "Court freezes of equity (股权冻结) held in an enterprise.",
        (
            Column("freeze_id", "str", "Court assistance-in-enforcement notice number", max_length=60),
            _code("credit_code", "Credit code of the enterprise whose equity is frozen"),
            Column("holder_kind", "category", "Holder of the frozen equity", values=("person", "enterprise")),
            _code_or_null("holder_code", "Credit code of an enterprise holder; empty for a person"),
            Column(
                "holder_person_id",
                "str",
                "Resident ID of a person holder; empty for an enterprise",
                nullable=True,
                format="resident_id",
            ),
            _money("frozen_amount_cents", "Registered capital frozen"),
            _date("freeze_date", "Date the freeze took effect"),
            Column("freeze_end_date", "date", "Date the freeze expires unless renewed (may be in the future)"),
            _date("released_date", "Date released early, empty otherwise", nullable=True),
        ),
        key=("freeze_id",),
        store="warehouse",
        partition_date="freeze_date",
    ),
    # --- the bank's own data ---
    Table(
        "loan_products",
        "bank",
        "Loan products with amount, term and rate bounds.",
        (
            Column("product_code", "str", "Product code", max_length=30),
            Column("name", "str", "Product name", max_length=100),
            _money("min_amount_cents", "Smallest amount"),
            _money("max_amount_cents", "Largest amount"),
            Column("min_term_months", "int", "Shortest term", min=1, max=120),
            Column("max_term_months", "int", "Longest term", min=1, max=120),
            Column("min_rate_bp", "int", "Lowest annual rate, basis points", min=0, max=10000),
            Column("max_rate_bp", "int", "Highest annual rate, basis points", min=0, max=10000),
        ),
        key=("product_code",),
        store="sql",
    ),
    Table(
        "applications",
        "bank",
        "Loan applications with identity verification, device and IP.",
        (
            Column("application_id", "str", "Application id", max_length=40),
            _code(),
            Column("applicant_id", "str", "Resident ID of the applicant", format="resident_id", age_at="applied_at"),
            Column("product_code", "str", "Product applied for", max_length=30),
            _ts("applied_at", "Submission time"),
            _money("requested_amount_cents", "Requested amount"),
            Column("term_months", "int", "Requested term", min=1, max=120),
            Column("channel", "category", "Channel", values=("web", "mobile", "mini_program", "branch")),
            Column("phone", "str", "Company phone as given", format="phone"),
            Column("address", "str", "Company address as written by the applicant", max_length=300, pii="address"),
            Column("device_id", "str", "Device fingerprint id", max_length=64),
            Column("ip", "str", "Client IP address", format="ip"),
            Column("email", "str", "Contact email", nullable=True, format="email"),
            Column("bank_account", "str", "Settlement account number", max_length=32, pii="bank_account"),
            Column("sms_verified", "bool", "SMS one-time code passed"),
            Column("face_match_score", "float", "Face-match similarity 0..1", min=0, max=1),
            Column("device_fingerprint_ok", "bool", "Device fingerprint passed checks"),
            Column("phone_owner_match", "bool", "Phone number registered to the applicant"),
        ),
        key=("application_id",),
        store="sql",
        partition_date="applied_at",
        references={"credit_code": "enterprises.credit_code", "product_code": "loan_products.product_code"},
    ),
    Table(
        "bureau_scores",
        "bank",
        "External credit bureau score retrieved for an application.",
        (
            Column("application_id", "str", "Application id", max_length=40),
            Column("score", "int", "Bureau score", min=300, max=950),
            _ts("queried_at", "Query time"),
        ),
        key=("application_id",),
        store="sql",
        references={"application_id": "applications.application_id"},
    ),
    Table(
        "login_events",
        "bank",
        "Registration, login and one-time-code events.",
        (
            Column("event_id", "str", "Event id", max_length=40),
            Column("person_id", "str", "Resident ID of the user", format="resident_id"),
            _ts("ts", "Event time"),
            Column("event_type", "category", "Event", values=("register", "login", "otp", "apply")),
            Column("device_id", "str", "Device fingerprint id", max_length=64),
            Column("ip", "str", "Client IP", format="ip"),
            Column("phone", "str", "Phone used", format="phone"),
            Column("success", "bool", "Whether the step succeeded"),
        ),
        key=("event_id",),
        store="warehouse",
        partition_date="ts",
    ),
    Table(
        "loans",
        "bank",
        "Disbursed loans.",
        (
            Column("loan_id", "str", "Loan id", max_length=40),
            Column("application_id", "str", "Originating application", max_length=40),
            _code(),
            _date("disbursed_date", "Disbursal date"),
            _money("principal_cents", "Principal"),
            Column("term_months", "int", "Term", min=1, max=120),
            Column("rate_bp", "int", "Annual interest rate, basis points", min=0, max=10000),
        ),
        key=("loan_id",),
        store="sql",
        partition_date="disbursed_date",
        references={"application_id": "applications.application_id"},
    ),
    Table(
        "repayment_schedules",
        "bank",
        "Instalments due per loan.",
        (
            Column("loan_id", "str", "Loan id", max_length=40),
            Column("installment_no", "int", "Instalment number from 1", min=1, max=120),
            Column("due_date", "date", "Due date"),
            _money("principal_due_cents", "Principal due"),
            _money("interest_due_cents", "Interest due"),
        ),
        key=("loan_id", "installment_no"),
        store="warehouse",
        partition_date="due_date",
    ),
    Table(
        "repayments",
        "bank",
        "Payments received against instalments.",
        (
            Column("repayment_id", "str", "Payment id", max_length=40),
            Column("loan_id", "str", "Loan id", max_length=40),
            Column("installment_no", "int", "Instalment paid", min=1, max=120),
            _date("paid_date", "Date received"),
            _money("amount_cents", "Amount received (an instalment may be paid in parts)"),
            Column(
                "days_past_due",
                "int",
                "Days from the instalment's due date to this payment (0 when on time or early)",
                min=0,
                max=3650,
            ),
        ),
        key=("repayment_id",),
        store="warehouse",
        partition_date="paid_date",
    ),
    Table(
        "account_transactions",
        "bank",
        "Settlement-account transactions of borrowers.",
        (
            Column("txn_id", "str", "Transaction id", max_length=40),
            _code(),
            Column("account", "str", "Account number", max_length=32, pii="bank_account"),
            _ts("ts", "Booking time"),
            _signed("amount_cents", "Amount; credits positive, debits negative"),
            Column("counterparty", "str", "Counterparty name or code", nullable=True, max_length=200),
            Column(
                "counterparty_person_id",
                "str",
                "Resident ID when the counterparty is a natural person's account; empty otherwise",
                nullable=True,
                format="resident_id",
            ),
        ),
        key=("txn_id",),
        store="warehouse",
        partition_date="ts",
    ),
    Table(
        "guarantees",
        "bank",
        "Guarantees (担保) of the bank's loans: who guarantees which borrower's loan, for how much and how long.",
        (
            Column("guarantee_id", "str", "Guarantee contract id", max_length=40),
            Column("loan_id", "str", "Guaranteed loan", max_length=40),
            _code("credit_code", "Credit code of the guaranteed borrower"),
            Column("guarantor_kind", "category", "Person or enterprise guarantor", values=("person", "enterprise")),
            _code_or_null("guarantor_code", "Credit code of an enterprise guarantor; empty for a person"),
            Column(
                "guarantor_person_id",
                "str",
                "Resident ID of a person guarantor; empty for an enterprise",
                nullable=True,
                format="resident_id",
            ),
            Column("guarantee_type", "category", "Liability", values=("joint", "general")),
            _money("amount_cents", "Maximum amount guaranteed"),
            _date("start_date", "Date the guarantee took effect"),
            Column("end_date", "date", "Date the guarantee ends (may be in the future)"),
        ),
        key=("guarantee_id",),
        store="warehouse",
        partition_date="start_date",
        references={"loan_id": "loans.loan_id"},
    ),
    Table(
        "credit_reports",
        "bank",
        "Structured summary of the credit bureau's (PBOC) enterprise report, per report date: other lenders' credit.",
        (
            _code(),
            _date("report_date", "Date the report was retrieved"),
            Column("lenders", "int", "Institutions other than this bank with credit outstanding", min=0, max=500),
            Column("loans_outstanding", "int", "Loans outstanding at other institutions", min=0, max=5000),
            _money("balance_cents", "Balance outstanding at other institutions"),
            Column("overdue_loans", "int", "Loans overdue at other institutions", min=0, max=5000),
            _money("overdue_cents", "Amount overdue at other institutions"),
            Column("max_days_past_due", "int", "Longest current overdue at another institution, days", min=0, max=3650),
            Column("guarantees_given", "int", "Guarantees the enterprise has given, outstanding", min=0, max=5000),
            _money("guarantee_balance_cents", "Balance of the loans it guarantees"),
        ),
        key=("credit_code", "report_date"),
        store="warehouse",
        partition_date="report_date",
    ),
    Table(
        "credit_inquiries",
        "bank",
        "Credit-bureau inquiries into an enterprise by other institutions (查询记录).",
        (
            Column("inquiry_id", "str", "Inquiry record id", max_length=40),
            _code(),
            _date("inquiry_date", "Date of the inquiry"),
            Column("institution_type", "category", "Kind of institution that inquired", values=INSTITUTION_TYPES),
            Column("reason", "category", "Purpose of the inquiry", values=INQUIRY_REASONS),
        ),
        key=("inquiry_id",),
        store="warehouse",
        partition_date="inquiry_date",
    ),
    Table(
        "credit_report_loans",
        "bank",
        "Loans of the bureau's (PBOC) enterprise report by institution (the multi-lender detail of credit_reports).",
        (
            _code(),
            _date("report_date", "Date of the report the loan is listed in"),
            Column("account_no", "str", "The loan's account number in the report", max_length=40),
            Column("institution", "str", "Lending institution as the report names it", max_length=100),
            Column("institution_type", "category", "Kind of lending institution", values=INSTITUTION_TYPES),
            Column("loan_type", "category", "Kind of credit", values=LOAN_TYPES),
            _date("opened_date", "Date the loan was granted"),
            Column("maturity_date", "date", "Contractual maturity (may be in the future)"),
            _money("balance_cents", "Balance outstanding on the report date"),
            _money("overdue_cents", "Amount overdue on the report date"),
            Column("days_past_due", "int", "Days overdue on the report date (0: current)", min=0, max=3650),
            Column("five_class", "category", "Five-level loan classification (五级分类)", values=FIVE_CLASSES),
        ),
        key=("credit_code", "report_date", "account_no"),
        store="warehouse",
        partition_date="report_date",
    ),
    # --- collection (催收, issue 16) ---
    Table(
        "collection_cases",
        "bank",
        "Overdue cases: one per loan, opened by the weekly batch run after its first instalment fell overdue.",
        (
            Column("case_id", "str", "Case id", max_length=40),
            Column("loan_id", "str", "Overdue loan", max_length=40),
            _code(),
            _date("opened_date", "Day the case was opened (the first batch run after the due date)"),
            _money("overdue_amount_cents", "Amount of the overdue instalment unpaid on the opening day"),
            _money("outstanding_cents", "Principal outstanding from the overdue instalment on, plus its interest"),
            Column("dpd_at_open", "int", "Days past due on the opening day", min=0, max=3650),
        ),
        key=("case_id",),
        store="warehouse",
        partition_date="opened_date",
        references={"loan_id": "loans.loan_id"},
    ),
    Table(
        "collection_actions",
        "bank",
        "Contact rounds of a case: the action, channel and time window chosen, with its propensity and outcome.",
        (
            Column("action_id", "str", "Action id", max_length=40),
            Column("case_id", "str", "Case", max_length=40),
            Column("round_no", "int", "Contact round of the case, from 1", min=1, max=100),
            _ts("acted_at", "When the action was taken (local time inside its window)"),
            Column("dpd_at_action", "int", "Days past due when the action was taken", min=0, max=3650),
            _money("remaining_overdue_cents", "Overdue amount still unpaid before this round"),
            Column("action", "category", "Action taken", values=ACTIONS),
            Column("channel", "category", "Medium the action reached the debtor through", values=CHANNELS),
            Column("time_window", "category", "Local time window of the action", values=WINDOWS),
            Column(
                "agent_id",
                "str",
                "Collector who acted (agent calls, field visits, restructuring offers); empty otherwise",
                nullable=True,
                max_length=20,
            ),
            Column("policy", "str", "Policy that chose the action (e.g. historical)", max_length=60),
            Column(
                "propensity", "float", "Probability the policy gave the chosen arm in this context", min=1e-9, max=1
            ),
            _money("cost_cents", "What the action cost"),
            Column("promise_to_pay", "bool", "The debtor promised to pay"),
            _money("amount_paid_cents", "Paid within the round (until the next round was due)"),
            Column(
                "days_to_cure",
                "int",
                "Days from the case's opening to the cure, on the round that cured it; empty otherwise",
                nullable=True,
                min=0,
                max=3650,
            ),
            Column("cured", "bool", "The overdue amount was paid in full within the round"),
            Column("complaint", "bool", "The debtor complained about the contact"),
        ),
        key=("action_id",),
        store="warehouse",
        partition_date="acted_at",
        references={"case_id": "collection_cases.case_id"},
    ),
    Table(
        "collection_calls",
        "bank",
        "Recorded collection phone calls (agent calls and restructuring offers made by phone).",
        (
            Column("call_id", "str", "Call id", max_length=40),
            Column("action_id", "str", "Action the call carried out", max_length=40),
            Column("case_id", "str", "Case", max_length=40),
            Column("agent_id", "str", "Collector who called", max_length=20),
            _ts("started_at", "When the call was dialled"),
            Column("duration_seconds", "int", "Length of the call", min=0, max=86400),
        ),
        key=("call_id",),
        store="warehouse",
        partition_date="started_at",
        references={"action_id": "collection_actions.action_id"},
    ),
    Table(
        "call_turns",
        "bank",
        "Transcript of a call, one row per turn; a call with a malformed turn is quarantined whole.",
        (
            Column("call_id", "str", "Call", max_length=40),
            Column("turn_no", "int", "Turn number within the call, 1..n without gaps", min=1, max=1000),
            Column("speaker", "category", "Who spoke", values=SPEAKERS),
            Column("text", "str", "What was said (Chinese)", max_length=300, scrub=True),
        ),
        key=("call_id", "turn_no"),
        store="warehouse",
        references={"call_id": "collection_calls.call_id"},
        whole_by="call_id",
        sequence="turn_no",
    ),
    Table(
        "call_reviews",
        "bank",
        "The QA team's reviews of a sample of calls: each issue found (with its turn), or none for a clean call.",
        (
            Column("review_id", "str", "Review finding id", max_length=40),
            Column("call_id", "str", "Reviewed call", max_length=40),
            _ts("reviewed_at", "When the review was made"),
            Column("issue_type", "category", "Issue found, or none", values=(*ISSUE_TYPES, "none")),
            Column("turn_no", "int", "Offending turn, where the issue has one; empty otherwise", nullable=True, min=1),
        ),
        key=("review_id",),
        store="warehouse",
        partition_date="reviewed_at",
        references={"call_id": "collection_calls.call_id"},
    ),
    # --- unstructured text (判决书, 执行通知, 行政处罚决定书, 新闻/公告) ---
    Table(
        "risk_documents",
        "risk",
        "Court judgments, enforcement notices, administrative penalties and news naming an enterprise.",
        (
            Column("doc_id", "str", "Document id", max_length=40),
            _code("credit_code", "Credit code of the enterprise the document was matched to"),
            Column("subject_name", "str", "That enterprise's name as the document writes it", max_length=100),
            Column("doc_type", "category", "Kind of document", values=DOC_TYPES),
            _date("published_date", "Date the document was published"),
            Column("title", "str", "Title", max_length=200),
            Column("body", "str", "Full text (Chinese)", max_length=8000, scrub=True),
        ),
        key=("doc_id",),
        store="warehouse",
        partition_date="published_date",
    ),
    Table(
        "document_reviews",
        "risk",
        "Analysts' reviews of a sample of documents: each risk tag found with its evidence span, or none.",
        (
            Column("review_id", "str", "Review finding id", max_length=40),
            Column("doc_id", "str", "Reviewed document", max_length=40),
            _ts("reviewed_at", "When the review was made"),
            Column("tag", "category", "Risk tag found, or none", values=(*TAGS, NO_TAG)),
            Column("span_start", "int", "Evidence start (character offset into the body)", nullable=True, min=0),
            Column("span_end", "int", "Evidence end (exclusive)", nullable=True, min=0),
        ),
        key=("review_id",),
        store="warehouse",
        partition_date="reviewed_at",
        references={"doc_id": "risk_documents.doc_id"},
    ),
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
SCHEMA_VERSION = "1"


def table(name: str) -> Table:
    """Return the table called ``name`` or raise KeyError listing the valid names."""
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; valid: {', '.join(sorted(TABLES_BY_NAME))}") from None
