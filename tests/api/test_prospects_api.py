"""/v1/prospects: pages and filters, CSV/XLSX exports, roles (names never shown to others), audit, campaigns whose
conversion counts decisions made through the pipeline with ``campaign_id``, and names sealed at rest.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from riskloop.api.app import create_app
from riskloop.config import Settings
from riskloop.domain.decision_request import EnterpriseProfile
from riskloop.features.publish import ENTERPRISE_FEATURE_SET
from riskloop.privacy.envelope import is_sealed
from riskloop.storage.decision_models import audit_log, decisions
from riskloop.storage.prospect_models import prospects
from riskloop.testing.api_keys import Caller, authenticate
from riskloop.testing.clock import SteppingClock
from riskloop.testing.decider import HEALTHY, NOW, make_decider
from riskloop.testing.decider import application_body as body
from riskloop.testing.fake_decision_ports import MemoryProfiles
from riskloop.testing.fake_feature_store import InMemoryFeatureStore
from riskloop.testing.prospects import run_entry, sample_prospects, sample_run

PEOPLE = {"channel": ("channel",), "andy": ("analyst",), "otto": ("auditor",), "rita": ("reviewer",)}
RANKED = sample_prospects(8)
CODES = [p.credit_code for p in RANKED]
DAY = "2026-06-30"


@pytest.fixture
def app(tmp_path: Path, sqlite_url: str) -> Iterator[tuple[TestClient, dict[str, Caller]]]:
    """The API with a stored run of 8 prospects; the pipeline knows the first four as healthy enterprises."""
    clock = SteppingClock(NOW)
    features = InMemoryFeatureStore(clock)
    features.publish(ENTERPRISE_FEATURE_SET, NOW.date(), pa.Table.from_pylist([{"credit_code": c, **HEALTHY}
                                                                              for c in CODES[:4]]))  # fmt: skip
    profiles = MemoryProfiles({c: EnterpriseProfile(c, "C", "active", dt.date(2018, 3, 1)) for c in CODES[:4]})
    decider = make_decider(clock=clock, features=features, profiles=profiles)
    with TestClient(create_app(Settings(home=tmp_path / "home", database_url=sqlite_url), decider=decider),
                    raise_server_exceptions=False) as client:  # fmt: skip
        run = sample_run("R1", len(RANKED))
        client.app.state.services.prospects().store.save_run(run, RANKED, run_entry(run))  # type: ignore[attr-defined]
        yield client, authenticate(client, PEOPLE)


def _rows(client: TestClient, table: sa.Table, *columns: Any) -> list[Any]:
    with client.app.state.services.engine.connect() as conn:  # type: ignore[attr-defined]
        return [tuple(r) for r in conn.execute(sa.select(*(columns or (table,))))]


def test_a_page_by_day_industry_and_offset_shows_names_and_is_audited(app) -> None:
    client, people = app
    r = people["otto"].get("/v1/prospects", params={"as_of": DAY, "top": 2, "offset": 1, "lang": "en"})
    assert r.status_code == 200, r.text
    page = r.json()
    assert (page["total"], page["offset"], page["run"]["run_id"]) == (8, 1, "R1")
    assert [(p["rank"], p["name"]) for p in page["prospects"]] == [(2, RANKED[1].name), (3, RANKED[2].name)]
    assert page["prospects"][0]["industry"] == "E Construction"
    assert page["prospects"][1]["reason_text"] == ["Sales forecast to grow strongly", "Tax credit grade A"]
    assert page["prospects"][0]["offer"]["limit_cents"] == 50_000_000
    by_c = people["andy"].get("/v1/prospects", params={"run_id": "R1", "industry": "C"}).json()
    assert [p["rank"] for p in by_c["prospects"]] == [1, 5]
    assert by_c["prospects"][0]["industry"] == "C 制造业"
    assert people["andy"].get("/v1/prospects/runs/latest").json()["ranked"] == 8
    reads = _rows(client, audit_log, audit_log.c.actor, audit_log.c.action, audit_log.c.entity_id)
    assert [r for r in reads if r[1] == "prospects.read"] == [("otto", "prospects.read", "R1"),
                                                              ("andy", "prospects.read", "R1")]  # fmt: skip


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"as_of": "2026-02-30"}, 422, "as_of"),
        ({"as_of": "2026-07-01"}, 404, None),
        ({"run_id": "R9"}, 404, None),
        ({"industry": "Z"}, 422, "industry"),
        ({"top": 0}, 422, "top"),
        ({"lang": "fr"}, 422, "lang"),
    ],
)
def test_bad_filters_are_4xx_naming_the_field(app, params: dict[str, Any], status: int, field: str | None) -> None:
    r = app[1]["andy"].get("/v1/prospects", params=params)
    assert r.status_code == status, r.text
    assert r.json()["field"] == field
    if status == 404:
        assert "run" in r.json()["detail"]


def test_exports_open_in_excel_with_chinese_headers(app) -> None:
    andy = app[1]["andy"]
    r = andy.get("/v1/prospects/export", params={"as_of": DAY, "format": "csv", "top": 3})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == 'attachment; filename="prospects-2026-06-30.csv"'
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["排名", "统一社会信用代码", "企业名称", "行业"]
    assert [row[:3] for row in rows[1:]] == [[str(p.rank), p.credit_code, p.name] for p in RANKED[:3]]
    x = andy.get("/v1/prospects/export", params={"format": "xlsx", "lang": "en"})
    assert x.status_code == 200, x.text
    sheet = load_workbook(io.BytesIO(x.content), read_only=True)["Prospects"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][:3] == ["Rank", "Credit code", "Name"]
    assert [v[2] for v in values[1:]] == [p.name for p in RANKED]
    bad = andy.get("/v1/prospects/export", params={"format": "pdf"})
    assert (bad.status_code, bad.json()["field"]) == (422, "format")
    exports = [r for r in _rows(app[0], audit_log, audit_log.c.actor, audit_log.c.action) if r[1] == "prospects.export"]
    assert exports == [("andy", "prospects.export")] * 2


@pytest.mark.parametrize("who", ["channel", "rita"])
def test_a_channel_or_a_reviewer_is_refused_and_sees_no_name(app, who: str) -> None:
    client, people = app
    caller = people[who]
    answers = [
        caller.get("/v1/prospects", params={"as_of": DAY}),
        caller.get("/v1/prospects/export", params={"format": "csv"}),
        caller.get("/v1/prospects/runs/latest"),
        caller.post("/v1/prospects/campaigns", json={"run_id": "R1", "name": "x", "top": 2}),
    ]
    assert [a.status_code for a in answers] == [403] * 4
    assert not any(p.name in a.text for a in answers for p in RANKED)
    assert people["otto"].get("/v1/prospects/export").status_code == 403  # an auditor reads, never exports
    campaign = {"run_id": "R1", "name": "x", "top": 2}
    assert people["otto"].post("/v1/prospects/campaigns", json=campaign).status_code == 403
    actions = _rows(client, audit_log, audit_log.c.action)
    assert not [a for (a,) in actions if a in ("prospects.read", "prospects.export")]


def test_names_are_sealed_at_rest(app) -> None:
    stored = _rows(app[0], prospects)
    assert len(stored) == len(RANKED)
    text = " ".join(str(v) for row in stored for v in row)
    assert not any(p.name in text for p in RANKED)
    assert all(is_sealed(name) for name in _rows(app[0], prospects, prospects.c.name) for name in name)


def _apply(client: TestClient, key: str, **changes: Any) -> dict[str, Any]:
    r = client.post("/v1/applications", json=body(**changes), headers={"Idempotency-Key": key})
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def test_a_campaigns_conversion_counts_the_decisions_that_name_it(app) -> None:
    client, people = app
    made = people["andy"].post("/v1/prospects/campaigns", json={"run_id": "R1", "name": "第三季度", "top": 3})
    assert made.status_code == 201, made.text
    campaign = made.json()["campaign_id"]
    assert people["otto"].get(f"/v1/prospects/campaigns/{campaign}").json()["members"] == 3
    a = _apply(client, "k1", application_id="A1", credit_code=CODES[0], campaign_id=campaign)
    b = _apply(client, "k2", application_id="A2", credit_code=CODES[1], campaign_id=campaign, bureau={"score": 540})
    _apply(client, "k3", application_id="A3", credit_code=CODES[2])  # a member, applying without naming it
    _apply(client, "k4", application_id="A4", credit_code=CODES[3], campaign_id=campaign)  # not a member
    assert (a["tier"], a["status"]) == ("auto_approve", "final")
    assert b["status"] == "in_review"
    stored = dict(_rows(client, decisions, decisions.c.application_id, decisions.c.campaign_id))
    assert stored == {"A1": campaign, "A2": campaign, "A3": None, "A4": campaign}
    r = people["otto"].get(f"/v1/prospects/campaigns/{campaign}/conversion")
    assert r.json() == {"campaign_id": campaign, "members": 3, "applied": 2, "approved": 1, "declined": 0,
                        "pending": 1, "conversion_rate": pytest.approx(2 / 3)}  # fmt: skip
    assert people["otto"].get("/v1/prospects/campaigns/CMP-none/conversion").status_code == 404
    bad = client.post("/v1/applications", json=body(application_id="A5", campaign_id="no spaces"),
                      headers={"Idempotency-Key": "k5"})  # fmt: skip
    assert (bad.status_code, bad.json()["field"]) == (422, "campaign_id")


def test_a_campaign_of_unknown_codes_or_runs_is_refused_naming_the_field(app) -> None:
    andy = app[1]["andy"]
    unknown = andy.post("/v1/prospects/campaigns", json={"run_id": "R1", "name": "x", "codes": ["91420100000000999X"]})
    assert (unknown.status_code, unknown.json()["field"]) == (422, "codes")
    assert andy.post("/v1/prospects/campaigns", json={"run_id": "R9", "name": "x", "top": 1}).status_code == 404
    none = andy.post("/v1/prospects/campaigns", json={"run_id": "R1", "name": "x"})
    assert (none.status_code, none.json()["field"]) == (422, "top")
