"""The mapping of every contract table: column, domain attribute and codec, in contract order."""

from __future__ import annotations

from typing import Any

from riskloop.domain import _codecs as c
from riskloop.domain._mapping import ColumnSpec, TableMapping
from riskloop.domain.application import Application, BureauScore, IdentityVerification, LoginEvent
from riskloop.domain.collection_records import (
    CallReview,
    CallTurn,
    CollectionAction,
    CollectionCall,
    CollectionCase,
)
from riskloop.domain.dimensions import (
    FinancialStatement,
    HousingFundMonth,
    Invoice,
    SocialSecurityMonth,
    TaxCreditGrade,
    TaxDeclaration,
)
from riskloop.domain.enterprise import Enterprise, Officer, Person, RegistrationChange, Shareholding
from riskloop.domain.lending import (
    AccountTransaction,
    CreditInquiry,
    CreditReport,
    CreditReportLoan,
    Guarantee,
    Installment,
    Loan,
    LoanProduct,
    Repayment,
)
from riskloop.domain.risk_records import (
    AbnormalOperation,
    AdminPenalty,
    DishonestEntry,
    Enforcement,
    EquityFreeze,
    Litigation,
)
from riskloop.domain.text_records import DocumentReview, RiskDocument

_ID, _CODE, _DATE, _MONEY = c.PLAIN, c.CREDIT_CODE, c.DATE, c.MONEY


_HOLDER = c.Codec(lambda value, column: value, c.reveal_or_str)


def _holder_by_kind(flat: dict[str, Any]) -> None:
    """A holder id is a resident ID for a person holder and a credit code for an enterprise holder."""
    codec = c.RESIDENT_ID if flat["holder_kind"] == "person" else c.CREDIT_CODE
    flat["holder_id"] = codec.load(flat["holder_id"], "holder_id")


_V = "verification."


def _m(table: str, cls: type[Any], *columns: ColumnSpec) -> TableMapping:
    if cls is Shareholding:
        return TableMapping(table, cls, columns, prepare=_holder_by_kind)
    if cls is Application:
        return TableMapping(table, cls, columns, nested={"verification": IdentityVerification})
    return TableMapping(table, cls, columns)


def _same(*names_and_codecs: tuple[str, c.Codec]) -> tuple[ColumnSpec, ...]:
    return tuple((name, name, codec) for name, codec in names_and_codecs)


def _cents(name: str) -> ColumnSpec:
    return (f"{name}_cents", name, _MONEY)


MAPPINGS: dict[str, TableMapping] = {
    m.table: m
    for m in (
        _m(
            "enterprises",
            Enterprise,
            *_same(
                ("credit_code", _CODE),
                ("name", _ID),
                ("kind", _ID),
                ("industry_section", _ID),
                ("established_date", _DATE),
            ),
            _cents("registered_capital"),
            *_same(
                ("region_code", _ID),
                ("address", c.ADDRESS),
                ("phone", c.PHONE),
                ("legal_rep_id", c.RESIDENT_ID),
                ("status", _ID),
                ("valid_from", c.optional(_DATE)),
            ),
        ),
        _m("persons", Person, *_same(("person_id", c.RESIDENT_ID), ("name", _ID), ("phone", c.optional(c.PHONE)))),
        _m(
            "shareholders",
            Shareholding,
            *_same(("credit_code", _CODE), ("holder_kind", _ID), ("holder_id", _HOLDER)),
            ("stake_bp", "stake", c.RATE),
            ("since_date", "since_date", _DATE),
        ),
        _m(
            "officers",
            Officer,
            *_same(("credit_code", _CODE), ("person_id", c.RESIDENT_ID), ("role", _ID), ("since_date", _DATE)),
        ),
        _m(
            "registration_changes",
            RegistrationChange,
            *_same(
                ("change_id", _ID),
                ("credit_code", _CODE),
                ("change_date", _DATE),
                ("change_type", _ID),
                ("before_value", _ID),
                ("after_value", _ID),
            ),
        ),
        _m(
            "financial_statements",
            FinancialStatement,
            *_same(("credit_code", _CODE), ("fiscal_year", c.INT), ("report_date", _DATE)),
            *map(
                _cents,
                (
                    "total_assets",
                    "total_liabilities",
                    "current_assets",
                    "current_liabilities",
                    "equity",
                    "revenue",
                    "operating_cost",
                    "net_profit",
                    "operating_cash_flow",
                ),
            ),
        ),
        _m(
            "social_security",
            SocialSecurityMonth,
            *_same(("credit_code", _CODE), ("month", _DATE), ("headcount", c.INT)),
            _cents("paid"),
            _cents("arrears"),
        ),
        _m(
            "housing_fund",
            HousingFundMonth,
            *_same(("credit_code", _CODE), ("month", _DATE), ("contributors", c.INT)),
            _cents("paid"),
        ),
        _m(
            "tax_declarations",
            TaxDeclaration,
            *_same(("credit_code", _CODE), ("period", _DATE), ("tax_type", _ID)),
            _cents("declared_revenue"),
            _cents("tax_payable"),
            _cents("tax_paid"),
            ("filed_date", "filed_date", _DATE),
        ),
        _m(
            "tax_credit_grades",
            TaxCreditGrade,
            *_same(("credit_code", _CODE), ("year", c.INT), ("grade", _ID), ("published_date", _DATE)),
        ),
        _m(
            "invoices",
            Invoice,
            *_same(("invoice_no", _ID), ("seller_code", _CODE)),
            ("buyer_code", "buyer_code", c.optional(_CODE)),
            ("issue_date", "issue_date", _DATE),
            _cents("amount"),
            _cents("tax"),
            ("status", "status", _ID),
            ("buyer_kind", "buyer_kind", _ID),
        ),
        _m(
            "litigations",
            Litigation,
            *_same(("case_no", _ID), ("credit_code", _CODE), ("role", _ID), ("filed_date", _DATE), ("cause", _ID)),
            _cents("amount"),
        ),
        _m(
            "enforcements",
            Enforcement,
            *_same(("case_no", _ID), ("credit_code", _CODE), ("filed_date", _DATE)),
            _cents("amount"),
            ("closed_date", "closed_date", c.optional(_DATE)),
        ),
        _m(
            "dishonest_list",
            DishonestEntry,
            *_same(
                ("case_no", _ID), ("credit_code", _CODE), ("listed_date", _DATE), ("removed_date", c.optional(_DATE))
            ),
        ),
        _m(
            "admin_penalties",
            AdminPenalty,
            *_same(("penalty_id", _ID), ("credit_code", _CODE), ("penalty_date", _DATE), ("authority", _ID)),
            _cents("amount"),
        ),
        _m(
            "loan_products",
            LoanProduct,
            *_same(("product_code", _ID), ("name", _ID)),
            _cents("min_amount"),
            _cents("max_amount"),
            *_same(("min_term_months", c.INT), ("max_term_months", c.INT)),
            ("min_rate_bp", "min_rate", c.RATE),
            ("max_rate_bp", "max_rate", c.RATE),
        ),
        _m(
            "applications",
            Application,
            *_same(
                ("application_id", _ID),
                ("credit_code", _CODE),
                ("applicant_id", c.RESIDENT_ID),
                ("product_code", _ID),
                ("applied_at", c.TIMESTAMP),
            ),
            _cents("requested_amount"),
            *_same(
                ("term_months", c.INT),
                ("channel", _ID),
                ("phone", c.PHONE),
                ("address", c.ADDRESS),
                ("device_id", c.DEVICE),
                ("ip", c.IP),
                ("email", c.optional(c.EMAIL)),
                ("bank_account", c.BANK_ACCOUNT),
            ),
            ("sms_verified", _V + "sms_verified", _ID),
            ("face_match_score", _V + "face_match_score", c.FLOAT),
            ("device_fingerprint_ok", _V + "device_fingerprint_ok", _ID),
            ("phone_owner_match", _V + "phone_owner_match", _ID),
        ),
        _m(
            "bureau_scores", BureauScore, *_same(("application_id", _ID), ("score", c.INT), ("queried_at", c.TIMESTAMP))
        ),
        _m(
            "login_events",
            LoginEvent,
            *_same(
                ("event_id", _ID),
                ("person_id", c.RESIDENT_ID),
                ("ts", c.TIMESTAMP),
                ("event_type", _ID),
                ("device_id", c.DEVICE),
                ("ip", c.IP),
                ("phone", c.PHONE),
                ("success", _ID),
            ),
        ),
        _m(
            "loans",
            Loan,
            *_same(("loan_id", _ID), ("application_id", _ID), ("credit_code", _CODE), ("disbursed_date", _DATE)),
            _cents("principal"),
            ("term_months", "term_months", c.INT),
            ("rate_bp", "rate", c.RATE),
        ),
        _m(
            "repayment_schedules",
            Installment,
            *_same(("loan_id", _ID), ("installment_no", c.INT), ("due_date", _DATE)),
            _cents("principal_due"),
            _cents("interest_due"),
        ),
        _m(
            "repayments",
            Repayment,
            *_same(("repayment_id", _ID), ("loan_id", _ID), ("installment_no", c.INT), ("paid_date", _DATE)),
            _cents("amount"),
            ("days_past_due", "days_past_due", c.INT),
        ),
        _m(
            "account_transactions",
            AccountTransaction,
            *_same(("txn_id", _ID), ("credit_code", _CODE), ("account", c.BANK_ACCOUNT), ("ts", c.TIMESTAMP)),
            _cents("amount"),
            ("counterparty", "counterparty", _ID),
            ("counterparty_person_id", "counterparty_person_id", c.optional(c.RESIDENT_ID)),
        ),
        _m(
            "abnormal_operations",
            AbnormalOperation,
            *_same(
                ("record_id", _ID),
                ("credit_code", _CODE),
                ("listed_date", _DATE),
                ("reason", _ID),
                ("removed_date", c.optional(_DATE)),
            ),
        ),
        _m(
            "equity_freezes",
            EquityFreeze,
            *_same(
                ("freeze_id", _ID),
                ("credit_code", _CODE),
                ("holder_kind", _ID),
                ("holder_code", c.optional(_CODE)),
                ("holder_person_id", c.optional(c.RESIDENT_ID)),
            ),
            _cents("frozen_amount"),
            *_same(("freeze_date", _DATE), ("freeze_end_date", _DATE), ("released_date", c.optional(_DATE))),
        ),
        _m(
            "guarantees",
            Guarantee,
            *_same(
                ("guarantee_id", _ID),
                ("loan_id", _ID),
                ("credit_code", _CODE),
                ("guarantor_kind", _ID),
                ("guarantor_code", c.optional(_CODE)),
                ("guarantor_person_id", c.optional(c.RESIDENT_ID)),
                ("guarantee_type", _ID),
            ),
            _cents("amount"),
            *_same(("start_date", _DATE), ("end_date", _DATE)),
        ),
        _m(
            "credit_reports",
            CreditReport,
            *_same(
                ("credit_code", _CODE),
                ("report_date", _DATE),
                ("lenders", c.INT),
                ("loans_outstanding", c.INT),
            ),
            _cents("balance"),
            ("overdue_loans", "overdue_loans", c.INT),
            _cents("overdue"),
            *_same(("max_days_past_due", c.INT), ("guarantees_given", c.INT)),
            _cents("guarantee_balance"),
        ),
        _m(
            "credit_inquiries",
            CreditInquiry,
            *_same(
                ("inquiry_id", _ID),
                ("credit_code", _CODE),
                ("inquiry_date", _DATE),
                ("institution_type", _ID),
                ("reason", _ID),
            ),
        ),
        _m(
            "credit_report_loans",
            CreditReportLoan,
            *_same(
                ("credit_code", _CODE),
                ("report_date", _DATE),
                ("account_no", _ID),
                ("institution", _ID),
                ("institution_type", _ID),
                ("loan_type", _ID),
                ("opened_date", _DATE),
                ("maturity_date", _DATE),
            ),
            _cents("balance"),
            _cents("overdue"),
            ("days_past_due", "days_past_due", c.INT),
            ("five_class", "five_class", _ID),
        ),
        _m(
            "collection_cases",
            CollectionCase,
            *_same(("case_id", _ID), ("loan_id", _ID), ("credit_code", _CODE), ("opened_date", _DATE)),
            _cents("overdue_amount"),
            _cents("outstanding"),
            ("dpd_at_open", "dpd_at_open", c.INT),
        ),
        _m(
            "collection_actions",
            CollectionAction,
            *_same(
                ("action_id", _ID),
                ("case_id", _ID),
                ("round_no", c.INT),
                ("acted_at", c.TIMESTAMP),
                ("dpd_at_action", c.INT),
            ),
            _cents("remaining_overdue"),
            *_same(
                ("action", _ID),
                ("channel", _ID),
                ("time_window", _ID),
                ("agent_id", _ID),
                ("policy", _ID),
                ("propensity", c.FLOAT),
            ),
            _cents("cost"),
            ("promise_to_pay", "promise_to_pay", _ID),
            _cents("amount_paid"),
            *_same(("days_to_cure", c.optional(c.INT)), ("cured", _ID), ("complaint", _ID)),
        ),
        _m(
            "collection_calls",
            CollectionCall,
            *_same(
                ("call_id", _ID),
                ("action_id", _ID),
                ("case_id", _ID),
                ("agent_id", _ID),
                ("started_at", c.TIMESTAMP),
                ("duration_seconds", c.INT),
            ),
        ),
        _m("call_turns", CallTurn, *_same(("call_id", _ID), ("turn_no", c.INT), ("speaker", _ID), ("text", _ID))),
        _m(
            "call_reviews",
            CallReview,
            *_same(
                ("review_id", _ID),
                ("call_id", _ID),
                ("reviewed_at", c.TIMESTAMP),
                ("issue_type", _ID),
                ("turn_no", c.optional(c.INT)),
            ),
        ),
        _m(
            "risk_documents",
            RiskDocument,
            *_same(
                ("doc_id", _ID),
                ("credit_code", _CODE),
                ("subject_name", _ID),
                ("doc_type", _ID),
                ("published_date", _DATE),
                ("title", _ID),
                ("body", _ID),
            ),
        ),
        _m(
            "document_reviews",
            DocumentReview,
            *_same(
                ("review_id", _ID),
                ("doc_id", _ID),
                ("reviewed_at", c.TIMESTAMP),
                ("tag", _ID),
                ("span_start", c.optional(c.INT)),
                ("span_end", c.optional(c.INT)),
            ),
        ),
    )
}
