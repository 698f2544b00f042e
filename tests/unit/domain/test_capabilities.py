"""The console's capability table agrees with the roles every route requires (so the two cannot drift)."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskloop.api.app import create_app
from riskloop.api.auth import route_roles
from riskloop.config import Settings
from riskloop.domain.access import CAPABILITIES, ROLES, capabilities
from riskloop.service.identifiers import FULL_VIEW
from riskloop.service.prospect_desk import READERS as PROSPECT_READERS

# The console's capabilities and routes that need exactly its roles (a route may stand for several).
GUARDED: dict[str, tuple[str, ...]] = {
    "application.post": ("POST /v1/applications", "POST /v1/verifications", "POST /v1/consents",
                         "POST /v1/registrations"),
    "decision.read": ("GET /v1/decisions/{decision_id}", "GET /v1/decisions/{decision_id}/identifiers"),
    "review.read": ("GET /v1/reviews", "GET /v1/reviews/{decision_id}"),
    "review.decide": ("POST /v1/reviews/{decision_id}/claim", "POST /v1/reviews/{decision_id}/release",
                      "POST /v1/reviews/{decision_id}/decision", "POST /v1/decisions/{decision_id}/review"),
    "strategy.read": ("GET /v1/strategies", "GET /v1/strategies/{name}/versions", "GET /v1/strategy-changes"),
    "strategy.edit": ("POST /v1/strategies/{name}/versions", "PUT /v1/strategies/{name}/versions/{version}",
                      "POST /v1/strategies/{name}/versions/{version}/submit", "POST /v1/strategies/{name}/activations"),
    "strategy.approve": ("POST /v1/strategies/{name}/versions/{version}/approve",
                         "POST /v1/strategy-changes/{change_id}/approve"),
    "strategy.backtest": ("POST /v1/strategies/{name}/versions/{version}/backtest",),
    "model.read": ("GET /v1/models", "GET /v1/models/{model_id}", "GET /v1/models/monitoring", "GET /v1/models/drift",
                   "GET /v1/effect"),
    "model.approve": ("POST /v1/models/{model_id}/approve", "POST /v1/models/{model_id}/activate"),
    "alert.read": ("GET /v1/alerts", "GET /v1/alerts/{alert_id}"),
    "alert.act": ("POST /v1/alerts/{alert_id}/acknowledge", "POST /v1/alerts/{alert_id}/actions",
                  "POST /v1/alerts/{alert_id}/close"),
    "drawdown.read": ("GET /v1/drawdowns/{drawdown_id}",),
    "drawdown.reconcile": ("GET /v1/drawdowns", "POST /v1/drawdowns/{drawdown_id}/reconcile"),
    "collection.read": ("GET /v1/collections/cases", "GET /v1/collections/cases/{case_id}"),
    "collection.act": ("POST /v1/collections/cases/{case_id}/actions", "POST /v1/collections/transcripts"),
    "collection.qa": ("POST /v1/collections/qa-cases/{qa_case_id}/close",),
    "collection.qa_read": ("GET /v1/collections/qa-cases",),
    "prospect.read": ("GET /v1/prospects/runs/latest",),
    "prospect.act": ("POST /v1/prospects/campaigns",),
    "list.read": ("GET /v1/lists", "GET /v1/lists/versions"),
    "list.edit": ("POST /v1/lists", "POST /v1/lists/{entry_id}/end", "POST /v1/lists/files"),
}  # fmt: skip
OPEN_TO_ANY_KEY = {"GET /v1/me"}


def _required() -> dict[str, frozenset[str]]:
    """Each authenticated operation's accepted roles, read from its ``require(...)`` dependency."""
    return route_roles(create_app(Settings(home=Path("unused"), database_url="sqlite://")))  # routes only


@pytest.fixture(scope="module")
def required() -> dict[str, frozenset[str]]:
    return _required()


@pytest.mark.parametrize("capability", sorted(GUARDED))
def test_each_capability_holds_the_roles_its_routes_require(
    capability: str, required: dict[str, frozenset[str]]
) -> None:
    for operation in GUARDED[capability]:
        assert operation in required, f"{operation}: no such authenticated operation"
        assert required[operation] == frozenset(CAPABILITIES[capability]), operation


def test_every_route_requires_the_roles_of_some_capability(required: dict[str, frozenset[str]]) -> None:
    known = {frozenset(roles) for roles in CAPABILITIES.values()}
    strays = {op: sorted(roles) for op, roles in required.items() if roles not in known and op not in OPEN_TO_ANY_KEY}
    assert strays == {}
    assert required["GET /v1/me"] == frozenset(ROLES)  # any valid key


def test_names_and_identifiers_follow_the_use_cases_that_show_them() -> None:
    assert frozenset(CAPABILITIES["identifiers.read"]) == FULL_VIEW
    assert CAPABILITIES["names.read"] == PROSPECT_READERS  # prospects show names to their readers only


def test_capabilities_of_roles() -> None:
    reviewer = capabilities(["reviewer"])
    assert set(reviewer) == set(CAPABILITIES)
    assert {c for c, held in reviewer.items() if held} == {
        "decision.read", "review.read", "review.decide", "list.read", "graph.read"
    }  # fmt: skip
    assert not any(capabilities([]).values())
    assert all(capabilities(ROLES).values())
