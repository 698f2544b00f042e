"""Champion/challenger: a deterministic split by application id, and shadow decisions never returned."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from riskloop.api.app import create_app
from riskloop.config import Settings
from riskloop.rules.engine import Strategy
from riskloop.rules.loaders import REFERENCE_KEY, ChainStrategyLoader, MemoryStrategyLoader, PackageStrategyLoader
from riskloop.rules.zen import ZenRuleEngine
from riskloop.service.intake import Split, bucket
from riskloop.storage.decision_models import decisions
from riskloop.testing.api_keys import authenticate
from riskloop.testing.decider import application_body, make_decider

STRICT = Strategy.of(
    "strict",
    1,
    PackageStrategyLoader().load("reference@1").content.replace('"score_i0": ">= 600"', '"score_i0": ">= 900"'),
)


def app_with(tmp_path: Path, split: Split) -> TestClient:
    engine = ZenRuleEngine(ChainStrategyLoader(MemoryStrategyLoader([STRICT]), PackageStrategyLoader()))
    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'db.sqlite'}")
    return TestClient(create_app(settings, decider=make_decider(rules=engine), split=split))


def stored(client: TestClient) -> list[tuple[str, str, str]]:
    engine = client.app.state.services.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(decisions.c.application_id, decisions.c.role, decisions.c.strategy))
        return sorted((r[0], r[1], r[2]) for r in rows)


def test_buckets_are_stable_and_even() -> None:
    ids = [f"APP-{i}" for i in range(4000)]
    assert [bucket(i) for i in ids] == [bucket(i) for i in ids]
    share = sum(Split("strict@1", 20, shadow=False).takes(i) for i in ids) / len(ids)
    assert 0.17 < share < 0.23


def test_shadow_decisions_are_stored_but_never_returned(tmp_path: Path) -> None:
    with app_with(tmp_path, Split("strict@1", shadow=True)) as client:
        authenticate(client)  # posts as the channel
        r = client.post("/v1/applications", json=application_body(), headers={"Idempotency-Key": "s1"})
        assert r.json()["tier"] == "auto_approve"  # the champion's answer
        assert r.json()["versions"]["strategy"].startswith(REFERENCE_KEY)
        assert stored(client) == [("APP-1", "champion", REFERENCE_KEY), ("APP-1", "shadow", "strict@1")]
        # the shadow decision is not reachable as the application's answer
        again = client.post("/v1/applications", json=application_body(), headers={"Idempotency-Key": "s1"})
        assert again.content == r.content


def test_live_split_routes_by_hash(tmp_path: Path) -> None:
    with app_with(tmp_path, Split("strict@1", percent=50, shadow=False)) as client:
        authenticate(client)
        for i in range(40):
            body = application_body(application_id=f"APP-{i}")
            r = client.post("/v1/applications", json=body, headers={"Idempotency-Key": f"k{i}"})
            expected = "strict@1" if bucket(f"APP-{i}") < 50 else REFERENCE_KEY
            assert r.json()["versions"]["strategy"].startswith(expected)
            assert r.json()["tier"] == ("auto_approve" if expected == REFERENCE_KEY else "suggest_approve")
        roles = {role for _, role, _ in stored(client)}
        assert roles == {"champion"}
