"""Table preparation: every column type inferred, every output value as computed by hand, replayed from JSON."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any, NoReturn

import numpy as np
import pandas as pd
import pytest

from riskloop.errors import ValidationError
from riskloop.modeling.table_prep import TablePrep, fit_prep, infer_columns, is_id_name, is_money

N = 240


def bank_table() -> pd.DataFrame:
    """240 applications with one column of every kind; rows 0-9 carry the hand-checked cases."""
    k = np.arange(N)
    apply_date: list[str | None] = [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in k]
    apply_date[:3] = ["2024-03-01", None, "not a date"]
    open_day = [f"2023{1 + i % 12:02d}{1 + i % 28:02d}" for i in k]
    open_day[:2] = ["20230115", "20240229"]
    city: list[str | None] = [f"城市{i % 200}" for i in k]
    city[239] = None
    grade: list[str | None] = [["A", "B", "C"][i % 3] for i in k]
    grade[4] = None
    house: list[str | None] = ["yes" if i % 2 == 0 else "no" for i in k]
    house[5], house[6] = "YES ", None
    score = [f"{600 + i}.5" for i in k]
    score[0], score[7] = "1,234.5", "abc"
    return pd.DataFrame(
        {
            "cust_id": [f"C{i:04d}" for i in k],
            "contract": [f"HT{i * 7919 % 100003:06d}" for i in k],
            "ref": 100000 + k,
            "apply_date": apply_date,
            "open_day": open_day,
            "city": city,
            "grade": grade,
            "has_house": house,
            "是否本地": ["是" if i % 4 == 0 else "否" for i in k],
            "loan_amount": 10000.0 + 100 * k,
            "annual_income": np.where(k % 10 == 9, np.nan, 50000.0 + 500 * (k % 50)),
            "debt_balance": np.where(k % 5 == 0, 0.0, 1000.0 * (k % 7)),
            "age": 20 + k % 40,
            "score_text": score,
            "constant": "x",
            "empty": np.nan,
            "note": [f"free text {i}" for i in k],
            "y": k % 2,
        }
    )


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return bank_table()


@pytest.fixture(scope="module")
def prep(table: pd.DataFrame) -> TablePrep:
    return fit_prep(table, "y", drop=("note",))


@pytest.fixture(scope="module")
def out(prep: TablePrep, table: pd.DataFrame) -> pd.DataFrame:
    return prep.transform(table)


def test_every_column_type_is_inferred(prep: TablePrep, table: pd.DataFrame) -> None:
    types = {r.name: r.type for r in prep.report}
    assert types == {
        "cust_id": "identifier",  # by name
        "contract": "identifier",  # unique text
        "ref": "identifier",  # unique integers
        "apply_date": "date",
        "open_day": "date",
        "city": "high_cardinality",
        "grade": "categorical",
        "has_house": "boolean",
        "是否本地": "boolean",
        "loan_amount": "numeric",  # unique whole numbers, but money
        "annual_income": "numeric",
        "debt_balance": "numeric",
        "age": "numeric",
        "score_text": "numeric",  # numbers written as text
        "constant": "constant",
        "empty": "empty",
        "note": "dropped",
    }
    assert infer_columns(table, "y", drop=("note",)) == prep.report
    by_name = {r.name: r for r in prep.report}
    assert (by_name["city"].distinct, by_name["city"].missing) == (200, 1 / N)
    assert (by_name["grade"].distinct, by_name["empty"].missing, by_name["constant"].outputs) == (3, 1.0, ())


def test_features_in_order_with_ratios_of_money_columns_last(prep: TablePrep) -> None:
    dates = [f"{c}__{p}" for c in ("apply_date", "open_day") for p in ("year", "month", "dow", "day", "days")]
    top = ["city=城市0", "city=城市1", *(f"city=城市{i}" for i in range(10, 18))]
    money = ("loan_amount", "annual_income", "debt_balance")
    ratios = [f"{a}__per__{b}" for a in money for b in money if a != b]
    raw = [
        *dates,
        "city__freq",
        *top,
        "grade=A",
        "grade=B",
        "grade=C",
        "has_house",
        "是否本地",
        "loan_amount",
        "annual_income",
        "annual_income__missing",
        "debt_balance",
        "age",
        "score_text",
        *ratios,
    ]
    assert list(prep.raw_features) == raw
    assert prep.ratios == tuple((a, b) for a in money for b in money if a != b)
    safe = dict(zip(prep.raw_features, prep.features, strict=True))
    assert safe["city=城市0"] == "city=城市0"  # CJK ideographs stay: a Chinese bank reads its own names
    assert safe["city=城市1"] == "city=城市1"
    assert safe["是否本地"] == "是否本地"
    assert all(re.fullmatch(r"[0-9A-Za-z_.=\-\u4e00-\u9fff]+", f) for f in prep.features)


def test_numeric_columns_pass_through_with_a_missing_indicator(out: pd.DataFrame) -> None:
    assert (out.dtypes == np.float64).all()
    assert out["loan_amount"].iloc[:3].tolist() == [10000.0, 10100.0, 10200.0]
    assert out["age"].iloc[[0, 39, 40]].tolist() == [20.0, 59.0, 20.0]
    assert math.isnan(out["annual_income"][9])
    assert out["annual_income"][0] == 50000.0
    assert out["annual_income__missing"].iloc[8:11].tolist() == [0.0, 1.0, 0.0]
    assert out["annual_income__missing"].sum() == 24  # 10 % missing: indicator; age never missing: none
    assert "age__missing" not in out
    assert out["score_text"][0] == 1234.5
    assert out["score_text"][1] == 601.5
    assert math.isnan(out["score_text"][7])


def test_booleans_are_zero_one_and_missing_stays_missing(out: pd.DataFrame, prep: TablePrep) -> None:
    np.testing.assert_array_equal(out["has_house"].iloc[:7], [1.0, 0.0, 1.0, 0.0, 1.0, 1.0, np.nan])
    local = dict(zip(prep.raw_features, prep.features, strict=True))["是否本地"]
    assert out[local].iloc[:5].tolist() == [1.0, 0.0, 0.0, 0.0, 1.0]


def test_categorical_one_hot_with_missing_all_zeros(out: pd.DataFrame) -> None:
    grades = out[["grade=A", "grade=B", "grade=C"]]
    assert grades.iloc[:6].to_numpy().tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 0, 0], [0, 0, 1]]


def test_high_cardinality_frequency_and_top_levels(out: pd.DataFrame, prep: TablePrep) -> None:
    safe = dict(zip(prep.raw_features, prep.features, strict=True))
    assert out["city__freq"][0] == 2 / N  # 城市0 on rows 0 and 200
    assert out["city__freq"][39] == 1 / N  # 城市39 once: row 239 is missing
    assert out["city__freq"][150] == 1 / N
    assert math.isnan(out["city__freq"][239])
    assert out[safe["city=城市10"]].to_numpy().nonzero()[0].tolist() == [10, 210]
    assert out[safe["city=城市0"]].sum() == 2
    assert out[safe["city=城市17"]][17] == 1.0


def test_dates_in_two_formats(out: pd.DataFrame) -> None:
    parts = ("year", "month", "dow", "day", "days")
    apply = out[[f"apply_date__{p}" for p in parts]].to_numpy()
    opened = out[[f"open_day__{p}" for p in parts]].to_numpy()
    assert apply[0].tolist() == [2024, 3, 4, 1, 19783]  # a Friday
    assert np.isnan(apply[1]).all()
    assert np.isnan(apply[2]).all()
    assert opened[0].tolist() == [2023, 1, 6, 15, 19372]  # a Sunday
    assert opened[1].tolist() == [2024, 2, 3, 29, 19782]


def test_ratios_of_money_columns(out: pd.DataFrame) -> None:
    assert out["loan_amount__per__annual_income"][0] == 10000 / 50000
    assert math.isnan(out["loan_amount__per__debt_balance"][0])  # debt 0
    assert out["loan_amount__per__debt_balance"][1] == 10100 / 1000
    assert math.isnan(out["annual_income__per__loan_amount"][9])  # income missing
    assert math.isnan(out["loan_amount__per__annual_income"][9])  # denominator missing


def test_unparseable_values_are_nan_and_counted(prep: TablePrep, table: pd.DataFrame) -> None:
    assert prep.transform_counted(table).unparseable == {"apply_date": 1, "score_text": 1}
    bad = table.head(3).assign(
        age=pd.Series(["forty", 41, None], dtype=object),
        has_house=["maybe", "no", "是"],
        open_day=["20231345", "2023-01-01", "19991231"],
    )
    done = prep.transform_counted(bad)
    assert done.unparseable == {"apply_date": 1, "open_day": 2, "has_house": 1, "age": 1}
    assert np.isnan(done.frame["age"][0])
    assert done.frame["age"][1] == 41.0
    assert np.isnan(done.frame["has_house"][0])
    assert done.frame["has_house"][2] == 1.0
    assert done.frame["open_day__year"][2] == 1999


def test_unseen_levels_are_zeros_and_counted(prep: TablePrep, table: pd.DataFrame) -> None:
    new = table.head(2).assign(city=["城市999", "城市0"], grade=["D", "A"])
    done = prep.transform_counted(new)
    safe = dict(zip(prep.raw_features, prep.features, strict=True))
    city = next(s for s in prep.steps if s.name == "city")
    top = [safe[f"city={level}"] for level in city.levels]
    assert done.unseen == {"city": 1, "grade": 1}
    assert done.frame["city__freq"].tolist() == [0.0, 2 / N]
    assert done.frame.loc[0, top].sum() == 0
    assert done.frame.loc[1, safe["city=城市0"]] == 1.0
    assert done.frame.loc[0, ["grade=A", "grade=B", "grade=C"]].sum() == 0


def test_missing_input_columns_are_named(prep: TablePrep, table: pd.DataFrame) -> None:
    with pytest.raises(ValidationError, match="city, age") as err:
        prep.transform(table.drop(columns=["city", "age"]))
    assert err.value.field == "columns"


def test_extra_columns_and_column_order_do_not_matter(prep: TablePrep, table: pd.DataFrame, out: pd.DataFrame) -> None:
    shuffled = table.drop(columns=["cust_id", "note", "y", "constant"]).assign(extra=1)[::-1].iloc[:, ::-1]
    again = prep.transform(shuffled)
    pd.testing.assert_frame_equal(again, out.iloc[::-1].reset_index(drop=True))


def test_one_row_gives_the_values_it_has_in_a_batch(prep: TablePrep, table: pd.DataFrame, out: pd.DataFrame) -> None:
    records = table.to_dict("records")
    for i in [0, 1, 2, 4, 5, 6, 7, 9, 150, 239]:
        expected = out.iloc[[i]].reset_index(drop=True)
        pd.testing.assert_frame_equal(prep.transform(table.iloc[[i]]), expected)
        pd.testing.assert_frame_equal(prep.transform(pd.DataFrame([records[i]])), expected)  # as a JSON body


def test_json_round_trip_transforms_identically(prep: TablePrep, table: pd.DataFrame, out: pd.DataFrame) -> None:
    text = json.dumps(prep.to_dict(), ensure_ascii=False)
    back = TablePrep.from_dict(json.loads(text))
    assert back == prep
    pd.testing.assert_frame_equal(back.transform(table), out)
    assert json.loads(json.dumps(prep.summary()))["types"] == {
        "numeric": 5,
        "boolean": 2,
        "categorical": 1,
        "high_cardinality": 1,
        "date": 2,
        "identifier": 3,
        "constant": 1,
        "empty": 1,
        "dropped": 1,
    }


def _set(path: tuple[Any, ...], value: object) -> Callable[[dict[str, Any]], object]:
    def change(d: dict[str, Any]) -> object:
        target: Any = d
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return d

    return change


def _delete(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], object]:
    def change(d: dict[str, Any]) -> object:
        target: Any = d
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
        return d

    return change


@pytest.mark.parametrize(
    "change",
    [
        lambda d: [d],
        lambda d: None,
        _delete(("steps",)),
        _delete(("steps", 0, "column")),
        _delete(("steps", 0, "format")),
        _set(("steps", 0, "type"), "weird"),
        _set(("steps", 0, "format"), "%s"),
        _set(("steps", 2, "frequencies"), ["城市0"]),
        _set(("steps", 2, "frequencies", "城市0"), "often"),
        _set(("steps", 3, "levels"), "ABC"),
        _set(("ratios", 0), ["loan_amount", "grade"]),
        _set(("ratios", 0), "loan_amount"),
        _set(("features", 0), "renamed"),
        _set(("format",), "something else"),
        _set(("rows",), "240"),
        _delete(("report", 0, "missing")),
        _set(("report", 0, "type"), "mystery"),
    ],
)
def test_malformed_dicts_are_validation_errors(prep: TablePrep, change: Callable[[dict[str, Any]], object]) -> None:
    with pytest.raises(ValidationError):
        TablePrep.from_dict(change(json.loads(json.dumps(prep.to_dict()))))


class Untouchable:
    """A value that fails on any use: a target column of these proves the fit never reads it."""

    def _fail(self, *args: object) -> NoReturn:
        raise AssertionError("the target was read")

    __eq__ = __hash__ = __str__ = __repr__ = __float__ = __int__ = __bool__ = __lt__ = _fail


def test_the_target_is_never_read(prep: TablePrep, table: pd.DataFrame) -> None:
    garbage = table.assign(y=pd.Series([Untouchable() for _ in range(N)], dtype=object))
    assert fit_prep(garbage, "y", drop=("note",)) == prep
    assert fit_prep(table.assign(y="not a label"), "y", drop=("note",)) == prep


def test_chinese_column_names_and_values() -> None:
    k = np.arange(60)
    frame = pd.DataFrame(
        {
            "客户编号": [f"{i:06d}" for i in k],
            "申请日期": [f"2024年{1 + i % 12}月{1 + i % 28}日" for i in k],
            "婚姻状况": [["已婚", "未婚", "离异"][i % 3] for i in k],
            "月收入": 8000.0 + 10 * k,
            "贷款余额": np.where(k % 2 == 0, 0.0, 20000.0),
            "资产负债率": (k % 10) / 10,
            "违约": k % 2,
        }
    )
    prep = fit_prep(frame, "违约")
    assert {r.name: r.type for r in prep.report} == {
        "客户编号": "identifier",
        "申请日期": "date",
        "婚姻状况": "categorical",
        "月收入": "numeric",
        "贷款余额": "numeric",
        "资产负债率": "numeric",
    }
    assert prep.ratios == (("月收入", "贷款余额"), ("贷款余额", "月收入"))
    safe = dict(zip(prep.raw_features, prep.features, strict=True))
    out = prep.transform(frame)
    assert out[safe["婚姻状况=离异"]].iloc[:3].tolist() == [0.0, 0.0, 1.0]
    assert out[safe["申请日期__year"]][0] == 2024
    assert out[safe["申请日期__days"]][0] == 19723
    assert math.isnan(out[safe["月收入__per__贷款余额"]][0])
    assert out[safe["月收入__per__贷款余额"]][1] == 8010 / 20000
    assert all(re.fullmatch(r"[0-9A-Za-z_.=\-\u4e00-\u9fff]+", f) for f in prep.features)
    by_name = {r.name: r for r in prep.report}
    assert by_name["婚姻状况"].outputs == tuple(safe[f"婚姻状况={v}"] for v in ("已婚", "未婚", "离异"))
    assert TablePrep.from_dict(json.loads(json.dumps(prep.to_dict(), ensure_ascii=False))) == prep


def test_bad_fit_arguments_name_the_field(table: pd.DataFrame) -> None:
    with pytest.raises(ValidationError) as err:
        fit_prep(table, "bad")
    assert err.value.field == "target"
    with pytest.raises(ValidationError) as err:
        fit_prep(table, "y", drop=("nope",))
    assert err.value.field == "drop"
    with pytest.raises(ValidationError) as err:
        fit_prep(table[["cust_id", "constant", "y"]], "y")
    assert err.value.field == "features"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("id", True),
        ("cust_id", True),
        ("CustomerID", True),
        ("customerId", True),
        ("客户ID", True),
        ("contract_no", True),
        ("客户编号", True),
        ("身份证号", True),
        ("paid", False),
        ("PAID", False),
        ("valid", False),
        ("身份证有效期", False),
    ],
)
def test_id_like_names(name: str, expected: bool) -> None:
    assert is_id_name(name) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("loan_amount", True),
        ("MonthlyIncome", True),
        ("total_liabilities", True),
        ("贷款余额", True),
        ("debt_to_income", False),
        ("income_ratio", False),
        ("loan_count", False),
        ("资产负债率", False),
        ("贷款笔数", False),
        ("age", False),
    ],
)
def test_money_like_names(name: str, expected: bool) -> None:
    assert is_money(name) is expected


def test_personal_data_columns_never_become_features_nor_reach_the_bundle() -> None:
    rows = 300
    k = range(rows)
    frame = pd.DataFrame(
        {
            "客户姓名": [f"张{i % 40}" for i in k],  # names repeat: uniqueness alone would not catch them
            "address": [f"No. {i % 60} Road" for i in k],
            "product_name": [["经营贷", "税贷"][i % 2] for i in k],
            "branch": [f"支行{i % 120:03d}" for i in k],  # a long code list
            "x": [float(i % 7) for i in k],
            "y": [i % 2 for i in k],
        }
    )
    prep = fit_prep(frame, "y")
    types = {r.name: (r.type, r.action) for r in prep.report}
    assert types["客户姓名"] == ("identifier", "dropped (personal data)")
    assert types["address"] == ("identifier", "dropped (personal data)")
    assert types["product_name"][0] == "categorical"
    stored = json.dumps(prep.to_dict(), ensure_ascii=False)
    assert "张1" not in stored
    assert "Road" not in stored
    # A long code list keeps its ten most frequent levels in clear (feature names); the rest only as digests.
    clear = [f"支行{i:03d}" for i in range(120) if f"支行{i:03d}" in stored]
    assert len(clear) == 10
    again = TablePrep.from_dict(json.loads(stored))
    out = again.transform(frame)
    assert out["branch__freq"].iloc[0] == pytest.approx(3 / rows)  # 300 rows over 120 levels: 2 or 3 each
