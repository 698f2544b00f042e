"""Arbitrary tables: target checks and categorical handling with messages that name the columns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskloop.errors import DataSourceError, ValidationError
from riskloop.modeling.tabular import load_table, prepare_table


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["a1", "a2", "a3", "a4"],
            "x": [1.0, np.nan, 3.0, 4.0],
            "city": ["wh", "bj", None, "wh"],
            "y": [0, 1, 0, 1],
        }
    )


def test_missing_target_column_lists_columns() -> None:
    with pytest.raises(ValidationError, match="no column 'bad'; the table has columns: id, x, city, y"):
        prepare_table(_frame(), "bad")


def test_non_binary_target_names_column_and_values() -> None:
    frame = _frame().assign(y=[0, 2, 1, "x"])
    with pytest.raises(ValidationError, match=r"^y: target must be 0/1 .*: 2, x"):
        prepare_table(frame, "y")
    with pytest.raises(ValidationError, match="y: target has 1 missing"):
        prepare_table(_frame().assign(y=[0, 1, None, 1]), "y")
    with pytest.raises(ValidationError, match="both 0 and 1"):
        prepare_table(_frame().assign(y=0), "y")


def test_non_numeric_columns_rejected_by_name_or_one_hot_encoded() -> None:
    with pytest.raises(ValidationError, match="non-numeric columns id, city"):
        prepare_table(_frame(), "y", categorical="reject")
    with pytest.raises(ValidationError, match=r"more than 3 levels: id .*--drop"):
        prepare_table(_frame(), "y", max_levels=3)
    table = prepare_table(_frame(), "y", drop=["id"])
    assert table.features == ("x", "city=bj", "city=wh")
    assert table.frame["city=wh"].tolist() == [1.0, 0.0, 0.0, 1.0]
    assert table.categorical == {"city": ("bj", "wh")}
    assert table.dropped == ("id",)
    assert table.y.tolist() == [0, 1, 0, 1]


def test_unknown_drop_column_and_unsafe_names() -> None:
    with pytest.raises(ValidationError, match="drop: no column 'nope'"):
        prepare_table(_frame(), "y", drop=["nope"])
    frame = pd.DataFrame({"a[1]: x,y": [1.0, 2.0], "a[1] x y": [3.0, 4.0], "empty": [None, None], "t": [True, False]})
    table = prepare_table(frame, "t")
    assert table.features == ("a_1_x_y", "a_1_x_y_2")
    assert table.dropped == ("empty",)
    assert table.y.tolist() == [1, 0]


def test_load_csv_and_parquet(tmp_path: Path) -> None:
    _frame().to_csv(tmp_path / "t.csv", index=False)
    _frame().to_parquet(tmp_path / "t.parquet")
    for name in ("t.csv", "t.parquet"):
        assert load_table(tmp_path / name, "y", drop=["id"]).features[0] == "x"
    (tmp_path / "t.xlsx").write_text("")
    with pytest.raises(DataSourceError, match="unknown format"):
        load_table(tmp_path / "t.xlsx", "y")
    with pytest.raises(DataSourceError, match="no such file"):
        load_table(tmp_path / "none.csv", "y")
