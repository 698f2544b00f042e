"""Which strategies a backtest compares: a shipped or stored candidate, a draft, a file, the champion by name."""

from __future__ import annotations

import datetime as dt

import pytest

from riskloop.domain.access import ANALYST, APPROVER
from riskloop.errors import NotFoundError, ValidationError
from riskloop.rules.loaders import ChainStrategyLoader, PackageStrategyLoader
from riskloop.service.backtest import backtest_strategies
from riskloop.service.strategies import StrategyLifecycle
from riskloop.testing.clock import SteppingClock
from riskloop.testing.memory_strategies import MemoryStrategies
from riskloop.testing.principals import person

CONTENT = PackageStrategyLoader().load("reference@1").content  # its ">= 600" cut is varied below
ANN, BOB = person("ann", ANALYST), person("bob", APPROVER, ANALYST)


@pytest.fixture
def store() -> MemoryStrategies:
    return MemoryStrategies()


def _resolve(store: MemoryStrategies, **kw: object) -> tuple[str, str, ChainStrategyLoader]:
    loader, candidate, champion = backtest_strategies(store, ChainStrategyLoader(PackageStrategyLoader()), **kw)  # type: ignore[arg-type]
    assert isinstance(loader, ChainStrategyLoader)
    return candidate, champion, loader


def test_a_stored_draft_is_backtested_against_the_champion_by_name(store: MemoryStrategies) -> None:
    lifecycle = StrategyLifecycle(store, SteppingClock(dt.datetime(2026, 6, 1, tzinfo=dt.UTC)))
    for v in (1, 2):
        lifecycle.create(ANN, "sme", CONTENT.replace('">= 600"', f'">= {600 + v}"'))
    lifecycle.submit(ANN, "sme", 1)
    lifecycle.approve(BOB, "sme", 1)
    lifecycle.approve_activation(BOB, lifecycle.request_activation(ANN, "sme", 1))
    candidate, champion, loader = _resolve(store, candidate="sme@2", candidate_json=None, champion="sme")
    assert (candidate, champion) == ("sme@2", "sme@1")
    assert '">= 602"' in loader.load("sme@2").content  # the draft, never approved, is loadable for the backtest


def test_a_file_is_the_candidate_and_a_shipped_strategy_the_champion(store: MemoryStrategies) -> None:
    candidate, champion, loader = _resolve(store, candidate=None, candidate_json=CONTENT, champion="reference@1")
    assert (candidate, champion) == ("candidate@0", "reference@1")
    assert loader.load(candidate).content == CONTENT


def test_unknown_candidates_and_inactive_champions_are_clear_errors(store: MemoryStrategies) -> None:
    with pytest.raises(NotFoundError, match="strategy sme@9 does not exist"):
        _resolve(store, candidate="sme@9", candidate_json=None, champion="reference@1")
    with pytest.raises(NotFoundError, match="strategy sme: no active version"):
        _resolve(store, candidate="reference@1", candidate_json=None, champion="sme")
    for both in ({"candidate": "reference@1", "candidate_json": CONTENT}, {"candidate": None, "candidate_json": None}):
        with pytest.raises(ValidationError, match="exactly one of --candidate and --candidate-file"):
            _resolve(store, champion="reference@1", **both)


def test_a_stored_draft_shadows_the_shipped_strategy_of_its_key(store: MemoryStrategies) -> None:
    lifecycle = StrategyLifecycle(store, SteppingClock(dt.datetime(2026, 6, 1, tzinfo=dt.UTC)))
    for v in (1, 2):  # reference@2 is also shipped; the stored draft is the one the analyst means
        lifecycle.create(ANN, "reference", CONTENT.replace('">= 600"', f'">= {700 + v}"'))
    candidate, champion, loader = _resolve(store, candidate="reference@2", candidate_json=None, champion="reference@1")
    assert (candidate, champion) == ("reference@2", "reference@1")
    assert '">= 702"' in loader.load("reference@2").content
    assert loader.load("reference@2").content != PackageStrategyLoader().load("reference@2").content
    assert loader.load("reference@1").content == CONTENT  # the champion by key: the loader's (shipped here)
