"""Principals for tests of the use cases: a person with roles, as an authenticated key would present them."""

from __future__ import annotations

from riskloop.domain.access import Principal


def person(name: str, *roles: str) -> Principal:
    """``name`` holding ``roles`` through a key named after them."""
    return Principal(name, frozenset(roles), f"key_{name}")
