"""The workspace's prospect adapters: names sealed under its PII keys, which are never made anew over sealed names."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from riskloop.config import Settings
from riskloop.errors import ConfigError
from riskloop.storage.prospect_models import prospects
from riskloop.storage.secrets import pii_key_path
from riskloop.testing.prospects import run_entry, sample_prospects, sample_run
from riskloop.workspace import Workspace


def test_a_lost_key_is_not_replaced_while_sealed_names_are_stored(tmp_path: Path) -> None:
    home = tmp_path / "home"
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'riskloop.db'}")
    ranked = sample_prospects(3)
    with Workspace.open(settings) as ws:
        run = sample_run("R1", 3)
        ws.prospect_store().save_run(run, ranked, run_entry(run))
        assert ws.prospect_store().prospects("R1") == ranked
        with ws.engine.connect() as conn:
            stored = conn.execute(sa.select(prospects.c.name)).scalars().all()
    assert not set(stored) & {p.name for p in ranked}
    pii_key_path(home).unlink()
    with Workspace.open(settings) as ws:
        assert not pii_key_path(home).exists()  # a new key would leave the names unreadable for good
        with pytest.raises(ConfigError):
            ws.prospect_desk()
