"""Who acts and what they may do: principals, the roles, and the checks every entry point applies.

A principal is the person or system an API key acts as. Roles grant capabilities; the four-eyes rules of
reviews and strategies compare principals, never keys, so two keys of one person are one person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from riskloop.errors import ForbiddenError, ValidationError

CHANNEL, REVIEWER, ANALYST, APPROVER, AUDITOR = "channel", "reviewer", "analyst", "approver", "auditor"
POST_LOAN_OFFICER = "post_loan_officer"
COLLECTOR, COLLECTION_LEAD = "collector", "collection_lead"
LIST_KEEPER = "list_keeper"
ROLES = (CHANNEL, REVIEWER, ANALYST, APPROVER, AUDITOR, POST_LOAN_OFFICER, COLLECTOR, COLLECTION_LEAD, LIST_KEEPER)
ROLE_HELP = {
    CHANNEL: "post applications, read its own decisions",
    REVIEWER: "the review queue (list, claim, decide, reopen) but never of its own applications, read decisions",
    ANALYST: "author and submit strategy versions, request activations",
    APPROVER: "approve strategy versions and activation changes",
    AUDITOR: "read-only: every GET",
    POST_LOAN_OFFICER: "post-loan alerts (list, read, acknowledge, act on the loan, close) and drawdowns (list, read, "
    "reconcile); never decisions",
    COLLECTOR: "collection cases (list with the next best action, record an action and its outcome), submit call "
    "transcripts and read their findings; never decisions",
    COLLECTION_LEAD: "what a collector does, and the QA cases of collection calls (list, confirm or dismiss)",
    LIST_KEEPER: "the black, grey and white lists: load files, add and end-date entries, see listed values (audited)",
}
# What the console may offer each role: capability -> the roles that hold it. The API stays the authority (every
# route and use case checks roles itself); this one table says the same thing for the console (GET /v1/me), and
# tests/unit/domain/test_capabilities.py checks that the routes' role requirements agree with it.
CAPABILITIES: dict[str, tuple[str, ...]] = {
    "application.post": (CHANNEL,),  # applications, verifications, consents, registrations: the lending channel
    "decision.read": (CHANNEL, REVIEWER, AUDITOR),
    "review.read": (REVIEWER, AUDITOR),
    "review.decide": (REVIEWER,),  # claim, release, decide, reopen
    "strategy.read": (ANALYST, APPROVER, AUDITOR),
    "strategy.edit": (ANALYST,),  # author, edit, submit, request activations (a rollback too)
    "strategy.approve": (APPROVER,),  # approve versions and activation changes
    "strategy.backtest": (ANALYST, APPROVER),
    "model.read": (ANALYST, APPROVER, AUDITOR),  # registry, monitoring, vintages, effect
    "model.approve": (APPROVER,),  # approve and activate models
    "alert.read": (POST_LOAN_OFFICER, AUDITOR),
    "alert.act": (POST_LOAN_OFFICER,),
    "drawdown.read": (CHANNEL, POST_LOAN_OFFICER),  # a channel its own drawdowns, an officer any (with the loan)
    "drawdown.reconcile": (POST_LOAN_OFFICER,),  # list every channel's drawdowns, ask the core, re-send
    "collection.read": (COLLECTOR, COLLECTION_LEAD, AUDITOR),
    "collection.act": (COLLECTOR, COLLECTION_LEAD),
    "collection.qa": (COLLECTION_LEAD,),  # confirm or dismiss QA cases of calls
    "collection.qa_read": (COLLECTION_LEAD, AUDITOR),
    "prospect.read": (ANALYST, AUDITOR),
    "prospect.act": (ANALYST,),  # campaigns and exports
    "list.read": (LIST_KEEPER, REVIEWER, ANALYST, AUDITOR),
    "list.edit": (LIST_KEEPER,),
    "graph.read": (REVIEWER, ANALYST, POST_LOAN_OFFICER, AUDITOR),
    "names.read": (ANALYST, AUDITOR),  # enterprise and people names where a route shows them (audited)
    "identifiers.read": (AUDITOR,),  # an applicant's identifiers whole, not masked (audited)
}


def can(capability: str) -> tuple[str, ...]:
    """The roles holding ``capability`` (a name of ``CAPABILITIES``; an unknown one is a programming error)."""
    return CAPABILITIES[capability]


def capabilities(roles: Iterable[str]) -> dict[str, bool]:
    """Every capability, and whether one of ``roles`` holds it."""
    held = frozenset(roles)
    return {name: not held.isdisjoint(allowed) for name, allowed in CAPABILITIES.items()}


PRINCIPAL = re.compile(r"^[A-Za-z0-9._@-]{1,80}$")  # the actors' pattern of the API bodies


@dataclass(frozen=True)
class Principal:
    """Who an authenticated request acts as, and what it may do."""

    name: str
    roles: frozenset[str]
    key_id: str


def check_principal(name: str) -> str:
    """``name`` if it is a valid principal name, else a ValidationError naming ``principal``."""
    if not PRINCIPAL.match(name):
        raise ValidationError("principal", "1-80 letters, digits or . _ @ -")
    return name


def check_roles(roles: Iterable[str]) -> tuple[str, ...]:
    """The distinct roles, sorted; an unknown role or none is a ValidationError naming ``role``."""
    chosen = tuple(sorted(set(roles)))
    if not chosen:
        raise ValidationError("role", f"give at least one role: {', '.join(ROLES)}")
    unknown = [r for r in chosen if r not in ROLES]
    if unknown:
        raise ValidationError("role", f"unknown role {unknown[0]!r}; valid: {', '.join(ROLES)}")
    return chosen


def require_role(principal: Principal, roles: tuple[str, ...], what: str, *, field: str | None = None) -> Principal:
    """``principal`` if it holds one of ``roles``; else a ForbiddenError naming the roles ``what`` needs."""
    if principal.roles.isdisjoint(roles):
        needed, held = " or ".join(roles), ", ".join(sorted(principal.roles))
        raise ForbiddenError(
            f"{what} needs the role {needed}; the key {principal.key_id} of {principal.name} has {held}", field=field
        )
    return principal


def acting(principal: Principal, named: str | None, field: str) -> str:
    """The actor: the principal; naming someone else (in ``field``) is a ForbiddenError, never a substitution."""
    if named is not None and named != principal.name:
        raise ForbiddenError(
            f"{field}: the body names {named!r} but the API key is {principal.name!r}'s; "
            "the authenticated principal is the actor (omit the field or name yourself)",
            field=field,
        )
    return principal.name
