"""SparkRunner: the monitoring SQL, transpiled from DuckDB (``features.dialect``), on Apache Spark."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from riskloop.features.backends.spark import DEFAULT_MASTER, require_pyspark, spark_session, spark_table
from riskloop.features.dialect import duckdb_to_spark
from riskloop.monitoring.engine import Files, _require, table_files

if TYPE_CHECKING:  # pyspark is imported lazily
    from pyspark.sql import SparkSession


class SparkRunner:
    """SqlRunner on Spark over ``<root>/<table>/*.parquet``; results equal ``DuckDBRunner``'s (conformance test)."""

    def __init__(self, root: Path, master: str = DEFAULT_MASTER, session: SparkSession | None = None) -> None:
        require_pyspark()
        self.root, self.master, self._session = root, master, session

    @property
    def session(self) -> SparkSession:
        """The SparkSession, created on first use."""
        if self._session is None:
            self._session = spark_session(self.master)
        return self._session

    def run(
        self, sql: str, tables: Sequence[str], extra: Mapping[str, pa.Table], files: Files | None = None
    ) -> pa.Table:
        """See ``SqlRunner.run``."""
        spark = self.session
        present: set[str] = set()
        try:
            for name in tables:
                frame = spark_table(spark, self.root, name)
                if frame is not None:
                    frame.createOrReplaceTempView(name)
                    present.add(name)
            _require(tables, present)
            for name, paths in (files or {}).items():
                chosen = [str(p) for p in (list(paths) or table_files(self.root, name)[:1])]
                frame = spark.read.parquet(*chosen)
                (frame if paths else frame.limit(0)).createOrReplaceTempView(name)
                present.add(name)
            for name, table in extra.items():
                frame = (
                    spark.createDataFrame(table) if table.num_rows else spark.createDataFrame([], _spark_schema(table))
                )
                frame.createOrReplaceTempView(name)
                present.add(name)
            out = spark.sql(duckdb_to_spark(sql)).toArrow()
        finally:
            for name in present:
                spark.catalog.dropTempView(name)
        fields = [pa.field(f.name, pa.string() if pa.types.is_large_string(f.type) else f.type) for f in out.schema]
        return out.cast(pa.schema(fields))


def _spark_schema(table: pa.Table) -> str:
    kinds = {pa.string(): "string", pa.date32(): "date", pa.int64(): "bigint", pa.float64(): "double"}
    return ", ".join(f"{f.name} {kinds[f.type]}" for f in table.schema)
