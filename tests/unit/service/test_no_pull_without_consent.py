"""Property: whatever the sequence of grants, revocations, expiries and pulls, the gateway never receives a pull
that a valid consent did not cover at that instant, and every covered pull reaches it.

The oracle is the test's own record of what was granted and revoked (not the consent rule under test), and the
evidence is the log of a real local HTTP gateway (``testing.fake_gateway``), reached through the httpx adapter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskloop.connectors.gateway import HttpGatewaySource
from riskloop.domain.consent import ConsentError
from riskloop.domain.source_payload import SourceError
from riskloop.testing.clock import SteppingClock
from riskloop.testing.fake_gateway import FakeGateway
from riskloop.testing.memory_sources import memory_puller, shipped_catalog

T0 = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
SUBJECTS = ("91420100000000001Y", "91420100000000002W")
PURPOSES = ("credit_assessment", "post_loan_monitoring")
SOURCES = (("pboc",), ("bank_drop",), ("bank_drop", "pboc"))

grants = st.tuples(st.just("grant"), st.sampled_from(SUBJECTS), st.sampled_from(SOURCES),
                   st.sampled_from(PURPOSES), st.integers(1, 48))  # fmt: skip
revokes = st.tuples(st.just("revoke"), st.integers(0, 3))  # of the i-th grant (modulo how many)
advances = st.tuples(st.just("advance"), st.integers(1, 24))
# A pull under the i-th grant (-1: none) about its subject or the other, for its purpose or the other.
pulls = st.tuples(st.just("pull"), st.integers(-1, 3), st.booleans(), st.booleans())
steps = st.lists(st.one_of(grants, revokes, advances, pulls, pulls), min_size=6, max_size=30)


@dataclass
class Granted:
    """What the test granted: its own record, the oracle."""

    consent_id: str
    subject: str
    sources: tuple[str, ...]
    purpose: str
    start: dt.datetime
    end: dt.datetime
    revoked: dt.datetime | None = None

    def covers(self, subject: str, purpose: str, at: dt.datetime) -> bool:
        stop = self.end if self.revoked is None else min(self.end, self.revoked)
        return (
            subject == self.subject and "pboc" in self.sources and purpose == self.purpose and self.start <= at < stop
        )


@pytest.fixture(scope="module")
def gateway() -> Iterator[FakeGateway]:
    with FakeGateway() as g:
        yield g


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(program=steps)
def test_the_gateway_never_sees_a_pull_without_a_valid_consent(gateway: FakeGateway, program: list[tuple]) -> None:
    clock = SteppingClock(T0)
    gateway.log.clear()
    gateway.now = clock.now
    catalog = shipped_catalog(pboc={"endpoint": gateway.url, "rate_limit": {"per_second": 1000, "burst": 1000}})
    kit = memory_puller(clock, {"pboc": HttpGatewaySource("pboc", gateway.url)}, catalog)
    granted: list[Granted] = []
    expected_calls = checked = 0
    for step in program:
        if step[0] == "grant":
            _, subject, sources, purpose, hours = step
            until = clock.now() + dt.timedelta(hours=hours)
            c = kit.desk.record(subject=subject, subject_kind="enterprise", sources=sources, purpose=purpose,
                                expires_at=until, evidence="AUTH", actor="chan")  # fmt: skip
            granted.append(Granted(c.consent_id, subject, sources, purpose, c.granted_at, c.expires_at))
        elif step[0] == "revoke" and granted and granted[step[1] % len(granted)].revoked is None:
            kit.desk.revoke(granted[step[1] % len(granted)].consent_id, actor="chan")
            granted[step[1] % len(granted)].revoked = clock.now()
        elif step[0] == "advance":
            clock.advance(hours=step[1])
        elif step[0] == "pull":
            _, index, same_subject, same_purpose = step
            chosen = granted[index % len(granted)] if index >= 0 and granted else None
            subject = _pick(SUBJECTS, chosen.subject if chosen else SUBJECTS[0], same_subject)
            purpose = _pick(PURPOSES, chosen.purpose if chosen else PURPOSES[0], same_purpose)
            covered = chosen is not None and chosen.covers(subject, purpose, clock.now())
            try:
                kit.puller.pull("pboc", subject=subject, subject_kind="enterprise", purpose=purpose,
                                consent_id=chosen.consent_id if chosen else None, request_id="R")  # fmt: skip
                assert covered, "a pull went through without a valid consent"
            except ConsentError:
                assert not covered, "a valid consent was refused"
            except SourceError:  # pragma: no cover - the gateway is healthy
                pytest.fail("the healthy gateway failed")
            expected_calls += covered
        by_id = {g.consent_id: g for g in granted}
        for request in gateway.log[checked:]:  # judged as the consents stood when it arrived
            consent = by_id.get(request.body["consent_id"])
            assert consent is not None
            assert consent.covers(request.body["subject"], request.body["purpose"], request.at)
        checked = len(gateway.log)
    assert checked == expected_calls


def _pick(choices: tuple[str, ...], given: str, same: bool) -> str:
    return given if same else next(c for c in choices if c != given)
