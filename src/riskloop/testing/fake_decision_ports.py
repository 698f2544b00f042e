"""In-memory implementations of the decision pipeline's ports: profiles, graph checks, scorer, failures."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from riskloop.domain.decision import DecisionReason
from riskloop.domain.decision_request import DecisionRequest, EnterpriseProfile, GraphSignals
from riskloop.errors import DataSourceError
from riskloop.features.online import PublishedFeatures


@dataclass
class MemoryProfiles:
    """ProfileSource over a dict of profiles by credit code."""

    profiles: dict[str, EnterpriseProfile] = field(default_factory=dict)

    def profile(self, credit_code: str, as_of: dt.date | None = None) -> EnterpriseProfile | None:
        """The profile of ``credit_code`` (one version, whatever the day), or ``None``."""
        return self.profiles.get(credit_code)


@dataclass
class MemoryGraphChecks:
    """GraphChecks from signals set per credit code or per application; everyone else is clean.

    This is the seam the graph engine plugs into: the real adapter computes the same ``GraphSignals``
    from the relationship graph.
    """

    by_credit_code: dict[str, GraphSignals] = field(default_factory=dict)
    by_application: dict[str, GraphSignals] = field(default_factory=dict)

    def check(self, request: DecisionRequest) -> GraphSignals:
        """The signals of ``request``."""
        found = self.by_application.get(request.application_id) or self.by_credit_code.get(request.credit_code)
        return found if found is not None else GraphSignals()


@dataclass
class KilledSource:
    """Any port whose source is down: every call raises DataSourceError."""

    name: str = "source"

    def profile(self, credit_code: str, as_of: dt.date | None = None) -> EnterpriseProfile | None:
        """Fail."""
        raise DataSourceError(f"{self.name} is unavailable")

    def lookup(self, feature_set: str, credit_code: str) -> PublishedFeatures | None:
        """Fail."""
        raise DataSourceError(f"{self.name} is unavailable")

    def check(self, request: DecisionRequest) -> GraphSignals:
        """Fail."""
        raise DataSourceError(f"{self.name} is unavailable")

    def score(self, values: Mapping[str, float | None]) -> tuple[float, float]:
        """Fail."""
        raise DataSourceError(f"{self.name} is unavailable")

    def reasons(self, values: Mapping[str, float | None], top_k: int) -> list[DecisionReason]:
        """Fail."""
        raise DataSourceError(f"{self.name} is unavailable")

    @property
    def version(self) -> str:
        """A name for the dead model."""
        return f"killed:{self.name}"

    @property
    def reasons_version(self) -> str:
        """No catalogue."""
        return "none"


@dataclass
class FixedScorer:
    """A Scorer with a transparent rule: points fall with the bureau score gap and verification failures.

    ``points = base + (bureau - 650) / 2 - 30 * failures``; PD from the points on the PDO scale
    (600 points at 50:1, 40 to double the odds). Reasons name the bureau score when it is below 650.
    """

    base: float = 600.0
    version: str = "fixed-scorer:1"
    reasons_version: str = "1.0.0"

    def score(self, values: Mapping[str, float | None]) -> tuple[float, float]:
        """PD and points of one row."""
        bureau = values.get("app_bureau_score")
        points = self.base + ((bureau if bureau is not None else 500.0) - 650.0) / 2.0
        points -= 30.0 * (values.get("app_verification_failures") or 0.0)
        odds = 50.0 * 2.0 ** ((points - 600.0) / 40.0)
        return 1.0 / (1.0 + odds), points

    def reasons(self, values: Mapping[str, float | None], top_k: int) -> list[DecisionReason]:
        """The bureau score, when it counts against the application."""
        bureau = values.get("app_bureau_score")
        if bureau is None or math.isnan(bureau) or bureau < 650:
            return [DecisionReason("APP_BUREAU_SCORE", "model", "Low external bureau score", "外部征信评分偏低")][
                :top_k
            ]
        return []
