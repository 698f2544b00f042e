"""The catalogue in the strategy lifecycle: an invalid ``products`` draft is refused, a valid one goes four-eyes."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

import pytest

from riskloop.domain.access import ANALYST, APPROVER
from riskloop.domain.products import PRODUCTS, parse_catalogue
from riskloop.errors import ForbiddenError, ValidationError
from riskloop.rules.loaders import reference_strategy
from riskloop.service.strategies import StrategyLifecycle
from riskloop.testing.clock import SteppingClock
from riskloop.testing.memory_strategies import MemoryStrategies
from riskloop.testing.principals import person

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
SHIPPED = resources.files("riskloop.rules").joinpath("strategies", "products-v1.json").read_text("utf-8")
ANN, BOB = person("ann", ANALYST, APPROVER), person("bob", ANALYST, APPROVER)


def invalid() -> str:
    """The shipped catalogue with 票易贷's maximum below its minimum."""
    data = json.loads(SHIPPED)
    table = next(n for n in data["nodes"] if n["type"] == "decisionTableNode")["content"]
    next(r for r in table["rules"] if r["_id"] == "piaoyidai")["t_amount_max"] = "50000"
    return json.dumps(data, ensure_ascii=False)


@pytest.fixture
def store() -> MemoryStrategies:
    return MemoryStrategies()


@pytest.fixture
def lifecycle(store: MemoryStrategies) -> StrategyLifecycle:
    return StrategyLifecycle(store, SteppingClock(NOW), validators={PRODUCTS: parse_catalogue})


def test_an_invalid_catalogue_is_refused_before_anything_is_stored(
    lifecycle: StrategyLifecycle, store: MemoryStrategies
) -> None:
    with pytest.raises(ValidationError) as refused:
        lifecycle.create(ANN, PRODUCTS, invalid())
    assert (refused.value.field, refused.value.problem) == (
        "products[piaoyidai].amount_max", "must be at least amount_min (100000)"
    )  # fmt: skip
    assert (store.versions(PRODUCTS), store.audit) == ([], [])


def test_a_valid_catalogue_goes_through_four_eyes(lifecycle: StrategyLifecycle, store: MemoryStrategies) -> None:
    draft = lifecycle.create(ANN, PRODUCTS, SHIPPED, note="产品目录 v1")
    with pytest.raises(ValidationError, match=r"products\[piaoyidai\]\.amount_max"):
        lifecycle.edit(ANN, PRODUCTS, draft.version, invalid())
    assert store.content(PRODUCTS, draft.version) == SHIPPED  # the refused edit changed nothing
    lifecycle.submit(ANN, PRODUCTS, draft.version)
    with pytest.raises(ForbiddenError, match="the approver is never the author"):
        lifecycle.approve(ANN, PRODUCTS, draft.version)
    lifecycle.approve(BOB, PRODUCTS, draft.version)
    change = lifecycle.request_activation(ANN, PRODUCTS, draft.version)
    with pytest.raises(ForbiddenError, match="never its requester"):
        lifecycle.approve_activation(ANN, change)
    assert lifecycle.approve_activation(BOB, change).status == "active"
    assert [e.action for e in store.audit] == [
        "strategy.created", "strategy.submitted", "strategy.approved", "strategy.activation_requested",
        "strategy.activated",
    ]  # fmt: skip


def test_the_validator_applies_to_its_name_only(lifecycle: StrategyLifecycle) -> None:
    assert lifecycle.create(ANN, "sme", reference_strategy().content).version == 1  # a decision strategy
    assert lifecycle.create(ANN, "catalogue-draft", invalid()).version == 1  # not the products strategy
    with pytest.raises(ValidationError, match="a catalogue is request → catalogue → response"):
        lifecycle.create(ANN, PRODUCTS, reference_strategy().content)  # a decision strategy is no catalogue


def test_without_validators_only_the_jdm_shape_is_checked(store: MemoryStrategies) -> None:
    plain = StrategyLifecycle(store, SteppingClock(NOW))
    assert plain.create(ANN, PRODUCTS, invalid()).version == 1
