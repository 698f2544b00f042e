"""The DuckDB → Spark SQL transpilation and its fix-ups, checked on the text (no Spark needed)."""

from __future__ import annotations

import pytest

from riskloop.features.catalog import GROUPS
from riskloop.features.dialect import duckdb_to_spark


def test_date_trunc_is_cast_back_to_a_date() -> None:
    out = duckdb_to_spark("SELECT x FROM t WHERE m >= date_trunc('month', d) - INTERVAL 3 MONTH")
    assert out == "SELECT x FROM t WHERE m >= CAST(DATE_TRUNC('MONTH', d) AS DATE) - INTERVAL '3' MONTH"


def test_decimal_literals_become_doubles_and_integers_stay() -> None:
    assert duckdb_to_spark("SELECT a / 100.0 + 1 AS x FROM t") == "SELECT a / CAST(100.0 AS DOUBLE) + 1 AS x FROM t"


def test_date_diff_is_a_bigint_count_of_days() -> None:
    out = duckdb_to_spark("SELECT date_diff('day', a, b) AS x FROM t")
    assert out == "SELECT CAST(DATEDIFF(DAY, a, b) AS BIGINT) AS x FROM t"


def test_arg_max_and_filter_map_to_spark_names() -> None:
    out = duckdb_to_spark("SELECT arg_max(v, d) AS a, count(*) FILTER (WHERE v > 0) AS n FROM t")
    assert out == "SELECT MAX_BY(v, d) AS a, COUNT(*) FILTER(WHERE v > 0) AS n FROM t"


def test_fix_ups_are_not_applied_twice() -> None:
    once = duckdb_to_spark("SELECT CAST(date_trunc('month', d) AS DATE) AS m, CAST(2.5 AS DOUBLE) AS k FROM t")
    assert once == "SELECT CAST(DATE_TRUNC('MONTH', d) AS DATE) AS m, CAST(2.5 AS DOUBLE) AS k FROM t"


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.name)
def test_every_group_transpiles_without_duckdb_only_syntax(group: object) -> None:
    sql = duckdb_to_spark(group.sql)  # type: ignore[attr-defined]
    assert "arg_max" not in sql.lower()
    assert "date_diff(" not in sql.lower()
    assert "DATE_TRUNC" not in sql.replace("CAST(DATE_TRUNC", "")
