"""Row converters: every contract table has one, it covers exactly the contract's columns, and round-trips."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from domain_examples import example_row
from domain_strategies import rows
from hypothesis import given
from hypothesis import strategies as st

from riskloop.domain.application import Application
from riskloop.domain.identity import ResidentId
from riskloop.domain.rows import MAPPINGS, from_row, mapping, table_of, to_row
from riskloop.domain.tables import TABLES
from riskloop.errors import IdentifierError, ValidationError


def test_every_contract_table_has_a_converter() -> None:
    assert set(MAPPINGS) == {t.name for t in TABLES}
    assert len(MAPPINGS) == len(TABLES) == 36


@pytest.mark.parametrize("contract", TABLES, ids=lambda t: t.name)
def test_converter_covers_exactly_the_contract_columns(contract: Any) -> None:
    m = mapping(contract.name)
    assert tuple(column for column, _, _ in m.columns) == contract.column_names
    top_level = {path.split(".")[0] for _, path, _ in m.columns}
    assert top_level == {f.name for f in dataclasses.fields(m.cls)}
    assert table_of(m.cls) == contract.name


@pytest.mark.parametrize("contract", TABLES, ids=lambda t: t.name)
@given(data=st.data())
def test_round_trip(contract: Any, data: st.DataObject) -> None:
    row = data.draw(rows(contract))
    obj = from_row(contract.name, row)
    back = to_row(obj)
    assert back == row
    assert list(back) == list(contract.column_names)
    assert from_row(contract.name, back) == obj


_valid = example_row


@pytest.mark.parametrize("contract", TABLES, ids=lambda t: t.name)
def test_example_rows_round_trip(contract: Any) -> None:
    row = example_row(contract.name)
    assert to_row(from_row(contract.name, row)) == row


def test_unknown_table_lists_the_valid_ones() -> None:
    with pytest.raises(KeyError, match="valid: abnormal_operations, account_transactions"):
        from_row("nope", {})
    with pytest.raises(TypeError, match="not stored"):
        to_row(object())


def test_missing_and_extra_columns_are_named() -> None:
    row = _valid("loans")
    del row["rate_bp"]
    with pytest.raises(ValidationError, match="missing") as info:
        from_row("loans", row)
    assert info.value.field == "rate_bp"
    row = _valid("loans") | {"colour": "red"}
    with pytest.raises(ValidationError, match="not a column") as info:
        from_row("loans", row)
    assert info.value.field == "colour"


@pytest.mark.parametrize(
    ("table_name", "column", "value", "problem"),
    [
        ("applications", "requested_amount_cents", -1, "negative"),
        ("applications", "requested_amount_cents", 10.5, "float"),
        ("applications", "face_match_score", 1.5, "0..1"),
        ("applications", "applied_at", dt.datetime(2024, 1, 1), "timezone"),
        ("applications", "channel", "fax", "one of web"),
        ("applications", "applicant_id", "11010519491231002Y", "17 digits"),
        ("applications", "ip", "300.1.1.1", "IP"),
        ("enterprises", "registered_capital_cents", -5, "negative"),
        ("enterprises", "region_code", "4201", "6-digit"),
        ("loans", "rate_bp", 10001, "10000"),
        ("bureau_scores", "score", 299, ">= 300"),
        ("social_security", "month", dt.date(2024, 1, 15), "first day"),
        ("shareholders", "stake_bp", 0, "at least 1"),
        ("repayment_schedules", "due_date", "2024-13-01", "ISO date"),
    ],
)
def test_bad_values_name_the_column(table_name: str, column: str, value: object, problem: str) -> None:
    row = _valid(table_name)
    row[column] = value
    with pytest.raises(ValidationError, match=problem) as info:
        from_row(table_name, row)
    assert info.value.field == column


def test_shareholder_holder_id_follows_holder_kind() -> None:
    row = _valid("shareholders")
    row["holder_kind"], row["holder_id"] = "person", "91350100M000100Y43"
    with pytest.raises(IdentifierError) as info:
        from_row("shareholders", row)
    assert info.value.field == "holder_id"
    row["holder_id"] = "11010519491231002X"
    assert from_row("shareholders", row).holder_id == ResidentId("11010519491231002X")


def test_rows_from_text_sources_are_read() -> None:
    row = _valid("applications")
    row["applied_at"] = "2024-03-01T08:30:00+08:00"
    app = from_row("applications", row)
    assert isinstance(app, Application)
    assert app.applied_at == dt.datetime(2024, 3, 1, 0, 30, tzinfo=dt.UTC)
    assert app.applied_at.tzinfo is dt.UTC
    assert to_row(app)["applied_at"] == dt.datetime(2024, 3, 1, 0, 30, tzinfo=dt.UTC)
    row = _valid("repayments")
    row["paid_date"] = "2024-02-29"
    assert from_row("repayments", row).paid_date == dt.date(2024, 2, 29)


def test_to_row_reveals_identifiers_for_storage() -> None:
    row = _valid("persons")
    assert to_row(from_row("persons", row))["person_id"] == row["person_id"]
