"""One hand-written valid row per contract table."""

from __future__ import annotations

import datetime as dt
from typing import Any

CODE, OTHER_CODE = "91350100M000100Y43", "91110000600037341L"
RID = "11010519491231002X"
D = dt.date(2024, 3, 1)
TS = dt.datetime(2024, 3, 1, 8, 30, tzinfo=dt.UTC)

EXAMPLE_ROWS: dict[str, dict[str, Any]] = {
    "enterprises": {
        "credit_code": CODE, "name": "武汉珞喻科技有限公司", "kind": "company", "industry_section": "I",
        "established_date": dt.date(2015, 6, 1), "registered_capital_cents": 500_000_00, "region_code": "420111",
        "address": "湖北省武汉市洪山区珞喻路129号3楼", "phone": "02787654321", "legal_rep_id": RID, "status": "active",
        "valid_from": dt.date(2024, 6, 1),
    },
    "persons": {"person_id": RID, "name": "张三", "phone": "13800138000"},
    "shareholders": {"credit_code": CODE, "holder_kind": "enterprise", "holder_id": OTHER_CODE, "stake_bp": 2500,
                     "since_date": D},
    "officers": {"credit_code": CODE, "person_id": RID, "role": "legal_rep", "since_date": D},
    "registration_changes": {"change_id": "CHG-1", "credit_code": CODE, "change_date": D, "change_type": "address",
                             "before_value": "武汉市洪山区珞喻路128号", "after_value": "武汉市洪山区珞喻路129号"},
    "financial_statements": {
        "credit_code": CODE, "fiscal_year": 2023, "report_date": dt.date(2024, 4, 30),
        "total_assets_cents": 1000_00, "total_liabilities_cents": 400_00, "current_assets_cents": 600_00,
        "current_liabilities_cents": 0, "equity_cents": 600_00, "revenue_cents": 0, "operating_cost_cents": 0,
        "net_profit_cents": -50_00, "operating_cash_flow_cents": -10_00,
    },
    "social_security": {"credit_code": CODE, "month": D, "headcount": 12, "paid_cents": 3600_00, "arrears_cents": 0},
    "housing_fund": {"credit_code": CODE, "month": D, "contributors": 10, "paid_cents": 2000_00},
    "tax_declarations": {"credit_code": CODE, "period": D, "tax_type": "VAT", "declared_revenue_cents": 100_000_00,
                         "tax_payable_cents": 3000_00, "tax_paid_cents": 1000_00, "filed_date": dt.date(2024, 4, 15)},
    "tax_credit_grades": {"credit_code": CODE, "year": 2023, "grade": "A", "published_date": D},
    "invoices": {"invoice_no": "044001900111", "seller_code": CODE, "buyer_code": OTHER_CODE, "issue_date": D,
                 "amount_cents": 10_000_00, "tax_cents": 1300_00, "status": "normal",
                 "buyer_kind": "enterprise"},
    "litigations": {"case_no": "(2024)鄂0111民初1号", "credit_code": CODE, "role": "defendant", "filed_date": D,
                    "cause": "买卖合同纠纷", "amount_cents": 50_000_00},
    "enforcements": {"case_no": "(2024)鄂0111执1号", "credit_code": CODE, "filed_date": D, "amount_cents": 50_000_00,
                     "closed_date": None},
    "dishonest_list": {"case_no": "(2024)鄂0111执1号", "credit_code": CODE, "listed_date": D,
                       "removed_date": dt.date(2024, 9, 1)},
    "admin_penalties": {"penalty_id": "武税罚〔2024〕1号", "credit_code": CODE, "penalty_date": D, "authority": "tax",
                        "amount_cents": 2000_00},
    "loan_products": {"product_code": "TAX-E", "name": "税易贷", "min_amount_cents": 10_000_00,
                      "max_amount_cents": 3_000_000_00, "min_term_months": 3, "max_term_months": 36,
                      "min_rate_bp": 400, "max_rate_bp": 1800},
    "applications": {
        "application_id": "APP-1", "credit_code": CODE, "applicant_id": RID, "product_code": "TAX-E",
        "applied_at": TS, "requested_amount_cents": 300_000_00, "term_months": 12, "channel": "mobile",
        "phone": "13800138000", "address": "武汉市洪山区珞喻路129号", "device_id": "dev-3f9a", "ip": "10.1.2.3",
        "email": "zhang@example.com", "bank_account": "6222021234567890123", "sms_verified": True,
        "face_match_score": 0.93, "device_fingerprint_ok": True, "phone_owner_match": False,
    },
    "bureau_scores": {"application_id": "APP-1", "score": 712, "queried_at": TS},
    "login_events": {"event_id": "EV-1", "person_id": RID, "ts": TS, "event_type": "login", "device_id": "dev-3f9a",
                     "ip": "2001:db8::1", "phone": "13800138000", "success": True},
    "loans": {"loan_id": "LN-1", "application_id": "APP-1", "credit_code": CODE, "disbursed_date": D,
              "principal_cents": 300_000_00, "term_months": 12, "rate_bp": 435},
    "repayment_schedules": {"loan_id": "LN-1", "installment_no": 1, "due_date": dt.date(2024, 4, 1),
                            "principal_due_cents": 25_000_00, "interest_due_cents": 1087_50},
    "repayments": {"repayment_id": "RP-1", "loan_id": "LN-1", "installment_no": 1, "paid_date": dt.date(2024, 4, 1),
                   "amount_cents": 26_087_50, "days_past_due": 0},
    "account_transactions": {"txn_id": "TX-1", "credit_code": CODE, "account": "6222021234567890123", "ts": TS,
                             "amount_cents": -1_234_56, "counterparty": None, "counterparty_person_id": RID},
    "abnormal_operations": {"record_id": "AB-1", "credit_code": CODE, "listed_date": D,
                            "reason": "unreachable_address", "removed_date": None},
    "equity_freezes": {"freeze_id": "(2024)鄂0111执保1号", "credit_code": CODE, "holder_kind": "person",
                       "holder_code": None, "holder_person_id": RID, "frozen_amount_cents": 100_000_00,
                       "freeze_date": D, "freeze_end_date": dt.date(2027, 3, 1), "released_date": None},
    "guarantees": {"guarantee_id": "GT-1", "loan_id": "LN-1", "credit_code": CODE, "guarantor_kind": "enterprise",
                   "guarantor_code": OTHER_CODE, "guarantor_person_id": None, "guarantee_type": "joint",
                   "amount_cents": 300_000_00, "start_date": D, "end_date": dt.date(2025, 3, 1)},
    "credit_reports": {"credit_code": CODE, "report_date": D, "lenders": 3, "loans_outstanding": 4,
                       "balance_cents": 2_000_000_00, "overdue_loans": 1, "overdue_cents": 50_000_00,
                       "max_days_past_due": 35, "guarantees_given": 1, "guarantee_balance_cents": 500_000_00},
    "credit_inquiries": {"inquiry_id": "IQ-1", "credit_code": CODE, "inquiry_date": D,
                         "institution_type": "microlender", "reason": "loan_approval"},
    "credit_report_loans": {"credit_code": CODE, "report_date": D, "account_no": "R1-001", "institution": "某银行",
                            "institution_type": "bank", "loan_type": "working_capital", "opened_date": D,
                            "maturity_date": D, "balance_cents": 1_000_000_00, "overdue_cents": 0,
                            "days_past_due": 0, "five_class": "normal"},
    "collection_cases": {"case_id": "CS-1", "loan_id": "LN-1", "credit_code": CODE, "opened_date": D,
                         "overdue_amount_cents": 26_087_50, "outstanding_cents": 250_000_00, "dpd_at_open": 4},
    "collection_actions": {"action_id": "CA-1", "case_id": "CS-1", "round_no": 1, "acted_at": TS, "dpd_at_action": 4,
                           "remaining_overdue_cents": 26_087_50, "action": "agent_call", "channel": "phone",
                           "time_window": "morning", "agent_id": "AG0001", "policy": "historical",
                           "propensity": 0.21, "cost_cents": 1_200, "promise_to_pay": True,
                           "amount_paid_cents": 26_087_50, "days_to_cure": 3, "cured": True, "complaint": False},
    "collection_calls": {"call_id": "CL-1", "action_id": "CA-1", "case_id": "CS-1", "agent_id": "AG0001",
                         "started_at": TS, "duration_seconds": 95},
    "call_turns": {"call_id": "CL-1", "turn_no": 1, "speaker": "agent", "text": "您好，我是锦程银行的小王，工号1234。"},
    "call_reviews": {"review_id": "RV-1", "call_id": "CL-1", "reviewed_at": TS, "issue_type": "none",
                     "turn_no": None},
    "risk_documents": {"doc_id": "DC-1", "credit_code": CODE, "subject_name": "武汉珞喻科技有限公司",
                       "doc_type": "judgment", "published_date": D, "title": "民事判决书",
                       "body": "原告甲与被告武汉珞喻科技有限公司民间借贷纠纷一案"},
    "document_reviews": {"review_id": "RV-D1", "doc_id": "DC-1", "reviewed_at": TS, "tag": "借贷纠纷",
                         "span_start": 9, "span_end": 25},
}  # fmt: skip


def example_row(table_name: str) -> dict[str, Any]:
    """A fresh copy of the example row of ``table_name``."""
    return dict(EXAMPLE_ROWS[table_name])
