"""A challenger model in shadow: the answer is the champion's byte for byte, the shadow's decision is stored with
role shadow and its model's version, never queued or sent; a failing shadow model changes nothing returned."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from riskloop.api.app import create_app
from riskloop.config import Settings
from riskloop.rules.engine import Strategy
from riskloop.rules.loaders import (
    REFERENCE_KEY,
    ChainStrategyLoader,
    MemoryStrategyLoader,
    PackageStrategyLoader,
    reference_strategy,
)
from riskloop.rules.zen import ZenRuleEngine
from riskloop.scoring.bundle import served_version
from riskloop.scoring.registry import manifest_digest
from riskloop.service.decide import Decider
from riskloop.service.intake import Split
from riskloop.service.shadow_model import ShadowModel
from riskloop.storage.decision_models import decisions, outbox, reviews
from riskloop.testing.api_keys import Caller, authenticate
from riskloop.testing.decider import application_body, make_decider, request
from riskloop.testing.fake_decision_ports import FixedScorer, KilledSource

# The healthy enterprise with bureau scores from strong to weak: the shadow model (60 points lower) moves some.
BUREAU = (790, 760, 720, 690, 660, 630)
REFERENCE = REFERENCE_KEY
STRICT = Strategy.of("strict", 1, reference_strategy().content.replace('"score_i0": ">= 525"', '"score_i0": ">= 900"'))


def bodies() -> list[dict[str, Any]]:
    return [
        application_body(application_id=f"APP-{i}", bureau={"score": s, "existing_debt_cents": 0})
        for i, s in enumerate(BUREAU)
    ]


def shadow_bundle(tmp_path: Path) -> tuple[Path, str]:
    """A registrable bundle folder (a manifest only: the shadow's scorer is the fake) and its served version."""
    folder = tmp_path / "candidate"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"files": {}, "name": "sme"}))
    return folder, served_version(folder, manifest_digest(folder))


def serve(tmp_path: Path, name: str, shadow: Decider | None, split: Split | None = None) -> TestClient:
    rules = ZenRuleEngine(ChainStrategyLoader(MemoryStrategyLoader([STRICT]), PackageStrategyLoader()))
    settings = Settings(home=tmp_path / name, database_url=f"sqlite:///{tmp_path / name}.sqlite")
    model = None if shadow is None else ShadowModel("sme-v2", shadow)
    return TestClient(create_app(settings, decider=make_decider(rules=rules), split=split, shadow_model=model))


def post_all(client: TestClient) -> list[tuple[str, bytes]]:
    client.app.state.callers = authenticate(client)  # type: ignore[attr-defined]
    out = []
    for body in bodies():
        r = client.post("/v1/applications", json=body, headers={"Idempotency-Key": body["application_id"]})
        assert r.status_code == 201, r.text
        out.append((r.json()["decision_id"], r.content))
    return out


def rows(client: TestClient, table: sa.Table) -> list[dict[str, Any]]:
    engine = client.app.state.services.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(table))]


def same_bytes(a: list[tuple[str, bytes]], b: list[tuple[str, bytes]]) -> bool:
    """The responses are identical but for the random decision id."""
    return [body.replace(i.encode(), b"ID") for i, body in a] == [body.replace(i.encode(), b"ID") for i, body in b]


@pytest.fixture
def without_shadow(tmp_path: Path) -> Iterator[list[tuple[str, bytes]]]:
    with serve(tmp_path, "plain", None) as client:
        yield post_all(client)


def test_the_answer_is_the_champions_and_the_shadow_is_stored_apart(
    tmp_path: Path, without_shadow: list[tuple[str, bytes]]
) -> None:
    folder, version = shadow_bundle(tmp_path)
    shadow = make_decider(scorer=FixedScorer(base=480.0, version=version))
    with serve(tmp_path, "shadowed", shadow) as client:
        answered = post_all(client)
        assert same_bytes(answered, without_shadow)
        stored = rows(client, decisions)
        champions = {r["application_id"]: r for r in stored if r["role"] == "champion"}
        shadows = {r["application_id"]: r for r in stored if r["role"] == "shadow"}
        assert set(champions) == set(shadows) == {b["application_id"] for b in bodies()}
        moved = 0
        for i, score in enumerate(BUREAU):
            app, row = f"APP-{i}", shadows[f"APP-{i}"]
            expected = shadow.decide(request(application_id=app, bureau_score=score), REFERENCE).decision
            assert (row["tier"], row["pd"], row["strategy"], row["status"]) == (
                expected.tier.value, expected.pd, REFERENCE, "shadow"
            )  # fmt: skip
            assert json.loads(row["decision"])["versions"]["model"] == version
            assert row["decided_at"] == champions[app]["decided_at"]
            moved += row["tier"] != champions[app]["tier"]
        assert moved > 0  # the shadow model decides differently: what follows is meaningful
        shadow_ids = {r["decision_id"] for r in shadows.values()}
        assert not shadow_ids & {r["decision_id"] for r in rows(client, reviews)}
        assert not shadow_ids & {json.loads(r["payload"])["decision_id"] for r in rows(client, outbox)}
        queued = {r["decision_id"] for r in rows(client, reviews)}
        assert queued == {r["decision_id"] for r in champions.values() if r["status"] == "in_review"}
        assert len(rows(client, outbox)) == sum(r["status"] == "final" for r in champions.values())
        ready = client.get("/readyz").json()
        line = next(c for c in ready["checks"] if c["name"] == "shadow model")
        assert line == {"name": "shadow model", "ok": True, "reason": f"sme-v2 loaded ({version}): 6 decided, 0 failed"}
        report_of(client, folder, champions, shadows)


def report_of(client: TestClient, folder: Path, champions: dict[str, Any], shadows: dict[str, Any]) -> None:
    """GET /v1/models/{id}/shadow pairs what was stored (roles as GET /v1/models)."""
    services = client.app.state.services  # type: ignore[attr-defined]
    model_id = services.models.register(folder, "sme", "fused-ensemble", {}, {}, [], registered_by="cat")
    callers: dict[str, Caller] = client.app.state.callers  # type: ignore[attr-defined]
    got = callers["dan"].get(f"/v1/models/{model_id}/shadow")
    assert got.status_code == 200, got.text
    out = got.json()
    same = sum(shadows[a]["tier"] == champions[a]["tier"] for a in champions)
    approves = {"auto_approve", "suggest_approve"}
    swap_out = [a for a in champions if champions[a]["tier"] in approves and shadows[a]["tier"] not in approves]
    assert (out["pairs"], out["agreement"]["same_tier"], out["swap_out"]["count"]) == (6, same, len(swap_out))
    assert {e["shadow_decision"] for e in out["swap_out"]["examples"]} == {shadows[a]["decision_id"] for a in swap_out}
    for horizon in (3, 12):  # a query string's number is read as one (a Literal of ints refused every value)
        monitoring = callers["cat"].get(f"/v1/models/monitoring?as_of=2026-06-30&horizon={horizon}")
        assert (monitoring.status_code, "model-monitoring policy" in monitoring.text) == (404, True)
    later = callers["cat"].get(f"/v1/models/{model_id}/shadow?since=2026-01-01&horizon=12")
    assert later.status_code == 200, later.text
    assert client.get(f"/v1/models/{model_id}/shadow").status_code == 403  # the channel
    assert callers["dan"].get("/v1/models/sme-v9/shadow").status_code == 404
    bad = callers["dan"].get(f"/v1/models/{model_id}/shadow?horizon=5")
    assert bad.status_code == 422
    assert "horizon" in bad.text


def test_a_failing_shadow_model_changes_nothing_returned(
    tmp_path: Path, without_shadow: list[tuple[str, bytes]]
) -> None:
    with serve(tmp_path, "failing", make_decider(scorer=KilledSource("shadow model"))) as client:
        assert same_bytes(post_all(client), without_shadow)
        assert {r["role"] for r in rows(client, decisions)} == {"champion"}  # nothing stored for it
        ready = client.get("/readyz")
        assert ready.status_code == 200  # a shadow never makes the process unready
        line = next(c for c in ready.json()["checks"] if c["name"] == "shadow model")
        assert line["ok"]
        assert "0 decided, 6 failed (last: NoScoreError: no score: DataSourceError" in line["reason"]


def test_a_shadow_model_beside_a_shadow_strategy_stores_both(tmp_path: Path) -> None:
    _, version = shadow_bundle(tmp_path)
    shadow = make_decider(scorer=FixedScorer(base=480.0, version=version))
    with serve(tmp_path, "both", shadow, Split("strict@1", shadow=True)) as client:
        post_all(client)
        stored = rows(client, decisions)
    one = sorted(
        (r["role"], r["strategy"], json.loads(r["decision"])["versions"]["model"])
        for r in stored
        if r["application_id"] == "APP-0"
    )
    assert one == [
        ("champion", REFERENCE, "fixed-scorer:1"),
        ("shadow", REFERENCE, version),  # the shadow model, live strategy
        ("shadow", "strict@1", "fixed-scorer:1"),  # the challenger strategy, champion model
    ]
