"""Serving a strategy by name follows approved activations and rollbacks without a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from riskloop.api.app import create_app
from riskloop.config import Settings
from riskloop.domain.access import ANALYST, APPROVER
from riskloop.errors import NotFoundError, StorageError
from riskloop.rules.loaders import ChainStrategyLoader, PackageStrategyLoader, reference_strategy
from riskloop.rules.zen import ZenRuleEngine
from riskloop.service.runtime import ActiveStrategy
from riskloop.service.strategies import StrategyLifecycle
from riskloop.storage.engine import make_engine
from riskloop.storage.migrate import upgrade
from riskloop.storage.strategies import SQLStrategyLoader, SQLStrategyRepository
from riskloop.testing.api_keys import Caller, authenticate
from riskloop.testing.clock import SteppingClock
from riskloop.testing.decider import NOW, application_body, make_decider
from riskloop.testing.principals import person

CONTENT = reference_strategy().content
BASE = "/v1/strategies/sme"


def _publish(as_: dict[str, Caller], content: str, author: str, approver: str) -> int:
    version = int(as_[author].post(f"{BASE}/versions", json={"content": content, "author": author}).json()["version"])
    as_[author].post(f"{BASE}/versions/{version}/submit", json={"actor": author})
    as_[approver].post(f"{BASE}/versions/{version}/approve", json={"actor": approver})
    return version


def _activate(as_: dict[str, Caller], version: int) -> None:
    change = as_["ann"].post(f"{BASE}/activations", json={"version": version, "actor": "ann"}).json()["change_id"]
    assert as_["bob"].post(f"/v1/strategy-changes/{change}/approve", json={"actor": "bob"}).json()["status"] == "active"


def _decided_with(client: TestClient, n: int) -> str:
    body = application_body(application_id=f"APP-{n}")
    response = client.post("/v1/applications", json=body, headers={"Idempotency-Key": f"key-{n}"})
    assert response.status_code == 201, response.text
    return str(response.json()["versions"]["strategy"]).split(":")[0]


def test_activation_and_rollback_take_effect_on_a_running_service(tmp_path: Path, db_url: str) -> None:
    settings = Settings(home=tmp_path / "home", database_url=db_url)
    upgrade(db_url)
    engine = make_engine(db_url)
    clock = SteppingClock(NOW)
    repository = SQLStrategyRepository(engine)
    lifecycle = StrategyLifecycle(repository, clock)
    ann, bob = person("ann", ANALYST), person("bob", APPROVER)
    first = lifecycle.create(ann, "sme", CONTENT)
    lifecycle.submit(ann, "sme", first.version)
    lifecycle.approve(bob, "sme", first.version)
    lifecycle.approve_activation(bob, lifecycle.request_activation(ann, "sme", first.version))
    champion = ActiveStrategy(repository, "sme", clock, ttl_seconds=1.0)
    rules = ZenRuleEngine(ChainStrategyLoader(SQLStrategyLoader(engine), PackageStrategyLoader()))
    app = create_app(settings, decider=make_decider(clock=clock, strategy=champion, rules=rules))
    with TestClient(app, raise_server_exceptions=False) as client:
        as_ = authenticate(client)  # the client posts applications as the channel
        assert _decided_with(client, 1) == "sme@1"
        second = _publish(as_, CONTENT.replace(">= 600", ">= 610"), "cat", "ann")
        _activate(as_, second)
        assert _decided_with(client, 2) == "sme@1"  # within the refresh interval: the version read last
        clock.advance(seconds=1)
        assert _decided_with(client, 3) == "sme@2"
        _activate(as_, first.version)  # rollback: an approved change like any other
        clock.advance(seconds=1)
        assert _decided_with(client, 4) == "sme@1"
    engine.dispose()


class _Failing:
    def __init__(self, key: str) -> None:
        self.key, self.fail = key, False

    def active(self, name: str) -> object:
        if self.fail:
            raise StorageError("database is locked")
        return type("Version", (), {"key": self.key})()


def test_a_failed_re_read_keeps_the_approved_strategy() -> None:
    clock = SteppingClock(NOW)
    repository = _Failing("sme@3")
    champion = ActiveStrategy(repository, "sme", clock)  # type: ignore[arg-type]
    repository.fail = True
    clock.advance(seconds=5)
    assert champion() == "sme@3"


def test_a_name_with_no_active_version_is_refused_at_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    with pytest.raises(NotFoundError, match="sme: no active version"):
        ActiveStrategy(SQLStrategyRepository(engine), "sme", SteppingClock(NOW))
    engine.dispose()
