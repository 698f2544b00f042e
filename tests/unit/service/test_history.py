"""record_history on SQLite (and PostgreSQL): each decision stored once as the channel's, dated when it was made,
with its inputs, the API's response and, for a referral, a review-queue entry; a second run stores nothing; a POST
of the same body under the recorded key replays the recorded response."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from riskloop.api.app import create_app
from riskloop.api.render import posted_body
from riskloop.api.schemas import ApplicationIn, posted_digest
from riskloop.config import Settings
from riskloop.domain.decision import Tier
from riskloop.domain.decision_record import CHAMPION, Claim
from riskloop.domain.decision_request import DecisionRequest
from riskloop.errors import ValidationError
from riskloop.rules.loaders import REFERENCE_KEY
from riskloop.service.decide import DecisionInputs
from riskloop.service.history import HistoryCounts, PastDecision, history_key, record_history
from riskloop.storage.decision_models import audit_log, decisions, idempotency_keys, outbox, reviews
from riskloop.storage.decisions import SQLDecisionStore
from riskloop.storage.models import graph_arrivals
from riskloop.testing.api_keys import authenticate
from riskloop.testing.decider import NOW, application_body, make_decider, request
from riskloop.testing.decision_store import sealed_decision_store

OWNER = "channel-a"
TABLES = (decisions, idempotency_keys, audit_log, reviews, outbox, graph_arrivals)


def digest(r: DecisionRequest) -> str:
    return posted_digest(r)


def past(application_id: str, at: dt.datetime, **changes: Any) -> PastDecision:
    """The reference strategy's decision of a clean application (with ``changes``) made at ``at``."""
    decider = make_decider()
    inputs = decider.gather(request(application_id=application_id, **changes))
    outcome = decider.decide_inputs(inputs, at)
    return PastDecision(inputs, outcome.decision, outcome.strategy)


def history() -> list[PastDecision]:
    """Three decisions of last year: the second referred (no bureau score: DATA_UNAVAILABLE_BUREAU)."""
    made = [
        past("H-1", dt.datetime(2025, 3, 4, 9, 30, tzinfo=dt.UTC)),
        past("H-2", dt.datetime(2025, 3, 5, 14, 0, tzinfo=dt.UTC), bureau_score=None),
        past("H-3", dt.datetime(2025, 4, 1, 8, 15, tzinfo=dt.UTC)),
    ]
    assert [p.decision.tier.needs_human for p in made] == [False, True, False]
    return made


@pytest.fixture
def store(db_url: str) -> Iterator[SQLDecisionStore]:
    """The decision store as the workspace builds it (inputs sealed at rest, arrivals tokenised); SQLite and PG."""
    with sealed_decision_store(db_url) as found:
        yield found


def rows(store: SQLDecisionStore) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()) for t in TABLES}


def record(store: SQLDecisionStore, made: list[PastDecision], **kw: Any) -> HistoryCounts:
    return record_history(store, made, owner=OWNER, render=posted_body, digest=digest, **kw)


def test_each_decision_is_stored_as_the_channel_s_dated_when_it_was_made(store: SQLDecisionStore) -> None:
    made = history()
    assert record(store, made) == HistoryCounts(decided=3, stored=3, queued=1, replayed=0, kept=0)
    stored = store.all()
    assert [s.decision.application_id for s in stored] == ["H-1", "H-2", "H-3"]
    assert [s.decision for s in stored] == [p.decision for p in made]  # decided_at: the application's time, not now
    assert all(s.decision.decided_at < NOW for s in stored)
    assert {(s.role, s.strategy, s.owner) for s in stored} == {(CHAMPION, REFERENCE_KEY, OWNER)}
    assert [(s.status, s.final_outcome) for s in stored] == [("final", "approved"), ("in_review", None),
                                                              ("final", "approved")]  # fmt: skip
    assert "110105199003071239" not in json.dumps([s.inputs for s in stored])  # sealed at rest
    opened = store.revealed(stored, actor="auditor", purpose="test", at=NOW)
    assert [DecisionInputs.from_dict(s.inputs) for s in opened] == [p.inputs for p in made]  # inputs round-trip
    for s, p in zip(stored, made, strict=True):
        app_id, key = s.decision.application_id, history_key(s.decision.application_id)
        response = posted_body(s.decision_id, p.decision)  # as the API renders it
        assert store.claimed(OWNER, key, app_id) == Claim(
            key, app_id, digest(p.inputs.request), s.decision_id, 201, response
        )
    with store.engine.connect() as conn:
        queued = conn.execute(
            sa.select(reviews.c.decision_id, reviews.c.tier, reviews.c.queued_at, reviews.c.status)
        ).all()
        trail = conn.execute(
            sa.select(audit_log.c.entity_id, audit_log.c.at, audit_log.c.actor, audit_log.c.detail).where(
                audit_log.c.action == "decision.champion"
            )
        ).all()
        created = conn.execute(
            sa.select(idempotency_keys.c.created_at).order_by(idempotency_keys.c.created_at)
        ).scalars()
        assert [c.replace(tzinfo=dt.UTC) for c in created] == [p.decision.decided_at for p in made]
    assert [(q[0], q[1], q[2].replace(tzinfo=dt.UTC), q[3]) for q in queued] == [
        (stored[1].decision_id, Tier(stored[1].decision.tier).value, made[1].decision.decided_at, "open")
    ]
    assert sorted((a[0], a[1].replace(tzinfo=dt.UTC), a[2], json.loads(a[3])["recorded"]) for a in trail) == sorted(
        (s.decision_id, s.decision.decided_at, OWNER, "history") for s in stored
    )
    assert rows(store) == {"decisions": 3, "idempotency_keys": 3, "audit_log": 3 + 3, "reviews": 1, "outbox": 0,
                           "graph_arrivals": 0}  # fmt: skip  # 3 pii.reveal; customers answered then; in the graph


def test_a_second_run_stores_nothing_and_changes_nothing(store: SQLDecisionStore) -> None:
    made = history()
    record(store, made)
    before, stored = rows(store), store.all()
    assert record(store, history()) == HistoryCounts(decided=3, stored=0, queued=0, replayed=3, kept=0)
    assert rows(store) == before
    assert store.all() == stored


def test_batches_progress_and_an_application_the_channel_decided_otherwise(store: SQLDecisionStore) -> None:
    made = [past(f"B-{i}", dt.datetime(2025, 5, 1 + i, tzinfo=dt.UTC)) for i in range(5)]
    record(store, made[1:2], key=lambda a: f"live-{a}")  # the channel posted B-1 itself, under its own key
    seen: list[tuple[str, int, int]] = []
    counts = record(store, made, batch=2, progress=lambda *a: seen.append(a))
    assert counts == HistoryCounts(decided=5, stored=4, queued=0, replayed=0, kept=1)
    assert seen == [("record", 2, 5), ("record", 4, 5), ("record", 5, 5)]
    assert len(store.all()) == 5  # B-1 once, as the channel stored it
    assert store.claimed(OWNER, "history-B-1", "B-1") == store.claimed(OWNER, "live-B-1", "B-1")


class StaleClaims(SQLDecisionStore):
    """A store whose claims were read before another run recorded the same history (a race)."""

    def claims(self, owner: str, application_ids: Any) -> dict[str, Claim]:
        return {}


def test_a_batch_that_meets_a_claim_is_recorded_one_by_one(store: SQLDecisionStore) -> None:
    made = history()
    record(store, made[:2])
    stale = StaleClaims(store.engine, sealer=store.sealer, tokenizer=store.tokenizer)
    before = rows(store)
    assert record(stale, made) == HistoryCounts(decided=3, stored=1, queued=0, replayed=2, kept=0)
    assert rows(store) == {**before, "decisions": 3, "idempotency_keys": 3, "audit_log": 3}


def test_refusals_name_the_field(store: SQLDecisionStore) -> None:
    made = history()
    with pytest.raises(ValidationError) as owner:
        record_history(store, made, owner=" ", render=posted_body, digest=digest)
    assert owner.value.field == "owner"
    with pytest.raises(ValidationError, match="decided twice") as twice:
        record(store, [made[0], made[0]])
    assert twice.value.field == "application_id"
    mixed = PastDecision(made[0].inputs, made[1].decision, made[1].strategy)
    with pytest.raises(ValidationError, match="given with the inputs of H-1") as wrong:
        record(store, [mixed])
    assert wrong.value.field == "application_id"
    assert rows(store)["decisions"] == 0


def test_a_post_of_the_same_body_under_the_recorded_key_replays_the_recorded_response(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'riskloop.db'}")
    body = application_body(application_id="H-9")
    decider = make_decider()
    inputs = decider.gather(ApplicationIn.model_validate(body).to_request())
    at = dt.datetime(2025, 6, 30, 16, 0, tzinfo=dt.UTC)
    decided = decider.decide_inputs(inputs, at)
    with TestClient(create_app(settings, decider=make_decider())) as client:
        authenticate(client)  # posts as ``channel``
        store: SQLDecisionStore = client.app.state.services.decisions  # type: ignore[attr-defined]
        made = [PastDecision(inputs, decided.decision, decided.strategy)]
        counts = record_history(store, made, owner="channel", render=posted_body, digest=digest)
        assert counts.stored == 1
        posted = client.post("/v1/applications", json=body, headers={"Idempotency-Key": history_key("H-9")})
        again = client.post("/v1/applications", json=body, headers={"Idempotency-Key": "another-key"})
    assert posted.status_code == 201
    assert posted.headers["Idempotent-Replayed"] == "true"
    [stored] = store.all()
    assert posted.content == posted_body(stored.decision_id, decided.decision)
    assert posted.json()["decided_at"] == at.isoformat()
    assert again.status_code == 409  # the channel had this application decided: by its recorded history
