"""The strategy lifecycle's rules, on the use case with the in-memory store and a fixed clock (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from riskloop.domain.access import ANALYST, APPROVER, AUDITOR, REVIEWER
from riskloop.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from riskloop.rules.engine import strategy_key
from riskloop.rules.loaders import reference_strategy
from riskloop.service.strategies import StrategyLifecycle
from riskloop.testing.clock import SteppingClock
from riskloop.testing.memory_strategies import MemoryStrategies
from riskloop.testing.principals import person

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
CONTENT = reference_strategy().content
ANN = person("ann", ANALYST, APPROVER)  # holds both roles: still never approves her own work
BOB, CAT = person("bob", ANALYST, APPROVER), person("cat", ANALYST)


@pytest.fixture
def store() -> MemoryStrategies:
    return MemoryStrategies()


@pytest.fixture
def lifecycle(store: MemoryStrategies) -> StrategyLifecycle:
    return StrategyLifecycle(store, SteppingClock(NOW))


def published(lifecycle: StrategyLifecycle, author: str = "ann", approver: str = "bob") -> int:
    people = {"ann": ANN, "bob": BOB, "cat": CAT}
    version = lifecycle.create(people[author], "sme", CONTENT).version
    lifecycle.submit(people[author], "sme", version)
    lifecycle.approve(people[approver], "sme", version)
    return version


def statuses(lifecycle: StrategyLifecycle) -> dict[int, str]:
    return {v.version: v.status for v in lifecycle.versions(ANN, "sme")}


def test_the_author_is_never_the_approver(lifecycle: StrategyLifecycle) -> None:
    created = lifecycle.create(ANN, "sme", CONTENT, note="first")
    assert (created.version, created.status, created.author, created.sha256) == (
        1, "draft", "ann", reference_strategy().sha256
    )  # fmt: skip
    with pytest.raises(ConflictError, match="sme@1 is draft, not submitted"):
        lifecycle.approve(BOB, "sme", 1)
    with pytest.raises(ForbiddenError, match=r"only the author \(ann\) submits a draft"):
        lifecycle.submit(BOB, "sme", 1)
    lifecycle.submit(ANN, "sme", 1)
    with pytest.raises(ForbiddenError, match="the approver is never the author"):
        lifecycle.approve(ANN, "sme", 1)
    assert lifecycle.approve(BOB, "sme", 1).approved_by == "bob"


def test_only_the_author_edits_and_only_a_draft(lifecycle: StrategyLifecycle, store: MemoryStrategies) -> None:
    lifecycle.create(ANN, "sme", CONTENT)
    edited = CONTENT.replace(">= 525", ">= 610")  # the auto-approve cut of reference@2
    with pytest.raises(ForbiddenError, match="only the author"):
        lifecycle.edit(BOB, "sme", 1, edited)
    assert lifecycle.edit(ANN, "sme", 1, edited).sha256 != reference_strategy().sha256
    assert store.content("sme", 1) == edited
    lifecycle.submit(ANN, "sme", 1)
    with pytest.raises(ConflictError, match="published versions are immutable"):
        lifecycle.edit(ANN, "sme", 1, CONTENT)
    with pytest.raises(ValidationError) as bad:
        lifecycle.create(ANN, "sme", '{"nodes": []}')
    assert bad.value.field == "strategy"
    assert [v.version for v in lifecycle.versions(ANN, "sme")] == [1]


def test_the_requester_is_never_the_activation_approver(lifecycle: StrategyLifecycle, store: MemoryStrategies) -> None:
    version = published(lifecycle)
    change = lifecycle.request_activation(CAT, "sme", version, note="go live")
    with pytest.raises(ForbiddenError, match="never its requester"):
        lifecycle.approve_activation(person("cat", ANALYST, APPROVER), change)  # another key of cat's
    assert lifecycle.approve_activation(ANN, change).status == "active"
    with pytest.raises(ConflictError, match=f"change {change} is applied"):
        lifecycle.approve_activation(BOB, change)
    with pytest.raises(NotFoundError, match="strategy change 99"):
        lifecycle.approve_activation(BOB, 99)
    assert [(e.actor, e.action) for e in store.audit if e.entity_id == "sme@1"][-2:] == [
        ("cat", "strategy.activation_requested"), ("ann", "strategy.activated")
    ]  # fmt: skip


def test_activation_retires_the_active_version_and_rollback_is_a_change_like_any(
    lifecycle: StrategyLifecycle, store: MemoryStrategies
) -> None:
    one, two = published(lifecycle), published(lifecycle, "cat", "ann")
    lifecycle.approve_activation(BOB, lifecycle.request_activation(ANN, "sme", one))
    lifecycle.approve_activation(BOB, lifecycle.request_activation(CAT, "sme", two))
    assert statuses(lifecycle) == {1: "retired", 2: "active"}
    with pytest.raises(ConflictError, match="only approved or retired versions activate"):
        lifecycle.request_activation(CAT, "sme", two)  # already active
    lifecycle.approve_activation(BOB, lifecycle.request_activation(CAT, "sme", one, note="rollback"))
    assert statuses(lifecycle) == {1: "active", 2: "retired"}
    assert [e.action for e in store.audit if e.entity_id == "sme@1"] == [
        "strategy.created", "strategy.submitted", "strategy.approved", "strategy.activation_requested",
        "strategy.activated", "strategy.retired", "strategy.activation_requested", "strategy.activated",
    ]  # fmt: skip


def test_drafts_and_submitted_versions_do_not_activate(lifecycle: StrategyLifecycle) -> None:
    lifecycle.create(ANN, "sme", CONTENT)
    with pytest.raises(ConflictError, match="sme@1 is draft"):
        lifecycle.request_activation(ANN, "sme", 1)
    lifecycle.submit(ANN, "sme", 1)
    with pytest.raises(ConflictError, match="sme@1 is submitted"):
        lifecycle.request_activation(ANN, "sme", 1)
    with pytest.raises(NotFoundError, match=f"strategy {strategy_key('sme', 7)} does not exist"):
        lifecycle.request_activation(ANN, "sme", 7)


def test_roles_analysts_author_approvers_approve_auditors_read(lifecycle: StrategyLifecycle) -> None:
    approver, auditor, reviewer = person("dan", APPROVER), person("eve", AUDITOR), person("rex", REVIEWER)
    with pytest.raises(ForbiddenError, match="needs the role analyst"):
        lifecycle.create(approver, "sme", CONTENT)
    lifecycle.create(CAT, "sme", CONTENT)
    lifecycle.submit(CAT, "sme", 1)
    with pytest.raises(ForbiddenError, match="needs the role approver"):
        lifecycle.approve(person("ann", ANALYST), "sme", 1)  # an analyst key without the approver role
    assert lifecycle.approve(approver, "sme", 1).approved_by == "dan"
    assert [v.key for v in lifecycle.versions(auditor, "sme")] == ["sme@1"]
    with pytest.raises(ForbiddenError, match="needs the role analyst or approver or auditor"):
        lifecycle.versions(reviewer, "sme")
    with pytest.raises(ForbiddenError):
        lifecycle.request_activation(auditor, "sme", 1)
