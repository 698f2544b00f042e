"""Liveness and readiness: /readyz is 200 only when every check passes, else a 503 problem naming each check."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from riskloop.api.app import create_app
from riskloop.config import Settings
from riskloop.rules.loaders import REFERENCE_KEY
from riskloop.service.runtime import NoGraphChecks
from riskloop.testing.decider import make_decider


@contextmanager
def _client(tmp_path: Path, db_url: str, **ports: Any) -> Iterator[TestClient]:
    app = create_app(Settings(home=tmp_path / "home", database_url=db_url), decider=make_decider(**ports))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _checks(body: dict[str, Any]) -> dict[str, tuple[bool, str]]:
    return {c["name"]: (c["ok"], c["reason"]) for c in body["checks"]}


def test_healthz_answers_without_a_key(client: TestClient) -> None:
    r = client.get("/healthz", headers={"Authorization": ""})
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


def test_a_complete_app_is_ready(client: TestClient) -> None:
    r = client.get("/readyz", headers={"Authorization": ""})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ready"] is True
    checks = _checks(body)
    assert list(checks) == ["database", "model", "strategy", "graph", "registration policy", "core"]
    assert all(ok for ok, _ in checks.values())  # no core configured: drawdowns are refused, decisions go on
    assert checks["core"][1].startswith("no core configured: drawdowns are refused")
    assert checks["registration policy"][1].endswith("registration-v1 (shipped; no registration policy active)")
    assert checks["database"][1].startswith("answers (migration ")
    assert checks["model"][1] == "loaded fixed-scorer:1"
    assert checks["strategy"][1].startswith(f"{REFERENCE_KEY} loaded (sha256 ")
    assert checks["graph"][1] == "MemoryGraphChecks deployed"


@pytest.mark.parametrize(
    ("ports", "failed", "reason"),
    [
        ({"scorer": None}, "model", "no model loaded (run: riskloop train)"),
        ({"graph": NoGraphChecks()}, "graph", "not deployed (run: riskloop graph build)"),
        ({"strategy": "nosuch@1"}, "strategy", "nosuch@1 does not load: "),
    ],
    ids=["no-model", "no-graph", "unknown-strategy"],
)
def test_each_missing_part_makes_the_app_not_ready(
    tmp_path: Path, db_url: str, caplog: pytest.LogCaptureFixture, ports: dict[str, Any], failed: str, reason: str
) -> None:
    caplog.set_level(logging.WARNING, logger="riskloop.api")
    with _client(tmp_path, db_url, **ports) as client:
        r = client.get("/readyz")
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert (body["type"], body["status"], body["error"], body["instance"]) == (
        "urn:riskloop:problem:not-ready", 503, "NotReady", "/readyz",
    )  # fmt: skip
    checks = _checks(body)
    assert [name for name, (ok, _) in checks.items() if not ok] == [failed]
    assert checks[failed][1].startswith(reason)
    assert f"{failed}: {reason}" in body["detail"]
    warnings = [json.loads(r.getMessage()) for r in caplog.records if r.levelno == logging.WARNING]
    assert [w["event"] for w in warnings] == ["not ready"]
    assert warnings[0]["failed"] == body["detail"].removeprefix("not ready: ")


def test_a_database_that_is_gone_makes_the_app_not_ready(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    with _client(tmp_path, f"sqlite:///{folder / 'riskloop.db'}") as client:
        assert client.get("/readyz").status_code == 200
        client.app.state.services.engine.dispose()  # type: ignore[attr-defined]  # pooled connections would still answer
        shutil.rmtree(folder)
        r = client.get("/readyz")
        folder.mkdir()  # the shutdown checkpoint needs somewhere to write
    assert r.status_code == 503
    ok, reason = _checks(r.json())["database"]
    assert not ok
    assert reason.startswith("does not answer (OperationalError: unable to open database file")
