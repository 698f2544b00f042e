"""The model a live pipeline follows: the active one, reloaded on activation, failing closed otherwise."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pytest

from riskloop.domain.decision import DecisionReason
from riskloop.errors import DataSourceError, NotFoundError
from riskloop.service.active_model import ActiveModel, pinned
from riskloop.testing.clock import SteppingClock


class _Scorer:
    def __init__(self, model_id: str) -> None:
        self.version, self.reasons_version = f"{model_id}:digest", "r1"

    def score(self, values: Mapping[str, float | None]) -> tuple[float, float]:
        return 0.1, 600.0

    def reasons(self, values: Mapping[str, float | None], top_k: int) -> list[DecisionReason]:
        return []


class _Registry:
    """Which model is active, and which bundles load (a fake of what the workspace reads)."""

    def __init__(self) -> None:
        self.active: str | None = "sme-v1"
        self.broken: set[str] = set()
        self.down = False
        self.loads: list[str] = []

    def read(self) -> str:
        if self.down:
            raise OSError("database unreachable")
        if self.active is None:
            raise NotFoundError("no active model")
        return self.active

    def load(self, model_id: str) -> _Scorer:
        self.loads.append(model_id)
        if model_id in self.broken:
            raise DataSourceError(f"{model_id}: sha256 of gbdt-0.txt does not match")
        return _Scorer(model_id)


@pytest.fixture
def setup() -> tuple[_Registry, SteppingClock, ActiveModel]:
    registry, clock = _Registry(), SteppingClock(dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    return registry, clock, ActiveModel(registry.read, registry.load, clock, ttl_seconds=2)


def test_an_activation_is_followed_after_the_ttl_without_a_restart(
    setup: tuple[_Registry, SteppingClock, ActiveModel],
) -> None:
    registry, clock, model = setup
    assert pinned(model).version == "sme-v1:digest"  # type: ignore[union-attr]
    registry.active = "sme-v2"
    clock.advance(seconds=1)
    assert model.version == "sme-v1:digest"  # within the ttl: not re-read
    clock.advance(seconds=1)
    assert model.version == "sme-v2:digest"
    registry.active = "sme-v1"  # a rollback is an activation of the earlier model
    clock.advance(seconds=2)
    assert model.version == "sme-v1:digest"
    assert model.model_id == "sme-v1"
    assert registry.loads == ["sme-v1", "sme-v2", "sme-v1"]


def test_an_active_model_that_does_not_load_refers_until_it_does(
    setup: tuple[_Registry, SteppingClock, ActiveModel],
) -> None:
    registry, clock, model = setup
    registry.active, registry.broken = "sme-v2", {"sme-v2"}
    clock.advance(seconds=2)
    with pytest.raises(DataSourceError, match="sme-v2 is active but does not load"):
        model.score({})  # the retired sme-v1 is never used meanwhile
    assert model.model_id is None
    assert model.problem is not None
    assert "sha256" in model.problem
    registry.broken = set()
    clock.advance(seconds=2)
    assert model.score({}) == (0.1, 600.0)
    assert model.model_id == "sme-v2"


def test_no_active_model_refers_and_a_failing_read_keeps_the_active_one(
    setup: tuple[_Registry, SteppingClock, ActiveModel],
) -> None:
    registry, clock, model = setup
    registry.down = True
    clock.advance(seconds=2)
    assert model.version == "sme-v1:digest"  # a database hiccup keeps the approved model scoring
    registry.down, registry.active = False, None
    clock.advance(seconds=2)
    with pytest.raises(DataSourceError, match="no active model"):
        model.score({})


def test_a_plain_scorer_is_its_own_pin() -> None:
    scorer = _Scorer("x")
    assert pinned(scorer) is scorer
    assert pinned(None) is None
