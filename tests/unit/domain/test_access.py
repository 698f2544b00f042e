"""Principals and roles: the actor is the principal, role checks name what is missing, keys' names agree."""

from __future__ import annotations

import datetime as dt

import pytest

from riskloop.domain.access import ANALYST, APPROVER, acting, check_roles, require_role
from riskloop.domain.strategy_lifecycle import StrategyVersion
from riskloop.errors import ForbiddenError
from riskloop.rules.engine import strategy_key
from riskloop.testing.principals import person


def test_the_actor_is_the_principal_and_naming_someone_else_is_forbidden() -> None:
    ann = person("ann", ANALYST)
    assert acting(ann, None, "author") == "ann"
    assert acting(ann, "ann", "author") == "ann"
    with pytest.raises(ForbiddenError) as caught:
        acting(ann, "bob", "author")
    assert caught.value.field == "author"
    assert "'bob'" in str(caught.value)
    assert "'ann'" in str(caught.value)


def test_a_role_check_names_the_roles_needed_and_held() -> None:
    ann = person("ann", ANALYST)
    assert require_role(ann, (APPROVER, ANALYST), "x") is ann
    with pytest.raises(ForbiddenError, match="approving needs the role approver; the key key_ann of ann has analyst"):
        require_role(ann, (APPROVER,), "approving")


def test_roles_are_sorted_and_distinct() -> None:
    assert check_roles(["reviewer", "channel", "reviewer"]) == ("channel", "reviewer")


def test_a_versions_key_is_the_rule_engines_key() -> None:
    version = StrategyVersion("sme", 12, "draft", "ann", None, "0" * 64, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert version.key == strategy_key("sme", 12)
