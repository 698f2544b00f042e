"""``riskloop serve --workers 2``: probes, metrics added up across workers, JSON request lines on stderr, no PII."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from riskloop.api.schemas import ApplicationIn
from riskloop.domain.identifiers import resident_id_check_char
from riskloop.testing.recorded import workspace_requests

RIVERSIDE = "32010219850612004"  # a synthetic resident ID body: 17 digits
RESIDENT_ID = RIVERSIDE + resident_id_check_char(RIVERSIDE)
PHONE = "13712345678"
APPLICATIONS = 12


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(workspace_copy: Path) -> Iterator[tuple[str, str]]:
    """The base URL of ``riskloop serve --workers 2`` on the workspace copy, and a channel key's secret."""
    cli = [str(Path(sys.executable).parent / "riskloop"), "--home", str(workspace_copy)]
    made = subprocess.run([*cli, "keys", "create", "--principal", "web-channel", "--role", "channel", "--json"],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert made.returncode == 0, made.stderr
    stale = workspace_copy / "run" / "metrics" / "counter_999999.db"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"last run")
    port = _free_port()
    log = workspace_copy / "serve.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen([*cli, "serve", "--port", str(port), "--workers", "2"], stdout=subprocess.DEVNULL,
                                stderr=sink, env=os.environ.copy())  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None:
                raise AssertionError(log.read_text())
            time.sleep(0.3)
        else:
            raise AssertionError(f"serve never became ready:\n{log.read_text()}")
        assert not stale.exists()  # the metrics folder was emptied at start
        yield base, json.loads(made.stdout)["secret"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _total(exposition: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in exposition.splitlines():
        match = re.fullmatch(rf"{name}\{{(.*)\}} (\S+)", line)
        if match and all(f'{k}="{v}"' in match.group(1) for k, v in labels.items()):
            total += float(match.group(2))
    return total


def test_serve_reports_readiness_metrics_and_logs_without_pii(served: tuple[str, str], workspace_copy: Path) -> None:
    base, secret = served
    assert httpx.get(f"{base}/healthz").json()["status"] == "ok"
    ready = httpx.get(f"{base}/readyz").json()
    assert {c["name"]: c["ok"] for c in ready["checks"]} == {"database": True, "model": True, "strategy": True,
                                                             "graph": True, "profiles": True, "features": True,
                                                             "lists": True, "registration policy": True,
                                                             "core": True}  # fmt: skip
    rows = workspace_requests(workspace_copy, limit=APPLICATIONS)
    bodies = [ApplicationIn.from_request(r).model_dump(mode="json", exclude_none=True) for r, _ in rows]
    tiers: dict[str, int] = {}
    for body in bodies:  # a connection each, so both workers take some
        body.update(applicant_id=RESIDENT_ID, phone=PHONE)
        headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": str(body["application_id"]),
                   "Connection": "close"}  # fmt: skip
        r = httpx.post(f"{base}/v1/applications", json=body, headers=headers, timeout=10)
        assert r.status_code == 201, r.text
        tiers[r.json()["tier"]] = tiers.get(r.json()["tier"], 0) + 1
    folder = workspace_copy / "run" / "metrics"
    assert list(folder.glob("*.db"))
    for _ in range(4):  # whichever worker answers, the figures are every worker's
        exposition = httpx.get(f"{base}/metrics", headers={"Connection": "close"}).text
        posted = {"method": "POST", "route": "/v1/applications", "status": "201"}
        assert _total(exposition, "riskloop_http_request_duration_seconds_count", **posted) == APPLICATIONS
        for tier, n in tiers.items():
            assert _total(exposition, "riskloop_decisions_total", tier=tier) == n
    served_log = (workspace_copy / "serve.log").read_text()
    lines = [json.loads(x) for x in served_log.splitlines() if x.startswith("{")]
    decided = [x for x in lines if x.get("route") == "/v1/applications"]
    assert len(decided) == APPLICATIONS
    assert all(x["principal"] == "web-channel" and x["status"] == 201 and x["tier"] in tiers for x in decided)
    for secret_text in (RESIDENT_ID, PHONE, secret):
        assert secret_text not in served_log
