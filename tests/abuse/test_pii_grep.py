"""The PII grep: after posting applications, ingesting good and bad rows and replaying, no raw identifier is anywhere.

Every table of the database (every column as text, the ingested master data included), every Parquet file of
the warehouse, and every log line and quarantine file of the run are searched for the resident IDs, phones,
names, addresses, e-mails, settlement accounts, devices and IPs the run used (as posted and as normalised): zero
hits. The vault gives the written values back. The counts are printed (``-s``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from riskloop.api.app import create_app
from riskloop.api.observability import LOGGER
from riskloop.config import Settings
from riskloop.domain.identifiers import resident_id_check_char
from riskloop.graph.tokens import Keyed
from riskloop.service.replay import replay_all
from riskloop.storage.models import graph_arrivals
from riskloop.storage.protected import vault_value
from riskloop.storage.repository import contract_table
from riskloop.testing.api_keys import authenticate
from riskloop.testing.clock import SteppingClock
from riskloop.testing.decider import NOW, make_decider
from riskloop.testing.decider import application_body as body
from riskloop.testing.pii import database_texts, file_texts, hits
from riskloop.workspace import Workspace


def _rid(i: int) -> str:
    base = f"330106198503{10 + i:02d}{100 + i:03d}"
    return base + resident_id_check_char(base)


IDS = [_rid(i) for i in range(6)]
PHONES = [f"1861234{i:04d}" for i in range(6)]
NAMES = ["欧阳春花", "司马秋月", "诸葛冬雪"]
# The request's contact identifiers: as posted, and as normalised (what the graph keys and the request keeps)
ADDRESSES = [f"湖北省 武汉市江汉区青年路{i}88号 2楼" for i in range(6)]
STREETS = [f"青年路{i}88号" for i in range(6)]  # in the written address and in its graph key (``420103|青年路088号``)
EMAILS = [f"Chun.Hua{i}@Example.com" for i in range(6)]
ACCOUNTS = [f"6222 0299 1357 {i:04d} 468" for i in range(6)]
DEVICES = [f"fp-7c1e{i:02d}a9" for i in range(6)]


@pytest.fixture
def logs(tmp_path: Path) -> Iterator[Path]:
    """Every log record of the run (ours, the API's request lines, SQLAlchemy's statements) into one file."""
    path = tmp_path / "logs" / "run.log"
    path.parent.mkdir()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    loggers = [logging.getLogger(), logging.getLogger(LOGGER), logging.getLogger("sqlalchemy.engine")]
    levels = [lg.level for lg in loggers]
    for lg in loggers[:2]:
        lg.addHandler(handler)
    loggers[0].setLevel(logging.DEBUG)
    loggers[1].setLevel(logging.INFO)
    loggers[2].setLevel(logging.INFO)  # echo every statement: its parameters must stay hidden
    yield path
    for lg, level in zip(loggers, levels, strict=True):
        lg.setLevel(level)
        lg.removeHandler(handler)
    handler.close()


def _persons(directory: Path) -> None:
    directory.mkdir(parents=True)
    lines = ["person_id,name,phone"]
    lines += [f"{IDS[4]},{NAMES[0]},{PHONES[4]}", f"{IDS[5]},{NAMES[1]},{PHONES[5]}"]  # loaded, protected
    lines += [f"{IDS[0]},{NAMES[0]},{PHONES[0]}", f"{IDS[0]},{NAMES[1]},{PHONES[1]}"]  # a duplicate key
    lines += [f"{IDS[1][:17]}0,{NAMES[2]},{PHONES[2]}"]  # a wrong check digit (its raw value is grepped too)
    lines += [f"{IDS[2]},{NAMES[2]},{PHONES[3]}xx"]  # a bad phone
    (directory / "persons.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_no_raw_identifier_in_any_table_log_or_quarantine_file(
    tmp_path: Path, db_url: str, logs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(home=tmp_path / "home", database_url=db_url)
    clock = SteppingClock(NOW)
    with TestClient(create_app(settings, decider=make_decider(clock=clock)), raise_server_exceptions=False) as client:
        authenticate(client)
        for i, (rid, phone) in enumerate(zip(IDS, PHONES, strict=True)):
            contact = {"address": ADDRESSES[i], "email": EMAILS[i], "bank_account": ACCOUNTS[i]}
            app = body(application_id=f"APP-{i}", applicant_id=rid, phone=phone, device_id=DEVICES[i], ip="10.1.2.3")
            app.update(contact)
            r = client.post("/v1/applications", json=app, headers={"Idempotency-Key": f"k-{i}"})
            assert r.status_code == 201, r.text
            assert client.get(f"/v1/decisions/{r.json()['decision_id']}").status_code == 200
        bad = body(application_id="APP-X", applicant_id=IDS[0][:17] + "0", phone=PHONES[0])
        assert client.post("/v1/applications", json=bad, headers={"Idempotency-Key": "k-x"}).status_code == 422
    _persons(tmp_path / "in")
    contacts = [*ADDRESSES, *STREETS, *EMAILS, *(e.lower() for e in EMAILS), *ACCOUNTS]
    contacts += [a.replace(" ", "") for a in ACCOUNTS] + DEVICES + ["10.1.2.3"]
    raws = [*IDS, IDS[1][:17] + "0", IDS[0][:17] + "0", *PHONES, *NAMES, *contacts]
    with Workspace.open(settings, clock=clock) as ws:
        result = ws.ingest(tmp_path / "in", as_of=dt.date(2026, 7, 1))
        assert (result.tables["persons"].loaded, result.tables["persons"].quarantined) == (
            3,
            3,
        )  # good rows, and the first of a duplicate
        with ws.engine.connect() as conn:  # nothing lost: the vault gives the written value back
            stored = conn.execute(sa.select(contract_table("persons").c.person_id)).scalars().all()
            tokens = [Keyed.parse(v).token for v in stored if Keyed.parse(v)]
            opened = {vault_value(conn, ws.sealer(), "person", t) for t in tokens}
        assert opened == {IDS[0], IDS[4], IDS[5]}
        store = ws.decision_store()
        stored = store.revealed(store.all(), actor="auditor", purpose="replay", at=clock.now())
        assert replay_all(stored, make_decider(clock=clock))["identical"] == len(IDS)
        with pytest.raises(sa.exc.IntegrityError) as failed, ws.engine.begin() as conn:  # a write-path error
            conn.execute(graph_arrivals.insert(), {"application_id": "A", "phone": PHONES[0], "applied_at": NOW})
        logging.getLogger("riskloop.storage").error("write failed: %s", failed.value, exc_info=failed.value)
        tables = database_texts(ws.engine)
    files = file_texts(logs, settings.quarantine_dir, settings.warehouse)
    assert logs.read_text(encoding="utf-8").count("\n") > 20  # the run was logged (statements, request lines)
    assert any(settings.quarantine_dir.rglob("*.jsonl"))
    assert any(settings.warehouse.rglob("*.parquet"))
    found_db, found_files = hits(tables, raws), hits(files, raws)
    with capsys.disabled():
        print(
            f"\nPII grep ({db_url.split(':', maxsplit=1)[0]}): {len(tables)} tables (ingested master data included),"
            f" {len(files)} log/quarantine/warehouse files, {len(raws)} identifiers: {sum(found_db.values())} hits in"
            f" the database, {sum(found_files.values())} in files"
        )
    assert found_db == {}
    assert found_files == {}
