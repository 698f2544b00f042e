"""The tenancy matrix: every route that reads or writes a decision, an alert or collection work, as every kind of
principal (ADR 0014).

Two channels, a reviewer, an auditor, an analyst, a post-loan officer, a collector, a collection lead and a
principal holding the channel and reviewer roles act on one service; each cell is a request and the status it
must get: a channel reads its own decisions and gets 404 for another's (the same answer as an unknown id), keys
and application ids are per channel, one application id is decided once per channel, and nobody reviews an
application they submitted.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from riskloop.api.app import create_app
from riskloop.config import Settings
from riskloop.domain.collection import THREAT
from riskloop.service.alerts import AlertDesk
from riskloop.service.collections import CollectionDesk
from riskloop.storage.decision_models import decisions, idempotency_keys
from riskloop.testing.alerts import raised
from riskloop.testing.api_keys import Caller, authenticate
from riskloop.testing.clock import SteppingClock
from riskloop.testing.collections import FixedChooser, PhraseChecker
from riskloop.testing.decider import NOW, make_decider
from riskloop.testing.decider import application_body as body

PEOPLE: dict[str, tuple[str, ...]] = {
    "chan-a": ("channel",),
    "chan-b": ("channel",),
    "rita": ("reviewer",),
    "audrey": ("auditor",),
    "mixed": ("channel", "reviewer"),
    "ana": ("analyst",),
    "paul": ("post_loan_officer",),
    "carl": ("collector",),
    "lena": ("collection_lead",),
}
REFER = {"bureau": {"score": 540}}  # the reference strategy refers it: it enters the review queue
EVERYONE = tuple(PEOPLE)


@pytest.fixture
def callers(tmp_path: Path, db_url: str) -> Iterator[dict[str, Caller]]:
    settings = Settings(home=tmp_path / "home", database_url=db_url)
    app = create_app(settings, decider=make_decider(clock=SteppingClock(NOW)))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield authenticate(client, PEOPLE)


@dataclass(frozen=True)
class Cell:
    """One request as one principal, and the status (and problem field) it must get."""

    who: str
    method: str
    url: str
    status: int
    problem_field: str | None = None
    json: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


def apply(who: Caller, key: str, **changes: Any) -> tuple[int, dict[str, Any]]:
    r = who.post("/v1/applications", json=body(**changes), headers={"Idempotency-Key": key})
    out: dict[str, Any] = r.json()
    return r.status_code, out


def decided(who: Caller, key: str, **changes: Any) -> str:
    status, out = apply(who, key, **changes)
    assert status == 201, out
    return str(out["decision_id"])


def run(callers: dict[str, Caller], cells: list[Cell]) -> list[str]:
    """Every cell that got another status (or problem field) than it must, as a readable line."""
    wrong = []
    for cell in cells:
        r = callers[cell.who].request(cell.method, cell.url, json=cell.json, headers=cell.headers)
        got_field = r.json().get("field") if r.status_code >= 400 else None
        if r.status_code != cell.status or (cell.problem_field is not None and got_field != cell.problem_field):
            wrong.append(f"{cell.who} {cell.method} {cell.url}: {r.status_code} {got_field}, want {cell.status}")
    return wrong


def reads(decision_id: str, readers: dict[str, int]) -> list[Cell]:
    return [Cell(who, "GET", f"/v1/decisions/{decision_id}", status) for who, status in readers.items()]


def post(who: str, key: str, status: int, problem_field: str | None = None, **changes: Any) -> Cell:
    headers = {"Idempotency-Key": key}
    return Cell(who, "POST", "/v1/applications", status, problem_field, json=body(**changes), headers=headers)


def test_every_principal_on_every_decision_route(callers: dict[str, Caller]) -> None:
    a, b, mixed = callers["chan-a"], callers["chan-b"], callers["mixed"]
    a_ref = decided(a, "k", application_id="A-REF", **REFER)
    b_ref = decided(b, "k", application_id="B-REF", **REFER)  # the same key under another channel
    m_ref = decided(mixed, "k", application_id="M-REF", **REFER)
    m_auto = decided(mixed, "k-auto", application_id="M-AUTO")
    a_auto = decided(a, "k-auto", application_id="A-AUTO")
    assert len({a_ref, b_ref, m_ref, m_auto, a_auto}) == 5

    internal = {"rita": 200, "audrey": 200, "mixed": 200, "ana": 403, "paul": 403, "carl": 403, "lena": 403}
    cells = [
        *reads(a_ref, {"chan-a": 200, "chan-b": 404, **internal}),
        *reads(b_ref, {"chan-a": 404, "chan-b": 200, **internal}),
        *reads(m_ref, {"chan-a": 404, "chan-b": 404, **internal}),
        *reads("dec_unknown", dict.fromkeys(EVERYONE, 404) | {"ana": 403, "paul": 403, "carl": 403, "lena": 403}),
        *[Cell(who, "GET", "/v1/reviews", 200 if who in ("rita", "audrey", "mixed") else 403) for who in EVERYONE],
        # posting: channels only; a new key and application id decides
        *[
            post(w, f"new-{w}", 201 if w in ("chan-a", "chan-b", "mixed") else 403, application_id=f"N-{w}")
            for w in EVERYONE
        ],
        # the same key and body again: the stored decision; the same key, another body: 409 on the header
        post("chan-a", "k", 201, application_id="A-REF", **REFER),
        post("chan-a", "k", 409, "Idempotency-Key", application_id="A-REF", amount_cents=40_000_000, **REFER),
        # one application id once per channel, whatever the body; another channel may decide its own
        post("chan-a", "k-2", 409, "application_id", application_id="A-REF", **REFER),
        post("chan-a", "k-3", 409, "application_id", application_id="A-REF", amount_cents=40_000_000),
        post("chan-b", "k-2", 201, application_id="A-REF", **REFER),
        post("chan-b", "shared", 201, application_id="S-1"),
        post("chan-a", "shared", 201, application_id="S-1"),
        # nobody reviews an application they submitted; every other reviewer may
        Cell("mixed", "POST", f"/v1/reviews/{m_ref}/claim", 403, "reviewer", json={}),
        Cell(
            "mixed",
            "POST",
            f"/v1/reviews/{m_ref}/decision",
            403,
            "reviewer",
            json={"outcome": "approved", "comment": "mine"},
        ),
        Cell("mixed", "POST", f"/v1/decisions/{m_auto}/review", 403, "actor", json={"comment": "my appeal"}),
        *[Cell(w, "POST", f"/v1/reviews/{a_ref}/claim", 403, json={}) for w in ("chan-a", "chan-b", "audrey", "ana")],
        *[Cell(w, "POST", f"/v1/decisions/{a_auto}/review", 403, json={"comment": "x"}) for w in ("chan-a", "audrey")],
        Cell("rita", "POST", f"/v1/reviews/{m_ref}/claim", 200, json={}),
        Cell("rita", "POST", f"/v1/reviews/{m_ref}/decision", 200, json={"outcome": "declined", "comment": "thin"}),
        Cell("mixed", "POST", f"/v1/reviews/{a_ref}/claim", 200, json={}),
        Cell("mixed", "POST", f"/v1/reviews/{a_ref}/decision", 200, json={"outcome": "declined", "comment": "thin"}),
        Cell("rita", "POST", f"/v1/decisions/{m_auto}/review", 201, json={"comment": "appeal"}),
        Cell("mixed", "POST", f"/v1/decisions/{a_auto}/review", 201, json={"comment": "appeal"}),
        Cell("mixed", "POST", f"/v1/reviews/{m_auto}/claim", 403, "reviewer", json={}),
    ]
    assert run(callers, cells) == []
    assert len(cells) == 77  # the matrix's size, stated in ADR 0014


def test_every_principal_on_every_alert_route(callers: dict[str, Caller]) -> None:
    desk: AlertDesk = callers["paul"].client.app.state.services.alerts  # type: ignore[attr-defined]
    ids = [a.alert_id for a in desk.raise_many([raised(n) for n in (1, 2, 3)], actor="job:monitor").alerts]
    readers = {"audrey": 200, "paul": 200}  # officers work alerts, auditors read them; nobody else sees them
    comment, act = {"comment": "seen"}, {"action": "reduce_limit", "reason": "x"}
    cells = [
        *[Cell(w, "GET", "/v1/alerts", readers.get(w, 403)) for w in EVERYONE],
        *[Cell(w, "GET", f"/v1/alerts/{ids[0]}", readers.get(w, 403)) for w in EVERYONE],
        *[Cell(w, "GET", "/v1/alerts/alr_unknown", 404 if w in readers else 403) for w in EVERYONE],
        *[Cell(w, "POST", f"/v1/alerts/{ids[0]}/acknowledge", 403, json=comment) for w in EVERYONE if w != "paul"],
        *[Cell(w, "POST", f"/v1/alerts/{ids[1]}/close", 403, json=comment) for w in EVERYONE if w != "paul"],
        *[Cell(w, "POST", f"/v1/alerts/{ids[0]}/actions", 403, json=act) for w in EVERYONE if w != "paul"],
        Cell("paul", "POST", f"/v1/alerts/{ids[0]}/actions", 409, "status", json=act),
        Cell("paul", "POST", f"/v1/alerts/{ids[0]}/acknowledge", 200, json=comment),
        Cell("paul", "POST", f"/v1/alerts/{ids[0]}/acknowledge", 409, "status", json=comment),
        Cell("paul", "POST", f"/v1/alerts/{ids[0]}/actions", 201, json=act),
        Cell("paul", "POST", f"/v1/alerts/{ids[0]}/close", 200, json=comment),
        Cell("paul", "POST", f"/v1/alerts/{ids[1]}/close", 200, json=comment),
        Cell("paul", "POST", "/v1/alerts/alr_unknown/close", 404, json=comment),
        Cell("paul", "POST", f"/v1/alerts/{ids[2]}/close", 422, "comment", json={"comment": " "}),
    ]
    assert run(callers, cells) == []
    assert len(cells) == 59


def test_every_principal_on_every_collection_route(callers: dict[str, Caller]) -> None:
    desk: CollectionDesk = callers["carl"].client.app.state.services.collections  # type: ignore[attr-defined]
    desk.plan([("c1", 1), ("c2", 1)], ["c1", "c2"], FixedChooser({"sms@morning": 1.0}), seed=1)
    checked = desk.check(None, PhraseChecker({"不还钱": THREAT}), "call-1", NOW, [(1, "agent", "不还钱就等着")])
    qa_id = checked["qa_case"]["qa_case_id"]
    readers = {"carl": 200, "lena": 200, "audrey": 200}  # collectors and leads work cases; auditors read them
    recorders, base = ("carl", "lena"), "/v1/collections"
    others = [w for w in EVERYONE if w not in recorders]
    call = {"call_id": "call-2", "started_at": "2026-07-01T10:00:00+08:00",
            "turns": [{"turn_no": 1, "speaker": "agent", "text": "您好"}]}  # fmt: skip
    cells = [
        *[Cell(w, "GET", f"{base}/cases", readers.get(w, 403)) for w in EVERYONE],  # a channel never reads them
        *[Cell(w, "GET", f"{base}/cases/c1", readers.get(w, 403)) for w in EVERYONE],
        *[Cell(w, "GET", f"{base}/cases/c_unknown", 404 if w in readers else 403) for w in EVERYONE],
        *[Cell(w, "GET", f"{base}/transcripts/call-1/findings", readers.get(w, 403)) for w in EVERYONE],
        *[Cell(w, "GET", f"{base}/qa-cases", 200 if w in ("lena", "audrey") else 403) for w in EVERYONE],
        *[Cell(w, "POST", f"{base}/cases/c1/actions", 403, json={}) for w in others],
        *[Cell(w, "POST", f"{base}/transcripts", 403, json=call) for w in others],
        # a collector never closes a QA case: only the lead does
        *[
            Cell(w, "POST", f"{base}/qa-cases/{qa_id}/close", 403, json={"resolution": "confirmed"})
            for w in EVERYONE
            if w != "lena"
        ],
        Cell("carl", "POST", f"{base}/transcripts", 503, json=call),  # no QA model is active in this service
        Cell("lena", "POST", f"{base}/cases/c2/actions", 422, "arm", json={"arm": "sms@midnight"}),
        Cell("carl", "POST", f"{base}/cases/c1/actions", 201, json={"promise_to_pay": True}),
        Cell("lena", "POST", f"{base}/cases/c1/actions", 404, json={}),  # acted on: no open plan left
        Cell("lena", "POST", f"{base}/qa-cases/{qa_id}/close", 200, json={"resolution": "confirmed"}),
        Cell("lena", "POST", f"{base}/qa-cases/{qa_id}/close", 409, "status", json={"resolution": "dismissed"}),
        Cell("lena", "POST", f"{base}/qa-cases/qac_unknown/close", 404, json={"resolution": "dismissed"}),
    ]
    assert run(callers, cells) == []
    assert len(cells) == 74


def test_a_foreign_decision_reads_exactly_as_an_unknown_one(callers: dict[str, Caller]) -> None:
    theirs = decided(callers["chan-b"], "k", application_id="B-1")
    foreign = callers["chan-a"].get(f"/v1/decisions/{theirs}").json()
    unknown = callers["chan-a"].get("/v1/decisions/dec_nobodyhasthisid000000").json()
    assert foreign["status"] == unknown["status"] == 404
    assert {k: v for k, v in foreign.items() if k not in ("detail", "message", "instance")} == {
        k: v for k, v in unknown.items() if k not in ("detail", "message", "instance")
    }
    assert foreign["detail"] == f"decision {theirs} does not exist"


def test_the_same_key_under_two_channels_is_two_decisions_and_a_replay_keeps_its_id(
    callers: dict[str, Caller],
) -> None:
    a, b = callers["chan-a"], callers["chan-b"]
    first = decided(a, "same", application_id="X-1")
    other = decided(b, "same", application_id="X-1")
    assert first != other
    status, again = apply(a, "same", application_id="X-1")
    assert (status, again["decision_id"]) == (201, first)
    assert first.startswith("dec_")
    assert len(first) == 26
    engine = a.client.app.state.services.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        owners = dict(conn.execute(sa.select(decisions.c.decision_id, decisions.c.owner)).all())
        claims = conn.execute(sa.select(idempotency_keys.c.principal, idempotency_keys.c.application_id)).all()
    assert owners == {first: "chan-a", other: "chan-b"}
    assert sorted(claims) == [("chan-a", "X-1"), ("chan-b", "X-1")]


def test_concurrent_keys_for_one_application_id_make_one_decision(callers: dict[str, Caller]) -> None:
    a = callers["chan-a"]

    def attempt(i: int) -> tuple[int, str | None]:
        status, out = apply(a, f"race-{i}", application_id="RACE-1", amount_cents=(10 + i) * 1_000_000)
        return status, out.get("field")

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(attempt, range(24)))
    assert sorted(results, key=str) == sorted([(201, None)] + [(409, "application_id")] * 23, key=str)
    engine = a.client.app.state.services.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        stored = conn.execute(
            sa.select(sa.func.count()).select_from(decisions).where(decisions.c.application_id == "RACE-1")
        ).scalar_one()
    assert stored == 1
