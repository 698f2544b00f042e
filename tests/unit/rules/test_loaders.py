"""Strategy loaders and the engine's handling of missing or malformed strategies."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskloop.errors import NotFoundError, ValidationError
from riskloop.rules.engine import Strategy, parse_key
from riskloop.rules.loaders import (
    REFERENCE_KEY,
    ChainStrategyLoader,
    FolderStrategyLoader,
    MemoryStrategyLoader,
    PackageStrategyLoader,
    reference_strategy,
)
from riskloop.rules.zen import ZenRuleEngine
from riskloop.testing.strategy_context import clean_context


def test_reference_strategy_is_shipped_with_a_stable_digest() -> None:
    first = reference_strategy()
    assert first.key == REFERENCE_KEY
    assert first == PackageStrategyLoader().load(REFERENCE_KEY)
    assert len(first.sha256) == 64


def test_folder_loader_reads_name_version_files(tmp_path: Path) -> None:
    (tmp_path / "mine-v3.json").write_text(reference_strategy().content, "utf-8")
    loaded = FolderStrategyLoader(tmp_path).load("mine@3")
    assert (loaded.name, loaded.version, loaded.sha256) == ("mine", 3, reference_strategy().sha256)
    with pytest.raises(NotFoundError):
        FolderStrategyLoader(tmp_path).load("mine@4")


def test_chain_loader_asks_in_order() -> None:
    mine = Strategy.of("mine", 1, reference_strategy().content)
    chain = ChainStrategyLoader(MemoryStrategyLoader([mine]), PackageStrategyLoader())
    assert chain.load("mine@1") is mine
    assert chain.load(REFERENCE_KEY).name == "reference"
    with pytest.raises(NotFoundError):
        chain.load("other@1")


@pytest.mark.parametrize("key", ["reference", "reference@", "@1", "reference@x"])
def test_malformed_keys_are_rejected(key: str) -> None:
    with pytest.raises(ValidationError, match="strategy"):
        parse_key(key)


@pytest.mark.parametrize("content", ["{not json", '{"nodes": []}', '{"nodes": [], "edges": []}'])
def test_malformed_content_is_rejected(content: str) -> None:
    with pytest.raises(ValidationError, match="strategy"):
        Strategy.of("bad", 1, content)


def test_engine_reports_a_missing_strategy_as_a_value() -> None:
    outcome = ZenRuleEngine(PackageStrategyLoader()).evaluate("absent@1", clean_context())
    assert not outcome.ok
    assert outcome.error is not None
    assert outcome.error.kind == "load"


def test_engine_reports_a_broken_graph_as_a_value() -> None:
    broken = reference_strategy().content.replace("max([score_rank, rules_floor])", "max([score_rank, rules_floor)")
    engine = ZenRuleEngine(MemoryStrategyLoader([Strategy.of("broken", 1, broken)]))
    outcome = engine.evaluate("broken@1", clean_context())
    assert not outcome.ok
    assert outcome.error is not None
    assert outcome.error.node == "tier"
