"""PreparedRead answers as Connection.execute does, on SQLite and PostgreSQL, and fails as it does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from riskloop.storage.engine import make_engine
from riskloop.storage.prepared import PreparedRead

_meta = sa.MetaData()
things = sa.Table(
    "prepared_things", _meta,
    sa.Column("code", sa.String(18), primary_key=True),
    sa.Column("on", sa.Date(), nullable=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("amount", sa.BigInteger(), nullable=False),
    sa.Column("share", sa.Float(), nullable=True),
    sa.Column("flag", sa.Boolean(), nullable=False),
    sa.Column("note", sa.Text(), nullable=True),
)  # fmt: skip
ROWS = [
    {"code": "A", "on": dt.date(2026, 1, 31), "at": dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.UTC), "amount": 10**12,
     "share": 0.25, "flag": True, "note": "甲"},
    {"code": "B", "on": None, "at": None, "amount": 0, "share": None, "flag": False, "note": None},
    {"code": "C", "on": dt.date(2024, 2, 29), "at": None, "amount": -5, "share": 1e-9, "flag": True, "note": ""},
]  # fmt: skip


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    made = make_engine(db_url)
    _meta.drop_all(made)
    _meta.create_all(made)
    with made.begin() as conn:
        conn.execute(things.insert(), ROWS)
    yield made
    _meta.drop_all(made)
    made.dispose()


def test_rows_equal_what_sqlalchemy_returns(engine: sa.Engine) -> None:
    by_code = sa.select(things).where(things.c.code == sa.bindparam("code"))
    prepared = PreparedRead(engine, by_code)
    for row in ROWS:
        with engine.connect() as conn:
            expected = conn.execute(by_code, {"code": row["code"]}).one()
        got = prepared.first({"code": row["code"]})
        assert tuple(got) == tuple(expected)
        assert got._asdict() == dict(expected._mapping)
        assert got.amount == row["amount"]
    assert prepared.first({"code": "missing"}) is None


def test_several_parameters_and_rows_in_order(engine: sa.Engine) -> None:
    stmt = (
        sa.select(things.c.code, things.c.on)
        .where(things.c.code.in_([sa.bindparam("a"), sa.bindparam("b")]), things.c.amount >= sa.bindparam("least"))
        .order_by(things.c.code)
    )
    rows = PreparedRead(engine, stmt).all({"least": 0, "b": "A", "a": "B"})
    assert [r.code for r in rows] == ["A", "B"]
    assert rows[0].on == dt.date(2026, 1, 31)


def test_a_driver_error_is_the_error_sqlalchemy_raises(engine: sa.Engine) -> None:
    gone = sa.Table("prepared_gone", sa.MetaData(), sa.Column("x", sa.Integer()))
    prepared = PreparedRead(engine, sa.select(gone).where(gone.c.x == sa.bindparam("x")))
    with pytest.raises(sa.exc.DBAPIError) as raised:
        prepared.all({"x": 1})
    with engine.connect() as conn, pytest.raises(type(raised.value)):
        conn.execute(sa.select(gone).where(gone.c.x == 1))
    assert "prepared_gone" in str(raised.value)
    after = PreparedRead(engine, sa.select(things.c.code).where(things.c.code == sa.bindparam("code")))
    assert after.first({"code": "A"}).code == "A"  # the pool's connection came back usable


def test_the_pool_hands_out_transactional_connections_after_prepared_reads(engine: sa.Engine) -> None:
    prepared = PreparedRead(engine, sa.select(things.c.code).where(things.c.code == sa.bindparam("code")))
    for _ in range(20):  # every pooled connection has served a prepared read
        assert prepared.first({"code": "A"}).code == "A"
    with engine.connect() as conn:
        conn.execute(things.insert(), {"code": "D", "amount": 1, "flag": False})
        conn.rollback()  # a connection left in autocommit would have kept the row
    assert prepared.first({"code": "D"}) is None
