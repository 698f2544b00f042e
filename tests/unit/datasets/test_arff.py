"""The ARFF reader: quoted names, nominal labels, '?' as missing, clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from riskloop.datasets.arff import parse_arff, read_arff
from riskloop.errors import DataSourceError

SMALL = """% a comment
@relation 'tiny'

@attribute 'net profit / total assets' numeric
@attribute Attr2 REAL
@attribute "sales (n) / sales (n-1)" numeric
@attribute class {0,1}

@data
0.2,1.5,?,0
% another comment
?,-3,0.7,1
1e-3, 4 ,2,0
"""


def test_parses_names_values_and_missing() -> None:
    frame = parse_arff(SMALL)
    assert list(frame.columns) == ["net profit / total assets", "Attr2", "sales (n) / sales (n-1)", "class"]
    assert frame.shape == (3, 4)
    assert np.isnan(frame.iloc[0, 2])
    assert np.isnan(frame.iloc[1, 0])
    assert frame["Attr2"].tolist() == [1.5, -3.0, 4.0]
    assert frame["class"].tolist() == ["0", "1", "0"]
    assert int(frame.isna().sum().sum()) == 2


def test_rejects_ragged_rows_and_bad_numbers() -> None:
    with pytest.raises(DataSourceError, match=r"data row 2 has 1 values, expected 2"):
        parse_arff("@relation r\n@attribute a numeric\n@attribute b numeric\n@data\n1,2\n3\n")
    with pytest.raises(DataSourceError, match=r"attribute 'a'"):
        parse_arff("@relation r\n@attribute a numeric\n@data\nabc\n")
    with pytest.raises(DataSourceError, match="unsupported type"):
        parse_arff("@relation r\n@attribute d date\n@data\n")
    with pytest.raises(DataSourceError, match="no @data"):
        parse_arff("@relation r\n@attribute a numeric\n")


def test_reads_the_shipped_polish_file() -> None:
    path = Path(__file__).parents[3] / "data" / "polish-bankruptcy" / "1year.arff"
    frame = read_arff(path)
    assert frame.shape == (7027, 65)
    assert (frame.iloc[:, -1] == "1").sum() == 271
    assert frame.iloc[:, :-1].isna().to_numpy().any()
