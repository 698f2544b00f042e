"""The decision store as the workspace builds it, on a migrated database, for tests of what is stored."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from riskloop.graph.tokens import Tokenizer
from riskloop.privacy.envelope import Sealer
from riskloop.storage.decisions import SQLDecisionStore
from riskloop.storage.engine import make_engine
from riskloop.storage.migrate import upgrade
from riskloop.testing.graph_fixtures import TEST_KEY
from riskloop.testing.keys import MemoryKeyProvider


@contextmanager
def sealed_decision_store(database_url: str) -> Iterator[SQLDecisionStore]:
    """A store on ``database_url`` (migrated first) with inputs sealed at rest and arrivals tokenised."""
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        yield SQLDecisionStore(engine, sealer=Sealer(MemoryKeyProvider()), tokenizer=Tokenizer(TEST_KEY))
    finally:
        engine.dispose()
