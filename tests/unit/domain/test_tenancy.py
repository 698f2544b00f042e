"""Tenancy rules: who reads a decision, the one answer for what a reader may not see, and no self-review."""

from __future__ import annotations

import pytest

from riskloop.domain.access import ANALYST, AUDITOR, CHANNEL, REVIEWER, Principal
from riskloop.domain.decision_record import CHAMPION, SHADOW, Claim, Recorded
from riskloop.domain.tenancy import not_own, visible
from riskloop.errors import ConflictError, ForbiddenError, NotFoundError
from riskloop.testing.principals import person

WEB, BRANCH = person("web", CHANNEL), person("branch", CHANNEL)


@pytest.mark.parametrize(
    ("reader", "owner", "role", "sees"),
    [
        (WEB, "web", CHAMPION, True),
        (WEB, "branch", CHAMPION, False),
        (WEB, "web", SHADOW, False),  # a shadow decision is never returned to a channel
        (WEB, None, CHAMPION, False),  # decided before owners were stored: internal roles only
        (person("rita", REVIEWER), "web", SHADOW, True),
        (person("audrey", AUDITOR), None, CHAMPION, True),
        (person("mixed", CHANNEL, REVIEWER), "web", CHAMPION, True),
        (person("ana", CHANNEL, ANALYST), "web", CHAMPION, False),  # an analyst reads no decisions as such
    ],
)
def test_who_reads_a_decision(reader: Principal, owner: str | None, role: str, sees: bool) -> None:
    if sees:
        visible(reader, "dec_1", owner, role)
    else:
        with pytest.raises(NotFoundError, match=r"^decision dec_1 does not exist$"):
            visible(reader, "dec_1", owner, role)


def test_nobody_reviews_what_they_submitted() -> None:
    not_own("rita", "web", "claiming a review")
    not_own("rita", None, "claiming a review")
    with pytest.raises(ForbiddenError, match="mixed submitted this application") as raised:
        not_own("mixed", "mixed", "claiming a review")
    assert raised.value.field == "reviewer"


CLAIM = Claim("k-1", "APP-1", "digest", "dec_1", 201, b"{}")


def test_a_claim_answers_a_retry_and_refuses_the_rest() -> None:
    assert CLAIM.answer("k-1", "digest") == Recorded(False, "dec_1", 201, b"{}")
    with pytest.raises(ConflictError) as other_body:
        CLAIM.answer("k-1", "other")
    assert other_body.value.field == "Idempotency-Key"
    with pytest.raises(ConflictError) as other_key:
        CLAIM.answer("k-2", "digest")  # same body too: one decision per application id and channel
    assert other_key.value.field == "application_id"
