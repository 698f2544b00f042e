"""Migration 0015 dates the enterprises stored before versions, in the database and the warehouse, idempotently."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from riskloop.storage.engine import make_engine
from riskloop.storage.migrate import upgrade


def test_rows_and_files_before_versions_become_first_versions_valid_from_establishment(
    db_url: str, tmp_path: Path, sample
) -> None:
    upgrade(db_url, "0014")
    rows = sample.enterprises(2)
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.Table("enterprises", sa.MetaData(), autoload_with=conn).insert(), rows)
    home = tmp_path / "home"
    part = home / "warehouse" / "enterprises" / "part-old-00000.parquet"
    part.parent.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows), part)

    upgrade(db_url, home=home)
    upgrade(db_url, home=home)  # a second run changes nothing

    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT credit_code, valid_from FROM enterprises ORDER BY credit_code")).all()
        pk = sa.inspect(conn).get_pk_constraint("enterprises")["constrained_columns"]
    engine.dispose()
    expected = [(r["credit_code"], r["established_date"]) for r in rows]
    assert [(code, dt.date.fromisoformat(str(day))) for code, day in stored] == expected
    assert pk == ["credit_code", "valid_from"]
    data = pq.read_table(part)
    assert data.column_names[-1] == "valid_from"
    assert list(zip(data["credit_code"].to_pylist(), data["valid_from"].to_pylist(), strict=True)) == expected
