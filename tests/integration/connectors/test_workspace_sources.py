"""The workspace wires the sources: settings from the shipped file and the workspace's ``sources.json``, consents
tokenised, payloads sealed (the identifier never appears in the database file), the file-drop adapter over the
ingest readers, and the readiness probe that reports an open circuit."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from riskloop.config import Settings
from riskloop.domain.consent import Consent
from riskloop.domain.source_payload import SourceError
from riskloop.errors import ConfigError, DataSourceError
from riskloop.testing.fake_gateway import FakeGateway
from riskloop.workspace import Workspace

CODE = "91420100000000001Y"
LATER = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    with FakeGateway() as g:
        yield g


def configure(settings: Settings, **sources: dict[str, object]) -> None:
    settings.home.mkdir(parents=True, exist_ok=True)
    (settings.home / "sources.json").write_text(json.dumps({"version": "bank-1", "sources": sources}))


def grant(ws: Workspace, subject: str, source: str) -> Consent:
    desk = ws.consents()
    return desk.record(subject=subject, subject_kind="enterprise", sources=[source], purpose="credit_assessment",
                       expires_at=LATER, evidence="A", actor="cli:ops")  # fmt: skip


def test_a_pull_is_sealed_at_rest_and_the_identifier_never_reaches_the_database(
    settings: Settings, gateway: FakeGateway
) -> None:
    configure(settings, pboc={"endpoint": gateway.url, "timeout_seconds": 0.5})
    with Workspace.open(settings) as ws:
        desk = ws.consents()
        consent = desk.record(subject=CODE, subject_kind="enterprise", sources=["pboc"], purpose="credit_assessment",
                              expires_at=LATER, evidence="AUTH-1", actor="cli:ops")  # fmt: skip
        pulled = ws.source_puller().pull("pboc", subject=CODE, subject_kind="enterprise", purpose="credit_assessment",
                                         consent_id=consent.consent_id, request_id="APP-1")  # fmt: skip
        (stored,) = ws.raw_payload_store().for_request("APP-1")
        assert stored.payload_id == pulled.payload_id
        assert json.loads(stored.body)["report_id"] == pulled.values["report_id"]
        assert [c.consent_id for c in desk.for_subject(CODE.lower())] == [consent.consent_id]
        assert ws.source_catalog().version == "1.0.0+bank-1"
        assert ws.sources_probe() == "1 configured, circuits closed"
    written = b"".join(p.read_bytes() for p in settings.home.parent.glob("riskloop.db*"))
    assert written
    assert CODE.encode() not in written
    assert pulled.values["report_id"].encode() not in written  # the body is sealed too


def test_the_readiness_probe_fails_while_a_circuit_is_open(settings: Settings, gateway: FakeGateway) -> None:
    configure(settings, pboc={"endpoint": gateway.url, "retries": 0, "breaker": {"failures_to_open": 1}})
    gateway.mode = "5xx"
    with Workspace.open(settings) as ws:
        consent = grant(ws, CODE, "pboc")
        with pytest.raises(SourceError, match="HTTP 503"):
            ws.source_puller().pull("pboc", subject=CODE, subject_kind="enterprise", purpose="credit_assessment",
                                    consent_id=consent.consent_id, request_id="APP-1")  # fmt: skip
        with pytest.raises(DataSourceError, match=r"circuit open: pboc \("):
            ws.sources_probe()
        assert ws.bureau_pull() is not None


def test_a_file_drop_is_read_with_the_ingest_readers(settings: Settings, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / f"{CODE}.csv").write_text("report_id,bureau_score,existing_debt_cents\nRPT-9,712,300000\n")
    configure(settings, bank_drop={"endpoint": str(drop)})
    with Workspace.open(settings) as ws:
        consent = grant(ws, CODE, "bank_drop")
        puller = ws.source_puller()
        pulled = puller.pull("bank_drop", subject=CODE, subject_kind="enterprise", purpose="credit_assessment",
                             consent_id=consent.consent_id, request_id="APP-1")  # fmt: skip
        assert pulled.values == {"report_id": "RPT-9", "bureau_score": 712, "existing_debt_cents": 300000}
        pq.write_table(pa.table({"report_id": ["R"], "bureau_score": ["high"], "existing_debt_cents": [1]}),
                       drop / "91420100000000002W.parquet")  # fmt: skip
        other = grant(ws, "91420100000000002W", "bank_drop")
        with pytest.raises(SourceError, match="bureau_score: must be int, got str"):
            puller.pull("bank_drop", subject="91420100000000002W", subject_kind="enterprise",
                        purpose="credit_assessment", consent_id=other.consent_id, request_id="APP-2")  # fmt: skip
        assert ws.bureau_pull() is None  # the bureau gateway is not configured: the channel's fields are used


def test_a_bad_workspace_setting_is_a_config_error_naming_the_key(settings: Settings) -> None:
    configure(settings, pboc={"endpoint": "http://gw", "timeout_seconds": "fast"})
    with Workspace.open(settings) as ws, pytest.raises(ConfigError, match=r"sources\.pboc\.timeout_seconds"):
        ws.source_catalog()
