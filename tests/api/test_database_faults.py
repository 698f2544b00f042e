"""A database that is locked, down or unreachable is a 503 problem with Retry-After, after a bounded wait.

SQLite: the decision writers' lock held by someone else (2 s), SQLite's own write lock held by another
connection (busy_timeout, 5 s). PostgreSQL, through a loopback proxy the test controls: a table lock held by
another session (lock_timeout, 5 s), the server gone (connections cut and refused), and the server
unreachable (connections accepted and never answered: connect_timeout, 5 s).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from riskloop.api.app import create_app
from riskloop.config import Settings
from riskloop.testing.api_keys import authenticate
from riskloop.testing.clock import SteppingClock
from riskloop.testing.decider import NOW, application_body, make_decider
from riskloop.testing.tcp_proxy import TcpProxy


def post(client: TestClient, key: str) -> Any:
    return client.post("/v1/applications", json=application_body(application_id=key), headers={"Idempotency-Key": key})


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "1"
    problem = response.json()
    assert problem["type"] == "urn:riskloop:problem:storage-unavailable"
    assert problem["error"] == "StorageError"
    for foreign in ("Traceback", "INSERT", "SELECT", "sqlalche.me", "[parameters"):
        assert foreign not in response.text


@pytest.fixture
def sqlite_client(tmp_path: Path, sqlite_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(home=tmp_path / "home", database_url=sqlite_url), decider=make_decider())
    with TestClient(app, raise_server_exceptions=False) as client:
        authenticate(client)
        yield client


def test_a_held_write_lock_is_a_503_and_the_next_request_after_it_is_served(
    sqlite_client: TestClient, sqlite_url: str
) -> None:
    lock_file = Path(sa.make_url(sqlite_url).database or "").with_name("riskloop.db.write-lock")
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another worker (or a stuck one) writing
        response = post(sqlite_client, "A-1")
        assert_unavailable(response)
        assert "write lock" in response.json()["detail"]
    finally:
        os.close(fd)
    assert post(sqlite_client, "A-1").status_code == 201  # the same key again: nothing was half-written


def test_sqlite_locked_by_another_connection_is_a_503(sqlite_client: TestClient, sqlite_url: str) -> None:
    other = sa.create_engine(sqlite_url)
    with other.connect() as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # holds SQLite's write lock past busy_timeout
        response = post(sqlite_client, "A-2")
        conn.exec_driver_sql("ROLLBACK")
    other.dispose()
    assert_unavailable(response)
    assert "database is locked" in response.json()["detail"]
    assert post(sqlite_client, "A-2").status_code == 201


@pytest.fixture
def proxy(postgres_url: str) -> Iterator[TcpProxy]:
    url = sa.make_url(postgres_url)
    running = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    yield running
    running.stop()


@pytest.fixture
def pg_client(tmp_path: Path, postgres_url: str, proxy: TcpProxy) -> Iterator[TestClient]:
    through = sa.make_url(postgres_url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app = create_app(Settings(home=tmp_path / "home", database_url=through), decider=make_decider(
        clock=SteppingClock(NOW)))  # fmt: skip
    with TestClient(app, raise_server_exceptions=False) as client:
        authenticate(client)
        yield client


@pytest.mark.postgres
def test_postgres_lock_timeout_is_a_503(pg_client: TestClient, postgres_url: str) -> None:
    engine = pg_client.app.state.services.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW lock_timeout").scalar_one() == "5s"
    other = sa.create_engine(postgres_url)
    with other.connect() as conn:
        conn.exec_driver_sql("LOCK TABLE decisions IN ACCESS EXCLUSIVE MODE")
        response = post(pg_client, "B-1")
        conn.rollback()
    other.dispose()
    assert_unavailable(response)
    assert post(pg_client, "B-1").status_code == 201


@pytest.mark.postgres
def test_postgres_gone_is_a_503_on_every_route_and_readiness(pg_client: TestClient, proxy: TcpProxy) -> None:
    created = post(pg_client, "C-1")
    assert created.status_code == 201
    proxy.stop()
    assert_unavailable(post(pg_client, "C-2"))
    assert_unavailable(pg_client.get(created.headers["Location"]))
    assert pg_client.get("/readyz").status_code == 503
    assert pg_client.get("/healthz").status_code == 200


@pytest.mark.postgres
def test_postgres_unreachable_is_a_503_after_the_connect_timeout(pg_client: TestClient, proxy: TcpProxy) -> None:
    assert post(pg_client, "D-1").status_code == 201
    proxy.blackhole()
    assert_unavailable(post(pg_client, "D-2"))
