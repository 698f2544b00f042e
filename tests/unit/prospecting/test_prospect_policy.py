"""The screening policy file: the shipped one parses; a bad one is refused naming the key."""

from __future__ import annotations

import json

import pytest

from riskloop.errors import ValidationError
from riskloop.prospecting.policy import parse_policy, shipped_policy


def _doc(**over: object) -> dict[str, object]:
    raw = json.loads(json.dumps(_SHIPPED))
    for dotted, value in over.items():
        *path, last = dotted.split("__")
        node = raw
        for key in path:
            node = node[key]
        node[last] = value
    return raw


_SHIPPED = {
    "kind": "prospect-screening",
    "version": "t1",
    "exclusions": {
        "active_statuses": ["active"],
        "pd_ceiling": 0.1,
        "min_years": 1.0,
        "min_last_12m_sales_yuan": 0,
        "exclude_gang_members": True,
        "exclude_dishonest": True,
        "exclude_defaulted": True,
    },
    "graph_discount": {"related_risk": 0.5, "propagated_risk": 0.5, "per_bad_neighbour": 0.05, "max_bad_neighbours": 6},
    "keep": 1000,
}


def test_shipped_policy_parses_with_its_digest() -> None:
    policy = shipped_policy()
    assert policy.active_statuses == ("active",)
    assert 0 < policy.pd_ceiling < 1
    assert len(policy.sha256) == 64


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"kind": "strategy"}, "kind"),
        ({"version": ""}, "version"),
        ({"exclusions__pd_ceiling": 1.5}, "exclusions.pd_ceiling"),
        ({"exclusions__pd_ceiling": "0.1"}, "exclusions.pd_ceiling"),
        ({"exclusions__exclude_gang_members": "yes"}, "exclusions.exclude_gang_members"),
        ({"exclusions__active_statuses": []}, "exclusions.active_statuses"),
        ({"graph_discount__max_bad_neighbours": 2.5}, "graph_discount.max_bad_neighbours"),
        ({"keep": 0}, "keep"),
        ({"graph_discount__surprise": 1}, "graph_discount.surprise"),
    ],
)
def test_bad_policy_names_the_key(over: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_policy(json.dumps(_doc(**over)).encode())
    assert err.value.field == field


def test_a_missing_key_and_non_json_are_refused() -> None:
    doc = _doc()
    del doc["exclusions"]["min_years"]  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="required") as err:
        parse_policy(json.dumps(doc).encode())
    assert err.value.field == "exclusions.min_years"
    with pytest.raises(ValidationError, match="not JSON"):
        parse_policy(b"{kind:")
