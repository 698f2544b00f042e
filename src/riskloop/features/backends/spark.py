"""SparkFeatureEngine: runs the same feature SQL, transpiled from DuckDB, on Apache Spark over the Parquet tables."""

from __future__ import annotations

import importlib.util
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from riskloop.domain.tables import TABLES_BY_NAME
from riskloop.domain.versions import missing_valid_from
from riskloop.errors import ConfigError, ValidationError
from riskloop.features.backends.duckdb import table_glob
from riskloop.features.dialect import duckdb_to_spark
from riskloop.features.engine import SPINE_SCHEMA, availability_column
from riskloop.features.spec import FeatureGroup

if TYPE_CHECKING:  # pyspark is imported lazily: the rest of riskloop must not pay for a JVM
    from pyspark.sql import DataFrame, SparkSession

DEFAULT_MASTER = "local[2]"
SPARK_EXTRA = "pip install 'riskloop[spark]'"
_QUIET_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


def require_pyspark() -> None:
    """A ConfigError saying how to install PySpark unless it is installed (it is the optional ``spark`` extra)."""
    if importlib.util.find_spec("pyspark") is None:
        raise ConfigError(f"feature engine: spark needs PySpark, an optional extra: {SPARK_EXTRA} (and Java 17+)")


def spark_session(master: str = DEFAULT_MASTER, shuffle_partitions: int = 4) -> SparkSession:
    """The process's SparkSession (created on first use): UTC session time zone, quiet logs, no web UI.

    Parameters
    ----------
    master : str
        Spark master URL; ``local[N]`` runs in this process's JVM with N cores.
    shuffle_partitions : int
        ``spark.sql.shuffle.partitions``; the default 200 wastes time on data of this size.

    """
    require_pyspark()
    from pyspark.sql import SparkSession

    log4j = Path(tempfile.mkdtemp(prefix="riskloop-spark-")) / "log4j2.properties"
    log4j.write_text(_QUIET_LOG4J, encoding="utf-8")
    builder = (
        SparkSession.builder.master(master)
        .appName("riskloop-features")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions", f"-Dlog4j.configurationFile={log4j} -Duser.timezone=UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
    )
    with warnings.catch_warnings():
        # py4j's converters import pyspark.testing, which warns about pandas 3; nothing here uses pandas.
        warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
        session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def spark_table(spark: SparkSession, root: Path, name: str) -> DataFrame | None:
    """Table ``name`` under ``root`` as a DataFrame (``None``: absent); an empty valid-from where files lack it."""
    glob = table_glob(root, name)
    if glob is None:
        return None
    from pyspark.sql import functions

    frame = spark.read.option("mergeSchema", "true").parquet(glob)  # parts written before a column was added
    missing = missing_valid_from(name, frame.columns)
    if missing:
        frame = frame.withColumn(missing, functions.lit(None).cast("date"))
    for column in TABLES_BY_NAME[name].columns if name in TABLES_BY_NAME else ():
        if column.default is not None:  # absent or empty in earlier parts: the contract's default
            present = functions.col(column.name) if column.name in frame.columns else functions.lit(None)
            frame = frame.withColumn(column.name, functions.coalesce(present, functions.lit(column.default)))
    return frame


class SparkFeatureEngine:
    """Feature engine on Spark over Parquet tables laid out as ``<root>/<table>/*.parquet``.

    Runs each group's DuckDB SQL after ``duckdb_to_spark``; results match ``DuckDBFeatureEngine`` column for
    column (same names, Arrow types and values), which the conformance suite checks.

    Parameters
    ----------
    root : Path
        A warehouse directory or a generated universe's ``tables/`` directory (local path or one Spark can read).
    master : str
        Spark master URL, used only when no ``session`` is given (default ``local[2]``).
    session : SparkSession, optional
        An existing session to run on; by default one is created on the first ``compute``.

    """

    def __init__(self, root: Path, master: str = DEFAULT_MASTER, session: SparkSession | None = None) -> None:
        require_pyspark()  # choosing the engine without the extra fails here, before any work
        self.root = root
        self.master = master
        self._session = session

    @property
    def session(self) -> SparkSession:
        """The SparkSession this engine runs on, created lazily."""
        if self._session is None:
            self._session = spark_session(self.master)
        return self._session

    def compute(self, spine: pa.Table, groups: Sequence[FeatureGroup]) -> pa.Table:
        """Compute ``groups`` for every row of ``spine``; see ``FeatureEngine.compute``."""
        missing = [f.name for f in SPINE_SCHEMA if f.name not in spine.column_names]
        if missing:
            raise ValidationError("spine", f"missing columns {missing}")
        needed = sorted({name for g in groups for name in g.tables})
        with self._views(spine, needed) as present:
            result = self.session.sql("SELECT application_id, spine_row FROM spine").toArrow()
            for group in groups:
                result = _join_group(self.session, result, group, available=set(group.tables) <= present)
        return _normalise(result.sort_by("spine_row").drop_columns(["spine_row"]))

    @contextmanager
    def _views(self, spine: pa.Table, tables: Sequence[str]) -> Iterator[set[str]]:
        """Register the spine and every present table as temp views; drop them afterwards."""
        spark = self.session
        rows = spine.select(SPINE_SCHEMA.names).cast(SPINE_SCHEMA)
        rows = rows.append_column("spine_row", pa.array(range(rows.num_rows), pa.int64()))
        spark.createDataFrame(rows).createOrReplaceTempView("spine")
        present: set[str] = set()
        try:
            for name in tables:
                frame = spark_table(spark, self.root, name)
                if frame is not None:
                    frame.createOrReplaceTempView(name)
                    present.add(name)
            yield present
        finally:
            for name in ("spine", *present):
                spark.catalog.dropTempView(name)


def _join_group(spark: SparkSession, left: pa.Table, group: FeatureGroup, available: bool) -> pa.Table:
    """Left-join one group's features onto ``left`` by application id (in Arrow: one Spark job per group).

    One Spark query joining every group is slower by far: the optimiser re-plans the spine joins of all groups.
    """
    names = list(group.feature_names)
    if available:
        features = _normalise(spark.sql(duckdb_to_spark(group.sql)).toArrow()).select(["application_id", *names])
        joined = left.join(features, "application_id", join_type="left outer", use_threads=False)
    else:
        nulls = [pa.nulls(left.num_rows, pa.float64()) for _ in names]
        joined = pa.Table.from_arrays([*left.columns, *nulls], names=[*left.column_names, *names])
    flag = pa.array([1 if available else 0] * joined.num_rows, pa.int32())
    return joined.append_column(availability_column(group), flag)


def _normalise(table: pa.Table) -> pa.Table:
    """Arrow types as DuckDB returns them: plain strings, every column nullable."""
    fields = [
        pa.field(f.name, pa.string() if pa.types.is_large_string(f.type) else f.type, nullable=True)
        for f in table.schema
    ]
    return table.cast(pa.schema(fields))
