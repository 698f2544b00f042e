"""Fixtures for ingest tests: run an ingest and read back what was loaded and quarantined."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ingest_harness import Harness

from riskloop.config import Settings


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "input"
    path.mkdir()
    return path


@pytest.fixture
def harness(settings: Settings, source: Path) -> Harness:
    return Harness(settings, source)


@pytest.fixture
def reasons() -> Callable[[list[dict[str, Any]]], list[tuple[int, str | None, str]]]:
    """(row_number, field, reason) of quarantine records."""
    return lambda records: [(r["row_number"], r["field"], r["reason"]) for r in records]
