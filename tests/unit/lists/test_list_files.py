"""List files as banks send them: CSV (UTF-8 or GBK, English or Chinese headers), XLSX, the legacy text file."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from riskloop.errors import IngestError
from riskloop.ingest.list_files import LEGACY_REASON, read_list_file


def test_csv_rows_are_numbered_as_in_the_file_and_blank_lines_skipped():
    data = b"identifier_kind,value,reason\nphone,13800138000,fraud\n\ncredit_code,91420100000000001Y,gang\n"
    rows = read_list_file("bl.csv", data)
    assert [n for n, _ in rows] == [2, 4]
    assert rows[0][1] == {"identifier_kind": "phone", "value": "13800138000", "reason": "fraud"}


def test_a_gbk_file_with_chinese_headers_reads_the_same():
    data = "标识类型,标识值,原因,失效时间\nphone,13800138000,欺诈,2027-01-01\n".encode("gbk")
    [(number, row)] = read_list_file("黑名单.csv", data)
    assert number == 2
    assert row == {"identifier_kind": "phone", "value": "13800138000", "reason": "欺诈", "expires_at": "2027-01-01"}


def test_extra_cells_are_kept_so_the_row_is_named_not_silently_trimmed():
    [(_, row)] = read_list_file("bl.csv", b"identifier_kind,value,reason\nphone,13800138000,fraud,oops\n")
    assert row["column_4"] == "oops"


def test_xlsx_cells_keep_their_types():
    book = Workbook()
    sheet = book.active
    sheet.append(["identifier_kind", "value", "reason", "valid_from"])
    sheet.append(["phone", 13800138000, "fraud", dt.datetime(2026, 7, 1)])
    out = io.BytesIO()
    book.save(out)
    [(number, row)] = read_list_file("bl.xlsx", out.getvalue())
    assert number == 2
    assert row["value"] == 13800138000
    assert row["valid_from"] == dt.datetime(2026, 7, 1)


def test_the_legacy_blacklist_file_reads_as_credit_code_rows():
    rows = read_list_file("blacklist.txt", b"# the old file\n91420100000000001Y\n\n91350100M000100Y43 # gang\n")
    codes = ["91420100000000001Y", "91350100M000100Y43"]
    expected = [
        (n, {"identifier_kind": "credit_code", "value": c, "reason": LEGACY_REASON})
        for n, c in zip((2, 4), codes, strict=True)
    ]
    assert rows == expected


@pytest.mark.parametrize(("name", "data"), [("bl.pdf", b"%PDF"), ("bl.xlsx", b"not a zip")])
def test_a_file_that_cannot_be_read_at_all_is_an_ingest_error(name, data):
    with pytest.raises(IngestError, match=name):
        read_list_file(name, data)
