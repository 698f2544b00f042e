"""What model monitoring reads: a champion decision's tier, strategy, model and PD, and a model's training reference."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class MonitoredDecision:
    """One champion decision as monitoring reads it (``inputs`` as stored: request, features, graph)."""

    decision_id: str
    decided_at: dt.datetime
    tier: str
    strategy: str  # name@version
    model: str  # model id (the bundle folder's name), "none" when no model scored it
    pd: float | None
    final_outcome: str | None  # approved or declined once final
    inputs: Mapping[str, Any] = field(default_factory=dict)  # empty when not read


@dataclass(frozen=True)
class ModelReference:
    """A model's id and the reference of its training sample (``monitoring.model_figures.build_reference``)."""

    model_id: str
    reference: Mapping[str, Any]
