"""Transpile the feature SQL from DuckDB to Spark SQL with sqlglot, plus the fix-ups that keep results identical.

sqlglot maps names and syntax (``date_diff`` → ``DATEDIFF``, ``arg_max`` → ``MAX_BY``, ``FILTER (WHERE ...)``,
``INTERVAL n MONTH``). What it cannot know is where the two engines *type* the same expression differently;
the fix-ups below close those gaps so that both engines return the same values and the same Arrow types:

* ``date_trunc`` returns a TIMESTAMP in Spark: cast it back to DATE, so interval arithmetic stays date arithmetic.
* A decimal literal (``100.0``) is DECIMAL in both engines, but DuckDB divides decimals in DOUBLE while Spark
  keeps DECIMAL and rounds to 6 places: write it as a DOUBLE literal.
* ``date_diff`` is BIGINT in DuckDB and may be INT in Spark: cast it to BIGINT.
"""

from __future__ import annotations

from functools import lru_cache

import sqlglot
from sqlglot import exp


@lru_cache(maxsize=64)
def duckdb_to_spark(sql: str) -> str:
    """Translate one DuckDB query of a feature group into Spark SQL.

    Parameters
    ----------
    sql : str
        A query in DuckDB's dialect (the ``FeatureGroup.sql`` text).

    Returns
    -------
    str
        The same query in Spark SQL, with the fix-ups of this module applied.

    Examples
    --------
    >>> duckdb_to_spark("SELECT date_diff('day', a, b) / 2.0 AS x FROM t")
    'SELECT CAST(DATEDIFF(DAY, a, b) AS BIGINT) / CAST(2.0 AS DOUBLE) AS x FROM t'

    """
    tree = sqlglot.parse_one(sql, read="duckdb")
    return tree.transform(_fix_up).sql(dialect="spark")


def _fix_up(node: exp.Expression) -> exp.Expression:
    """Rewrite one node where Spark would type or compute it differently from DuckDB."""
    if isinstance(node, exp.DateTrunc | exp.TimestampTrunc) and not isinstance(node.parent, exp.Cast):
        return exp.cast(node, exp.DataType.Type.DATE)
    if isinstance(node, exp.DateDiff) and not isinstance(node.parent, exp.Cast):
        return exp.cast(node, exp.DataType.Type.BIGINT)
    if isinstance(node, exp.Literal) and _is_decimal_literal(node) and not isinstance(node.parent, exp.Cast):
        return exp.cast(node, exp.DataType.Type.DOUBLE)
    return node


def _is_decimal_literal(node: exp.Literal) -> bool:
    text = node.this if isinstance(node.this, str) else ""
    return not node.is_string and "." in text and "e" not in text.lower()
