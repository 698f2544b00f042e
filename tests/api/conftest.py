"""An API client on a fresh database (SQLite, and PostgreSQL when marked) with the in-memory pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from riskloop.api.app import create_app
from riskloop.config import Settings
from riskloop.testing.clock import SteppingClock
from riskloop.testing.decider import NOW, make_decider


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock(NOW)


@pytest.fixture
def client(tmp_path: Path, db_url: str, clock: SteppingClock) -> Iterator[TestClient]:
    settings = Settings(home=tmp_path / "home", database_url=db_url)
    app = create_app(settings, decider=make_decider(clock=clock))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
