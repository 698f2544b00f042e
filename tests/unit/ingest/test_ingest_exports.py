"""Bank exports as they are: an XLSX with Chinese headers, yuan and Beijing time loads as the reference Parquet."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from bank_exports import write_xlsx
from ingest_harness import Harness

from riskloop.config import Settings
from riskloop.domain.tables import table
from riskloop.ingest.mapping import generator_mapping, parse_mapping
from riskloop.storage.profiles import SQLProfileSource
from riskloop.synth.params import UniverseParams
from riskloop.synth.universe import generate_universe

AS_OF = dt.date(2026, 6, 30)
ROUND_TRIP = ("enterprises", "invoices", "applications", "loans", "repayments", "account_transactions")


@pytest.fixture(scope="module")
def universe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exports") / "u"
    generate_universe(UniverseParams(enterprises=100, seed=1717, as_of=AS_OF), out, workers=1)
    return out


def _rows(universe: Path, name: str) -> list[dict[str, Any]]:
    parts = sorted((universe / "tables" / name).glob("*.parquet"))
    defaults = {c.name: c.default for c in table(name).columns if c.default is not None}
    return [defaults | r for p in parts for r in pq.read_table(p).to_pylist()]


def _harness(tmp_path: Path, label: str) -> tuple[Harness, Path]:
    source = tmp_path / f"in-{label}"
    source.mkdir()
    return Harness(Settings(home=tmp_path / label, database_url=f"sqlite:///{tmp_path / label}.db"), source), source


def _key(name: str) -> str:
    return ", ".join(table(name).row_key)


def test_an_xlsx_export_loads_exactly_as_the_reference_parquet(universe, tmp_path):
    mapping = generator_mapping()
    reference, parquet_in = _harness(tmp_path, "parquet")
    export, xlsx_in = _harness(tmp_path, "xlsx")
    for name in ROUND_TRIP:
        shutil.copytree(universe / "tables" / name, parquet_in / name)
        write_xlsx(xlsx_in / f"{mapping.tables[name].files[0]}.xlsx", name, _rows(universe, name), mapping)
    expected = reference.run(as_of=AS_OF).to_dict()["tables"]
    result = export.run(as_of=AS_OF, mapping=mapping)
    got = result.to_dict()["tables"]
    for name in ROUND_TRIP:
        assert got[name]["quarantined"] == expected[name]["quarantined"] == 0, name
        assert got[name]["loaded"] == expected[name]["loaded"] > 0, name
        assert export.loaded(name, _key(name)) == reference.loaded(name, _key(name)), name
    consumers = [r for r in export.loaded("invoices", "invoice_no") if r["buyer_kind"] == "consumer"]
    assert consumers
    assert all(r["buyer_code"] is None for r in consumers)
    assert "借据.xlsx: read sheet 'loans' of 说明, loans (declare another with the mapping's sheet)" in result.warnings


def test_bad_cells_of_an_xlsx_are_quarantined_naming_file_sheet_row_field_and_reason(sample, tmp_path):
    mapping = generator_mapping()
    harness, source = _harness(tmp_path, "bad")
    rows = sample.invoices(4)
    path = write_xlsx(source / "发票明细.xlsx", "invoices", rows, mapping, title="2024年发票明细")
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book["发票明细"]  # row 1 the title, row 2 the headers, data from row 3
    sheet["F3"] = "1,234.567"  # 金额(元): finer than a cent
    sheet["H4"] = "已冲红"  # 发票状态: not a mapped value
    sheet["B5"] = "91420100000000000X"  # 销方统一社会信用代码: wrong check digit
    book.save(path)
    bespoke = parse_mapping(
        {
            "kind": "riskloop.ingest.mapping",
            "version": 1,
            "tables": {"invoices": {**_raw_invoices(mapping), "header_row": 2}},
        }
    )
    result = harness.run(as_of=dt.date(2025, 1, 15), mapping=bespoke)
    assert result.to_dict()["tables"]["invoices"]["loaded"] == 1
    found = {(r["source_file"], r["row_number"], r["field"]): r["reason"] for r in harness.quarantine(result.run_id)}
    assert set(found) == {
        (str(path), 3, "amount_cents"),
        (str(path), 4, "status"),
        (str(path), 5, "seller_code"),
    }
    assert found[str(path), 3, "amount_cents"].startswith(
        "amount_cents: 金额(元): finer than a cent in yuan and the mapping names no rounding (got '1,234.567')"
    )
    assert "发票状态: not one of the mapping's values (正常, 作废, 红冲)" in found[str(path), 4, "status"]
    assert "check digit" in found[str(path), 5, "seller_code"]


def _raw_invoices(mapping):
    mapped = mapping.tables["invoices"]
    columns: dict[str, Any] = {}
    for c in mapped.columns:
        entry: dict[str, Any] = {"column": c.column}
        if c.unit:
            entry["unit"] = c.unit
        if c.values:
            entry["values"] = c.values
        columns[c.header] = entry
    return {"files": list(mapped.files), "sheet": mapped.sheet, "columns": columns}


def test_a_rounding_named_by_the_mapping_rounds_sub_cent_amounts(sample, tmp_path):
    mapping = generator_mapping()
    harness, source = _harness(tmp_path, "round")
    raw = _raw_invoices(mapping)
    raw["columns"]["金额(元)"]["rounding"] = "half_up"
    bespoke = parse_mapping({"kind": "riskloop.ingest.mapping", "version": 1, "tables": {"invoices": raw}})
    rows = sample.invoices(2)
    path = write_xlsx(source / "发票明细.xlsx", "invoices", rows, mapping)
    from openpyxl import load_workbook

    book = load_workbook(path)
    book["发票明细"]["F2"] = "1,234.565"
    book["发票明细"]["F3"] = 0.125
    book.save(path)
    result = harness.run(as_of=dt.date(2025, 1, 15), mapping=bespoke)
    assert result.to_dict()["tables"]["invoices"]["quarantined"] == 0
    assert [r["amount_cents"] for r in harness.loaded("invoices", "invoice_no")] == [123457, 13]


def test_an_enterprise_update_file_loads_as_new_versions_read_point_in_time(sample, tmp_path):
    mapping = generator_mapping()
    harness, source = _harness(tmp_path, "versions")
    rows = [r | {"valid_from": r["established_date"]} for r in sample.enterprises(3)]
    write_xlsx(source / "企业登记信息.xlsx", "enterprises", rows, mapping)
    harness.run(as_of=dt.date(2025, 1, 15), mapping=mapping)
    changed = dt.date(2024, 9, 1)
    update = [rows[0] | {"status": "abnormal", "valid_from": changed}, rows[1] | {"valid_from": None}]
    write_xlsx(source / "企业登记信息.xlsx", "enterprises", update, mapping)
    result = harness.run(as_of=dt.date(2025, 1, 15), mapping=mapping)
    report = result.to_dict()["tables"]["enterprises"]
    assert (report["loaded"], report["new_versions"], report["quarantined"]) == (1, 1, 0)
    profiles = SQLProfileSource(sa.create_engine(harness.settings.database_url))
    code = rows[0]["credit_code"]
    assert profiles.profile(code, changed - dt.timedelta(days=1)).status == "active"
    assert profiles.profile(code, changed).status == "abnormal"
    assert profiles.profile(rows[1]["credit_code"], changed).status == "active"  # unchanged: no new version
    assert profiles.count() == 3


def test_an_invoice_file_from_before_buyer_kind_loads_its_buyers_as_enterprises(harness, sample, source):
    rows = sample.invoices(3)
    legacy = [{k: v for k, v in r.items() if k != "buyer_kind"} for r in rows]
    sample.write(source, "invoices", legacy, fmt="csv")
    first = harness.run(as_of=dt.date(2025, 1, 15)).to_dict()["tables"]["invoices"]
    assert (first["loaded"], first["quarantined"]) == (3, 0)
    assert harness.loaded("invoices", "invoice_no") == rows  # buyer_kind: enterprise
    (source / "invoices.csv").unlink()
    consumer = rows[0] | {"invoice_no": "INV99999999", "buyer_code": None, "buyer_kind": "consumer"}
    second = [*rows, consumer, consumer | {"invoice_no": "INV99999998", "buyer_kind": None}]
    sample.write(source, "invoices", second, fmt="jsonl")
    result = harness.run(as_of=dt.date(2025, 1, 15))
    again = result.to_dict()["tables"]["invoices"]
    assert (again["already_present"], again["loaded"], again["quarantined"]) == (3, 1, 1)
    [record] = harness.quarantine(result.run_id)
    assert (record["field"], record["reason"]) == (
        "buyer_code",
        "buyer_code: is required when buyer_kind is enterprise",
    )
