"""Hypothesis strategies for valid identifiers and for contract rows of every table."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from riskloop.domain.identifiers import PROVINCE_CODES, USCC_CHARSET, resident_id_check_char, uscc_check_char
from riskloop.domain.tables import Column, Table

DIGITS = "0123456789"
NAME_ALPHABET = "张王李赵刘陈杨黄周吴科技贸易有限公司商行店ABCDEFGHxyz"
ADDRESS_ALPHABET = "湖北武汉洪山区珞喻路街道0123456789号"

digits = st.text(DIGITS, min_size=1, max_size=1)


@st.composite
def uscc_bodies(draw: st.DrawFn) -> str:
    """17-character bodies that pass every credit-code check except the check digit."""
    head = draw(st.sampled_from("159Y")) + draw(st.sampled_from(USCC_CHARSET))
    region = draw(st.text(DIGITS, min_size=6, max_size=6))
    rest = draw(st.text(USCC_CHARSET, min_size=9, max_size=9))
    return head + region + rest


credit_codes = uscc_bodies().map(lambda body: body + uscc_check_char(body))


@st.composite
def resident_id_bodies(draw: st.DrawFn) -> str:
    """17-digit bodies with a region (of a real province), a real birth date and a sequence number."""
    region = draw(st.sampled_from(sorted(PROVINCE_CODES))) + draw(st.text(DIGITS, min_size=4, max_size=4))
    born = draw(st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)))
    seq = draw(st.text(DIGITS, min_size=3, max_size=3))
    return region + born.strftime("%Y%m%d") + seq


resident_ids = resident_id_bodies().map(lambda body: body + resident_id_check_char(body))
mobiles = st.builds(
    lambda second, rest: "1" + second + rest, st.sampled_from("3456789"), st.text(DIGITS, min_size=9, max_size=9)
)
bank_accounts = st.text(DIGITS, min_size=12, max_size=25)
emails = st.from_regex(r"\A[a-z0-9]{1,12}@[a-z]{2,10}\.(com|cn)\Z")
ips = st.ip_addresses().map(str)
device_ids = st.from_regex(r"\A[a-z0-9\-]{1,64}\Z")
addresses = st.text(ADDRESS_ALPHABET, min_size=1, max_size=40)
dates = st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31))
timestamps = st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2030, 12, 31), timezones=st.just(dt.UTC))

_BY_NAME: dict[str, st.SearchStrategy[Any]] = {
    "address": addresses,
    "device_id": device_ids,
    "bank_account": bank_accounts,
    "account": bank_accounts,
    "region_code": st.text(DIGITS, min_size=6, max_size=6),
    "face_match_score": st.floats(0, 1, allow_nan=False),
}
_BY_FORMAT: dict[str, st.SearchStrategy[Any]] = {
    "uscc": credit_codes,
    "resident_id": resident_ids,
    "phone": mobiles,
    "ip": ips,
    "email": emails,
    "month_start": dates.map(lambda d: d.replace(day=1)),
}


def column_values(col: Column) -> st.SearchStrategy[Any]:
    """Values the contract allows in ``col`` (kept inside the ranges the domain validates)."""
    strategy: st.SearchStrategy[Any]
    if col.name in _BY_NAME:
        strategy = _BY_NAME[col.name]
    elif col.format is not None:
        strategy = _BY_FORMAT[col.format]
    elif col.kind == "category":
        strategy = st.sampled_from(col.values)
    elif col.kind == "int":
        strategy = st.integers(
            int(col.min if col.min is not None else 0), int(col.max if col.max is not None else 10**6)
        )
    elif col.kind == "money":
        strategy = st.integers(0, 10**13)
    elif col.kind == "signed_money":
        strategy = st.integers(-(10**13), 10**13)
    elif col.kind == "float":
        strategy = st.floats(col.min or 0.0, col.max or 1.0, allow_nan=False)
    elif col.kind == "bool":
        strategy = st.booleans()
    elif col.kind == "date":
        strategy = dates
    elif col.kind == "timestamp":
        strategy = timestamps
    else:
        strategy = st.text(NAME_ALPHABET, min_size=1, max_size=min(col.max_length or 30, 30))
    return st.none() | strategy if col.nullable else strategy


def _fix(table: str, row: dict[str, Any], draw: st.DrawFn) -> dict[str, Any]:
    """Apply the cross-column rules the domain enforces beyond single-column checks."""
    if table == "shareholders":
        holder = (
            resident_ids if row["holder_kind"] == "person" else credit_codes.filter(lambda c: c != row["credit_code"])
        )
        row["holder_id"] = draw(holder)
    elif table == "loan_products":
        for low, high in (("min_amount_cents", "max_amount_cents"), ("min_term_months", "max_term_months"),
                          ("min_rate_bp", "max_rate_bp")):  # fmt: skip
            row[low], row[high] = sorted((row[low], row[high]))
    elif table == "enforcements" and row["closed_date"] is not None:
        row["closed_date"] = max(row["closed_date"], row["filed_date"])
    elif (table == "dishonest_list" and row["removed_date"] is not None) or (
        table == "abnormal_operations" and row["removed_date"] is not None
    ):
        row["removed_date"] = max(row["removed_date"], row["listed_date"])
    elif table == "equity_freezes":
        person = row["holder_kind"] == "person"
        row["holder_person_id"], row["holder_code"] = (
            (draw(resident_ids), None) if person else (None, draw(credit_codes))
        )
        if row["released_date"] is not None:
            row["released_date"] = max(row["released_date"], row["freeze_date"])
    elif table == "guarantees":
        person = row["guarantor_kind"] == "person"
        pair = (draw(resident_ids), None) if person else (None, draw(credit_codes))
        row["guarantor_person_id"], row["guarantor_code"] = pair
        row["end_date"] = max(row["end_date"], row["start_date"])
    elif table == "invoices":
        row["buyer_kind"] = row["buyer_kind"] or "enterprise"  # the ingest fills an empty kind with its default
        row["buyer_code"] = draw(credit_codes) if row["buyer_kind"] == "enterprise" else None
    elif table == "financial_statements":
        row["fiscal_year"] = min(row["fiscal_year"], row["report_date"].year)
    elif table == "tax_declarations":
        row["filed_date"] = max(row["filed_date"], row["period"])
    elif table == "applications":
        row["requested_amount_cents"] = max(row["requested_amount_cents"], 1)
    elif table == "loans":
        row["principal_cents"] = max(row["principal_cents"], 1)
    return row


def rows(table: Table) -> st.SearchStrategy[dict[str, Any]]:
    """Valid rows of ``table``, built from the contract's column definitions."""

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        row = {col.name: draw(column_values(col)) for col in table.columns}
        return _fix(table.name, row, draw)

    return build()
