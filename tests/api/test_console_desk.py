"""The desk routes of the console: who am I, the review case view and release, strategies, backtests, models."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from riskloop.domain.access import CAPABILITIES
from riskloop.privacy.fields import REQUEST_FIELDS
from riskloop.rules.loaders import reference_strategy
from riskloop.storage.decision_models import audit_log
from riskloop.testing.api_keys import Caller
from riskloop.testing.clock import SteppingClock
from riskloop.testing.decider import application_body as body

AsPerson = Callable[[str], Caller]  # tests/api/conftest.py: as_(name) sends requests with name's API key
CONTENT = reference_strategy().content


def audited(client: TestClient, entity_id: str) -> list[tuple[str, str]]:
    engine = client.app.state.services.engine  # type: ignore[attr-defined]
    stmt = sa.select(audit_log.c.actor, audit_log.c.action).where(audit_log.c.entity_id == entity_id)
    with engine.connect() as conn:
        return [(r.actor, r.action) for r in conn.execute(stmt.order_by(audit_log.c.audit_id))]


def decided(client: TestClient, key: str, score: int) -> dict[str, object]:
    r = client.post("/v1/applications", json=body(application_id=key, bureau={"score": score}),
                    headers={"Idempotency-Key": key})  # fmt: skip
    assert r.status_code == 201, r.text
    out: dict[str, object] = r.json()
    return out


def test_me_names_the_principal_roles_and_capabilities(client: TestClient, as_: AsPerson) -> None:
    ann = as_("ann").get("/v1/me")
    assert ann.status_code == 200
    assert ann.json()["principal"] == "ann"
    assert ann.json()["roles"] == ["analyst", "approver", "reviewer"]
    assert set(ann.json()["can"]) == set(CAPABILITIES)
    held = {c for c, yes in ann.json()["can"].items() if yes}
    assert {"review.decide", "strategy.edit", "strategy.approve", "model.approve", "graph.read"} <= held
    assert not {"alert.act", "collection.act", "identifiers.read"} & held
    paul = as_("paul").get("/v1/me").json()
    assert {c for c, yes in paul["can"].items() if yes} == {"alert.read", "alert.act", "graph.read", "drawdown.read",
                                                            "drawdown.reconcile"}  # fmt: skip
    channel = client.get("/v1/me").json()  # the client's default key: the channel's
    assert channel["roles"] == ["channel"]
    assert channel["can"]["application.post"]
    assert not channel["can"]["review.read"]
    assert client.get("/v1/me", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_the_case_view_shows_review_history_decision_and_data_without_identifiers(
    client: TestClient, as_: AsPerson
) -> None:
    referral = decided(client, "C1", 540)
    did = referral["decision_id"]
    assert as_("ann").post(f"/v1/reviews/{did}/claim", json={}).status_code == 200
    case = as_("dan").get(f"/v1/reviews/{did}")  # an auditor reads it
    assert case.status_code == 200, case.text
    out = case.json()
    assert out["review"]["status"] == "claimed"
    assert out["review"]["claimed_by"] == "ann"
    assert [h["action"] for h in out["review"]["history"]] == ["decision.champion", "review.claimed"]
    decision = out["decision"]
    assert (decision["decision_id"], decision["tier"]) == (did, referral["tier"])
    assert decision["reasons"] == referral["reasons"]  # each with text and text_zh
    assert all(r["text"] and r["text_zh"] for r in decision["reasons"])
    assert decision["trace"]  # the rule trace
    stored = client.get(f"/v1/decisions/{did}").json()
    assert (decision["limit_cents"], decision["rate_bp"], decision["trace"]) == (
        stored["limit_cents"], stored["rate_bp"], stored["trace"]
    )  # fmt: skip
    data = out["data"]
    assert data["application"]["application_id"] == "C1"
    assert data["application"]["bureau_score"] == 540
    assert not set(REQUEST_FIELDS) & set(data["application"])  # identifiers: masked elsewhere, audited
    assert {d["dimension"] for d in data["dimensions"]} >= {"registration", "tax"}
    assert all({"name", "meaning", "value"} <= set(f) for d in data["dimensions"] for f in d["features"])
    assert client.get(f"/v1/reviews/{did}").status_code == 403  # a channel reads no review
    auto = decided(client, "C2", 760)["decision_id"]  # never queued
    assert as_("ann").get(f"/v1/reviews/{auto}").status_code == 404


def test_the_lease_holder_releases_a_review_and_nobody_else(
    client: TestClient, as_: AsPerson, clock: SteppingClock
) -> None:
    did = decided(client, "R1", 540)["decision_id"]
    assert as_("bob").post(f"/v1/reviews/{did}/release", json={}).status_code == 409  # nobody holds it
    assert as_("ann").post(f"/v1/reviews/{did}/claim", json={}).status_code == 200
    theirs = as_("bob").post(f"/v1/reviews/{did}/release", json={})
    assert theirs.status_code == 409
    assert "ann" in theirs.json()["detail"]
    assert as_("bob").post(f"/v1/reviews/{did}/release", json={"reviewer": "ann"}).status_code == 403  # no disguise
    released = as_("ann").post(f"/v1/reviews/{did}/release", json={})
    assert released.status_code == 200
    assert (released.json()["status"], released.json()["claimed_by"]) == ("open", None)
    assert as_("bob").post(f"/v1/reviews/{did}/claim", json={}).status_code == 200  # open to others at once
    clock.advance(minutes=16)  # bob's 15-minute lease ran out
    assert as_("bob").post(f"/v1/reviews/{did}/release", json={}).status_code == 409
    assert audited(client, did)[1:] == [
        ("ann", "review.claimed"),
        ("ann", "review.released"),
        ("bob", "review.claimed"),
    ]
    assert as_("paul").post(f"/v1/reviews/{did}/release", json={}).status_code == 403


def test_the_reviewer_who_reopens_an_automatic_decline_never_decides_it(client: TestClient, as_: AsPerson) -> None:
    did = decided(client, "F1", 320)["decision_id"]
    assert as_("cat").post(f"/v1/decisions/{did}/review", json={"comment": "customer appeal"}).status_code == 201
    assert as_("cat").get(f"/v1/reviews/{did}").json()["review"]["reopened_by"] == "cat"
    refused = as_("cat").post(f"/v1/reviews/{did}/claim", json={})
    assert refused.status_code == 403
    assert "reopened" in refused.json()["detail"]
    assert as_("ann").post(f"/v1/reviews/{did}/claim", json={}).status_code == 200
    first = as_("ann").post(f"/v1/reviews/{did}/decision", json={"outcome": "approved", "comment": "tax filing"})
    assert first.json()["status"] == "awaiting_second"
    assert as_("cat").post(f"/v1/reviews/{did}/claim", json={}).status_code == 403  # not as the second either
    assert as_("ann").post(f"/v1/reviews/{did}/claim", json={}).status_code == 403
    assert as_("bob").post(f"/v1/reviews/{did}/claim", json={}).status_code == 200
    second = as_("bob").post(f"/v1/reviews/{did}/decision", json={"outcome": "approved", "comment": "agreed"})
    assert (second.json()["status"], second.json()["final_outcome"]) == ("closed", "approved")
    actors = {a for a, action in audited(client, did) if action.startswith("review.")}
    assert actors == {"cat", "ann", "bob"}  # three people: who appealed, who decided, who confirmed


def test_strategies_list_pending_changes_and_roll_back(client: TestClient, as_: AsPerson) -> None:
    base = "/v1/strategies/desk"
    for n in (1, 2):
        assert as_("ann").post(f"{base}/versions", json={"content": CONTENT}).status_code == 201
        assert as_("ann").post(f"{base}/versions/{n}/submit", json={}).status_code == 200
        assert as_("bob").post(f"{base}/versions/{n}/approve", json={}).status_code == 200
    first = as_("ann").post(f"{base}/activations", json={"version": 1}).json()["change_id"]
    pending = as_("dan").get("/v1/strategy-changes", params={"status": "pending"}).json()["changes"]
    assert [(c["change_id"], c["key"], c["requested_by"]) for c in pending] == [(first, "desk@1", "ann")]
    assert as_("bob").post(f"/v1/strategy-changes/{first}/approve", json={}).status_code == 200
    assert as_("dan").get("/v1/strategy-changes", params={"status": "pending"}).json()["changes"] == []
    second = as_("ann").post(f"{base}/activations", json={"version": 2}).json()["change_id"]
    assert as_("bob").post(f"/v1/strategy-changes/{second}/approve", json={}).status_code == 200
    rollback = as_("cat").post(f"{base}/activations", json={"version": 1, "note": "roll back"}).json()["change_id"]
    assert as_("cat").post(f"/v1/strategy-changes/{rollback}/approve", json={}).status_code == 403  # cat: no approver
    assert as_("dan").post(f"/v1/strategy-changes/{rollback}/approve", json={}).status_code == 200
    listed = {s["name"]: s for s in as_("dan").get("/v1/strategies").json()["strategies"]}
    assert listed["desk"] == {
        "name": "desk", "active_version": 1, "latest_version": 2,
        "by_status": {"draft": 0, "submitted": 0, "approved": 0, "active": 1, "retired": 1},
    }  # fmt: skip
    applied = as_("ann").get("/v1/strategy-changes", params={"status": "applied"}).json()["changes"]
    assert [(c["key"], c["approved_by"]) for c in applied] == [("desk@1", "bob"), ("desk@2", "bob"), ("desk@1", "dan")]
    assert as_("ann").get("/v1/strategy-changes", params={"status": "maybe"}).status_code == 422
    assert as_("paul").get("/v1/strategies").status_code == 403


def test_a_backtest_without_history_is_a_conflict_naming_why(client: TestClient, as_: AsPerson) -> None:
    url = "/v1/strategies/bt/versions/1/backtest"
    assert as_("ann").post(url, json={}).status_code == 404  # no such version
    assert as_("ann").post("/v1/strategies/bt/versions", json={"content": CONTENT}).status_code == 201
    no_champion = as_("ann").post(url, json={})
    assert no_champion.status_code == 409
    assert "no active version" in no_champion.json()["detail"]
    for n in (1,):
        as_("ann").post(f"/v1/strategies/bt/versions/{n}/submit", json={})
        as_("bob").post(f"/v1/strategies/bt/versions/{n}/approve", json={})
    change = as_("ann").post("/v1/strategies/bt/activations", json={"version": 1}).json()["change_id"]
    as_("bob").post(f"/v1/strategy-changes/{change}/approve", json={})
    empty = as_("dan").post(url, json={"sample": 50})  # an approver backtests too
    assert empty.status_code == 409, empty.text
    assert empty.json()["field"] == "warehouse"
    assert "ingest" in empty.json()["detail"]
    assert as_("ann").post(url, json={"sample": 0}).json()["field"] == "sample"
    assert as_("paul").post(url, json={}).status_code == 403
    assert client.post(url, json={}).status_code == 403  # a channel


def _bundle(tmp_path: Path, nan: bool = True) -> Path:
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "manifest.json").write_text('{"files": {}}')
    report = '{"summary": {"oot": {"auc": 0.74, "ks": NaN}}}' if nan else "{}"
    (folder / "report.json").write_text(report)
    return folder


def test_models_card_approval_and_activation_with_four_eyes(client: TestClient, as_: AsPerson, tmp_path: Path) -> None:
    registry = client.app.state.services.models  # type: ignore[attr-defined]
    model_id = registry.register(_bundle(tmp_path), "desk", "fused-ensemble", {"oot": {"auc": 0.74}},
                                 {"rows": 1000}, ["f1", "f2"], registered_by="ann")  # fmt: skip
    card = as_("dan").get(f"/v1/models/{model_id}")
    assert card.status_code == 200, card.text
    out = card.json()
    assert (out["status"], out["registered_by"], out["approved_by"]) == ("registered", "ann", None)
    assert out["features"] == ["f1", "f2"]
    assert out["validation_report"] == {"summary": {"oot": {"auc": 0.74, "ks": None}}}  # NaN: null in JSON
    assert len(out["manifest_sha256"]) == 64
    assert as_("ann").post(f"/v1/models/{model_id}/approve", json={}).status_code == 403  # its trainer
    assert as_("cat").post(f"/v1/models/{model_id}/approve", json={}).status_code == 403  # no approver role
    assert as_("bob").post(f"/v1/models/{model_id}/activate", json={}).status_code == 409  # not approved yet
    approved = as_("dan").post(f"/v1/models/{model_id}/approve", json={})
    assert (approved.status_code, approved.json()["status"], approved.json()["approved_by"]) == (200, "approved", "dan")
    assert as_("dan").post(f"/v1/models/{model_id}/approve", json={}).status_code == 409  # once
    assert as_("ann").post(f"/v1/models/{model_id}/activate", json={}).status_code == 403
    active = as_("bob").post(f"/v1/models/{model_id}/activate", json={})
    assert (active.status_code, active.json()["status"]) == (200, "active")
    assert audited(client, model_id) == [
        ("ann", "model.registered"),
        ("dan", "model.approved"),
        ("bob", "model.activated"),
    ]
    assert as_("ann").get("/v1/models/nope-v9").status_code == 404
    assert as_("paul").get(f"/v1/models/{model_id}").status_code == 403


def test_drift_without_an_active_model_is_a_404_and_bad_windows_422(client: TestClient, as_: AsPerson) -> None:
    missing = as_("dan").get("/v1/models/drift", params={"until": "2026-06-30"})
    assert missing.status_code == 404
    assert as_("dan").get("/v1/models/drift", params={"until": "2026-06-30", "points": 0}).status_code == 422
    assert as_("dan").get("/v1/models/drift", params={"until": "2026-13-01"}).json()["field"] == "until"
    assert json.loads(as_("dan").get("/v1/models").text) == {"models": []}
