"""SQLEffectSource on SQLite and PostgreSQL: champion decisions by the day, their model and channel read from the
stored JSON, final when automatic or when their review closed; no applications table is no applications."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import sqlalchemy as sa

from riskloop.io.warehouse import Warehouse
from riskloop.storage.decision_models import decisions, reviews
from riskloop.storage.effect import SQLEffectSource
from riskloop.storage.engine import make_engine
from riskloop.storage.migrate import upgrade


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, tzinfo=dt.UTC)


def row(decision_id: str, tier: str, decided: dt.datetime, *, role: str = "champion", final: str | None = None) -> dict:
    body = {"versions": {"model": "sme-v3:abc", "strategy": "reference@2"}, "tier": tier}
    inputs = {"request": {"channel": "mini_program", "application_id": f"A-{decision_id}"}}
    return {"decision_id": decision_id, "application_id": f"A-{decision_id}", "role": role, "strategy": "reference@2",
            "tier": tier, "score": 600.0, "pd": 0.04, "limit_cents": 1_000_000, "rate_bp": 800, "decided_at": decided,
            "decision": json.dumps(body), "inputs": json.dumps(inputs), "status": "final" if final else "in_review",
            "final_outcome": final, "owner": "channel-a"}  # fmt: skip


def test_decisions_by_the_day_with_their_review_and_json_fields(db_url: str, tmp_path: Path) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(decisions.insert(), [
            row("d1", "auto_approve", at(1), final="approved"),
            row("d2", "manual_review", at(2), final="declined"),
            row("d3", "suggest_approve", at(3)),  # still in review
            row("d4", "auto_approve", at(9), final="approved"),  # after the day
            row("s1", "auto_reject", at(1), role="shadow"),
        ])  # fmt: skip
        conn.execute(reviews.insert(), [
            {"decision_id": "d2", "tier": "manual_review", "queued_at": at(2), "status": "closed",
             "final_outcome": "declined", "closed_at": at(6)},
            {"decision_id": "d3", "tier": "suggest_approve", "queued_at": at(3), "status": "open",
             "final_outcome": None, "closed_at": None},
        ])  # fmt: skip
    source = SQLEffectSource(engine, Warehouse(tmp_path / "wh"))
    found = {d.decision_id: d for d in source.decisions(dt.date(2025, 3, 5))}
    assert sorted(found) == ["d1", "d2", "d3"]
    assert {(d.model, d.channel, d.strategy, d.pd, d.limit_cents) for d in found.values()} == {
        ("sme-v3:abc", "mini_program", "reference@2", 0.04, 1_000_000)
    }
    assert (found["d1"].final_outcome, found["d1"].final_at) == ("approved", at(1))
    assert (found["d2"].final_outcome, found["d2"].final_at) == ("declined", at(6))
    assert (found["d3"].final_outcome, found["d3"].final_at) == (None, None)
    assert found["d2"].outcome_on(dt.date(2025, 3, 5)) is None  # its review closed on the 6th
    assert found["d2"].outcome_on(dt.date(2025, 3, 6)) == "declined"
    assert source.applications(dt.date(2025, 3, 5)) == []
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(decisions)).scalar() == 5  # read only
    engine.dispose()  # no connection left open for a later test to find
