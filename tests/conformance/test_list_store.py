"""The ListStore port on every backend: versions, end-dating, lookup by value, the Allowlist seam, audit, reveal.

The SQL store keeps no raw value: the lookup key is a keyed token and the value is sealed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from riskloop.domain.lists import ListEntry, new_entry
from riskloop.errors import ConflictError, NotFoundError
from riskloop.graph.tokens import Tokenizer
from riskloop.privacy.envelope import Sealer
from riskloop.storage.decision_models import audit_log
from riskloop.storage.list_models import list_entries, list_versions
from riskloop.storage.list_store import SQLListStore
from riskloop.testing.keys import MemoryKeyProvider
from riskloop.testing.memory_lists import MemoryListStore

T0 = dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC)
PHONE, PERSON, CODE = "13800138000", "110105199003071239", "91420100000000001Y"


@pytest.fixture
def store(module_port_engine: sa.Engine | None) -> Any:
    if module_port_engine is None:
        return MemoryListStore()
    with module_port_engine.begin() as conn:
        for table in (list_entries, list_versions, audit_log):
            conn.execute(table.delete())
    return SQLListStore(module_port_engine, Tokenizer(b"k" * 32), Sealer(MemoryKeyProvider()))


def entry(list_kind: str, kind: str, value: str, **kw: Any) -> ListEntry:
    options = {"reason": "fraud", "source": "file", "provenance": {"file": "bl.csv", "row": "2"}, "valid_from": T0}
    return new_entry(list_kind, kind, value, **{**options, **kw})


def test_a_save_is_one_version_and_entries_are_found_by_value(store):
    version, saved = store.save(
        [entry("black", "phone", PHONE), entry("grey", "legal_rep_id", PERSON)],
        action="list.load", actor="kim", at=T0, detail={"file": "bl.csv"},
    )  # fmt: skip
    assert version.version == 1
    assert [e.version for e in saved] == [1, 1]
    assert len({e.entry_id for e in saved}) == 2
    found = store.find([("phone", PHONE), ("person", PERSON), ("phone", "13900139000")])
    assert set(found) == {("phone", PHONE), ("person", PERSON)}
    [black] = found[("phone", PHONE)]
    assert (black.list_kind, black.value, black.valid_from, black.provenance) == (
        "black", PHONE, T0, {"file": "bl.csv", "row": "2"})  # fmt: skip
    assert [v.detail for v in store.versions()] == [{"file": "bl.csv"}]


def test_end_dating_keeps_the_entry_and_is_a_new_version(store):
    _, [saved] = store.save([entry("black", "credit_code", CODE)], action="list.add", actor="kim", at=T0, detail={})
    later = T0 + dt.timedelta(days=1)
    ended = store.end(saved.entry_id, actor="kim", at=later, reason="cleared")
    assert (ended.ended_at, ended.ended_by, ended.end_reason) == (later, "kim", "cleared")
    with pytest.raises(ConflictError):
        store.end(saved.entry_id, actor="kim", at=later, reason="again")
    with pytest.raises(NotFoundError):
        store.end("L-none", actor="kim", at=later, reason="x")
    assert [v.action for v in store.versions()] == ["list.add", "list.end"]
    assert store.entries(list_kind=None, include_ended=False, reveal_to=None, at=later) == []
    [kept] = store.entries(list_kind="black", include_ended=True, reveal_to=None, at=later)
    assert kept.value is None
    assert kept.ended_at == later
    [(_, [found])] = store.find([("credit_code", CODE)]).items()
    assert found.in_force(T0)
    assert not found.in_force(later)


def test_a_beijing_time_round_trips_as_the_same_instant(store):
    beijing = dt.datetime(2027, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    store.save([entry("grey", "ip", "10.0.0.1", expires_at=beijing)], action="list.add", actor="kim", at=T0, detail={})
    [(_, [found])] = store.find([("ip", "10.0.0.1")]).items()
    assert found.expires_at == beijing


def test_allows_a_white_listed_value_until_it_expires_and_never_a_black_one(store):
    expires = T0 + dt.timedelta(days=30)
    store.save([entry("white", "device_id", "dev-1", expires_at=expires), entry("white", "phone", PHONE),
                entry("black", "phone", PHONE)], action="list.load", actor="kim", at=T0, detail={})  # fmt: skip
    assert store.allows("device_id", "dev-1", T0)
    assert not store.allows("device_id", "dev-1", expires)
    assert not store.allows("phone", "+86 138-0013-8000", T0)  # black wins over white
    assert not store.allows("ip", "10.0.0.2", T0)
    assert not store.allows("phone", "junk", T0)


def test_values_are_revealed_only_on_request_and_each_reveal_is_audited(store, module_port_engine):
    store.save([entry("black", "resident_id", PERSON)], action="list.add", actor="kim", at=T0, detail={})
    [masked] = store.entries(list_kind=None, include_ended=False, reveal_to=None, at=T0)
    assert masked.value is None
    assert PERSON not in masked.label
    [whole] = store.entries(list_kind=None, include_ended=False, reveal_to="dan", at=T0)
    assert whole.value == PERSON
    if module_port_engine is None:
        return
    with module_port_engine.connect() as conn:
        actions = [
            (r.actor, r.action, r.entity) for r in conn.execute(sa.select(audit_log).order_by(audit_log.c.audit_id))
        ]
        stored = " ".join(str(v) for row in conn.execute(sa.select(list_entries)) for v in row)
    assert actions == [("kim", "list.add", "list_entry"), ("kim", "list.add", "list_version"),
                       ("dan", "pii.reveal", "list_entries")]  # fmt: skip
    assert PERSON not in stored  # tokenised and sealed: no raw value at rest
