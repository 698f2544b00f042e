"""The alert desk's rules, on the use case with the in-memory store and a stepping clock (no database)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Sequence

import pytest

from riskloop.domain.access import AUDITOR, CHANNEL, POST_LOAN_OFFICER, REVIEWER
from riskloop.domain.alert import Alert, AlertFilter, AlertKey, Evidence, Hop, SignalValue, check_alert_id
from riskloop.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from riskloop.service.alerts import AlertDesk, RaiseCounts, new_alert_id
from riskloop.testing.alerts import credit_code, propagated, raised
from riskloop.testing.clock import SteppingClock
from riskloop.testing.memory_alerts import MemoryAlerts
from riskloop.testing.principals import person

NOW = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
PAUL, PIA = person("paul", POST_LOAN_OFFICER), person("pia", POST_LOAN_OFFICER)
AUDREY = person("audrey", AUDITOR)


@pytest.fixture
def store() -> MemoryAlerts:
    return MemoryAlerts()


@pytest.fixture
def desk(store: MemoryAlerts) -> AlertDesk:
    ids = iter(range(1, 100))
    return AlertDesk(store, SteppingClock(NOW), new_id=lambda: f"alr_{next(ids)}")


def raise_one(desk: AlertDesk, **changes: object) -> str:
    return desk.raise_many([raised(**changes)], actor="job:monitor").alerts[0].alert_id  # type: ignore[arg-type]


def test_an_alert_goes_open_acknowledged_actioned_closed_with_a_loan_action(desk: AlertDesk) -> None:
    alert_id = raise_one(desk)
    assert desk.acknowledge(PAUL, alert_id, "calling the firm").officer == "paul"  # taken by who acknowledged
    alert, action = desk.act(PAUL, alert_id, "freeze_undrawn_limit", "inflow down 62 % on three months")
    assert (alert.status, action.loan_id, action.action, action.reasons) == (
        "actioned", "L-1", "freeze_undrawn_limit", ("inflow down 62 % on three months",))  # fmt: skip
    assert desk.act(PAUL, alert_id, "start_collection", "missed an instalment")[0].status == "actioned"
    assert desk.close(PIA, alert_id, "collection started").status == "closed"
    view = desk.get(AUDREY, alert_id).to_dict()
    assert [a["action"] for a in view["actions"]] == ["freeze_undrawn_limit", "start_collection"]
    assert [(h["actor"], h["action"]) for h in view["history"]] == [
        ("job:monitor", "alert.raised"), ("paul", "alert.acknowledged"), ("paul", "alert.actioned"),
        ("paul", "alert.actioned"), ("pia", "alert.closed")]  # fmt: skip
    assert view["history"][-1]["detail"] == {"from_status": "actioned", "comment": "collection started"}
    assert view["evidence"]["policy"] == "reference-warning"
    assert (view["level_zh"], view["status_zh"]) == ("关注", "已关闭")


def test_steps_out_of_order_are_conflicts_naming_the_status(desk: AlertDesk) -> None:
    alert_id = raise_one(desk)
    with pytest.raises(ConflictError, match="acknowledge it before acting") as caught:
        desk.act(PAUL, alert_id, "reduce_limit", "x")
    assert caught.value.field == "status"
    assert desk.close(PAUL, alert_id, "false alarm: seasonal dip").status == "closed"  # from open, with a comment
    for step in (lambda: desk.acknowledge(PAUL, alert_id, "x"), lambda: desk.close(PAUL, alert_id, "x"),
                 lambda: desk.act(PAUL, alert_id, "reduce_limit", "x")):  # fmt: skip
        with pytest.raises(ConflictError):
            step()


def test_every_step_needs_a_comment_a_known_action_and_a_loan(desk: AlertDesk) -> None:
    alert_id = raise_one(desk)
    with pytest.raises(ValidationError) as blank:
        desk.acknowledge(PAUL, alert_id, "  ")
    assert blank.value.field == "comment"
    desk.acknowledge(PAUL, alert_id, "ok")
    with pytest.raises(ValidationError) as unknown:
        desk.act(PAUL, alert_id, "write_off", "x")
    assert unknown.value.field == "action"
    with pytest.raises(ValidationError) as no_reason:
        desk.act(PAUL, alert_id, "reduce_limit", "")
    assert no_reason.value.field == "reason"
    off_book = raise_one(desk, n=2, loan_id=None)
    desk.acknowledge(PAUL, off_book, "ok")
    with pytest.raises(ConflictError) as caught:
        desk.act(PAUL, off_book, "reduce_limit", "x")
    assert caught.value.field == "loan_id"


def test_officers_work_alerts_auditors_read_them_and_nobody_else_does(desk: AlertDesk) -> None:
    alert_id = raise_one(desk)
    assert desk.list(AUDREY, AlertFilter()).total == 1
    for who in (person("chan", CHANNEL), person("rita", REVIEWER)):
        with pytest.raises(ForbiddenError):
            desk.list(who, AlertFilter())
        with pytest.raises(ForbiddenError):
            desk.get(who, alert_id)
    with pytest.raises(ForbiddenError, match="post_loan_officer"):
        desk.acknowledge(AUDREY, alert_id, "x")
    with pytest.raises(NotFoundError, match="alert alr_404 does not exist"):
        desk.get(PAUL, "alr_404")
    with pytest.raises(ValidationError) as bad_id:
        desk.get(PAUL, "../etc")
    assert bad_id.value.field == "alert_id"


def test_a_higher_level_upgrades_and_reopens_a_lower_one_changes_nothing(desk: AlertDesk, store: MemoryAlerts) -> None:
    alert_id = raise_one(desk)
    desk.close(PAUL, alert_id, "watching")
    assert desk.raise_many([raised(level="notice")], actor="job:monitor").unchanged == 1
    result = desk.raise_many([raised(level="warning", officer="pia")], actor="job:monitor")
    alert = result.alerts[0]
    assert (result.upgraded, alert.alert_id, alert.level, alert.status) == (1, alert_id, "warning", "open")
    assert alert.officer == "pia"  # nobody had it: the new assignment holds
    assert [e.action for e in store.history(alert_id)][-1] == "alert.upgraded"
    assert [e.payload["event"] for e in store.outbox.events(state=None, limit=10)] == ["alert.upgraded",
                                                                                       "alert.raised"]  # fmt: skip


def test_a_propagated_alert_finds_its_source_by_key_in_the_batch_or_stored(desk: AlertDesk) -> None:
    source = raised(1, level="warning")
    batch = desk.raise_many([propagated(source, 2), source], actor="job:monitor")  # the source stored first
    derived, stored_source = batch.alerts
    assert derived.evidence.source_alert_id == stored_source.alert_id
    assert derived.evidence.path == (Hop(credit_code(1), credit_code(2), "guarantee"),)
    later = desk.raise_many([propagated(source, 3)], actor="job:monitor").alerts[0]
    assert later.evidence.source_alert_id == stored_source.alert_id
    orphan = dataclasses.replace(propagated(source, 4), source=AlertKey(credit_code(7), "x", "2026-06"))
    with pytest.raises(ValidationError) as caught:
        desk.raise_many([raised(5), orphan], actor="job:monitor")
    assert caught.value.field == "alerts[1].source"
    assert desk.list(PAUL, AlertFilter(), limit=10).total == 3  # nothing of the refused batch was stored


def test_evidence_with_a_raw_personal_identifier_is_refused(desk: AlertDesk) -> None:
    phone = dataclasses.replace(raised(), evidence=Evidence((SignalValue("contact", "13800138000"),), "p", 1))
    with pytest.raises(ValidationError) as caught:
        desk.raise_many([raised(2), phone], actor="job:monitor")
    assert caught.value.field == "alerts[1].evidence.signals[0].value"
    person_hop = propagated(raised(1), 2)
    path = (Hop("11010519491231002X", credit_code(2), "legal_rep"),)
    by_id = dataclasses.replace(person_hop, evidence=dataclasses.replace(person_hop.evidence, path=path))
    with pytest.raises(ValidationError) as node:
        desk.raise_many([by_id], actor="job:monitor")
    assert node.value.field == "alerts[0].evidence.path[0].from"
    token = (Hop(credit_code(1), "0123456789abcdef01234567", "legal_rep"),
             Hop("0123456789abcdef01234567", credit_code(2), "legal_rep"))  # fmt: skip
    tokened = dataclasses.replace(person_hop, evidence=dataclasses.replace(person_hop.evidence, path=token))
    assert desk.raise_many([raised(1), tokened], actor="job:monitor").raised == 2
    assert desk.list(PAUL, AlertFilter()).total == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"level": "severe"}, "level"),
        ({"period": "2026-13"}, "period"),
        ({"signal": "Inflow Drop"}, "signal"),
        ({"credit_code": "91420100000000001X"}, "credit_code"),
        ({"industry_section": "Z"}, "industry_section"),
        ({"origin": "propagated"}, "evidence.path"),
    ],
)
def test_a_bad_field_of_a_raised_alert_is_named(desk: AlertDesk, changes: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        desk.raise_many([raised(**changes)], actor="job:monitor")  # type: ignore[arg-type]
    assert caught.value.field == f"alerts[0].{field}"


def test_lists_check_their_filters_and_page(desk: AlertDesk) -> None:
    for n in range(1, 8):
        raise_one(desk, n=n)
    page = desk.list(PAUL, AlertFilter(status="open"), limit=3, offset=3).to_dict()
    assert (page["total"], len(page["alerts"]), page["next_offset"]) == (7, 3, 6)
    assert "evidence" not in page["alerts"][0]
    assert desk.list(PAUL, AlertFilter(), limit=3, offset=6).to_dict()["next_offset"] is None
    for kwargs, field in (({"limit": 0}, "limit"), ({"offset": -1}, "offset")):
        with pytest.raises(ValidationError) as caught:
            desk.list(PAUL, AlertFilter(), **kwargs)
        assert caught.value.field == field
    with pytest.raises(ValidationError) as level:
        desk.list(PAUL, AlertFilter(level="red"))
    assert level.value.field == "level"


class _CountingReads(MemoryAlerts):
    """The in-memory store, recording which keys were read whole."""

    def __init__(self) -> None:
        super().__init__()
        self.read_whole: list[AlertKey] = []

    def find_keys(self, keys: Sequence[AlertKey]) -> dict[AlertKey, Alert]:
        self.read_whole.extend(keys)
        return super().find_keys(keys)


def test_a_batch_raised_again_reads_whole_only_what_it_upgrades() -> None:
    store = _CountingReads()
    desk = AlertDesk(store, SteppingClock(NOW))
    first = desk.raise_counted([raised(1), raised(2, level="notice"), raised(3)], actor="job:monitor")
    assert first == RaiseCounts(raised=3, upgraded=0, unchanged=0)
    again = [raised(1), raised(2, level="warning"), raised(3, level="notice"), raised(4)]
    assert desk.raise_counted(again, actor="job:monitor") == RaiseCounts(raised=1, upgraded=1, unchanged=2)
    assert store.read_whole == [raised(2).key]  # unchanged alerts cost the read of their key and level only
    assert sorted((a.credit_code, a.level) for a in store.alerts.values()) == [
        (credit_code(1), "attention"), (credit_code(2), "warning"), (credit_code(3), "attention"),
        (credit_code(4), "attention"),
    ]  # fmt: skip


def test_counting_raises_and_returning_them_store_the_same_on_a_random_book() -> None:
    rng = random.Random(13)
    counted, returned = MemoryAlerts(), MemoryAlerts()
    desks = [AlertDesk(s, SteppingClock(NOW), new_id=iter(f"alr_{i}" for i in range(10_000)).__next__)
             for s in (counted, returned)]  # fmt: skip
    levels = ("notice", "attention", "warning")
    for _ in range(6):  # six daily runs of a book of 40 enterprises and three signals
        batch = [raised(n, level=rng.choice(levels), signal=s) for n in range(40) for s in ("a", "b", "c")
                 if rng.random() < 0.5]  # fmt: skip
        sources = [r for r in batch if r.level == "warning"][:3]
        batch += [propagated(src, 100 + i) for i, src in enumerate(sources)]
        counts = desks[0].raise_counted(batch, actor="job:monitor")
        result = desks[1].raise_many(batch, actor="job:monitor")
        assert counts == RaiseCounts(result.raised, result.upgraded, result.unchanged)
        assert [a.key for a in result.alerts] == [r.key for r in batch]
        assert counted.alerts == returned.alerts
        assert [(e.action, e.entity_id, e.detail) for e in counted.audit] == [
            (e.action, e.entity_id, e.detail) for e in returned.audit
        ]


def test_what_would_be_stored_is_checked_and_an_alert_that_changes_nothing_is_dropped(desk: AlertDesk) -> None:
    desk.raise_counted([raised(1, level="warning")], actor="job:monitor")
    phone = Evidence((SignalValue("contact", "13800138000"),), "p", 1)
    lower = dataclasses.replace(raised(1, level="notice"), evidence=phone)  # its key is stored higher: never stored
    assert desk.raise_counted([lower], actor="job:monitor") == RaiseCounts(raised=0, upgraded=0, unchanged=1)
    for bad, field in ((dataclasses.replace(raised(2), evidence=phone), "alerts[1].evidence.signals[0].value"),
                       (raised(1, level="severe"), "alerts[1].level")):  # fmt: skip
        with pytest.raises(ValidationError) as caught:
            desk.raise_counted([raised(3), bad], actor="job:monitor")
        assert caught.value.field == field
    assert desk.list(PAUL, AlertFilter(), limit=10).total == 1  # nothing of a refused batch was stored


def test_alert_ids_sort_by_their_creation_time_and_keep_84_random_bits() -> None:
    rng = random.Random(5)
    times = sorted(NOW + dt.timedelta(milliseconds=rng.randrange(10**12)) for _ in range(2000))
    times += [dt.datetime(1960, 1, 1, tzinfo=dt.UTC)]  # before the epoch: the smallest prefix, still an id
    ids = [new_alert_id(at) for at in times]
    assert ids[:-1] == sorted(ids[:-1])  # a batch made later lands at the end of the indexes keyed by id
    assert ids[-1] < ids[0]
    assert all(check_alert_id(i) == i and len(i) == 26 for i in ids)
    same = {new_alert_id(NOW) for _ in range(2000)}  # one instant: the random part alone tells them apart
    assert len(same) == 2000
    assert len({i[:12] for i in same}) == 1


def test_the_desk_stamps_new_alert_ids_with_its_clock() -> None:
    clock, store = SteppingClock(NOW), MemoryAlerts()
    desk = AlertDesk(store, clock)
    first = desk.raise_many([raised(n) for n in range(5)], actor="job:monitor").alerts
    clock.advance(milliseconds=1)
    later = desk.raise_counted([raised(n) for n in range(5, 10)], actor="job:monitor")
    ids = sorted(store.alerts)
    assert later.raised == 5
    assert {a.alert_id for a in first} == set(ids[:5])
    assert {i[:12] for i in ids[:5]} == {new_alert_id(NOW)[:12]}
