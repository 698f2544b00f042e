"""The mapping file: checked key by key with errors naming the key; exact money, zones and Excel cells."""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from pathlib import Path
from typing import Any

import pytest

from riskloop.errors import ConfigError
from riskloop.ingest.mapped import RefusedError, to_cents, to_day, to_utc
from riskloop.ingest.mapping import generator_mapping, load_mapping, parse_mapping
from riskloop.ingest.xlsx import cell_text

EPOCH_1900 = dt.datetime(1899, 12, 30)


def _doc(**tables: Any) -> dict[str, Any]:
    return {"kind": "riskloop.ingest.mapping", "version": 1, "tables": tables}


def test_the_shipped_generator_mapping_is_valid_and_maps_every_money_column():
    mapping = generator_mapping()
    assert mapping.timezone == "Asia/Shanghai"
    invoices = mapping.tables["invoices"]
    assert invoices.headers["金额(元)"] == "amount_cents"
    assert invoices.by_column("amount_cents").unit == "yuan"
    assert mapping.aliases()["发票明细"] == "invoices"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"kind": "x", "version": 1, "tables": {}}, "mapping m.json: kind: must be 'riskloop.ingest.mapping'"),
        ({"kind": "riskloop.ingest.mapping", "version": 2, "tables": {}}, "version: must be one of 1 (got 2)"),
        (_doc() | {"timezone": "Mars/Olympus"}, "timezone: 'Mars/Olympus' is not an IANA time zone"),
        (_doc() | {"colour": 1}, "colour: unknown key; valid: kind, name, tables, timezone, version"),
        (_doc(invoicez={}), "tables.invoicez: not a contract table; valid: abnormal_operations"),
        (
            _doc(invoices={"columns": {"金额": "amount"}}),
            "tables.invoices.columns.金额.column: 'amount' is not a column of invoices; valid: invoice_no",
        ),
        (
            _doc(invoices={"columns": {"金额(元)": "amount_cents"}}),
            "tables.invoices.columns.金额(元).unit: amount_cents is money: say its unit (yuan, wan_yuan, cents)",
        ),
        (
            _doc(invoices={"columns": {"金额(元)": {"column": "amount_cents", "unit": "rmb"}}}),
            "tables.invoices.columns.金额(元).unit: 'rmb' is not a unit; valid: yuan, wan_yuan, cents, 元, 万元, 分",
        ),
        (
            _doc(invoices={"columns": {"号": {"column": "invoice_no", "unit": "yuan"}}}),
            "tables.invoices.columns.号.unit: invoice_no is not a money column",
        ),
        (
            _doc(invoices={"columns": {"状态": {"column": "status", "values": {"正常": "ok"}}}}),
            "tables.invoices.columns.状态.values.正常: 'ok' is not a value of status; valid: normal, void, red",
        ),
        (
            _doc(invoices={"columns": {"A": "invoice_no", "B": "invoice_no"}}),
            "tables.invoices.columns: two headers fill the same column: invoice_no",
        ),
        (
            _doc(invoices={"columns": {"金额（元）": "invoice_no", "金额(元)": "seller_code"}}),
            "two headers are the same once spaces and full-width forms are folded",
        ),
        (
            _doc(invoices={"columns": {"号": "invoice_no"}}),
            "tables.invoices.columns: money columns without a header and unit: amount_cents, tax_cents",
        ),
        (_doc(invoices={"header_row": 0}), "tables.invoices.header_row: must be a row number from 1"),
    ],
)
def test_a_bad_mapping_is_refused_naming_the_key(document, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_mapping(document, "m.json")


def test_a_mapping_file_that_is_not_json_names_the_file(tmp_path: Path):
    path = tmp_path / "m.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"mapping {path}: not UTF-8 JSON"):
        load_mapping(path)
    path.write_text(json.dumps(_doc()), encoding="utf-8")
    assert load_mapping(path).tables == {}


@pytest.mark.parametrize(
    ("text", "unit", "rounding", "cents"),
    [
        ("1,234.56", "yuan", None, "123456"),
        ("¥ 1，234.5", "yuan", None, "123450"),
        ("(1,234.56)", "yuan", None, "-123456"),
        ("-0.01", "yuan", None, "-1"),
        ("1.5", "wan_yuan", None, "1500000"),
        ("0.000001", "wan_yuan", None, "1"),
        ("12345", "cents", None, "12345"),
        ("0.125", "yuan", "half_up", "13"),
        ("0.125", "yuan", "half_even", "12"),
        ("0.129", "yuan", "down", "12"),
        ("123456789012345.67", "yuan", None, "12345678901234567"),  # beyond a double's 15-16 digits, exact
        ("0.30000000000000004", "yuan", "half_up", "30"),
    ],
)
def test_amounts_convert_exactly_to_cents(text, unit, rounding, cents):
    assert to_cents(text, unit, rounding, "h") == cents


@pytest.mark.parametrize(
    ("text", "problem"),
    [("12.345", "h: finer than a cent in yuan and the mapping names no rounding"), ("abc", "h: not an amount"),
     ("NaN", "h: not an amount"), ("1.2.3", "h: not an amount")],
)  # fmt: skip
def test_amounts_that_are_not_cents_are_refused(text, problem):
    with pytest.raises(RefusedError, match=problem):
        to_cents(text, "yuan", None, "h")


def test_times_without_an_offset_are_read_in_the_zone_and_stored_utc():
    beijing = zoneinfo.ZoneInfo("Asia/Shanghai")
    assert to_utc("2024-05-01 09:30:00", beijing, "t") == "2024-05-01T01:30:00+00:00"
    assert to_utc("2024/5/1 00:15", beijing, "t") == "2024-04-30T16:15:00+00:00"
    assert to_utc("2024-05-01T09:30:00+09:00", beijing, "t") == "2024-05-01T00:30:00+00:00"  # an offset wins
    assert to_utc("2024-05-01", beijing, "t") == "2024-04-30T16:00:00+00:00"
    with pytest.raises(RefusedError, match="t: not a date and time"):
        to_utc("yesterday", beijing, "t")


@pytest.mark.parametrize(
    ("text", "day"),
    [("2024年5月1日", "2024-05-01"), ("2024/5/1", "2024-05-01"), ("2024-05-01 00:00:00", "2024-05-01"),
     ("2024-05-01T00:00", "2024-05-01"), ("2024-05-01 09:30:00", "2024-05-01 09:30:00"), ("20240501", "20240501")],
)  # fmt: skip
def test_days_are_spelled_out_iso_and_a_time_of_day_is_left_for_coercion_to_refuse(text, day):
    assert to_day(text) == day


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (1234.56, "money", "1234.56"),
        (0.1 + 0.2, "money", "0.30000000000000004"),  # what Excel stored: refused later unless rounded
        (12.0, "int", "12"),
        (45413, "date", "2024-05-01"),
        (45413.5, "timestamp", "2024-05-01T12:00:00"),
        (dt.datetime(2024, 5, 1), "date", "2024-05-01"),
        (dt.datetime(2024, 5, 1, 9, 30), "timestamp", "2024-05-01T09:30:00"),
        (True, "bool", "true"),
        ("统一", "str", "统一"),
    ],
)
def test_excel_cells_become_the_text_coercion_reads(value, kind, text):
    assert cell_text(value, kind, EPOCH_1900) == text
