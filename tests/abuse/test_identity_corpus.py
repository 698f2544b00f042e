"""The identity corpus of the standing abuse suite: every case refused, or normalised and linked; none approved.

Cases: the resident ID and phone of one person written in every Unicode decimal-digit script (generated from
``unicodedata``: each run of ten ``Nd`` characters), full-width letters, spaces and zero-width characters;
impossible birth dates and ages; bad regions; junk phones; free-text IPs; NUL and other control bytes in every
identifier; missing identifiers. A refused case is a 422 naming the field; a normalised case is the same person
to the graph checks (one applicant on the shared device, the company phone seen at the other company); a
missing identity is referred with IDENTITY_INCOMPLETE. ADR 0013 says why.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from fastapi.testclient import TestClient

from riskloop.api.app import create_app
from riskloop.api.schemas import ApplicationIn
from riskloop.config import Settings
from riskloop.domain.clock import FixedClock
from riskloop.domain.identifiers import resident_id_check_char, uscc_check_char
from riskloop.graph.analytics import GraphAnalytics
from riskloop.graph.status import empty_status
from riskloop.graph.tokens import Tokenizer
from riskloop.graph.usage import Usage
from riskloop.service.graph_checks import WorkspaceGraphChecks
from riskloop.service.ports import GraphChecks
from riskloop.storage.decisions import SQLDecisionStore
from riskloop.testing.api_keys import authenticate
from riskloop.testing.decider import CODE, IDENTITY, NOW, application_body, make_decider
from riskloop.testing.graph_fixtures import TEST_KEY, tiny_graph

OTHER = "91420100000000002" + uscc_check_char("91420100000000002")  # a second enterprise
APPLICANT, PHONE = IDENTITY["applicant_id"], IDENTITY["phone"]


def digit_scripts() -> list[str]:
    """The zero of every run of ten Unicode decimal digits (each a script's 0-9), covering every ``Nd`` character."""
    nd = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Nd"]
    zeros = [ch for ch in nd if unicodedata.decimal(ch) == 0]
    covered = {chr(ord(z) + d) for z in zeros for d in range(10)}
    assert covered == set(nd)  # every Nd character is one of the runs
    assert all(unicodedata.decimal(chr(ord(z) + d)) == d for z in zeros for d in range(10))
    return zeros


def in_script(text: str, zero: str) -> str:
    return "".join(chr(ord(zero) + int(c)) if c.isdigit() else c for c in text)


def resident(born: str, region: str = "110105", seq: str = "123") -> str:
    body = region + born + seq
    return body + resident_id_check_char(body)


def with_x() -> str:
    """A resident ID of a 40-year-old whose check character is X."""
    return next(r for s in range(1000) if (r := resident("19860501", seq=f"{s:03d}")).endswith("X"))


def refused() -> Iterator[tuple[str, dict[str, Any], str]]:
    """(case, body changes, the field the 422 must name)."""
    future, young, minor = NOW.date() + dt.timedelta(days=400), dt.date(2021, 3, 1), dt.date(2008, 7, 2)
    for name, born in [
        ("born in the future", future), ("aged 5", young), ("aged 17 (one day short of 18)", minor),
        ("aged 71", dt.date(1955, 6, 30)), ("aged 126", dt.date(1900, 1, 1)),
    ]:  # fmt: skip
        yield f"applicant {name}", {"applicant_id": resident(born.strftime("%Y%m%d"))}, "applicant_id"
    yield "applicant born in 1826 (aged 200)", {"applicant_id": resident("18260101")}, "applicant_id"
    yield "birth date 30 February", {"applicant_id": resident("19900230")}, "applicant_id"
    for region in ("000000", "990101", "100101", "200101", "720101", "910101"):
        yield f"region {region[:2]}", {"applicant_id": resident("19900307", region=region)}, "applicant_id"
    bad_check = APPLICANT[:17] + ("0" if APPLICANT[17] != "0" else "1")
    yield "resident ID check digit", {"applicant_id": bad_check}, "applicant_id"
    yield (
        "resident ID lower-case full-width x kept apart from digits",
        {"applicant_id": APPLICANT[:17] + "ｙ"},
        ("applicant_id"),
    )
    for junk in [
        "-----", "", " ", "00000000000", "11111111111", "12345678901", "1380013800", "138001380000",
        "+1 415 555 0100", "abc", "13800138000x", "٠٠٠٠٠٠٠٠٠٠٠", "010-0000000", "0000", "+86", "１２３４５６７８９０１",
    ]:  # fmt: skip
        yield f"phone {junk!r}", {"phone": junk}, "phone"
    for text in [
        "localhost", "my ip", "1.2.3", "256.1.1.1", "127.0.0.1", "0.0.0.0", "::1", "::", "224.0.0.1",
        "fe80::1%eth0", "fe80::1", "255.255.255.255", "240.0.0.1", "1.2.3.4; DROP TABLE decisions", "",
    ]:  # fmt: skip
        yield f"ip {text!r}", {"ip": text}, "ip"
    for field, value in [("applicant_id", APPLICANT), ("phone", PHONE), ("ip", IDENTITY["ip"]), ("credit_code", CODE)]:
        for byte in ("\x00", "\x1b", "\x7f"):
            yield f"{field} with U+{ord(byte):04X}", {field: value[:5] + byte + value[5:]}, field
    yield "device_id with NUL", {"device_id": "dev\x00-1"}, "device_id"
    yield "device_id in full-width", {"device_id": "ｄｅｖ-1"}, "device_id"
    yield "credit code lower-case full-width", {"credit_code": CODE[:17] + "ｙ"}, "credit_code"
    yield "applicant_id not a string", {"applicant_id": 110105199003071239}, "applicant_id"


def missing() -> Iterator[tuple[str, dict[str, Any]]]:
    """(case, body changes) of incomplete identities: referred, never approved."""

    def own(i: int) -> dict[str, Any]:  # identifiers linked to nothing else
        return {"applicant_id": resident("19800101", seq=f"{i:03d}"), "phone": f"1391234567{i}",
                "device_id": f"dev-missing-{i}", "ip": f"58.19.25.{i + 1}"}  # fmt: skip

    yield "every identifier omitted", dict.fromkeys(IDENTITY)
    yield "no applicant_id", {**own(1), "applicant_id": None}
    yield "no phone", {**own(2), "phone": None}
    yield "no device_id (mobile)", {**own(3), "device_id": None}
    yield "no ip (web)", {**own(4), "ip": None, "channel": "web"}
    yield "no ip nor device (mini program)", {**own(5), "ip": None, "device_id": None, "channel": "mini_program"}
    yield "branch with no applicant_id", {**own(6), "applicant_id": None, "device_id": None, "channel": "branch"}


SECOND = with_x()  # a second person, on a device and IP of their own, naming the same company phone
SECOND_IP = "58.19.24.8"


def spellings() -> Iterator[tuple[str, dict[str, Any]]]:
    """(case, body changes) writing the person's identifiers differently: all fold to the ASCII ones."""
    for zero in digit_scripts():
        name = unicodedata.name(zero).removesuffix(" ZERO").removesuffix(" DIGIT").lower()
        yield name, {"applicant_id": in_script(APPLICANT, zero), "phone": in_script(PHONE, zero)}
        second = {"device_id": "dev-second", "ip": in_script(SECOND_IP, zero)}
        x = in_script(SECOND, zero)[:17] + "Ｘ"
        yield f"{name}, full-width X", {"applicant_id": x, "phone": in_script(PHONE, zero), **second}
    yield (
        "spaces and zero-width",
        {"applicant_id": "110105 1990\u200b0307 1239\ufeff", "phone": "138\u00a00013\u20608000"},
    )
    yield "+86 and hyphens", {"phone": "+86 １３８-００１３-８０００"}
    yield "full-width credit code", {"credit_code": "".join(chr(ord(c) + 0xFEE0) for c in CODE)}
    yield "IPv4-mapped IPv6", {"ip": "::ffff:" + IDENTITY["ip"]}
    yield "IP in full-width digits", {"ip": in_script(IDENTITY["ip"], "０")}


@contextlib.contextmanager
def api(home: Path, graph: GraphChecks | None = None) -> Iterator[TestClient]:
    """The API on a fresh SQLite workspace in ``home`` with the in-memory pipeline (and ``graph`` if given)."""
    clock = FixedClock(NOW)
    decider = make_decider(clock=clock, **({"graph": graph} if graph is not None else {}))
    app = create_app(Settings(home=home, database_url=f"sqlite:///{home / 'riskloop.db'}"), decider=decider)
    with TestClient(app, raise_server_exceptions=False) as client:
        authenticate(client)
        yield client


def real_graph() -> WorkspaceGraphChecks:
    """The real graph checks on two enterprises with no history; every decision is recorded as it arrives."""
    none = np.zeros(0, np.int64)
    usage = Usage([], [], none, none, none, np.zeros(0, np.int8))
    graph = tiny_graph([("enterprise", CODE), ("enterprise", OTHER)], [])
    analytics = GraphAnalytics.load(graph, usage, empty_status(), Tokenizer(TEST_KEY), as_of=int(NOW.timestamp()))
    return WorkspaceGraphChecks(analytics.checks, FixedClock(NOW))


def test_identity_corpus(tmp_path: Path) -> None:
    counter = iter(range(10**6))
    outcomes: collections.Counter[str] = collections.Counter()

    def post(client: TestClient, changes: dict[str, Any]) -> Any:
        n = next(counter)
        body = application_body(application_id=f"C-{n}", **changes)
        return client.post("/v1/applications", json=body, headers={"Idempotency-Key": f"corpus-{n}"})

    with api(tmp_path / "clean") as clean:  # a clean graph: only the missing identity can refer
        for case, changes in missing():
            r = post(clean, changes)
            assert r.status_code == 201, (case, r.text)
            decision = r.json()
            assert decision["tier"] == "manual_review", (case, decision["reasons"])
            assert decision["reasons"][0]["code"] == "IDENTITY_INCOMPLETE", (case, decision)
            outcomes["referred (IDENTITY_INCOMPLETE)"] += 1
        assert not [s for s in stored(clean) if s.decision.tier.approves]

    with api(tmp_path / "graph", real_graph()) as client:
        linked = refused_and_linked(client, post, outcomes)
        decisions = {s.decision.application_id: s for s in stored(client)}
    assert not [s for s in decisions.values() if s.decision.tier.approves]  # no case approved, nor any seed
    for app_id in linked:  # one person, not two applicants on the device; the phone seen at the other company
        graph = decisions[app_id].inputs["graph"]
        assert graph["shared_device_applicants"] == 0, app_id
        assert graph["shared_phone_other_company"] is True, app_id
    summary = ", ".join(f"{k}: {v}" for k, v in outcomes.items())
    print(f"\nidentity corpus ({len(digit_scripts())} Unicode digit scripts): {summary}")


def stored(client: TestClient) -> list[Any]:
    return SQLDecisionStore(client.app.state.services.engine).all()  # type: ignore[attr-defined]


def refused_and_linked(client: TestClient, post: Any, outcomes: collections.Counter[str]) -> list[str]:
    """Post the refused cases (asserting the 422s) and the spellings (asserting no approval); the linked ids."""

    for case, changes, field in refused():
        r = post(client, changes)
        assert r.status_code == 422, (case, r.status_code, r.text)
        assert r.json()["field"] == field, (case, r.json())
        outcomes["refused (422 naming the field)"] += 1

    decider = client.app.state.services.intake.decider  # type: ignore[attr-defined]
    linked = []
    for case, changes in spellings():
        second = changes.get("applicant_id", "").endswith("Ｘ")
        ascii_identity = {"applicant_id": SECOND, "device_id": "dev-second", "ip": SECOND_IP} if second else {}
        request = ApplicationIn.model_validate(application_body(**changes)).to_request()
        expected = ApplicationIn.model_validate(application_body(**ascii_identity)).to_request()
        assert request == expected, case  # one spelling: the ASCII one
        decider.graph = real_graph()  # a graph of its own: the person's two applications are all it holds
        seed = post(client, {**ascii_identity, "credit_code": OTHER})  # in ASCII, to the other company
        assert seed.status_code == 201, seed.text
        r = post(client, changes)  # in another script, to this company
        assert r.status_code == 201, (case, r.text)
        assert r.json()["tier"] not in ("auto_approve", "suggest_approve"), (case, r.json())
        linked.append(r.json()["application_id"])
        outcomes["normalised and linked"] += 1
    return linked
