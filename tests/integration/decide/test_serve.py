"""``riskloop serve`` on loopback: real uvicorn, the trained workspace with its graph, SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from riskloop.api.schemas import ApplicationIn
from riskloop.service.applications import recorded_requests
from riskloop.storage.models import metadata

PYTHON = Path(sys.executable)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(workspace_copy: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, dict[str, str]]]:
    """The base URL of a running ``riskloop serve`` and the Authorization header of a channel key made by the CLI."""
    port = _free_port()
    url = getattr(request, "param", None)
    args = [str(PYTHON.parent / "riskloop"), "--home", str(workspace_copy)]
    if url == "postgres":
        args += ["--database-url", request.getfixturevalue("postgres_url")]
    made = subprocess.run(
        [*args, "keys", "create", "--principal", "web-channel", "--role", "channel", "--json"],
        capture_output=True, text=True, check=False, env=os.environ.copy(),
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    if url == "postgres":  # serve refuses a database without profiles or published features: copy the workspace's
        _copy_rows(f"sqlite:///{workspace_copy / 'riskloop.db'}", args[-1], ("enterprises", "published_features"))
    auth = {"Authorization": f"Bearer {json.loads(made.stdout)['secret']}"}
    args += ["serve", "--port", str(port)] + (["--graph", "none"] if url == "postgres" else [])
    log = workspace_copy / "serve.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=sink, env=os.environ.copy())
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if proc.poll() is not None:
                    raise AssertionError(log.read_text()) from None
                time.sleep(0.2)
        else:
            raise AssertionError("serve did not start")
        yield base, auth
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _copy_rows(source: str, target: str, tables: tuple[str, ...]) -> None:
    """Copy every row of ``tables`` from the database at ``source`` to the (migrated) one at ``target``."""
    engines = sa.create_engine(source), sa.create_engine(target)
    try:
        for name in tables:
            table = metadata.tables[name]
            with engines[0].connect() as read:
                rows = [dict(r._mapping) for r in read.execute(sa.select(table))]
            with engines[1].begin() as write:
                write.execute(table.insert(), rows)
    finally:
        for engine in engines:
            engine.dispose()


def _payload(workspace: Path, n: int) -> list[dict[str, object]]:
    rows = recorded_requests(workspace / "warehouse", limit=n)
    return [ApplicationIn.from_request(r).model_dump(mode="json", exclude_none=True) for r, _ in rows]


def test_serve_decides_recorded_applications_on_sqlite(
    served: tuple[str, dict[str, str]], workspace_copy: Path
) -> None:
    base, auth = served
    tiers = set()
    with httpx.Client(base_url=base, timeout=10) as client:
        body = _payload(workspace_copy, 1)[0]
        refused = client.post("/v1/applications", json=body, headers={"Idempotency-Key": "no-key"})
        assert refused.status_code == 401
        assert refused.json()["error"] == "UnauthenticatedError"
        client.headers.update(auth)
        for body in _payload(workspace_copy, 40):
            r = client.post("/v1/applications", json=body, headers={"Idempotency-Key": str(body["application_id"])})
            assert r.status_code == 201, r.text
            out = r.json()
            tiers.add(out["tier"])
            assert out["versions"]["model"].startswith("ensemble:")
            assert out["versions"]["features"] != "none"
            if out["tier"] != "auto_approve":
                assert 1 <= len(out["reasons"]) <= 4
            got = client.get(f"/v1/decisions/{out['decision_id']}")
            assert got.json()["trace"]
    assert len(tiers) >= 2


@pytest.mark.postgres
@pytest.mark.parametrize("served", ["postgres"], indirect=True)
def test_serve_works_on_postgresql(served: tuple[str, dict[str, str]], workspace_copy: Path) -> None:
    # The workspace's profiles and published features on PostgreSQL, no graph checks: every decision is referred.
    base, auth = served
    body = _payload(workspace_copy, 1)[0]
    with httpx.Client(base_url=base, timeout=10, headers=auth) as client:
        r = client.post("/v1/applications", json=body, headers={"Idempotency-Key": "pg-1"})
        assert r.status_code == 201, r.text
        codes = [x["code"] for x in r.json()["reasons"]]
        assert r.json()["tier"] not in ("auto_approve", "suggest_approve")
        assert "DATA_UNAVAILABLE_GRAPH" in codes
        assert "DATA_UNAVAILABLE_FEATURES" not in codes
        again = client.post("/v1/applications", json=body, headers={"Idempotency-Key": "pg-1"})
        assert again.content == r.content
