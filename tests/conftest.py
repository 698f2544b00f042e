"""Shared fixtures: temporary workspaces and a database URL for SQLite and (marked ``postgres``) PostgreSQL."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from hypothesis import settings as hypothesis_settings
from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.config import Settings
from riskloop.domain.identifiers import resident_id_check_char, uscc_check_char
from riskloop.domain.tables import table
from riskloop.io.arrow_schema import arrow_schema
from riskloop.storage.migrate import upgrade

# Wall-clock deadlines fail property tests on a loaded shared machine (a first example paying for imports or
# JIT warm-up); the tests assert behaviour, never time.
hypothesis_settings.register_profile("riskloop", deadline=None)
hypothesis_settings.load_profile("riskloop")

POSTGRES_SERVER = os.environ.get("RISKLOOP_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL test server URL; fails under CI (env CI set) and skips elsewhere when it is unreachable."""
    engine = sa.create_engine(POSTGRES_SERVER, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        message = f"PostgreSQL is not reachable at {POSTGRES_SERVER} (run scripts/ensure-postgres): {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    finally:
        engine.dispose()
    return POSTGRES_SERVER


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database file."""
    return f"sqlite:///{tmp_path / 'riskloop.db'}"


@contextmanager
def _postgres_schema(server: str) -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL schema on ``server``, dropped on exit."""
    schema = f"riskloop_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL schema on the test server, dropped afterwards."""
    with _postgres_schema(postgres_server) as url:
        yield url


@pytest.fixture(scope="module")
def module_postgres_url(postgres_server: str) -> Iterator[str]:
    """An empty PostgreSQL schema shared by one test module (migrate once; the module cleans its own rows)."""
    with _postgres_schema(postgres_server) as url:
        yield url


@pytest.fixture(scope="module")
def module_sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite database file shared by one test module."""
    return f"sqlite:///{tmp_path_factory.mktemp('module-db') / 'riskloop.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh database on each backend the suite supports."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture(scope="session")
def migrated_copy(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], str]:
    """Puts a migrated SQLite database at a URL whose file does not exist yet, and returns the URL.

    The database is a copy of one file migrated to the latest revision once per test process. Migrating an
    empty database leaves its schema and revision, nothing else (no row, no file in the workspace), so the copy
    is what migrating a fresh file gives, in a millisecond instead of the third of a second Alembic takes.
    Tests about migrating use a fresh file (``sqlite_url``).
    """
    template = tmp_path_factory.mktemp("migrated-template") / "riskloop.db"
    upgrade(f"sqlite:///{template}")

    def copy(url: str) -> str:
        target = Path(sa.make_url(url).database or "")
        if target.exists():
            raise FileExistsError(f"{target}: a migrated copy goes only where no database is yet")
        with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(target)) as copied:
            source.backup(copied)  # the whole database, whatever the journal mode keeps beside the file
        return url

    return copy


@pytest.fixture
def migrated_db_url(db_url: str, migrated_copy: Callable[[str], str]) -> str:
    """``db_url``, already migrated when it is SQLite; PostgreSQL is left empty (whoever opens it migrates it)."""
    return migrated_copy(db_url) if db_url.startswith("sqlite") else db_url


@pytest.fixture
def settings(tmp_path: Path, sqlite_url: str) -> Settings:
    """A temporary workspace backed by SQLite."""
    return Settings(home=tmp_path / "home", database_url=sqlite_url)


@pytest.fixture
def any_settings(tmp_path: Path, db_url: str) -> Settings:
    """A temporary workspace on each database backend."""
    return Settings(home=tmp_path / "home", database_url=db_url)


class SampleData:
    """Valid rows of a few contract tables, and writers for every input format."""

    @staticmethod
    def uscc(i: int) -> str:
        body = f"91420100{i:09d}"
        return body + uscc_check_char(body)

    @staticmethod
    def resident_id(i: int) -> str:
        body = f"42010219800101{i % 1000:03d}"
        return body + resident_id_check_char(body)

    def enterprises(self, n: int) -> list[dict[str, Any]]:
        return [
            {
                "credit_code": self.uscc(i),
                "name": f"武汉测试企业{i}有限公司",
                "kind": "company",
                "industry_section": "C",
                "established_date": dt.date(2015, 1, 1) + dt.timedelta(days=i),
                "registered_capital_cents": 100_000_00 + i,
                "region_code": "420100",
                "address": f"湖北省武汉市江汉区{i}号",
                "phone": f"1380013{i:04d}",
                "legal_rep_id": self.resident_id(i),
                "status": "active",
            }
            for i in range(n)
        ]

    def invoices(self, n: int) -> list[dict[str, Any]]:
        return [
            {
                "invoice_no": f"INV{i:08d}",
                "seller_code": self.uscc(i),
                "buyer_code": self.uscc(i + 1),
                "issue_date": dt.date(2024, 1, 1) + dt.timedelta(days=i % 300),
                "amount_cents": 10_000 + i,
                "tax_cents": 1_300 + i,
                "status": "normal",
                "buyer_kind": "enterprise",
            }
            for i in range(n)
        ]

    def applications(self, n: int) -> list[dict[str, Any]]:
        return [
            {
                "application_id": f"APP{i:06d}",
                "credit_code": self.uscc(i),
                "applicant_id": self.resident_id(i),
                "product_code": "P1",
                "applied_at": dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC) + dt.timedelta(hours=i),
                "requested_amount_cents": 50_000_00,
                "term_months": 12,
                "channel": "mobile",
                "phone": f"1390013{i:04d}",
                "address": "武汉市",
                "device_id": f"dev{i}",
                "ip": f"10.0.{i // 256}.{i % 256}",
                "email": None if i % 2 else f"a{i}@example.com",
                "bank_account": f"6222{i:012d}",
                "sms_verified": True,
                "face_match_score": 0.9,
                "device_fingerprint_ok": i % 3 != 0,
                "phone_owner_match": True,
            }
            for i in range(n)
        ]

    def social_security(self, n: int) -> list[dict[str, Any]]:
        return [
            {
                "credit_code": self.uscc(i),
                "month": dt.date(2024, 1 + i % 12, 1),
                "headcount": 5 + i,
                "paid_cents": 1_000_00,
                "arrears_cents": 0,
            }
            for i in range(n)
        ]

    @staticmethod
    def write(directory: Path, name: str, rows: list[dict[str, Any]], fmt: str = "parquet", **kw: Any) -> Path:
        """Write ``rows`` of contract table ``name`` as ``directory/name.<fmt>``; CSV takes ``encoding``."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{kw.get('stem', name)}.{fmt}"
        schema = arrow_schema(table(name))
        if fmt == "parquet":
            pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
        elif fmt == "csv":
            columns = list(rows[0]) if rows else list(schema.names)
            lines = [",".join(columns)]
            lines += [",".join(_csv_cell(r[c]) for c in columns) for r in rows]
            path.write_text("\n".join(lines) + "\n", encoding=kw.get("encoding", "utf-8"))
        elif fmt == "jsonl":
            text = "".join(json.dumps(r, ensure_ascii=False, default=_json_value) + "\n" for r in rows)
            path.write_text(text, encoding="utf-8")
        else:
            raise ValueError(fmt)
        return path


def _json_value(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(value)


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    return f'"{text}"' if "," in text or '"' in text else text


@pytest.fixture
def sample() -> SampleData:
    """Builders of valid rows and input files."""
    return SampleData()


# One small demo workspace shared by every test that needs a served, trained, deployed workspace (the decision
# tests, the console's browser tests): built once per run even under pytest-xdist. ``riskloop demo`` leaves it ready
# to serve: model and strategy active, graph built, features published, API keys of the demo roles; its JSON summary
# is kept as ``demo.json``.
DEMO_ENTERPRISES = 3000
DEMO_SEED = 7


def _build(home: Path) -> None:
    args = ["--home", str(home), "demo", "--enterprises", str(DEMO_ENTERPRISES), "--seed", str(DEMO_SEED), "--json"]
    demo = CliRunner().invoke(app, args)
    assert demo.exit_code == 0, demo.output
    (home / "demo.json").write_text(demo.stdout)
    (home / "ready.json").write_text(json.dumps({"enterprises": DEMO_ENTERPRISES, "seed": DEMO_SEED}))


@pytest.fixture(scope="session")
def decision_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo workspace (generated, ingested, trained, deployed, serving-ready); read-only.

    ``RISKLOOP_TEST_DEMO_HOME`` names one built already (``riskloop demo --enterprises 3000``), to iterate quickly.
    """
    prebuilt = os.environ.get("RISKLOOP_TEST_DEMO_HOME")
    if prebuilt:
        return Path(prebuilt)
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # common to the run's workers only
    home = shared / "decision-workspace"
    with (shared / "decision-workspace.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (home / "ready.json").is_file():
            shutil.rmtree(home, ignore_errors=True)
            _build(home)
    return home


@pytest.fixture
def workspace_copy(decision_workspace: Path, tmp_path: Path) -> Path:
    """A private copy of the workspace's database (tests that write use it); models and warehouse shared."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(decision_workspace / "riskloop.db", home / "riskloop.db")
    (home / "models").symlink_to(decision_workspace / "models")
    (home / "warehouse").symlink_to(decision_workspace / "warehouse")
    (home / "universes").symlink_to(decision_workspace / "universes")
    (home / "secrets").symlink_to(decision_workspace / "secrets")  # the graph key
    return home


# Scheduling under pytest-xdist (`--dist loadfile`): a module is a unit of work, and xdist hands the units out
# largest first by their count of tests. The shared demo workspace is built by the first worker that asks for it;
# the others wait on its lock. A hand-made order (the workspace's builder first, the heaviest modules next, its
# other users last, run with `--no-loadscope-reorder`) was measured slower: 14 min 36 s, against 13 min 3 s and
# 13 min 26 s with xdist's order (one run each, this machine).
#
# Modules that share one costly per-process fixture run on one worker: each worker that ran one of them would start
# its own. For the Spark session (a JVM) the two modules took 177 s of their workers' time apart and 122 s together.
SAME_WORKER = {
    "tests/conformance/test_feature_engines.py": "spark",
    "tests/conformance/test_monitor_engines.py": "spark",
}


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under ``--dist loadfile``, a module is a unit of work, except that ``SAME_WORKER`` modules form one unit."""
    if config.getoption("dist", None) != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class Scheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = super()._split_scope(nodeid)
            return SAME_WORKER.get(module, module)

    return Scheduling(config, log)
