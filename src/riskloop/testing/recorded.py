"""Recorded applications of a workspace as decision requests, their identifiers opened from the vault (audited)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from riskloop.config import load_settings
from riskloop.domain.decision_request import DecisionRequest
from riskloop.service.applications import recorded_requests
from riskloop.workspace import Workspace


def workspace_requests(home: Path, limit: int | None = None) -> list[tuple[DecisionRequest, dt.datetime]]:
    """Every application ingested into the workspace at ``home`` (oldest first), as it was posted."""
    with Workspace.open(load_settings(home), migrate=False) as ws:
        opener = ws.vault().opener(actor="test", purpose="tests: recorded applications", at=ws.clock.now())
        return recorded_requests(ws.settings.warehouse, opener, limit)
