"""ProductFit: the credit products a prospect is eligible for, and the one recommended, from the active catalogue.

The catalogue is the active version of the strategy ``products`` (``domain.products``), read on every call, so an
approved activation is followed without a restart (each version parsed once). zen-engine evaluates the table
on the normalised profile and decides eligibility; the terms of the eligible rows come from the parsed
catalogue; the offer is the one that fits (``domain.products.best_offer``). A blacklisted, excluded or gang
profile (or one whose flag is unknown) gets nothing, before and independently of the table. A catalogue that
cannot be parsed or evaluated is a ConfigError naming the version, never a silent empty answer.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

from riskloop.domain.product_conditions import normalise_profile
from riskloop.domain.products import GATES, OUTPUT_PATH, PRODUCTS, Catalogue, ProductOffer, best_offer, parse_catalogue
from riskloop.errors import ConfigError, NotFoundError, ValidationError
from riskloop.rules.engine import RuleEngine, RuleOutcome, StrategyLoader
from riskloop.service.strategy_ports import ActiveVersions

HOW_TO_ACTIVATE = (
    "author one with the content of riskloop/rules/strategies/products-v1.json (POST /v1/strategies/products/"
    "versions; riskloop demo releases it), submit and approve it, then activate it with another approver"
)


class ProductFit:
    """Eligible products and the recommended offer per prospect profile (see the module).

    Parameters
    ----------
    versions : ActiveVersions
        Which version of ``name`` is active.
    loader : StrategyLoader
        The content of a version (the same loader the rule engine reads).
    rules : RuleEngine
        Evaluates the catalogue's table (zen-engine).
    name : str
        The catalogue's strategy name.

    """

    def __init__(
        self, versions: ActiveVersions, loader: StrategyLoader, rules: RuleEngine, name: str = PRODUCTS
    ) -> None:
        self.versions, self.loader, self.rules, self.name = versions, loader, rules, name
        self._parsed: dict[str, tuple[str, Catalogue]] = {}  # key -> (sha256, catalogue)
        self._lock = threading.Lock()

    def catalogue(self) -> tuple[str, Catalogue]:
        """The active version's key (``products@N``) and catalogue; NotFoundError naming how to activate one."""
        active = self.versions.active(self.name)
        if active is None:
            raise NotFoundError(f"product catalogue {self.name}: no active version; {HOW_TO_ACTIVATE}")
        found = self._parsed.get(active.key)
        if found is None or found[0] != active.sha256:
            strategy = self.loader.load(active.key)
            if strategy.sha256 != active.sha256:
                raise ConfigError(f"product catalogue {active.key}: the loaded content is not the active version's")
            try:
                parsed = parse_catalogue(strategy.content)
            except ValidationError as exc:
                raise ConfigError(f"product catalogue {active.key} is invalid: {exc}") from None
            found = (active.sha256, parsed)
            with self._lock:
                self._parsed[active.key] = found
        return active.key, found[1]

    def eligible(self, profile: Mapping[str, object]) -> list[str]:
        """The codes of every product ``profile`` is eligible for, in catalogue order."""
        key, catalogue = self.catalogue()
        return self._eligible(key, catalogue, [normalise_profile(profile)])[0]

    def eligible_many(self, profiles: Sequence[Mapping[str, object]]) -> list[list[str]]:
        """``eligible`` of each profile, against one catalogue version."""
        key, catalogue = self.catalogue()
        return self._eligible(key, catalogue, [normalise_profile(p) for p in profiles])

    def recommend(self, profile: Mapping[str, object]) -> ProductOffer | None:
        """The offer for ``profile``: the eligible product that fits (see ``domain.products``), or None."""
        return self.recommend_many([profile])[0]

    def recommend_many(self, profiles: Sequence[Mapping[str, object]]) -> list[ProductOffer | None]:
        """``recommend`` of each profile, against one catalogue version (the batch of a screening run)."""
        key, catalogue = self.catalogue()
        contexts = [normalise_profile(p) for p in profiles]
        offers: list[ProductOffer | None] = []
        for context, codes in zip(contexts, self._eligible(key, catalogue, contexts), strict=True):
            products = [catalogue.product(code) for code in codes]
            offers.append(best_offer(key, products, context["sales_12m_forecast"]))
        return offers

    def _eligible(self, key: str, catalogue: Catalogue, contexts: Sequence[Mapping[str, Any]]) -> list[list[str]]:
        """The eligible codes of each normalised profile; barred profiles (a gate not false) skip zen."""
        open_ = [i for i, c in enumerate(contexts) if all(c[gate] is False for gate in GATES)]
        outcomes = self.rules.evaluate_many(key, [contexts[i] for i in open_]) if open_ else []
        found: list[list[str]] = [[] for _ in contexts]
        for index, outcome in zip(open_, outcomes, strict=True):
            found[index] = _codes(key, catalogue, outcome)
        return found


def _codes(key: str, catalogue: Catalogue, outcome: RuleOutcome) -> list[str]:
    if outcome.error is not None:
        raise ConfigError(f"product catalogue {key} could not be evaluated: {outcome.error.message}")
    rows: Any = outcome.result.get(OUTPUT_PATH)
    if not isinstance(rows, list):
        raise ConfigError(f"product catalogue {key}: the table gave no {OUTPUT_PATH!r} list")
    codes = [row.get("code") if isinstance(row, dict) else None for row in rows]
    unknown = [str(c) for c in codes if c not in catalogue.codes]
    if unknown:
        raise ConfigError(f"product catalogue {key}: the table gave products not in the catalogue ({unknown})")
    return [str(c) for c in codes]
