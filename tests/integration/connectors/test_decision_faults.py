"""The decision path pulls the bureau report through a real local gateway that misbehaves: every fault leaves the
bureau missing and refers the application with its reason (never an approval); the decision path does not retry a
timed-out pull past the source's timeout; an unconsented pull is never sent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from riskloop.connectors.gateway import HttpGatewaySource
from riskloop.domain.clock import SystemClock
from riskloop.domain.decision import Tier
from riskloop.service.bureau_pull import BureauPull
from riskloop.service.decide import Decider
from riskloop.testing.decider import CODE, make_decider, request
from riskloop.testing.fake_gateway import FakeGateway, default_report
from riskloop.testing.memory_sources import PullerKit, memory_puller, shipped_catalog

TIMEOUT = 0.2  # seconds: the source's timeout, and the decision path's budget


def good_report(subject: str) -> dict[str, Any]:
    return {**default_report(subject), "bureau_score": 780, "existing_debt_cents": 0, "overdue_accounts": 0}


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    with FakeGateway(delay=TIMEOUT * 3, report=good_report) as g:
        yield g


def wired(gateway: FakeGateway, **pboc: Any) -> tuple[Decider, PullerKit, str]:
    settings = {"endpoint": gateway.url, "timeout_seconds": TIMEOUT, "retries": 2,
                "backoff": {"base_seconds": 0.01, "max_seconds": 0.02}, **pboc}  # fmt: skip
    kit = memory_puller(SystemClock(), {"pboc": HttpGatewaySource("pboc", gateway.url)}, shipped_catalog(pboc=settings))
    consent = kit.desk.record(subject=CODE, subject_kind="enterprise", sources=["pboc"], purpose="credit_assessment",
                              expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=30), evidence="AUTH-1",
                              actor="chan")  # fmt: skip
    return make_decider(bureau=BureauPull(kit.puller)), kit, consent.consent_id


def codes(decider: Decider, consent_id: str | None, **changes: Any) -> tuple[Tier, list[str], Any]:
    outcome = decider.decide(request(consent_id=consent_id, **changes))
    return outcome.decision.tier, [r.code for r in outcome.decision.reasons], outcome


def test_a_healthy_gateway_fills_the_bureau_fields_and_the_application_can_be_approved(gateway: FakeGateway) -> None:
    decider, kit, consent_id = wired(gateway)
    tier, _, outcome = codes(decider, consent_id, bureau_score=None, existing_debt_cents=None)
    assert tier.approves
    assert outcome.inputs.request.bureau_score == 780  # from the report, kept in the inputs for replay
    assert outcome.inputs.failures == ()
    assert [r.body["consent_id"] for r in gateway.log] == [consent_id]
    (stored,) = kit.payloads.for_request("APP-1")
    assert stored.consent_id == consent_id
    assert "legal_rep_name" not in stored.body


@pytest.mark.parametrize(
    ("mode", "reason", "most_requests"),
    [
        ("timeout", "SOURCE_UNAVAILABLE", 1),  # the budget is the timeout: no retry
        ("5xx", "SOURCE_UNAVAILABLE", 3),  # fast failures: retried within the budget, bounded by retries
        ("malformed", "SOURCE_MALFORMED", 1),
        ("wrong_schema", "SOURCE_MALFORMED", 1),
    ],
)
def test_a_failing_gateway_refers_with_its_reason_and_never_approves(
    gateway: FakeGateway, mode: str, reason: str, most_requests: int
) -> None:
    decider, _, consent_id = wired(gateway)
    gateway.mode = mode
    tier, reasons, outcome = codes(decider, consent_id)  # the channel's good bureau score is replaced, not kept
    assert tier is Tier.MANUAL_REVIEW
    assert reasons[0] == reason
    assert "DATA_UNAVAILABLE_BUREAU" in reasons
    assert outcome.inputs.request.bureau_score is None
    assert outcome.inputs.failures[0][0] == "bureau"
    assert 1 <= len(gateway.log) <= most_requests


def test_without_a_valid_consent_nothing_is_sent_and_the_application_is_referred(gateway: FakeGateway) -> None:
    decider, kit, consent_id = wired(gateway)
    kit.desk.revoke(consent_id, actor="chan")
    for given in (consent_id, "cns_unknown"):
        tier, reasons, _ = codes(decider, given)
        assert tier is Tier.MANUAL_REVIEW
        assert reasons[0] == "CONSENT_MISSING"
    assert gateway.log == []
    assert [e.action for e in kit.consents.audit_rows][-2:] == ["source.pull_refused", "source.pull_refused"]


def test_without_a_consent_id_the_channels_bureau_fields_are_used_as_before(gateway: FakeGateway) -> None:
    decider, _, _ = wired(gateway)
    tier, _, outcome = codes(decider, None)
    assert tier.approves
    assert outcome.inputs.request.bureau_score == 760
    assert gateway.log == []


def test_an_open_circuit_refers_without_calling_the_gateway(gateway: FakeGateway) -> None:
    decider, kit, consent_id = wired(gateway, retries=0, breaker={"failures_to_open": 2, "reset_after_seconds": 60})
    gateway.mode = "5xx"
    for _ in range(2):
        codes(decider, consent_id)
    assert kit.puller.states()["pboc"]["breaker"] == "open"
    calls = len(gateway.log)
    tier, reasons, outcome = codes(decider, consent_id)
    assert tier is Tier.MANUAL_REVIEW
    assert reasons[0] == "SOURCE_UNAVAILABLE"
    assert "circuit open" in outcome.inputs.failures[0][1]
    assert len(gateway.log) == calls


def test_approvals_on_missing_data_are_zero_across_faults(gateway: FakeGateway) -> None:
    decider, _, consent_id = wired(gateway)
    approvals = 0
    for mode in ("timeout", "5xx", "malformed", "wrong_schema"):
        gateway.mode = mode
        for n in range(3):
            tier, _, _ = codes(decider, consent_id, application_id=f"APP-{mode}-{n}")
            approvals += tier.approves
    assert approvals == 0
