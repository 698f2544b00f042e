"""The pre-disbursal re-check: re-read what may have changed since the decision, and let the policy judge it.

Read now, through the decision pipeline's own ports: the enterprise's profile, its published features (a new
dishonest-debtor listing or enforcement), the graph (a gang the application has joined since), the bank's lists
(the application's identifiers, revealed from the sealed decision inputs with an audit entry), and the post-loan
alerts still open. The active version of the strategy ``drawdown-recheck`` (a JDM table, four-eyes released
like every strategy) turns what changed into findings (``domain.recheck``). A source that fails, or a policy
that cannot be read or run, refers the drawdown with its reason: it is never paid on a check that did not run.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeVar

from riskloop.domain.decision_request import DecisionRequest
from riskloop.domain.recheck import context, verdict
from riskloop.features.publish import ENTERPRISE_FEATURE_SET
from riskloop.rules.engine import RuleEngine, StrategyLoader
from riskloop.rules.reasons import RuleReasonCatalog
from riskloop.service.lending_ports import EnterpriseAlerts
from riskloop.service.list_ports import ListScreen
from riskloop.service.ports import FeatureLookup, GraphChecks, ProfileSource
from riskloop.service.strategy_ports import ActiveVersions

RECHECK = "drawdown-recheck"  # the policy's strategy name
RECHECK_REASONS = "recheck_reasons.json"
HOW_TO_ACTIVATE = (
    "author one with the content of riskloop/rules/strategies/drawdown-recheck-v1.json (POST /v1/strategies/"
    "drawdown-recheck/versions; riskloop demo releases it), submit and approve it, then activate it"
)
T = TypeVar("T")
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecheckResult:
    """The re-check's answer: the action, its reasons, and what it read (stored with the drawdown)."""

    action: str
    codes: tuple[str, ...]
    detail: dict[str, Any]


class RecheckPolicy:
    """The active ``drawdown-recheck`` version, evaluated by the rule engine (followed live, like the strategy)."""

    def __init__(self, versions: ActiveVersions, loader: StrategyLoader, rules: RuleEngine, name: str = RECHECK):
        self.versions, self.loader, self.rules, self.name = versions, loader, rules, name

    def findings(self, ctx: Mapping[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        """The active version's key and its findings; raises when there is none or it fails (the caller refers)."""
        active = self.versions.active(self.name)
        if active is None:
            raise LookupError(f"re-check policy {self.name}: no active version; {HOW_TO_ACTIVATE}")
        outcome = self.rules.evaluate(active.key, ctx)
        if outcome.error is not None:
            raise RuntimeError(f"re-check policy {active.key}: {outcome.error.message}")
        found = outcome.result.get("findings")
        if not isinstance(found, list):
            raise RuntimeError(f"re-check policy {active.key}: no 'findings' list in its output")
        return active.key, [dict(f) for f in found if isinstance(f, Mapping)]


class Recheck:
    """Runs the re-check of one drawdown (see the module)."""

    def __init__(
        self,
        *,
        profiles: ProfileSource,
        features: FeatureLookup,
        graph: GraphChecks,
        lists: ListScreen | None,
        alerts: EnterpriseAlerts,
        policy: RecheckPolicy,
        clock: Callable[[], dt.datetime],
        feature_set: str = ENTERPRISE_FEATURE_SET,
    ) -> None:
        self.profiles, self.features, self.graph, self.lists = profiles, features, graph, lists
        self.alerts, self.policy, self.now, self.feature_set = alerts, policy, clock, feature_set

    def run(self, inputs: Mapping[str, Any], drawdown: Mapping[str, Any]) -> RecheckResult:
        """Re-check the application of a decision's opened ``inputs`` for ``drawdown`` (amount, remaining ...)."""
        failures: list[str] = []
        request = _attempt("decision", failures, lambda: DecisionRequest(**inputs["request"]))
        now: dict[str, Any] = {"profile": None, "features": None, "graph": None, "lists": None, "alerts": None}
        if request is not None:
            now = self._read(request, failures)
        ctx = context(inputs, now, drawdown)
        policy_key: str | None = None
        findings: list[dict[str, Any]] = []
        try:
            policy_key, findings = self.policy.findings(ctx)
        except Exception as exc:  # no policy, or one that fails: refer, never pay
            _log.warning("drawdown re-check: policy unavailable (%s)", exc)
            failures.append("policy")
        action, codes = verdict(findings, failures)
        detail = {"policy": policy_key, "findings": findings, "failures": failures, "context": ctx}
        return RecheckResult(action, codes, detail)

    def _read(self, request: DecisionRequest, failures: list[str]) -> dict[str, Any]:
        code, today = request.credit_code, self.now().date()
        profile = _attempt("profile", failures, lambda: self.profiles.profile(code, today))
        features = _attempt("features", failures, lambda: self.features.lookup(self.feature_set, code))
        graph = _attempt("graph", failures, lambda: self.graph.check(request))
        screen = self.lists
        hits = None if screen is None else _attempt("lists", failures, lambda: screen.screen(request, self.now()))
        alerts = _attempt("alerts", failures, lambda: self.alerts.open_levels(code))
        if profile is None and "profile" not in failures:
            failures.append("profile")  # an enterprise without a profile now is not one to pay blind
        if features is None and "features" not in failures:
            failures.append("features")
        return {
            "profile": None if profile is None else profile.to_dict(),
            "features": None if features is None else dict(features.values),
            "graph": None if graph is None else graph.to_dict(),
            "lists": None if screen is None or hits is None else {"black": bool(hits.black), "grey": bool(hits.grey)},
            "alerts": alerts,
        }


def _attempt(name: str, failures: list[str], read: Callable[[], T]) -> T | None:
    try:
        return read()
    except Exception as exc:  # a failing source is recorded and refers the drawdown
        _log.warning("drawdown re-check: %s unavailable (%s: %s)", name, type(exc).__name__, str(exc)[:200])
        failures.append(name)
        return None


def recheck_catalog() -> RuleReasonCatalog:
    """The reason texts of drawdowns: the decision catalogue's codes and the re-check's own."""
    base = RuleReasonCatalog.default()
    extra = json.loads(resources.files("riskloop.rules").joinpath(RECHECK_REASONS).read_text("utf-8"))
    codes = [{"code": c, "en": r.text, "zh": r.text_zh, "group": ""} for c in sorted(base.codes)
             for r in [base.reason(c)]]  # fmt: skip
    return RuleReasonCatalog({"version": f"{base.version}+recheck:{extra['version']}", "codes": codes + extra["codes"]})
