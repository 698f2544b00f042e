"""The RuleEngine and StrategyLoader ports, strategies as values, and evaluation outcomes.

A rule that fails is a value (``RuleOutcome.error``), never an exception: the decision pipeline turns it
into a referral with a reason.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from riskloop.errors import ValidationError

KEY_SEPARATOR = "@"


@dataclass(frozen=True)
class Strategy:
    """One published version of a strategy: its JDM JSON content and the sha256 of that content.

    Examples
    --------
    >>> s = Strategy.of("reference", 1, '{"nodes": [], "edges": []}')
    >>> s.key, len(s.sha256)
    ('reference@1', 64)

    """

    name: str
    version: int
    content: str
    sha256: str

    @classmethod
    def of(cls, name: str, version: int, content: str) -> Strategy:
        """A strategy with its digest computed from ``content`` (checked to be a JDM graph)."""
        check_jdm(content)
        return cls(name, version, content, hashlib.sha256(content.encode("utf-8")).hexdigest())

    @property
    def key(self) -> str:
        """``name@version``: what the rule engine evaluates."""
        return strategy_key(self.name, self.version)


def strategy_key(name: str, version: int) -> str:
    """The engine key of version ``version`` of strategy ``name``."""
    return f"{name}{KEY_SEPARATOR}{version}"


def parse_key(key: str) -> tuple[str, int]:
    """Split ``name@version``; a malformed key is a ValidationError naming ``strategy``."""
    name, sep, version = key.rpartition(KEY_SEPARATOR)
    if not sep or not name or not version.isdigit():
        raise ValidationError("strategy", f"{key!r} is not name@version")
    return name, int(version)


def check_jdm(content: str) -> dict[str, Any]:
    """Parse JDM JSON and check it is a graph with an input and an output node."""
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise ValidationError("strategy", f"not JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list) or not isinstance(data.get("edges"), list):
        raise ValidationError("strategy", "a JDM graph needs 'nodes' and 'edges' lists")
    kinds = {n.get("type") for n in data["nodes"] if isinstance(n, dict)}
    if "inputNode" not in kinds or "outputNode" not in kinds:
        raise ValidationError("strategy", "a JDM graph needs an inputNode and an outputNode")
    return data


@dataclass(frozen=True)
class TraceStep:
    """What one node of the graph did: its name, and the rules that matched or the expressions' results."""

    node: str
    kind: str
    rules: tuple[str, ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return {"node": self.node, "kind": self.kind, "rules": list(self.rules), "values": dict(self.values)}


@dataclass(frozen=True)
class RuleFailure:
    """A strategy that could not be evaluated: the node (if known) and what went wrong."""

    kind: str
    message: str
    node: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return {"kind": self.kind, "message": self.message, "node": self.node}


@dataclass(frozen=True)
class RuleOutcome:
    """The result of evaluating one strategy on one context: output and trace, or a failure."""

    key: str
    result: Mapping[str, Any]
    trace: tuple[TraceStep, ...]
    error: RuleFailure | None = None
    sha256: str = ""  # digest of the strategy content that ran ("" when it could not be loaded)

    @property
    def ok(self) -> bool:
        """True when the strategy ran to its output node."""
        return self.error is None


class StrategyLoader(Protocol):
    """Where strategies come from: the package, a folder, the database."""

    def load(self, key: str) -> Strategy:
        """The strategy version ``key`` (``name@version``); NotFoundError when there is none."""
        ...


class RuleEngine(Protocol):
    """Evaluates a strategy version on a context; failures are values, never exceptions."""

    def evaluate(self, key: str, context: Mapping[str, Any]) -> RuleOutcome:
        """Run strategy ``key`` on ``context``."""
        ...

    def evaluate_many(self, key: str, contexts: Sequence[Mapping[str, Any]]) -> list[RuleOutcome]:
        """Run strategy ``key`` on each context, without traces (a batch: monitoring the book)."""
        ...
