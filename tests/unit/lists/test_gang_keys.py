"""A confirmed gang's shared identifiers listed by graph key: never infrastructure or hubs, matched by key."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from riskloop.domain.access import ANALYST, REVIEWER
from riskloop.domain.clock import FixedClock
from riskloop.domain.decision import Tier
from riskloop.domain.identifiers import uscc_check_char
from riskloop.domain.lists import DetectedGang, GraphIdentifier, graph_entry
from riskloop.errors import ForbiddenError, NotFoundError, ValidationError
from riskloop.graph.linking import GangSettings
from riskloop.graph.shared import describe, key_hex, request_keys, shared_identifiers
from riskloop.graph.tokens import Tokenizer
from riskloop.graph.usage import ROLE_CODE, Usage
from riskloop.service.lists import ListDesk, StoreListScreen
from riskloop.storage.arrivals import keyed
from riskloop.testing.decider import CODE, NOW, make_decider, request
from riskloop.testing.memory_lists import MemoryGangFinder, MemoryListStore
from riskloop.testing.principals import person

T = Tokenizer(b"k" * 32)
RITA, CAT = person("rita", REVIEWER), person("cat", ANALYST)
MEMBERS = [b + uscc_check_char(b) for b in ("91420100000000002", "91420100000000003", "91420100000000004")]
DEVICE, PHONE = "Dev-Ring-01", "138 0013 9999"


def ident(kind: str, value: str, link: str) -> GraphIdentifier:
    return GraphIdentifier(kind, T.token(kind, value), "label", link)


def usage(rows: list[tuple[int, str, int]], codes: list[str], infrastructure: frozenset[int] = frozenset()) -> Usage:
    app, role, key = zip(*rows, strict=True)
    return Usage([f"A{i}" for i in range(len(codes))], codes, np.arange(len(codes)) * 60,
                 np.array(app), np.array(key, dtype=np.int64), np.array([ROLE_CODE[r] for r in role], dtype=np.int8),
                 infrastructure)  # fmt: skip


def test_only_personal_identifiers_two_member_enterprises_share_are_found_never_infrastructure_or_hubs():
    dev, kiosk, addr, phone, hub = 11, 12, 13, 14, 15
    codes = ["E1", "E2", "E3", *[f"H{i}" for i in range(3)]]
    rows = [(0, "device", dev), (1, "device", dev), (0, "address", addr), (1, "address", addr), (2, "address", addr),
            (0, "phone", phone), (0, "login_device", kiosk), (1, "login_device", kiosk),
            *[(a, "applicant", hub) for a in range(6)]]  # fmt: skip
    found = shared_identifiers(usage(rows, codes, frozenset({kiosk})), np.array([0, 1, 2]), np.ones(6, bool),
                               GangSettings(max_parties=4))  # fmt: skip
    assert found == [("device", dev, 2)]  # the address is shared by nature, the phone by one firm, the person a hub


def test_a_request_is_keyed_as_the_graph_and_the_arrival_log_key_it():
    raw = request(device_id=DEVICE, phone=PHONE).to_dict()
    keys = {field: key for field, _, key in request_keys(raw, T)}
    assert keys["device_id"] == key_hex(T.key64("device", "dev-ring-01"))  # the graph's normalisation
    assert keys["phone"] == T.token("phone", "13800139999")[:16]
    logged = request_keys({"device_id": keyed(T, "device", DEVICE), "phone": "not a phone"}, T)
    assert logged == [("device_id", "device", keys["device_id"])]  # a logged token gives its key; junk nothing
    assert "device_id" not in {f for f, _, _ in request_keys({**raw, "channel": "branch"}, T)}  # a kiosk's


def test_describe_takes_the_nodes_token_and_masked_label():
    key = T.key64("phone", "13800139999")
    nodes = pa.table({"kind": pa.array([2], pa.int8()), "key": pa.array([key], pa.int64()),
                      "token": [T.token("phone", "13800139999")], "label": ["138****9999"]})  # fmt: skip
    [found] = describe([("phone", key, 3)], nodes)
    assert (found.token, found.label, found.link, found.enterprises) == (
        T.token("phone", "13800139999"), "138****9999", "uses_phone", 3)  # fmt: skip
    [bare] = describe([("device", 7, 2)], None)
    assert bare.token == key_hex(7)


def test_graph_tokens_are_checked():
    with pytest.raises(ValidationError):
        GraphIdentifier("device", "not-hex", "x", "uses_device")
    with pytest.raises(ValidationError):
        GraphIdentifier("ip", "0" * 24, "x", "uses_ip")  # networks are never listed by key


def test_a_confirmed_gangs_shared_device_declines_another_enterprise_and_spares_an_unrelated_one():
    store = MemoryListStore()
    desk = ListDesk(store, FixedClock(NOW))
    gang = DetectedGang("G-9", tuple(MEMBERS), (ident("device", "dev-ring-01", "uses_device"),
                                                ident("phone", "13800139999", "uses_phone")))  # fmt: skip
    finder = MemoryGangFinder([gang])
    with pytest.raises(ForbiddenError):
        desk.confirm_detected_gang(CAT, "G-9", MemoryGangFinder([]), evidence="case://9")  # before detection
    with pytest.raises(NotFoundError):
        desk.confirm_detected_gang(RITA, "G-1", finder, evidence="case://9")
    result = desk.confirm_detected_gang(RITA, "G-9", finder, evidence="case://9")
    shared = [e for e in result["entries"] if e["identifier_kind"] != "credit_code"]
    assert [(e["identifier_kind"], e["value"], e["provenance"]["link"]) for e in shared] == [
        ("device_id", None, "uses_device"), ("phone", None, "uses_phone")]  # fmt: skip
    assert {e["provenance"]["reviewer"] for e in result["entries"]} == {"rita"}
    screen = StoreListScreen(store, lambda values: request_keys(values, T))
    decide = make_decider(lists=screen).decide
    assert CODE not in MEMBERS
    declined = decide(request(device_id=DEVICE)).decision
    assert (declined.tier, "BLACKLIST" in [r.code for r in declined.reasons]) == (Tier.AUTO_REJECT, True)
    assert decide(request(phone="+86 138-0013-9999")).decision.tier is Tier.AUTO_REJECT
    assert decide(request()).decision.tier is Tier.AUTO_APPROVE
    assert make_decider(lists=StoreListScreen(store)).decide(request(device_id=DEVICE)).decision.tier is (
        Tier.AUTO_APPROVE
    )  # fmt: skip  (without the graph's key a screen cannot see graph-keyed entries)


def test_a_graph_keyed_entry_matches_once_per_field():
    store = MemoryListStore()
    desk = ListDesk(store, FixedClock(NOW))
    desk.confirm_gang(RITA, "G-2", credit_codes=[MEMBERS[0]], identifiers=[("device_id", DEVICE)],
                      evidence="e", graph_identifiers=[ident("device", "dev-ring-01", "uses_device")])  # fmt: skip
    hits = StoreListScreen(store, lambda values: request_keys(values, T)).screen(request(device_id=DEVICE), NOW)
    assert hits.black == ("device_id",)
    assert len(hits.entries) == 2  # the case file's value and the graph's key, both named as evidence


def test_a_graph_entry_carries_no_raw_value():
    entry = graph_entry("black", ident("person", "110105199003071239", "applied_by"), reason="r",
                        source="gang_confirmed", provenance={"gang_id": "G"}, valid_from=NOW)  # fmt: skip
    assert "110105199003071239" not in repr(entry)
    assert entry.identifier_kind == "resident_id"
    assert entry.match_key == ("graph.person", T.token("person", "110105199003071239")[:16])
