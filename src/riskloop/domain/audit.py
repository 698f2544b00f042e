"""Audit entries: who did what to which entity, when; written with the change they record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit log (``detail`` is JSON-ready)."""

    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    detail: Mapping[str, Any] = field(default_factory=dict)
