"""Migration 0010 seals and tokenises the plaintext rows stored before it, in place, idempotently; replay holds."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import sqlalchemy as sa

from riskloop.domain.clock import FixedClock
from riskloop.graph.tokens import Keyed, Tokenizer
from riskloop.privacy.envelope import Sealer, is_sealed
from riskloop.privacy.fields import open_raw
from riskloop.service.intake import Intake, request_digest
from riskloop.service.replay import replay_all
from riskloop.storage.decision_models import audit_log
from riskloop.storage.decisions import SQLDecisionStore
from riskloop.storage.engine import make_engine
from riskloop.storage.migrate import upgrade
from riskloop.storage.models import graph_arrivals, ingest_runs, quarantine
from riskloop.storage.secrets import FileKeyProvider, graph_key, pii_key_path
from riskloop.testing.decider import NOW, make_decider, request
from riskloop.testing.pii import database_texts, hits

IDS = ("11010519811231002X", "440524198001010013", "110105199003071239")  # applicants aged 18-70
PHONES = ("13800138000", "13912345678", "15000000001")
RAW_ROW = {"person_id": IDS[0], "name": "张三", "phone": PHONES[0]}


def _plaintext_workspace(db_url: str) -> sa.Engine:
    """A database at 0009 holding what riskloop stored before 0010: raw identifiers in three places."""
    upgrade(db_url, "0009")
    engine = make_engine(db_url)
    intake = Intake(make_decider(clock=FixedClock(NOW)), SQLDecisionStore(engine))  # no keys: as before 0010
    for i, (rid, phone) in enumerate(zip(IDS, PHONES, strict=True)):
        r = request(application_id=f"APP-{i}", applicant_id=rid, phone=phone, device_id=f"dev-{i}", ip="10.0.0.1")
        intake.submit(key=f"k-{i}", request=r, digest=request_digest(r.to_dict()), render=lambda i, d: b"{}", actor="t")
    with engine.begin() as conn:
        conn.execute(
            ingest_runs.insert(),
            {"run_id": "run-1", "started_at": NOW, "source_dir": "/in", "as_of": NOW.date(), "status": "succeeded"},
        )
        conn.execute(
            quarantine.insert(),
            {
                "run_id": "run-1",
                "table_name": "persons",
                "source_file": "persons.csv",
                "row_number": 1,
                "field": "name",
                "reason": f"duplicate key person_id={IDS[0]}",
                "raw": json.dumps(RAW_ROW, ensure_ascii=False),
            },
        )
    return engine


def test_plaintext_rows_are_sealed_in_place_idempotently_and_replay_identically(db_url: str, tmp_path: Path) -> None:
    engine = _plaintext_workspace(db_url)
    raws = (*IDS, *PHONES, "张三")
    assert sum(hits(database_texts(engine), raws).values()) > 0  # the starting point: plaintext at rest
    home = tmp_path / "home"
    keys = FileKeyProvider.create(pii_key_path(home))
    tokenizer = Tokenizer(graph_key(home, create=True))  # no graph built yet: the key may be made

    upgrade(db_url, "0010", home=home)
    after = database_texts(engine)
    assert hits(after, raws) == {}
    upgrade(db_url, "0010", home=home)  # at 0010 already: nothing runs
    with engine.begin() as conn:  # a second run over converted rows changes nothing
        conn.execute(sa.text("DELETE FROM alembic_version"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('0009')"))
    upgrade(db_url, "0010", home=home)
    assert database_texts(engine) == after

    sealer = Sealer(keys)
    with engine.connect() as conn:
        at_0010 = [graph_arrivals.c[c] for c in ("seq", "applicant_id", "phone", "device_id", "ip")]  # (0019 adds)
        arrivals = conn.execute(sa.select(*at_0010).order_by(graph_arrivals.c.seq)).mappings().all()
        [q] = conn.execute(sa.select(quarantine)).mappings().all()
    assert [Keyed.parse(a["phone"]) for a in arrivals] == [Keyed.parse(tokenizer.keyed("phone", p)) for p in PHONES]
    assert [Keyed.parse(a["applicant_id"]).key64 for a in arrivals] == [tokenizer.key64("person", i) for i in IDS]  # type: ignore[union-attr]
    assert [a["device_id"] for a in arrivals] == ["dev-0", "dev-1", "dev-2"]
    assert is_sealed(q["raw"])
    assert open_raw(sealer, q["raw"]) == RAW_ROW
    assert q["reason"] == "duplicate key person_id=110105**********2X"

    store = SQLDecisionStore(engine, sealer=sealer, tokenizer=tokenizer)
    at = dt.datetime(2026, 7, 2, tzinfo=dt.UTC)
    opened = store.revealed(store.all(), actor="auditor-1", purpose="replay", at=at)
    assert sorted(s.inputs["request"]["applicant_id"] for s in opened) == sorted(IDS)
    result = replay_all(opened, make_decider(clock=FixedClock(NOW)))
    assert (result["replayed"], result["identical"]) == (3, 3)
    with engine.connect() as conn:
        reveals = conn.execute(sa.select(audit_log.c.actor).where(audit_log.c.action == "pii.reveal")).scalars().all()
    assert reveals == ["auditor-1"] * 3  # every decryption is on the audit log
    engine.dispose()


def test_a_database_with_rows_to_seal_and_no_workspace_keys_is_not_migrated(db_url: str) -> None:
    import pytest

    from riskloop.errors import StorageError

    engine = _plaintext_workspace(db_url)
    with pytest.raises(StorageError, match="keys"):
        upgrade(db_url)
    assert sum(hits(database_texts(engine), IDS).values()) > 0  # rolled back whole, not half-protected
    engine.dispose()


def test_a_workspace_holding_sealed_data_never_makes_new_keys(tmp_path: Path) -> None:
    import pytest

    from riskloop.config import Settings
    from riskloop.errors import ConfigError
    from riskloop.workspace import Workspace

    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'home' / 'riskloop.db'}")
    with Workspace.open(settings) as ws:  # created: its keys are made
        r = request(applicant_id=IDS[0], phone=PHONES[0])
        intake = Intake(make_decider(clock=FixedClock(NOW)), ws.decision_store())
        intake.submit(key="k", request=r, digest=request_digest(r.to_dict()), render=lambda i, d: b"{}", actor="t")
    pii_key_path(settings.home).unlink()
    with Workspace.open(settings) as ws, pytest.raises(ConfigError, match="never regenerated"):
        ws.decision_store()
    assert not pii_key_path(settings.home).exists()
