"""The decision pipeline: application → profile, features, graph checks → model score → strategy → Decision.

Gathering (``Decider.gather``) reads every data source through its port; a source that fails or has
nothing is recorded as missing, never raised. Deciding (``Decider.decide_inputs``) is a pure function of
the gathered inputs, the model, the strategy version and the decision time, so a stored decision can be
re-run from its inputs with an identical result. Whatever the strategy says, an application with a
missing source or a failed rule is never approved: it is referred with a ``DATA_UNAVAILABLE_*`` reason; one
without its minimum identity is referred with ``IDENTITY_INCOMPLETE`` (``service.identity_floor``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from riskloop.domain.clock import Clock
from riskloop.domain.decision import MAX_REASONS, Decision, DecisionReason, Tier, Versions
from riskloop.domain.decision_request import DecisionRequest, EnterpriseProfile, GraphSignals
from riskloop.domain.lists import ListHits
from riskloop.errors import ValidationError
from riskloop.features.online import PublishedFeatures
from riskloop.features.publish import ENTERPRISE_FEATURE_SET
from riskloop.rules.engine import RuleEngine, RuleOutcome
from riskloop.rules.reasons import RuleReasonCatalog, merge_reasons
from riskloop.service.active_model import pinned
from riskloop.service.bureau_pull import BureauSource, source_floor
from riskloop.service.identity_floor import identity_floor
from riskloop.service.list_floor import list_floor
from riskloop.service.list_ports import ListScreen
from riskloop.service.ports import FeatureLookup, GraphChecks, ProfileSource, Scorer
from riskloop.service.stages import lap
from riskloop.service.verification_gate import verification_floor, verified_request
from riskloop.service.verification_ports import VerificationResults

SOURCES: tuple[str, ...] = ("registration", "financial", "government", "tax", "invoices", "risk")
GRAPH_AVAILABLE = "avail_graph"  # availability flag of the graph source (``service.graph_features``)
TIER_BY_RANK: tuple[Tier, ...] = tuple(Tier)
UNAVAILABLE = {
    "profile": "DATA_UNAVAILABLE_PROFILE",
    "features": "DATA_UNAVAILABLE_FEATURES",
    "model": "DATA_UNAVAILABLE_MODEL",
    "graph": "DATA_UNAVAILABLE_GRAPH",
    "bureau": "DATA_UNAVAILABLE_BUREAU",
}
RULES_FAILED = "DATA_UNAVAILABLE_RULES"
SCORE_LOW = "SCORE_LOW"
LIMIT_BELOW_MINIMUM = "LIMIT_BELOW_MINIMUM"
LIMIT_STEP_CENTS = 100_000  # limits are whole thousands of yuan


@dataclass(frozen=True)
class DecisionInputs:
    """Everything gathered for one application: what the strategy and the model are computed from."""

    request: DecisionRequest
    profile: EnterpriseProfile | None
    features: PublishedFeatures | None
    graph: GraphSignals | None
    failures: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (source, what went wrong)
    lists: ListHits | None = None  # the bank's lists; None: no list store screened (or it failed: see failures)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields (stored with the decision for replay)."""
        f = self.features
        return {
            "request": self.request.to_dict(),
            "profile": None if self.profile is None else self.profile.to_dict(),
            "features": None
            if f is None
            else {
                "credit_code": f.credit_code,
                "feature_set": f.feature_set,
                "as_of": f.as_of.isoformat(),
                "published_at": f.published_at.isoformat(),
                "values": dict(f.values),
            },
            "graph": None if self.graph is None else self.graph.to_dict(),
            "failures": [list(x) for x in self.failures],
            **({} if self.lists is None else {"lists": self.lists.to_dict()}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DecisionInputs:
        """The inputs ``to_dict`` wrote."""
        f = data["features"]
        features = (
            None
            if f is None
            else PublishedFeatures(
                credit_code=f["credit_code"],
                feature_set=f["feature_set"],
                as_of=dt.date.fromisoformat(f["as_of"]),
                published_at=dt.datetime.fromisoformat(f["published_at"]),
                values=f["values"],
            )
        )
        return cls(
            request=DecisionRequest(**data["request"]),
            profile=None if data["profile"] is None else EnterpriseProfile.from_dict(data["profile"]),
            features=features,
            graph=None if data["graph"] is None else GraphSignals.from_dict(data["graph"]),
            failures=tuple((str(a), str(b)) for a, b in data["failures"]),
            lists=None if data.get("lists") is None else ListHits.from_dict(data["lists"]),
        )


@dataclass(frozen=True)
class Outcome:
    """A decision with the inputs it was made from and the context the strategy saw."""

    decision: Decision
    inputs: DecisionInputs
    context: Mapping[str, Any]
    strategy: str


class Decider:
    """Runs the pipeline for one strategy version (the champion) or any other given per call.

    Parameters
    ----------
    features, profiles, graph : ports
        Data sources (``FeatureLookup``, ``ProfileSource``, ``GraphChecks``).
    bureau : BureauSource or None
        Pulls the credit-bureau report under a request's ``consent_id`` (``service.bureau_pull``); a failed
        pull leaves the bureau fields missing and refers with its reason.
    scorer : Scorer or None
        The fused model; ``None`` (no model deployed) refers every application.
    rules : RuleEngine
        Runs strategies by key.
    strategy : str or callable
        Key (``name@version``) of the strategy to decide with, or a function returning it per decision (the
        active version of a name, which follows approved activations and rollbacks without a restart).
    clock : Clock
        Time of each decision.
    verifications : VerificationResults or None
        The server's verification sessions a request may name (``service.verification_gate``).

    """

    def __init__(
        self,
        *,
        features: FeatureLookup,
        profiles: ProfileSource,
        graph: GraphChecks,
        scorer: Scorer | None,
        rules: RuleEngine,
        strategy: str | Callable[[], str],
        clock: Clock,
        catalog: RuleReasonCatalog | None = None,
        feature_set: str = ENTERPRISE_FEATURE_SET,
        lists: ListScreen | None = None,
        verifications: VerificationResults | None = None,
        bureau: BureauSource | None = None,
    ) -> None:
        self.features, self.profiles, self.graph = features, profiles, graph
        self.lists, self.verifications = lists, verifications
        self.bureau = bureau  # pulls the bureau report under the request's consent (None: the channel's fields)
        self.scorer, self.rules, self.clock = scorer, rules, clock
        self._champion = strategy if callable(strategy) else (lambda: strategy)
        self.catalog = catalog or RuleReasonCatalog.default()
        self.feature_set = feature_set

    @property
    def strategy(self) -> str:
        """Key of the champion strategy now."""
        return self._champion()

    def decide(self, request: DecisionRequest, strategy: str | None = None) -> Outcome:
        """Gather the inputs of ``request`` and decide it now."""
        return self.decide_inputs(self.gather(request), self.clock.now(), strategy)

    def gather(self, request: DecisionRequest) -> DecisionInputs:
        """Read profile, features and graph signals; a failing source is recorded and left out."""
        request, unverified = verified_request(request, self.verifications, self.clock.now())
        failures: list[tuple[str, str]] = [unverified] if unverified else []
        if self.bureau is not None:
            request, failure = self.bureau.enrich(request)
            failures.extend([failure] if failure else [])
        lap("verification")
        profile = _attempt(
            "profile", failures, lambda: self.profiles.profile(request.credit_code, self.clock.now().date())
        )
        lap("profile")
        features = _attempt("features", failures, lambda: self.features.lookup(self.feature_set, request.credit_code))
        lap("features")
        graph = _attempt("graph", failures, lambda: self.graph.check(request))
        lap("graph")
        screen = self.lists
        hits = None if screen is None else _attempt("lists", failures, lambda: screen.screen(request, self.clock.now()))
        lap("lists")
        return DecisionInputs(request, profile, features, graph, tuple(failures), hits)

    def decide_inputs(self, inputs: DecisionInputs, at: dt.datetime, strategy: str | None = None) -> Outcome:
        """Decide from gathered ``inputs`` at time ``at`` (pure: same inputs, model and strategy → same result)."""
        key = strategy or self.strategy
        request = inputs.request
        values = model_inputs(request, inputs.features, inputs.graph)
        scorer = pinned(self.scorer)  # one model for the score, its reasons and the recorded version
        pd_, points, model_note = _score(scorer, values)
        lap("score")
        context = strategy_context(inputs, at, pd_, points)
        outcome = self.rules.evaluate(key, context)
        lap("strategy")
        tier, limit, rate, codes, notes = self._read(outcome, context)
        tier, codes = identity_floor(request, tier, codes, notes)
        tier, codes = list_floor(inputs.lists, inputs.failures, tier, codes, notes)
        tier, codes = verification_floor(inputs.failures, tier, codes, notes)
        tier, codes = source_floor(inputs.failures, tier, codes, notes)
        reasons = self._reasons(
            tier=tier,
            limit=limit,
            request=request,
            codes=codes,
            values=values,
            scorer=scorer if pd_ is not None else None,
        )
        lap("reasons")
        notes.update(model_note)
        if inputs.failures:
            notes["failures"] = [list(x) for x in inputs.failures]
        trace = [s.to_dict() for s in outcome.trace]
        if notes:
            trace.append({"node": "pipeline", "kind": "service", "rules": [], "values": notes})
        versions = Versions(
            data=_data_version(inputs.features),
            features=self.feature_set,
            model=scorer.version if scorer is not None else "none",
            strategy=f"{key}:{outcome.sha256[:16]}" if outcome.sha256 else key,
            reasons=f"rules:{self.catalog.version};model:" + (scorer.reasons_version if scorer is not None else "none"),
        )
        decision = Decision(
            application_id=request.application_id,
            tier=tier,
            score=points,
            pd=pd_,
            limit_cents=limit,
            rate_bp=rate,
            reasons=reasons,
            trace=tuple(trace),
            versions=versions,
            decided_at=at,
        )
        lap("trace")
        return Outcome(decision, inputs, context, key)

    def _read(
        self, outcome: RuleOutcome, context: Mapping[str, Any]
    ) -> tuple[Tier, int, int, list[str], dict[str, Any]]:
        """Tier, limit, rate and reason codes from the strategy's output, with the fail-safe applied."""
        notes: dict[str, Any] = {}
        try:
            if outcome.error is not None:
                raise ValidationError("strategy", outcome.error.message)
            result = outcome.result
            tier = Tier(result["tier"])
            limit, rate = int(result["limit_cents"]), int(result["rate_bp"])
            codes = [str(c) for c in result["rule_codes"]] + [str(c) for c in result["limit_codes"]]
            for code in codes:
                self.catalog.reason(code)  # a code outside the catalogue is a strategy error
            if limit < 0 or rate < 0:
                raise ValidationError("strategy", f"negative limit {limit} or rate {rate}")
        except (ValidationError, KeyError, TypeError, ValueError) as exc:
            failure = outcome.error.to_dict() if outcome.error is not None else {"kind": "output", "message": str(exc)}
            notes["rule_failure"] = failure
            return Tier.MANUAL_REVIEW, 0, 0, [RULES_FAILED], notes
        missing = [UNAVAILABLE[name] for name in UNAVAILABLE if not context["data"][name]]
        if tier.approves and missing:
            notes["fail_safe"] = f"{tier.value} referred: {', '.join(missing)}"
            tier = Tier.MANUAL_REVIEW
            codes = missing + [c for c in codes if c not in missing]
        if tier.approves and limit == 0:
            notes["fail_safe"] = f"{tier.value} referred: no limit"
            tier = Tier.MANUAL_REVIEW
            codes = [LIMIT_BELOW_MINIMUM, *codes]
        return tier, limit, rate, codes, notes

    def _reasons(
        self,
        *,
        tier: Tier,
        limit: int,
        request: DecisionRequest,
        codes: list[str],
        values: Mapping[str, float | None],
        scorer: Scorer | None,
    ) -> tuple[DecisionReason, ...]:
        reduced = tier.approves and limit < (request.amount_cents // LIMIT_STEP_CENTS) * LIMIT_STEP_CENTS
        if tier is Tier.AUTO_APPROVE and not reduced:
            return ()
        model: list[DecisionReason] = []
        if scorer is not None and len(codes) < MAX_REASONS and not tier.approves:
            try:
                model = [r for r in scorer.reasons(values, MAX_REASONS) if r.code]
            except Exception:  # explanations are best effort; the rules' reasons remain
                model = []
        reasons = merge_reasons(codes, model, self.catalog)
        if not reasons:
            reasons = (self.catalog.reason(SCORE_LOW if not tier.approves else "LIMIT_REVENUE"),)
        return reasons


def _score(
    scorer: Scorer | None, values: Mapping[str, float | None]
) -> tuple[float | None, float | None, dict[str, Any]]:
    if scorer is None:
        return None, None, {"model": "no model deployed"}
    try:
        pd_, points = scorer.score(values)
    except Exception as exc:  # a model failure refers the application; it never aborts the decision
        return None, None, {"model": f"{type(exc).__name__}: {exc}"}
    if not (math.isfinite(pd_) and math.isfinite(points)):
        return None, None, {"model": "non-finite score"}
    return pd_, points, {}


def model_inputs(
    request: DecisionRequest, features: PublishedFeatures | None, graph: GraphSignals | None = None
) -> dict[str, float | None]:
    """The model's input row: published enterprise features, graph features and the application's own fields.

    A failed graph check (``graph`` None) leaves the graph source missing (``avail_graph`` 0) for a model
    trained with it; the fail-safe refers such a decision anyway (DATA_UNAVAILABLE_GRAPH).
    """
    values: dict[str, float | None] = {}
    if features is not None:
        for name, value in features.values.items():
            values[name] = None if value is None else float(value)
    else:
        for source in SOURCES:
            values[f"avail_{source}"] = 0.0
    if graph is not None:
        values.update(graph.features)
    else:
        values[GRAPH_AVAILABLE] = 0.0
    values["app_bureau_score"] = None if request.bureau_score is None else float(request.bureau_score)
    values["app_log_requested"] = math.log1p(request.amount_cents / 100.0)
    values["app_term_months"] = float(request.term_months)
    values["app_face_match"] = float(request.face_match_score)
    values["app_verification_failures"] = float(request.verification_failures)
    return values


def strategy_context(
    inputs: DecisionInputs, at: dt.datetime, pd_: float | None, points: float | None
) -> dict[str, Any]:
    """The context a strategy receives (documented in docs/strategy.md)."""
    request, profile, graph = inputs.request, inputs.profile, inputs.graph
    values = inputs.features.values if inputs.features is not None else {}
    firm_age: int | None = None
    if profile is not None:
        firm_age = profile.firm_age_days(at.date())
    elif values.get("reg_firm_age_days") is not None:
        firm_age = int(values["reg_firm_age_days"] or 0)
    revenue = verified_revenue_cents(values)
    signals = graph or GraphSignals()
    return {
        "application": {
            "product_code": request.product_code,
            "amount_cents": request.amount_cents,
            "term_months": request.term_months,
            "channel": request.channel,
        },
        "identity": {
            "sms_verified": request.sms_verified,
            "face_match": request.face_match_score,
            "device_fingerprint_ok": request.device_fingerprint_ok,
            "phone_owner_match": request.phone_owner_match,
        },
        "profile": {
            "status": profile.status if profile is not None else None,
            "firm_age_days": firm_age,
            "industry_section": profile.industry_section if profile is not None else None,
        },
        "risk": {
            "blacklisted": (profile is not None and profile.blacklisted) or bool(inputs.lists and inputs.lists.black),
            "dishonest_listed": bool(values.get("risk_dishonest_listed") or 0),
            "open_enforcements": int(values.get("risk_open_enforcements") or 0),
        },
        "graph": {
            "gang_member": signals.gang_member,
            "gang_size": signals.gang_size,
            "shared_phone_other_company": signals.shared_phone_other_company,
            "shared_device_applicants": signals.shared_device_applicants,
            "propagated_risk": signals.propagated_risk,
            "related_party_risk": signals.related_party_risk,
        },
        "data": {
            "profile": profile is not None,
            "features": inputs.features is not None,
            "model": pd_ is not None,
            "graph": graph is not None,
            "bureau": request.bureau_score is not None,
            "missing_sources": missing_sources(values) if inputs.features is not None else len(SOURCES),
            "revenue": revenue > 0,
        },
        "score": {"points": points, "pd": pd_, "bureau_score": request.bureau_score},
        "finance": {"verified_revenue_cents": revenue, "existing_debt_cents": request.existing_debt_cents or 0},
    }


def verified_revenue_cents(values: Mapping[str, Any]) -> int:
    """Revenue of the last 12 months verified by tax declarations or issued invoices (the larger), in cents."""
    best = 0.0
    for name in ("tax_log_revenue_12m", "inv_log_sales_12m"):
        logged = values.get(name)
        if logged is not None and math.isfinite(float(logged)):
            best = max(best, math.expm1(float(logged)))
    return int(best * 100)


def missing_sources(values: Mapping[str, Any]) -> int:
    """How many of the six feature sources had no data for the enterprise."""
    return sum(1 for s in SOURCES if not values.get(f"avail_{s}", 1))


def _data_version(features: PublishedFeatures | None) -> str:
    if features is None:
        return "none"
    return f"features as of {features.as_of.isoformat()}, published {features.published_at.isoformat()}"


def _attempt(source: str, failures: list[tuple[str, str]], read: Any) -> Any:
    """``read()``, or ``None`` with the failure recorded when the source raises."""
    try:
        return read()
    except Exception as exc:  # any failing source is a missing source, never an aborted decision
        failures.append((source, f"{type(exc).__name__}: {exc}"))
        return None
