"""``riskloop serve`` on loopback: real uvicorn, the trained workspace with its graph, SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from serve_process import serving

from riskloop.api.schemas import ApplicationIn
from riskloop.storage.models import metadata
from riskloop.testing.recorded import workspace_requests

PYTHON = Path(sys.executable)


@pytest.fixture
def served(workspace_copy: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, dict[str, str]]]:
    """The base URL of a running ``riskloop serve`` and the Authorization header of a channel key made by the CLI."""
    url = getattr(request, "param", None)
    args = ["--home", str(workspace_copy)]
    if url == "postgres":
        args += ["--database-url", request.getfixturevalue("postgres_url")]
    made = subprocess.run(
        [str(PYTHON.parent / "riskloop"), *args, "keys", "create", "--principal", "web-channel", "--role", "channel",
         "--json"],
        capture_output=True, text=True, check=False, env=os.environ.copy(),
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    if url == "postgres":  # serve refuses a database without profiles, published features or an active model
        tables = ("enterprises", "published_features", "model_registry")  # copy the workspace's
        _copy_rows(f"sqlite:///{workspace_copy / 'riskloop.db'}", args[-1], tables)
    auth = {"Authorization": f"Bearer {json.loads(made.stdout)['secret']}"}
    serve_args = ("--graph", "none") if url == "postgres" else ()
    with serving(args, workspace_copy / "serve.log", serve_args) as base:
        yield base, auth


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
    rows = workspace_requests(workspace, limit=n)
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
            assert out["versions"]["model"].startswith("demo-v1:")  # the demo's active model
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
