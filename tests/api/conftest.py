"""An API client on a fresh database (SQLite, and PostgreSQL when marked) with the in-memory pipeline.

The SQLite database is a copy of one migrated once per test process (``migrated_db_url``); the app migrates
PostgreSQL itself.

Every route needs an API key. ``client`` sends the ``channel`` key by default (it posts applications and
reads decisions); ``as_("ann")`` sends requests as one of the people the tests name, each with a key of its
own (``riskloop.testing.api_keys.PEOPLE``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from riskloop.api.app import create_app
from riskloop.api.limits import LimitSettings
from riskloop.config import Settings
from riskloop.testing.api_keys import Caller, authenticate
from riskloop.testing.clock import SteppingClock
from riskloop.testing.decider import NOW, make_decider


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock(NOW)


@pytest.fixture
def client(tmp_path: Path, migrated_db_url: str, clock: SteppingClock) -> Iterator[TestClient]:
    settings = Settings(home=tmp_path / "home", database_url=migrated_db_url)
    # Up to 16 concurrent requests in some tests (idempotency races): above them, not shed here; shedding is
    # tested in test_limits.py and test_overload.py.
    app = create_app(settings, decider=make_decider(clock=clock), limits=LimitSettings(max_in_flight=32))
    with TestClient(app, raise_server_exceptions=False) as c:
        c.app.state.callers = authenticate(c)  # type: ignore[attr-defined]
        yield c


@pytest.fixture
def as_(client: TestClient) -> Callable[[str], Caller]:
    """``as_("ann").post(...)``: a request authenticated with ann's key."""
    callers: dict[str, Caller] = client.app.state.callers  # type: ignore[attr-defined]
    return callers.__getitem__


# The API suites whose routes hang on what the store does (idempotent posts, compare-and-set, faults, the
# arrival log, readiness) run on PostgreSQL too. The others exercise authentication, validation, bounds and
# rendering above the ports, the same code on either backend: they run on SQLite only (each store's behaviour
# is the conformance suites', on both backends), which keeps `make test` in its time budget.
POSTGRES_SUITES = frozenset({
    "test_applications", "test_reviews", "test_strategies", "test_alerts", "test_collections",
    "test_database_faults", "test_arrivals_logged", "test_health", "test_active_strategy", "test_console_desk",
    "test_drawdowns",
})  # fmt: skip
POSTGRES_FUZZED_ROLES = ("otto", "carl")  # schemathesis on PostgreSQL: an auditor reads everything, a collector


def _postgres_kept(item: pytest.Item) -> bool:
    module = item.path.stem
    if module.startswith("test_schemathesis"):
        return any(f"postgres-{role}]" in item.name for role in POSTGRES_FUZZED_ROLES)
    return module in POSTGRES_SUITES


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    api = Path(__file__).parent
    dropped = [i for i in items if api in i.path.parents and "[postgres" in i.name and not _postgres_kept(i)]
    if dropped:
        gone = set(map(id, dropped))
        items[:] = [i for i in items if id(i) not in gone]
        config.hook.pytest_deselected(items=dropped)
