"""DuckDBFeatureEngine: runs the feature SQL on embedded DuckDB over a directory of Parquet tables."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from riskloop.domain.versions import defaults_select, missing_valid_from
from riskloop.errors import ValidationError
from riskloop.features.engine import SPINE_SCHEMA, availability_column
from riskloop.features.spec import FeatureGroup


def table_glob(root: Path, name: str) -> str | None:
    """Parquet glob of table ``name`` under ``root`` (a ``<name>/`` folder of parts or one file), if present."""
    folder = root / name
    if folder.is_dir() and any(folder.glob("*.parquet")):
        return str(folder / "*.parquet")
    single = root / f"{name}.parquet"
    return str(single) if single.is_file() else None


def open_tables(
    root: Path, names: Sequence[str] | None = None, threads: int | None = None
) -> tuple[duckdb.DuckDBPyConnection, set[str]]:
    """An in-memory DuckDB connection with one view per table found under ``root`` (all, or ``names``)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")  # dates of timestamps are UTC dates, whatever the host says
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    wanted = names if names is not None else sorted({p.name.removesuffix(".parquet") for p in _children(root)})
    present: set[str] = set()
    for name in wanted:
        glob = table_glob(root, name)
        if glob is not None and name.isidentifier():
            quoted = glob.replace("'", "''")
            source = f"read_parquet('{quoted}', union_by_name = true)"  # parts written before a column was added
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM {source}")  # noqa: S608 - checked name
            columns = [row[0] for row in con.execute(f"DESCRIBE {name}").fetchall()]
            select = defaults_select(name, columns)
            missing = missing_valid_from(name, columns)
            if missing:  # a universe written before versions: every row is its key's only version
                select += f", CAST(NULL AS DATE) AS {missing}"
            con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT {select} FROM {source}")  # noqa: S608
            present.add(name)
    return con, present


def _children(root: Path) -> list[Path]:
    return list(root.iterdir()) if root.is_dir() else []


class DuckDBFeatureEngine:
    """Feature engine over Parquet tables laid out as ``<root>/<table>/*.parquet``.

    Parameters
    ----------
    root : Path
        A warehouse directory or a generated universe's ``tables/`` directory.
    threads : int, optional
        DuckDB worker threads (default: DuckDB's choice).

    """

    def __init__(self, root: Path, threads: int | None = None) -> None:
        self.root = root
        self.threads = threads

    def compute(self, spine: pa.Table, groups: Sequence[FeatureGroup]) -> pa.Table:
        """Compute ``groups`` for every row of ``spine``; see ``FeatureEngine.compute``."""
        missing = [f.name for f in SPINE_SCHEMA if f.name not in spine.column_names]
        if missing:
            raise ValidationError("spine", f"missing columns {missing}")
        con, present = open_tables(self.root, threads=self.threads)
        try:
            con.register("spine_in", spine.select(SPINE_SCHEMA.names).cast(SPINE_SCHEMA))
            con.execute("CREATE TEMP TABLE spine AS SELECT *, row_number() OVER () AS spine_row FROM spine_in")
            result = con.sql("SELECT application_id, spine_row FROM spine").to_arrow_table()
            for group in groups:
                result = _join_group(con, result, group, available=set(group.tables) <= present)
            return result.sort_by("spine_row").drop_columns(["spine_row"])
        finally:
            con.close()


def _join_group(con: duckdb.DuckDBPyConnection, left: pa.Table, group: FeatureGroup, available: bool) -> pa.Table:
    """Left-join one group's features onto ``left`` by application id."""
    con.register("left_in", left)
    flag = availability_column(group)
    if available:
        con.register("group_out", con.sql(group.sql).to_arrow_table())
        cols = ", ".join(f"g.{name}" for name in group.feature_names)
        sql = f"SELECT l.*, {cols}, 1 AS {flag} FROM left_in l LEFT JOIN group_out g USING (application_id)"  # noqa: S608
    else:
        cols = ", ".join(f"CAST(NULL AS DOUBLE) AS {name}" for name in group.feature_names)
        sql = f"SELECT l.*, {cols}, 0 AS {flag} FROM left_in l"  # noqa: S608
    out = con.sql(sql).to_arrow_table()
    con.unregister("left_in")
    if available:
        con.unregister("group_out")
    return out
