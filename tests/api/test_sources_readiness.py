"""/readyz names the data sources when the bureau is pulled: ready while circuits are closed, 503 while one is open."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from riskloop.api.app import create_app
from riskloop.config import Settings
from riskloop.service.bureau_pull import BureauPull
from riskloop.testing.clock import SteppingClock
from riskloop.testing.decider import NOW, make_decider
from riskloop.testing.memory_sources import ScriptedSource, memory_puller, shipped_catalog


def test_an_open_circuit_makes_the_app_not_ready_until_it_closes(tmp_path: Path, sqlite_url: str) -> None:
    clock = SteppingClock(NOW)
    catalog = shipped_catalog(pboc={"endpoint": "memory:pboc", "breaker": {"failures_to_open": 1,
                                                                           "reset_after_seconds": 30}})  # fmt: skip
    kit = memory_puller(clock, {"pboc": ScriptedSource()}, catalog)
    decider = make_decider(clock=clock, bureau=BureauPull(kit.puller))
    app = create_app(Settings(home=tmp_path / "home", database_url=sqlite_url), decider=decider)
    with TestClient(app, raise_server_exceptions=False) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert {c["name"]: c["reason"] for c in ready.json()["checks"]}["sources"] == "1 configured, circuits closed"
        kit.puller.breakers["pboc"].failure()
        down = client.get("/readyz")
        assert down.status_code == 503
        assert "sources: circuit open: pboc (30 s)" in down.json()["detail"]
        clock.advance(seconds=30)  # half-open: a trial may go out
        assert client.get("/readyz").status_code == 200
