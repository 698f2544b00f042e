"""The bureau's (PBOC) enterprise report as its interface delivers it: one nested JSON document per report.

For a share of borrowers, the latest report summary (``credit_reports``) is spelled out loan by loan at other
institutions, with guarantees given and the inquiries (``credit_inquiries``) up to the report date, so that
parsing the document gives back exactly the summary and inquiry rows already written. The loans also go to
``credit_report_loans``. A stream of its own: every other table keeps its draws.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from riskloop.domain.bureau_codes import FIVE_CLASS_ZH, INSTITUTION_ZH, LOAN_TYPE_ZH, REASON_ZH
from riskloop.domain.tables import table
from riskloop.io.arrow_schema import arrow_schema
from riskloop.synth.params import Stream, UniverseParams, rng

SHARE = 0.3  # of borrowers with a report, the share whose latest report is delivered as a document
_BANKS = ("工商银行", "建设银行", "农业银行", "中国银行", "交通银行", "招商银行", "兴业银行", "浦发银行", "中信银行")
_CITIES = ("武汉", "长沙", "南昌", "合肥", "郑州")
_LENDERS: tuple[tuple[str, str], ...] = (
    *(("bank", f"{b}{c}分行") for b in _BANKS for c in _CITIES),
    *(("microlender", f"{c}市鑫盛小额贷款有限公司") for c in _CITIES),
    *(("consumer_finance", f"{n}消费金融有限公司") for n in ("中银", "招联", "马上")),
    *(("leasing", f"{n}融资租赁有限公司") for n in ("远东", "平安")),
    *(("other", f"{n}信托有限责任公司") for n in ("中融", "长安")),
)
_LENDER_P = np.array([{"bank": 0.75, "microlender": 0.1, "consumer_finance": 0.06}.get(t, 0.02) for t, _ in _LENDERS])
_LOAN_TYPE_P = np.array([0.55, 0.15, 0.1, 0.08, 0.07, 0.05])


@dataclass(frozen=True)
class Documents:
    """The chunk's report documents (JSON text, one per line) and their loans as ``credit_report_loans`` rows."""

    lines: list[str]
    loans: pa.Table


def bureau_documents(params: UniverseParams, chunk: int, tables: dict[str, pa.Table]) -> Documents:
    """Documents of the latest report of a share of the chunk's borrowers, consistent with its tables."""
    g = rng(params, chunk, Stream.EXPORTS_BUREAU_DOCUMENTS)
    reports, inquiries = tables["credit_reports"], tables["credit_inquiries"]
    latest: dict[str, dict[str, Any]] = {}
    for row in reports.to_pylist():
        if row["credit_code"] not in latest or row["report_date"] > latest[row["credit_code"]]["report_date"]:
            latest[row["credit_code"]] = row
    asked: dict[str, list[dict[str, Any]]] = {}
    for row in inquiries.to_pylist():
        asked.setdefault(row["credit_code"], []).append(row)
    lines: list[str] = []
    loans: list[dict[str, Any]] = []
    for code in sorted(latest):
        if g.random() >= SHARE:
            continue
        document = _document(g, latest[code], asked.get(code, []), loans)
        if document is not None:
            lines.append(json.dumps(document, ensure_ascii=False, sort_keys=True))
    return Documents(lines, pa.Table.from_pylist(loans, schema=arrow_schema(table("credit_report_loans"))))


def _split(g: np.random.Generator, total: int, parts: int, least: int) -> list[int] | None:
    """``total`` in ``parts`` integers of at least ``least`` each (None when it cannot be)."""
    if parts == 0:
        return [] if total == 0 else None
    if total < least * parts:
        return None
    return [least + int(v) for v in g.multinomial(total - least * parts, np.full(parts, 1.0 / parts))]


def _yuan(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _five_class(dpd: int) -> str:
    """The classification a lender typically gives a loan so many days overdue."""
    for limit, label in ((0, "normal"), (90, "special_mention"), (180, "substandard"), (360, "doubtful")):
        if dpd <= limit:
            return label
    return "loss"


def _document(
    g: np.random.Generator, summary: dict[str, Any], asked: list[dict[str, Any]], out: list[dict[str, Any]]
) -> dict[str, Any] | None:
    n, k = summary["loans_outstanding"], summary["overdue_loans"]
    overdue = _split(g, summary["overdue_cents"], k, 1)
    rest = _split(g, summary["balance_cents"] - summary["overdue_cents"], n, 0)
    guaranteed = _split(g, summary["guarantee_balance_cents"], summary["guarantees_given"], 1)
    lenders = summary["lenders"]
    if overdue is None or rest is None or guaranteed is None or (n == 0) != (lenders == 0) or lenders > n:
        return None
    picked = g.choice(len(_LENDERS), size=min(lenders, len(_LENDERS)), replace=False, p=_LENDER_P / _LENDER_P.sum())
    # more lenders than names (rare): a repeated name gets a number, so every lender stays distinct
    names = [
        (_LENDERS[i][0], _LENDERS[i][1] if j < len(_LENDERS) else f"{_LENDERS[i][1]}{j}")
        for j, i in enumerate(np.resize(picked, lenders).tolist())
    ]
    lender_of = [*range(lenders), *g.integers(0, max(lenders, 1), n - lenders).tolist()]
    max_dpd = summary["max_days_past_due"]
    day: dt.date = summary["report_date"]
    code = summary["credit_code"]
    report_no = f"{code}{day:%Y%m%d}"
    loans = []
    for i in range(n):
        dpd = (max_dpd if i == 0 else int(g.integers(1, max_dpd + 1))) if i < k else 0
        opened = day - dt.timedelta(days=dpd + int(g.integers(30, 900)))
        maturity = opened + dt.timedelta(days=int(g.choice([365, 730, 1095])))
        if dpd == 0 and maturity <= day:  # a current loan has not matured yet (a renewal runs on)
            maturity = day + dt.timedelta(days=int(g.integers(30, 365)))
        kind, name = names[lender_of[i]]
        row = {
            "credit_code": code,
            "report_date": day,
            "account_no": f"{report_no}-{i + 1:03d}",
            "institution": name,
            "institution_type": kind,
            "loan_type": list(LOAN_TYPE_ZH)[int(g.choice(len(LOAN_TYPE_ZH), p=_LOAN_TYPE_P))],
            "opened_date": opened,
            "maturity_date": maturity,
            "balance_cents": (overdue[i] if i < k else 0) + rest[i],
            "overdue_cents": overdue[i] if i < k else 0,
            "days_past_due": dpd,
            "five_class": _five_class(dpd),
        }
        out.append(row)
        loans.append(_loan_element(row))
    return {
        "report_no": report_no,
        "report_date": day.isoformat(),
        "enterprise": {"credit_code": code},
        "loans": loans,
        "guarantees": [
            {
                "account_no": f"{report_no}-G{j + 1:02d}",
                "institution": names[0][1] if names else _LENDERS[0][1],
                "balance": _yuan(c),
            }
            for j, c in enumerate(guaranteed)
        ],
        "inquiries": [
            {
                "inquiry_id": q["inquiry_id"],
                "date": q["inquiry_date"].isoformat(),
                "institution_type": INSTITUTION_ZH[q["institution_type"]],
                "reason": REASON_ZH[q["reason"]],
            }
            for q in asked
            if q["inquiry_date"] <= day
        ],
    }


def _loan_element(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "account_no": row["account_no"],
        "institution": row["institution"],
        "institution_type": INSTITUTION_ZH[row["institution_type"]],
        "loan_type": LOAN_TYPE_ZH[row["loan_type"]],
        "opened_date": row["opened_date"].isoformat(),
        "maturity_date": row["maturity_date"].isoformat(),
        "balance": _yuan(row["balance_cents"]),
        "overdue": _yuan(row["overdue_cents"]),
        "days_past_due": row["days_past_due"],
        "five_class": FIVE_CLASS_ZH[row["five_class"]],
    }
