"""Decision-level reason codes: the versioned rules catalogue and the merge with the model's reasons."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from typing import Any

from riskloop.domain.decision import MAX_REASONS, DecisionReason
from riskloop.errors import ValidationError

CATALOG_FILE = "reason_catalog.json"


class RuleReasonCatalog:
    """Codes and texts of the strategies' reasons, from ``rules/reason_catalog.json``.

    Examples
    --------
    >>> catalog = RuleReasonCatalog.default()
    >>> catalog.reason("BLACKLIST").source, "FRAUD_GANG" in catalog
    ('rule', True)

    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        try:
            self.version = str(data["version"])
            self._texts = {str(c["code"]): (str(c["en"]), str(c["zh"])) for c in data["codes"]}
            self._groups = {str(c["code"]): str(c.get("group", "")) for c in data["codes"]}
        except (KeyError, TypeError) as exc:
            raise ValidationError("rules reason catalogue", f"malformed ({exc!r})") from None

    @classmethod
    def default(cls) -> RuleReasonCatalog:
        """The catalogue shipped with riskloop."""
        return cls(json.loads(resources.files("riskloop.rules").joinpath(CATALOG_FILE).read_text("utf-8")))

    def __contains__(self, code: object) -> bool:
        return code in self._texts

    @property
    def codes(self) -> frozenset[str]:
        """Every code of the catalogue."""
        return frozenset(self._texts)

    def group(self, name: str) -> frozenset[str]:
        """The codes of one group (``graph``: the FRAUD_* and GRAPH_* codes the graph checks raise)."""
        return frozenset(c for c, g in self._groups.items() if g == name)

    def reason(self, code: str) -> DecisionReason:
        """The reason of ``code``; an unknown code is a ValidationError (strategies may only use catalogue codes)."""
        try:
            en, zh = self._texts[code]
        except KeyError:
            raise ValidationError("reason code", f"{code!r} is not in the rules catalogue {self.version}") from None
        return DecisionReason(code, "rule", en, zh)


def merge_reasons(
    rule_codes: Sequence[str], model: Iterable[DecisionReason], catalog: RuleReasonCatalog, limit: int = MAX_REASONS
) -> tuple[DecisionReason, ...]:
    """Rule reasons first (most severe first), then the model's, without repeats, at most ``limit``."""
    out: list[DecisionReason] = []
    seen: set[str] = set()
    for reason in [catalog.reason(c) for c in rule_codes] + list(model):
        if reason.code not in seen:
            seen.add(reason.code)
            out.append(reason)
        if len(out) == limit:
            break
    return tuple(out)
