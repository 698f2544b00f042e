"""Migration 0019: the arrival log's new columns, and the devices and IPs logged as posted before it tokenised."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from riskloop.domain.clock import FixedClock
from riskloop.errors import StorageError
from riskloop.graph.tokens import Keyed, Tokenizer
from riskloop.privacy.envelope import Sealer
from riskloop.service.decide import DecisionInputs
from riskloop.service.intake import Intake, request_digest
from riskloop.service.replay import replay_all
from riskloop.storage.arrivals import SQLArrivalLog
from riskloop.storage.decision_models import decisions
from riskloop.storage.decisions import SQLDecisionStore
from riskloop.storage.engine import make_engine
from riskloop.storage.migrate import alembic_config, upgrade
from riskloop.storage.secrets import FileKeyProvider, graph_key, pii_key_path
from riskloop.testing.decider import NOW, make_decider, request
from riskloop.testing.pii import database_texts, hits

AT = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
CODE = "91420100000000001Y"
# (device_id, ip) as the log held them before 0019: raw, with a fingerprint in upper case, an IPv6 client, none
POSTED = [("Dev-A", "58.19.24.7"), ("dev-b", "2001:db8::7"), (None, None)]
_before = sa.table(  # graph_arrivals at 0018
    "graph_arrivals",
    sa.column("application_id", sa.String),
    sa.column("credit_code", sa.String),
    sa.column("phone", sa.Text),
    sa.column("device_id", sa.Text),
    sa.column("ip", sa.Text),
    sa.column("applied_at", sa.DateTime(timezone=True)),
)


def _logged_before_0019(db_url: str, tokens: Tokenizer) -> sa.Engine:
    upgrade(db_url, "0018")
    engine = make_engine(db_url)
    phone = tokens.keyed("phone", "13800138000")  # tokenised since 0010
    rows = [
        {"application_id": f"APP-{i}", "credit_code": CODE, "phone": phone, "device_id": d, "ip": ip, "applied_at": AT}
        for i, (d, ip) in enumerate(POSTED)
    ]
    with engine.begin() as conn:
        conn.execute(_before.insert(), rows)
    return engine


def test_devices_and_ips_logged_before_are_tokenised_in_place(db_url: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    tokens = Tokenizer(graph_key(home, create=True))
    engine = _logged_before_0019(db_url, tokens)
    raws = ("Dev-A", "dev-b", "58.19.24.7", "2001:db8::7")
    assert sum(hits(database_texts(engine), raws).values()) == 4  # the starting point: raw at rest

    upgrade(db_url, home=home)
    assert hits(database_texts(engine), raws) == {}
    log = SQLArrivalLog(engine)
    found, _ = log.since(log.start(AT - dt.timedelta(days=1)))
    log.close()
    apps = [a.application() for a in found]
    keys = [
        {c: None if (k := Keyed.parse(a[c])) is None else k.key64 for c in ("device_id", "ip", "ip_subnet")}
        for a in apps
    ]
    assert keys == [
        {
            "device_id": tokens.key64("device", "dev-a"),  # the graph's key of the device (lower-cased)
            "ip": tokens.key64("ip", "58.19.24.7"),
            "ip_subnet": tokens.key64("ip_subnet", "58.19.24"),  # the /24 network a token cannot give
        },
        {"device_id": tokens.key64("device", "dev-b"), "ip": tokens.key64("ip", "2001:db8::7"), "ip_subnet": None},
        {"device_id": None, "ip": None, "ip_subnet": None},
    ]
    assert [(a["address"], a["email"], a["bank_account"]) for a in apps] == [(None, None, None)] * 3

    engine.dispose()


def test_the_downgrade_drops_the_new_columns(db_url: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    engine = _logged_before_0019(db_url, Tokenizer(graph_key(home, create=True)))
    upgrade(db_url, home=home)
    command.downgrade(alembic_config(db_url, home), "0018")
    columns = {c["name"] for c in sa.inspect(engine).get_columns("graph_arrivals")}
    assert not columns & {"address", "email", "bank_account", "ip_subnet"}
    tokenised = database_texts(engine)["graph_arrivals"]
    upgrade(db_url, home=home)  # and up again: only raw rows are rewritten, tokens stay as they are
    assert database_texts(engine)["graph_arrivals"] == tokenised
    engine.dispose()


def test_a_log_with_raw_devices_and_no_workspace_keys_is_not_migrated(db_url: str, tmp_path: Path) -> None:
    engine = _logged_before_0019(db_url, Tokenizer(b"k" * 32))
    with pytest.raises(StorageError, match="keys"):
        upgrade(db_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0018"
    assert sum(hits(database_texts(engine), ("Dev-A", "58.19.24.7")).values()) == 2  # rolled back whole
    engine.dispose()


def test_a_decision_stored_before_the_request_had_contact_fields_replays_identically(
    db_url: str, tmp_path: Path
) -> None:
    """Inputs written before (no address, e-mail or account in the request) load and decide again the same."""
    upgrade(db_url, "0018")
    engine = make_engine(db_url)
    clock = FixedClock(NOW)
    intake = Intake(make_decider(clock=clock), SQLDecisionStore(engine))
    for i, changes in enumerate([{}, {"bureau_score": None, "face_match_score": 0.4}, {"phone": None}]):
        r = request(application_id=f"APP-{i}", **changes)
        intake.submit(key=f"k-{i}", request=r, digest=request_digest(r.to_dict()), render=lambda i, d: b"{}", actor="t")
    with engine.begin() as conn:  # the inputs as the decision store wrote them before the request had the fields
        for decision_id, text in conn.execute(sa.select(decisions.c.decision_id, decisions.c.inputs)).all():
            inputs = json.loads(text)
            assert [inputs["request"].pop(n) for n in ("address", "email", "bank_account")] == [None] * 3
            body = json.dumps(inputs, sort_keys=True)
            conn.execute(decisions.update().where(decisions.c.decision_id == decision_id).values(inputs=body))
    home = tmp_path / "home"
    keys = FileKeyProvider.create(pii_key_path(home))
    upgrade(db_url, home=home, revision="head")
    store = SQLDecisionStore(engine, sealer=Sealer(keys), tokenizer=Tokenizer(graph_key(home, create=True)))
    stored = store.all()
    assert len(stored) == 3
    assert all("address" not in s.inputs["request"] for s in stored)
    assert DecisionInputs.from_dict(stored[0].inputs).request.address is None
    assert replay_all(stored, make_decider(clock=clock)) == {"replayed": 3, "identical": 3, "different": []}
    engine.dispose()
