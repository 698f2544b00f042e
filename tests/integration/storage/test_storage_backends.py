"""Migrations, idempotent inserts and ingest on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import riskloop.storage.alert_models  # registers the alert tables on the metadata
import riskloop.storage.collection_models  # registers the collection tables on the metadata
import riskloop.storage.consent_models  # registers the consent and raw payload tables on the metadata
import riskloop.storage.decision_models  # registers the decision tables on the metadata
import riskloop.storage.lending_models  # registers the offer, drawdown and booked-loan tables on the metadata
import riskloop.storage.list_models  # registers the list tables on the metadata
import riskloop.storage.loop_models  # registers the closed-loop table on the metadata
import riskloop.storage.monitor_models  # registers the monitoring tables on the metadata
import riskloop.storage.outcome_models  # registers the outcome tables on the metadata
import riskloop.storage.prospect_models  # registers the prospect and campaign tables on the metadata
import riskloop.storage.registration_models
import riskloop.storage.verification_models  # noqa: F401 - registers the verification tables on the metadata
from riskloop.domain.clock import FixedClock
from riskloop.domain.tables import table
from riskloop.errors import ConfigError, StorageError
from riskloop.io.arrow_schema import arrow_schema
from riskloop.io.warehouse import Warehouse
from riskloop.storage.engine import make_engine
from riskloop.storage.migrate import upgrade
from riskloop.storage.models import metadata
from riskloop.storage.repository import contract_table, count_rows, fetch_by_keys, insert_ignore
from riskloop.workspace import Workspace

CLOCK = FixedClock(dt.datetime(2025, 1, 15, tzinfo=dt.UTC))


def _schema(engine: sa.Engine) -> dict[str, dict[str, tuple[bool, str]]]:
    inspector = sa.inspect(engine)
    out = {}
    for name in inspector.get_table_names():
        if name == "alembic_version":
            continue
        pk = set(inspector.get_pk_constraint(name)["constrained_columns"])
        out[name] = {c["name"]: (c["nullable"], c["name"] in pk) for c in inspector.get_columns(name)}
    return out


def test_migrations_create_exactly_the_metadata_tables(db_url):
    upgrade(db_url)
    upgrade(db_url)  # a second upgrade is a no-op
    engine = make_engine(db_url)
    expected = {t.name: {c.name: (c.nullable, c.primary_key) for c in t.columns} for t in metadata.sorted_tables}
    assert _schema(engine) == expected
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert diff == []


def test_insert_ignore_is_idempotent_and_keys_can_be_looked_up(db_url, sample):
    upgrade(db_url)
    engine = make_engine(db_url)
    enterprises = contract_table("enterprises")  # keyed by credit code and valid-from day (a versioned table)
    versions = [r | {"valid_from": dt.date(2024, 1, 1)} for r in sample.enterprises(4)]
    rows = versions[:3]
    with engine.begin() as conn:
        assert insert_ignore(conn, enterprises, rows) == 3
    with engine.begin() as conn:
        assert insert_ignore(conn, enterprises, rows + versions[3:]) == 1
        assert count_rows(conn, enterprises) == 4
        found = fetch_by_keys(conn, enterprises, [(rows[1]["credit_code"], dt.date(2024, 1, 1)), ("nope", None)])
    engine.dispose()
    assert found == [rows[1]]


def test_insert_ignore_with_a_composite_key(db_url, sample):
    upgrade(db_url)
    engine = make_engine(db_url)
    officers = contract_table("officers")
    row = {
        "credit_code": sample.uscc(1),
        "person_id": sample.resident_id(1),
        "role": "director",
        "since_date": dt.date(2020, 1, 1),
    }
    with engine.begin() as conn:
        assert insert_ignore(conn, officers, [row, row | {"role": "manager"}]) == 2
        assert insert_ignore(conn, officers, [row]) == 0
        assert fetch_by_keys(conn, officers, [(row["credit_code"], row["person_id"], "director")]) == [row]
    engine.dispose()


def test_ingest_twice_on_each_backend(any_settings, sample, tmp_path):
    source = tmp_path / "in"
    sample.write(source, "enterprises", sample.enterprises(5), "csv")
    sample.write(source, "applications", sample.applications(4), "jsonl")
    sample.write(source, "invoices", sample.invoices(7))
    with Workspace.open(any_settings, clock=CLOCK) as ws:
        first = ws.ingest(source)
        second = ws.ingest(source)
    assert first.to_dict()["totals"] == {"rows_read": 16, "loaded": 16, "already_present": 0, "quarantined": 0}
    assert second.to_dict()["totals"] == {"rows_read": 16, "loaded": 0, "already_present": 16, "quarantined": 0}
    engine = make_engine(any_settings.database_url)
    with engine.connect() as conn:
        assert count_rows(conn, contract_table("enterprises")) == 5
        stored = fetch_by_keys(conn, contract_table("applications"), [("APP000001",)])
        runs = conn.execute(sa.text("SELECT status FROM ingest_runs")).scalars().all()
    engine.dispose()
    applied = stored[0]["applied_at"]  # SQLite returns naive UTC, PostgreSQL an aware time
    applied = applied.astimezone(dt.UTC) if applied.tzinfo else applied.replace(tzinfo=dt.UTC)
    assert applied == sample.applications(2)[1]["applied_at"]
    assert runs == ["succeeded", "succeeded"]
    assert Warehouse(any_settings.warehouse).row_count("enterprises") == 5


def test_unsupported_database_is_a_config_error():
    with pytest.raises(ConfigError, match="unsupported database 'mysql'; valid: postgresql, sqlite"):
        make_engine("mysql://localhost/x")


def test_bad_migration_target_is_a_storage_error(tmp_path):
    with pytest.raises(StorageError, match="database migration to nope failed"):
        upgrade(f"sqlite:///{tmp_path / 'x.db'}", revision="nope")


def test_warehouse_append_views_and_schema(tmp_path, sample):
    wh = Warehouse(tmp_path / "wh")
    rows = sample.invoices(5)
    wh.append("invoices", pa.Table.from_pylist(rows, schema=arrow_schema(table("invoices"))))
    wh.append("invoices", pa.Table.from_pylist(sample.invoices(7)[5:], schema=arrow_schema(table("invoices"))))
    assert wh.tables() == ["invoices"]
    assert wh.row_count("invoices") == 7
    assert wh.row_count("enterprises") == 0
    con = wh.connect()
    assert con.sql("SELECT count(DISTINCT invoice_no) FROM invoices").fetchall() == [(7,)]
    for path in wh.files("invoices"):
        assert pq.read_schema(path).remove_metadata() == arrow_schema(table("invoices"))
    with pytest.raises(StorageError, match="warehouse invoices: rows lack columns status"):
        wh.append("invoices", pa.Table.from_pylist(rows).drop_columns(["status"]))
