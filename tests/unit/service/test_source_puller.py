"""SourcePuller on in-memory ports: no pull without consent (refused, audited, nothing sent), bounded retries with
seeded jittered backoff, the circuit breaker's open and half-open states, the rate limit, the deadline, payload
validation, minimum necessary and the lineage of what is kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

from riskloop.domain.consent import ConsentError
from riskloop.domain.source_payload import MalformedPayloadError, SourceError
from riskloop.domain.source_settings import Breaker, RateLimit
from riskloop.service.resilience import CLOSED, HALF_OPEN, OPEN
from riskloop.testing.clock import SteppingClock
from riskloop.testing.memory_sources import PullerKit, ScriptedSource, memory_puller, shipped_catalog

T0 = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
CODE = "91420100000000001Y"
REPORT = {"report_id": "R1", "bureau_score": 700, "existing_debt_cents": 5, "legal_rep_name": "张三"}


def timeout() -> SourceError:
    return SourceError("pboc", "timed out", retryable=True, kind="timeout")


def kit(source: ScriptedSource, **pboc: object) -> tuple[PullerKit, SteppingClock]:
    clock = SteppingClock(T0)
    catalog = shipped_catalog(pboc={"endpoint": "memory:pboc", **pboc}) if pboc else None
    return memory_puller(clock, {"pboc": source}, catalog), clock


def grant(k: PullerKit, days: int = 30, **changes: object) -> str:
    fields: dict[str, object] = {
        "subject": CODE, "subject_kind": "enterprise", "sources": ["pboc"], "purpose": "credit_assessment",
        "expires_at": T0 + dt.timedelta(days=days), "evidence": "AUTH-1", "actor": "chan",
    }  # fmt: skip
    fields.update(changes)
    return k.desk.record(**fields).consent_id  # type: ignore[arg-type]


def pull(k: PullerKit, consent_id: str | None, **changes: object) -> object:
    args: dict[str, object] = {"subject": CODE, "subject_kind": "enterprise", "purpose": "credit_assessment",
                               "consent_id": consent_id, "request_id": "APP-1"}  # fmt: skip
    args.update(changes)
    return k.puller.pull("pboc", **args)  # type: ignore[arg-type]


def test_a_pull_keeps_the_purposes_fields_and_stores_them_with_lineage() -> None:
    raw = json.dumps(REPORT).encode()
    k, _ = kit(ScriptedSource(default=raw))
    cid = grant(k)
    pulled = pull(k, cid)
    assert pulled.values == {"report_id": "R1", "bureau_score": 700, "existing_debt_cents": 5,  # type: ignore[attr-defined]
                             "overdue_accounts": None, "inquiries_3m": None}  # fmt: skip
    (stored,) = k.payloads.for_request("APP-1")
    assert (stored.source, stored.consent_id, stored.fetched_at, stored.purpose) == ("pboc", cid, T0,
                                                                                     "credit_assessment")  # fmt: skip
    assert stored.sha256 == hashlib.sha256(raw).hexdigest()
    assert "张三" not in stored.body
    assert CODE not in stored.body
    assert CODE not in stored.subject_token
    assert json.loads(stored.body)["bureau_score"] == 700


@pytest.mark.parametrize(
    ("consent_of", "purpose", "advance_days", "why"),
    [
        (None, "credit_assessment", 0, "none given"),
        ("unknown", "credit_assessment", 0, "cns_x is not recorded"),
        ("other", "credit_assessment", 0, "another subject's"),
        ("mine", "post_loan_monitoring", 0, "is for credit_assessment, not post_loan_monitoring"),
        ("mine", "credit_assessment", 31, "expired at"),
        ("revoked", "credit_assessment", 0, "was revoked at"),
    ],
)
def test_no_pull_without_a_valid_consent_and_each_refusal_is_audited(
    consent_of: str | None, purpose: str, advance_days: int, why: str
) -> None:
    source = ScriptedSource()
    k, clock = kit(source)
    ids = {"mine": grant(k), "other": grant(k, subject="91420100000000002W"), "unknown": "cns_x", None: None}
    ids["revoked"] = grant(k)
    k.desk.revoke(str(ids["revoked"]), actor="chan")
    clock.advance(days=advance_days)
    with pytest.raises(ConsentError, match=why) as info:
        pull(k, ids[consent_of], purpose=purpose)
    assert info.value.field == "consent_id"
    assert source.queries == []  # nothing was sent
    refused = [e for e in k.consents.audit_rows if e.action == "source.pull_refused"]
    assert len(refused) == 1
    assert refused[0].detail["request_id"] == "APP-1"
    assert why in refused[0].detail["reason"]
    assert k.payloads.payloads == {}


def test_retries_are_bounded_with_seeded_jittered_exponential_backoff() -> None:
    source = ScriptedSource(default=timeout())
    k, _ = kit(source, retries=3, backoff={"base_seconds": 0.1, "max_seconds": 0.25, "jitter": 0.5})
    cid = grant(k)
    with pytest.raises(SourceError, match="timed out"):
        pull(k, cid)
    assert len(source.queries) == 4  # the first attempt and three retries
    waits = k.sleeper.waits
    assert len(waits) == 3
    for attempt, wait in enumerate(waits):
        ceiling = min(0.25, 0.1 * 2**attempt)
        assert ceiling * 0.5 <= wait <= ceiling
    again, _ = kit(ScriptedSource(default=timeout()), retries=3, backoff={"base_seconds": 0.1, "max_seconds": 0.25})
    with pytest.raises(SourceError):
        pull(again, grant(again))
    assert again.sleeper.waits == waits  # the same seed, the same jitter


def test_a_retry_then_success_and_no_retry_of_what_cannot_succeed() -> None:
    source = ScriptedSource(script=[SourceError("pboc", "HTTP 503", retryable=True)])
    k, _ = kit(source)
    cid = grant(k)
    assert pull(k, cid).attempts == 2  # type: ignore[attr-defined]
    refused = ScriptedSource(default=SourceError("pboc", "HTTP 400", retryable=False))
    k2, _ = kit(refused)
    with pytest.raises(SourceError, match="HTTP 400"):
        pull(k2, grant(k2))
    assert len(refused.queries) == 1


def test_a_deadline_stops_retries_and_shortens_the_attempts_timeout() -> None:
    source = ScriptedSource(default=timeout())
    k, clock = kit(source, retries=5, timeout_seconds=1.0)
    cid = grant(k)
    source.default = lambda q: (clock.advance(seconds=0.4), timeout())[1]  # each attempt spends 0.4 s
    with pytest.raises(SourceError):
        pull(k, cid, budget_seconds=1.0)
    assert len(source.queries) < 6
    assert sum(k.sleeper.waits) + 0.4 * len(source.queries) <= 1.0 + 0.4  # never waits to retry past the budget
    assert all(t <= 1.0 for t in source.timeouts)
    assert source.timeouts[-1] < 1.0


def test_the_breaker_opens_after_consecutive_failures_then_half_opens_for_one_trial() -> None:
    source = ScriptedSource(default=timeout())
    k, clock = kit(source, retries=0, breaker={"failures_to_open": 3, "reset_after_seconds": 30})
    cid = grant(k)
    for _ in range(3):
        with pytest.raises(SourceError, match="timed out"):
            pull(k, cid)
    assert k.puller.breakers["pboc"].state() == OPEN
    with pytest.raises(SourceError, match="circuit open") as info:
        pull(k, cid)
    assert info.value.kind == "circuit_open"
    assert len(source.queries) == 3  # refused without calling
    clock.advance(seconds=30)
    assert k.puller.breakers["pboc"].state() == HALF_OPEN
    with pytest.raises(SourceError, match="timed out"):  # the one trial fails: open again
        pull(k, cid)
    assert k.puller.breakers["pboc"].state() == OPEN
    assert len(source.queries) == 4
    clock.advance(seconds=30)
    source.default = json.dumps(REPORT).encode()
    pull(k, cid)  # the trial succeeds: closed
    assert k.puller.breakers["pboc"].state() == CLOSED
    assert k.puller.states()["pboc"]["breaker"] == CLOSED


def test_half_open_lets_exactly_one_trial_through() -> None:
    clock = SteppingClock(T0)
    from riskloop.service.resilience import CircuitBreaker

    breaker = CircuitBreaker(Breaker(failures_to_open=1, reset_after_seconds=5), clock)
    breaker.failure()
    assert not breaker.allow()
    clock.advance(seconds=5)
    assert breaker.allow()
    assert not breaker.allow()  # a second caller waits for the trial's result


def test_the_rate_limit_refuses_past_the_burst_and_refills() -> None:
    source = ScriptedSource(default=json.dumps(REPORT).encode())
    k, clock = kit(source, rate_limit={"per_second": 2, "burst": 2})
    cid = grant(k)
    pull(k, cid)
    pull(k, cid)
    with pytest.raises(SourceError, match="rate limited") as info:
        pull(k, cid)
    assert info.value.kind == "rate_limited"
    assert len(source.queries) == 2
    clock.advance(seconds=0.5)
    pull(k, cid)
    assert k.puller.buckets["pboc"].settings == RateLimit(2.0, 2)


def test_a_malformed_payload_names_the_field_and_counts_against_the_breaker() -> None:
    source = ScriptedSource(default=b'{"report_id": "R", "bureau_score": "high"}')
    k, _ = kit(source)
    cid = grant(k)
    with pytest.raises(MalformedPayloadError, match="source pboc: malformed payload: bureau_score") as info:
        pull(k, cid)
    assert info.value.field == "bureau_score"
    assert len(source.queries) == 1  # not retried
    assert k.puller.breakers["pboc"].failures == 1
    assert k.payloads.payloads == {}


def test_a_declared_source_without_an_endpoint_is_not_pulled() -> None:
    k, _ = kit(ScriptedSource())
    cid = grant(k, sources=["pboc", "bank_drop"])
    with pytest.raises(SourceError, match="not configured") as info:
        k.puller.pull("bank_drop", subject=CODE, subject_kind="enterprise", purpose="credit_assessment",
                      consent_id=cid, request_id="APP-1")  # fmt: skip
    assert info.value.kind == "unconfigured"
